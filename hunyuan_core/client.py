"""``HunyuanClient``: chat, streamed chat and embeddings, sync and async, for every backend."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from hunyuan_core import concurrency
from hunyuan_core._constants import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DEADLINE,
    DEFAULT_LIMITS,
    DEFAULT_MAX_LINE_BYTES,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_STREAM_IDLE_TIMEOUT,
    DEFAULT_TIMEOUT,
)
from hunyuan_core.backends import Backend, backend_for
from hunyuan_core.backends.base import WireRequest
from hunyuan_core.errors import APIStatusError, HunyuanError, HunyuanInputError, StreamError
from hunyuan_core.limits import CallLimits
from hunyuan_core.models import EMBEDDING_MODEL, MAX_EMBEDDING_BATCH
from hunyuan_core.quirks import (
    StreamNormalizer,
    chat_body,
    embedding_batches,
    normalize_completion,
)
from hunyuan_core.quirks.inputs import check_extra_headers
from hunyuan_core.retry import RetryPolicy
from hunyuan_core.settings import Settings, resolve_settings
from hunyuan_core.sse import DONE
from hunyuan_core.streaming import AsyncEventStream, EventStream
from hunyuan_core.transport import Sender
from hunyuan_core.types import ChatCompletion, ChatCompletionChunk, ChatRequest

T = TypeVar("T")

__all__ = ["DEFAULT_LIMITS", "DEFAULT_TIMEOUT", "HunyuanClient", "make_backend"]


def make_backend(
    *,
    api_key: str | SecretStr | None = None,
    base_url: str | None = None,
    secret_id: str | SecretStr | None = None,
    secret_key: str | SecretStr | None = None,
    region: str | None = None,
) -> Backend:
    """The backend these arguments (then the environment) select; see
    :func:`hunyuan_core.settings.resolve_settings` for the precedence."""
    explicit = dict(api_key=api_key, base_url=base_url, secret_id=secret_id, secret_key=secret_key)
    return backend_for(resolve_settings({**explicit, "region": region}))


class HunyuanClient:
    """Chat, streamed chat and embeddings against Hunyuan, with retries and typed errors.

    Connection settings come from ``settings`` (see :mod:`hunyuan_core.settings`), else from
    the keyword arguments and the environment; ``backend`` overrides both. Any
    OpenAI-compatible gateway that resells Hunyuan works by ``base_url``. ``default_headers``
    go with every request, never replacing a header the backend sets (``Authorization``).

    Time and size limits (``None`` switches a time limit off): ``timeout`` bounds each read,
    ``connect_timeout`` each connect, ``deadline`` the whole call (retries and, for a stream,
    every event included), ``stream_idle_timeout`` the time a stream goes without a content
    event; ``max_response_bytes`` caps a decompressed body, ``max_line_bytes`` one
    server-sent-events line. A fired limit raises :class:`~hunyuan_core.errors.APITimeoutError`
    or :class:`~hunyuan_core.errors.ResponseTooLargeError` whose ``limit`` names it.
    """

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        secret_id: str | SecretStr | None = None,
        secret_key: str | SecretStr | None = None,
        region: str | None = None,
        settings: Settings | None = None,
        backend: Backend | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        stream_idle_timeout: float | None = DEFAULT_STREAM_IDLE_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_policy: RetryPolicy | None = None,
        raise_on_sensitive: bool = False,
        embed_batch_size: int = MAX_EMBEDDING_BATCH,
        embed_concurrency: int | None = None,
        max_requests_per_second: float | None = None,
        adaptive_concurrency: bool = True,
        rate_limit_patience: float = concurrency.DEFAULT_PATIENCE,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        if embed_batch_size < 1 or embed_batch_size > MAX_EMBEDDING_BATCH:
            raise HunyuanInputError(
                f"embed_batch_size must be 1..{MAX_EMBEDDING_BATCH} (Hunyuan's cap per request)"
            )
        if backend is None:
            if settings is None:
                explicit = dict(
                    api_key=api_key,
                    base_url=base_url,
                    secret_id=secret_id,
                    secret_key=secret_key,
                    region=region,
                )
                settings = resolve_settings(explicit)
            backend = backend_for(settings)
        self.backend = backend
        self.raise_on_sensitive = raise_on_sensitive
        self.embed_batch_size = embed_batch_size
        # Bulk work at the quota (see hunyuan_core/concurrency.py): embed_concurrency only caps
        # the batches in flight; with adaptive_concurrency=False it fixes them (4 by default).
        self.embed_concurrency = max(1, embed_concurrency) if embed_concurrency else None
        self.max_requests_per_second = max_requests_per_second
        self.adaptive_concurrency = adaptive_concurrency
        self.rate_limit_patience = rate_limit_patience
        retry = retry_policy or RetryPolicy(max_retries=max_retries)
        limits = CallLimits(deadline, stream_idle_timeout, max_response_bytes, max_line_bytes)
        self._sender = Sender(
            backend, retry, (timeout, connect_timeout), http_client, http_async_client, limits
        )
        self._sender.default_headers = dict(default_headers or {})

    def __repr__(self) -> str:
        return f"HunyuanClient(backend={self.backend.name!r}, base_url={self.backend.base_url!r})"

    # --- quota (all logic in hunyuan_core/concurrency.py) ---------------------------------

    def limiter(self, model: str) -> concurrency.AdaptiveLimiter | None:
        """The process-wide limiter for this account and ``model``; ``None`` when off."""
        if not self.adaptive_concurrency:
            return None
        return concurrency.limiter_for(
            self.backend.secrets,
            self.backend.base_url,
            model,
            max_requests_per_second=self.max_requests_per_second,
        )

    def _governed(self, model: str, send: Callable[[], T], bulk: bool = False) -> T:
        limiter = self.limiter(model)
        if limiter is None:
            return send()
        return concurrency.call(limiter, send, bulk=bulk, patience=self.rate_limit_patience)

    async def _agoverned(
        self, model: str, send: Callable[[], Awaitable[T]], bulk: bool = False
    ) -> T:
        limiter = self.limiter(model)
        if limiter is None:
            return await send()
        return await concurrency.acall(limiter, send, bulk=bulk, patience=self.rate_limit_patience)

    @property
    def retry(self) -> RetryPolicy:
        """When and how long to wait before retrying (replaceable, e.g. by a fake clock)."""
        return self._sender.retry

    @retry.setter
    def retry(self, policy: RetryPolicy) -> None:
        self._sender.retry = policy

    @property
    def limits(self) -> CallLimits:
        """The deadline, idle timeout and size caps of every call (its ``clock`` replaceable)."""
        return self._sender.limits

    @property
    def http_client(self) -> httpx.Client:
        return self._sender.http_client

    @property
    def http_async_client(self) -> httpx.AsyncClient:
        return self._sender.http_async_client

    # --- chat ---------------------------------------------------------------------------

    def _chat_build(self, request: ChatRequest, stream: bool, stream_usage: bool) -> Any:
        self.backend.check_credentials()
        body = chat_body(
            request,
            stream=stream,
            stream_usage=stream_usage,
            reasoning_history=self.backend.accepts_reasoning_history,
            strict_turn_order=self.backend.strict_turn_order,
        )
        return lambda: self.backend.chat_request(body)

    def _parse_completion(self, request: ChatRequest, response: httpx.Response) -> ChatCompletion:
        try:
            completion = self.backend.parse_chat(response.content, response.headers)
        except HunyuanError as err:
            raise self._sender.scrub(err) from None
        if not completion.choices:
            raise APIStatusError(
                f"Hunyuan answered {response.status_code} without any choice: "
                f"{response.content[:200]!r}",
                status_code=response.status_code,
                request_id=completion.request_id,
            )
        return normalize_completion(
            completion, request.stop, raise_on_sensitive=self.raise_on_sensitive
        )

    def chat(
        self,
        request: ChatRequest,
        *,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ChatCompletion:
        """One reply; ``stop`` strings are cut from it as OpenAI would.

        ``timeout`` replaces the read timeout for this call; ``extra_headers`` are added to
        its request (they may not replace authentication). Same for the other chat methods.
        """
        build = self._chat_build(request, False, False)
        options = _call_options(timeout, extra_headers)

        def send() -> httpx.Response:
            return self._sender.send("chat", build, stream=False, open=_as_is, **options)

        return self._parse_completion(request, self._governed(request.model, send))

    async def achat(
        self,
        request: ChatRequest,
        *,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> ChatCompletion:
        build = self._chat_build(request, False, False)
        options = _call_options(timeout, extra_headers)

        async def send() -> httpx.Response:
            async with self._sender.slot():
                return await self._sender.asend(
                    "chat", build, stream=False, open=_aas_is, **options
                )

        return self._parse_completion(request, await self._agoverned(request.model, send))

    def stream_chat(
        self,
        request: ChatRequest,
        *,
        stream_usage: bool = False,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Iterator[ChatCompletionChunk]:
        """Normalised chunks (see :class:`~hunyuan_core.quirks.StreamNormalizer`); the usage,
        when ``stream_usage`` asks the server for it, once, in a last chunk with no choices.

        If the stream breaks or ends before the reply finished, the error raised carries what
        was received: ``err.partial_text`` and ``err.partial_usage``; nothing is retried once
        a chunk has been yielded. A reply that finished (every ``finish_reason`` received) is
        complete even if the connection is then lost before ``[DONE]``.
        """
        build = self._chat_build(request, True, stream_usage)
        options = _call_options(timeout, extra_headers)
        backend, limits = self.backend, self._sender.limits
        deadline = self._sender.deadline()
        stream = self._sender.send(
            "stream",
            build,
            stream=True,
            open=lambda r: EventStream.open(r, backend, limits, deadline),
            deadline=deadline,
            **options,
        )
        normalizer = StreamNormalizer(request.stop, raise_on_sensitive=self.raise_on_sensitive)
        received = _Received()
        try:
            for event in stream:
                if event == DONE:
                    yield from normalizer.finish()
                    return
                assert isinstance(event, ChatCompletionChunk)
                chunk = normalizer.process(event)
                if chunk is not None:
                    received.add(chunk)
                    yield chunk
            yield from _end_without_done(normalizer, stream.request_id)
        except httpx.TransportError as exc:
            if normalizer.all_finished:  # only [DONE] and the body's end were lost
                yield from normalizer.finish()
                return
            err = self._sender.stream_broken(exc, stream.request_id, deadline)
            raise received.attach(err, normalizer) from exc
        except HunyuanError as err:
            raise received.attach(self._sender.scrub(err), normalizer) from None
        finally:
            stream.close()

    async def astream_chat(
        self,
        request: ChatRequest,
        *,
        stream_usage: bool = False,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[ChatCompletionChunk]:
        build = self._chat_build(request, True, stream_usage)
        options = _call_options(timeout, extra_headers)
        backend, limits = self.backend, self._sender.limits
        deadline = self._sender.deadline()
        async with self._sender.slot():  # held until the stream is read or abandoned
            stream = await self._sender.asend(
                "stream",
                build,
                stream=True,
                open=lambda r: AsyncEventStream.open(r, backend, limits, deadline),
                deadline=deadline,
                **options,
            )
            normalizer = StreamNormalizer(request.stop, raise_on_sensitive=self.raise_on_sensitive)
            received = _Received()
            try:
                async for event in stream:
                    if event == DONE:
                        for chunk in normalizer.finish():
                            yield chunk
                        return
                    assert isinstance(event, ChatCompletionChunk)
                    parsed = normalizer.process(event)
                    if parsed is not None:
                        received.add(parsed)
                        yield parsed
                for chunk in _end_without_done(normalizer, stream.request_id):
                    yield chunk
            except httpx.TransportError as exc:
                if normalizer.all_finished:
                    for chunk in normalizer.finish():
                        yield chunk
                    return
                err = self._sender.stream_broken(exc, stream.request_id, deadline)
                raise received.attach(err, normalizer) from exc
            except HunyuanError as err:
                raise received.attach(self._sender.scrub(err), normalizer) from None
            finally:
                await stream.aclose()

    # --- embeddings ---------------------------------------------------------------------

    def _embed_batches(self, texts: Sequence[str]) -> list[list[str]]:
        self.backend.check_credentials()
        size = min(self.embed_batch_size, self.backend.max_embed_batch)
        return embedding_batches(texts, size)

    def _vectors(self, batch: list[str], response: httpx.Response) -> list[list[float]]:
        try:
            indexes, vectors, request_id = self.backend.parse_vectors(
                response.content, response.headers
            )
        except HunyuanError as err:
            raise self._sender.scrub(err) from None
        if len(vectors) != len(batch):
            raise APIStatusError(
                f"Hunyuan returned {len(vectors)} embeddings for {len(batch)} texts",
                request_id=request_id,
            )
        if indexes != list(range(len(batch))):
            if sorted(indexes) != list(range(len(batch))):
                # a duplicate or missing index would pair a text with another text's vector
                raise APIStatusError(
                    "Hunyuan returned embeddings whose indexes are not 0.."
                    f"{len(batch) - 1}: {sorted(indexes)[:20]}",
                    request_id=request_id,
                )
            in_order = [0] * len(batch)
            for position, index in enumerate(indexes):
                in_order[index] = position
            vectors = [vectors[position] for position in in_order]
        return vectors

    def _embed_build(self, batch: list[str], model: str) -> Any:
        return lambda: self.backend.embed_request(batch, model)

    def embed(self, texts: Sequence[str], *, model: str = EMBEDDING_MODEL) -> list[list[float]]:
        """One vector per text, in order; batched under the server's cap, batches in parallel
        at the pace the account's quota allows (see :mod:`hunyuan_core.concurrency`).

        If a batch fails for good after others finished, raises
        :class:`~hunyuan_core.errors.PartialEmbeddingError` holding the finished vectors by
        index; batches not yet sent are not sent. Resume with ``err.failed_indexes``.
        """
        batches = self._embed_batches(texts)
        limiter = self.limiter(model)

        def one(batch: list[str], started: Callable[[], None]) -> list[list[float]]:
            build = self._embed_build(batch, model)

            def send() -> httpx.Response:
                started()
                return self._sender.send("embed", build, stream=False, open=_as_is)

            return self._vectors(batch, self._governed(model, send, bulk=True))

        cap = limiter.max_concurrency if limiter else 4
        return concurrency.run_batches(batches, one, self.embed_concurrency or cap)

    async def aembed(
        self, texts: Sequence[str], *, model: str = EMBEDDING_MODEL
    ) -> list[list[float]]:
        """Async :meth:`embed`; after a failure, batches not yet sent are cancelled."""
        batches = self._embed_batches(texts)
        cap = self.embed_concurrency or (None if self.adaptive_concurrency else 4)
        limit: Any = asyncio.Semaphore(cap) if cap else contextlib.nullcontext()

        async def one(batch: list[str], started: Callable[[], None]) -> list[list[float]]:
            build = self._embed_build(batch, model)

            async def send() -> httpx.Response:
                started()
                async with self._sender.slot():
                    return await self._sender.asend("embed", build, stream=False, open=_aas_is)

            async with limit:
                response = await self._agoverned(model, send, bulk=True)
            return self._vectors(batch, response)

        return await concurrency.arun_batches(batches, one)

    # --- native API actions -------------------------------------------------------------

    def run_thread(
        self,
        thread_id: str,
        *,
        messages: list[dict[str, Any]] | None = None,
        model: str | None = None,
        assistant_id: str | None = None,
        **params: Any,
    ) -> Any:
        """Run a native API thread (``RunThread``) and return its
        :class:`~hunyuan_core.backends.tencentcloud.ThreadRun`; needs Tencent Cloud credentials.

        ``messages`` (OpenAI-shaped) are sent as ``AdditionalMessages``; other keyword
        arguments (``temperature``, ``tools``, ...) are translated as for chat.
        """
        from hunyuan_core.backends.tencentcloud import NativeBackend
        from hunyuan_core.backends.tencentcloud.threads import collect_run, run_body

        backend = self.backend
        if not isinstance(backend, NativeBackend):
            raise HunyuanInputError(
                "RunThread is a native API action: create the client with secret_id/secret_key"
            )
        backend.check_credentials()
        body = run_body(thread_id, messages, model, assistant_id, params)

        def build() -> WireRequest:
            return backend.request("RunThread", body)

        response = self._sender.send("run_thread", build, stream=True, open=_as_is)
        try:
            return collect_run(response, backend)
        except HunyuanError as err:
            raise self._sender.scrub(err) from None
        finally:
            response.close()

    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` by Hunyuan's own tokenizer: the native ``GetTokenCount`` action
        (https://cloud.tencent.com/document/product/1729/101835); needs Tencent Cloud
        credentials. An empty text is 0 tokens, without a request."""
        from hunyuan_core.backends.tencentcloud import NativeBackend

        backend = self.backend
        if not isinstance(backend, NativeBackend):
            raise HunyuanInputError(
                "GetTokenCount is a native API action: create the client with secret_id/secret_key"
            )
        backend.check_credentials()
        if not text:
            return 0

        def build() -> WireRequest:
            return backend.request("GetTokenCount", {"Prompt": text})

        response = self._sender.send("count_tokens", build, stream=False, open=_as_is)
        try:
            return backend.parse_token_count(response.content, response.headers)
        except HunyuanError as err:
            raise self._sender.scrub(err) from None

    # --- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Close clients passed in by the caller; shared pooled clients stay open."""
        if self._sender.own_http_client is not None:
            self._sender.own_http_client.close()

    async def aclose(self) -> None:
        if self._sender.own_http_async_client is not None:
            await self._sender.own_http_async_client.aclose()


def _call_options(timeout: Any, extra_headers: Mapping[str, str] | None) -> dict[str, Any]:
    """Per-call request options, checked before anything is sent."""
    if timeout is not None and (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise HunyuanInputError(f"timeout={timeout!r:.40}: pass a number of seconds above 0")
    return {"timeout": timeout, "extra_headers": check_extra_headers(extra_headers)}


def _as_is(response: httpx.Response) -> httpx.Response:
    return response


async def _aas_is(response: httpx.Response) -> httpx.Response:
    return response


class _Received:
    """The first choice's text as it was yielded, for errors to carry (``partial_text``)."""

    __slots__ = ("parts",)

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, chunk: ChatCompletionChunk) -> None:
        for choice in chunk.choices:
            if choice.index == 0 and choice.delta.content:
                self.parts.append(choice.delta.content)

    def attach(self, err: HunyuanError, normalizer: StreamNormalizer) -> HunyuanError:
        err.partial_text = "".join(self.parts)
        err.partial_usage = normalizer.usage
        return err


def _end_without_done(
    normalizer: StreamNormalizer, request_id: str | None
) -> list[ChatCompletionChunk]:
    """The connection closed without ``[DONE]``: fine if every reply had finished."""
    if normalizer.all_finished:
        return normalizer.finish()
    raise StreamError(
        "the stream ended before Hunyuan finished the reply (no finish_reason, no [DONE]): "
        "the connection was closed early and the text is truncated",
        request_id=request_id,
    )
