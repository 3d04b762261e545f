"""``HunyuanClient``: one client, sync and async, over pooled httpx connections."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any

import httpx
from pydantic import SecretStr

from hunyuan_core import concurrency
from hunyuan_core.backend import OpenAICompatibleBackend, request_id_of
from hunyuan_core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    HunyuanError,
    HunyuanInputError,
    StreamError,
)
from hunyuan_core.models import EMBEDDING_MAX_TOKENS, EMBEDDING_MODEL, MAX_EMBEDDING_BATCH
from hunyuan_core.quirks import StreamNormalizer, normalize_completion, prepare_messages
from hunyuan_core.retry import RetryPolicy
from hunyuan_core.sse import DONE, aiter_sse_data, iter_sse_data
from hunyuan_core.types import ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingResponse

logger = logging.getLogger("hunyuan_core")

DEFAULT_TIMEOUT = 120.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

# httpx clients are shared between HunyuanClients with the same timeouts: building one costs
# an SSL context (tens of ms), and sharing keeps one connection pool per process.
_TimeoutKey = tuple[float | None, float | None]
_sync_pool: dict[_TimeoutKey, httpx.Client] = {}
_async_pool: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[_TimeoutKey, httpx.AsyncClient]
]
_async_pool = weakref.WeakKeyDictionary()


# httpcore's async pool rescans every queued request against every connection on each event:
# 500 requests queued on 100 connections cost seconds of CPU (measured: 9 s vs 2.6 s on
# loopback). So requests wait for a slot here instead, at most one per pooled connection.
_in_flight: weakref.WeakKeyDictionary[httpx.AsyncClient, asyncio.Semaphore]
_in_flight = weakref.WeakKeyDictionary()


# A forked child must not use its parent's sockets, nor close them (TLS would send the parent's
# close_notify): it drops the pools, keeping the inherited clients referenced and unclosed.
_inherited: list[object] = []


def _fresh_pools_after_fork() -> None:
    _inherited.extend([dict(_sync_pool), dict(_async_pool), dict(_in_flight)])
    _sync_pool.clear()
    _async_pool.clear()
    _in_flight.clear()


os.register_at_fork(after_in_child=_fresh_pools_after_fork)


def _timeout(key: _TimeoutKey) -> httpx.Timeout:
    read, connect = key
    return httpx.Timeout(read, connect=connect)


def shared_sync_client(key: _TimeoutKey) -> httpx.Client:
    client = _sync_pool.get(key)
    if client is None or client.is_closed:
        client = _sync_pool[key] = httpx.Client(timeout=_timeout(key), limits=DEFAULT_LIMITS)
    return client


def shared_async_client(key: _TimeoutKey) -> httpx.AsyncClient:
    """The pooled async client for the running event loop (a pool cannot cross loops)."""
    per_loop = _async_pool.setdefault(asyncio.get_running_loop(), {})
    client = per_loop.get(key)
    if client is None or client.is_closed:
        _forget_closed_loops()
        client = per_loop[key] = httpx.AsyncClient(timeout=_timeout(key), limits=DEFAULT_LIMITS)
    return client


def _forget_closed_loops() -> None:
    """Drop the pools of loops that have closed (each ``asyncio.run`` makes a new loop).

    A pool's sockets refer to their loop, so the weak key alone never lets go: without this,
    every closed loop would keep up to ``max_keepalive_connections`` sockets open for good.
    Once dropped, the garbage collector closes them.
    """
    for loop in [loop for loop in list(_async_pool) if loop.is_closed()]:
        del _async_pool[loop]


def _is_event_stream(response: httpx.Response) -> bool:
    """False for a body that is clearly not server-sent events (JSON, HTML)."""
    content_type = response.headers.get("content-type", "").lower()
    return "json" not in content_type and "html" not in content_type


def _estimate_tokens(text: str) -> int:
    """A rough, low token count without a tokenizer (1.8 CJK or 4 other characters a token),
    so that the warning it drives fires only when truncation is likely."""
    cjk = sum(1 for ch in text if ch >= "\u2e80")
    return round(cjk / 1.8 + (len(text) - cjk) / 4)


def _as_secret(value: str | SecretStr | None, env: str) -> SecretStr | None:
    if value is None:
        value = os.environ.get(env) or None
    if value is None or isinstance(value, SecretStr):
        return value
    return SecretStr(value)


def make_backend(
    *,
    api_key: str | SecretStr | None = None,
    base_url: str | None = None,
    secret_id: str | SecretStr | None = None,
    secret_key: str | SecretStr | None = None,
    region: str | None = None,
) -> OpenAICompatibleBackend:
    """The backend the credentials call for.

    An API key (``HUNYUAN_API_KEY``) selects the OpenAI-compatible API. Tencent Cloud
    ``secret_id``/``secret_key`` (``TENCENTCLOUD_SECRET_ID``/``TENCENTCLOUD_SECRET_KEY``), with no
    API key, select the native TC3-signed API. Arguments win over the environment: passing
    ``secret_id`` and ``secret_key`` (and no ``api_key``) selects the native API even when
    ``HUNYUAN_API_KEY`` is set.
    """
    passed_native = api_key is None and secret_id is not None and secret_key is not None
    key = None if passed_native else _as_secret(api_key, "HUNYUAN_API_KEY")
    sid = _as_secret(secret_id, "TENCENTCLOUD_SECRET_ID")
    skey = _as_secret(secret_key, "TENCENTCLOUD_SECRET_KEY")
    if key is None and sid is not None and skey is not None:
        from hunyuan_core.native import NativeBackend  # TC3 signing only when asked for

        native: OpenAICompatibleBackend = NativeBackend(
            secret_id=sid, secret_key=skey, region=region, endpoint=base_url
        )
        return native
    return OpenAICompatibleBackend(
        api_key=key, base_url=base_url or os.environ.get("HUNYUAN_BASE_URL")
    )


class HunyuanClient:
    """Chat, streamed chat and embeddings against Hunyuan, with retries and typed errors.

    ``api_key`` defaults to ``HUNYUAN_API_KEY`` and ``base_url`` to ``HUNYUAN_BASE_URL`` or
    Tencent's endpoint; any OpenAI-compatible gateway that resells Hunyuan works by ``base_url``.
    Tencent Cloud ``secret_id``/``secret_key`` select the native API instead (see
    :func:`make_backend`); ``backend`` overrides both.
    """

    def __init__(
        self,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        secret_id: str | SecretStr | None = None,
        secret_key: str | SecretStr | None = None,
        region: str | None = None,
        backend: OpenAICompatibleBackend | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
        max_retries: int = 2,
        retry_policy: RetryPolicy | None = None,
        raise_on_sensitive: bool = False,
        embed_batch_size: int = MAX_EMBEDDING_BATCH,
        embed_concurrency: int | None = None,
        max_requests_per_second: float | None = None,
        adaptive_concurrency: bool = True,
        rate_limit_patience: float = concurrency.DEFAULT_PATIENCE,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
    ) -> None:
        if embed_batch_size < 1 or embed_batch_size > MAX_EMBEDDING_BATCH:
            raise HunyuanInputError(
                f"embed_batch_size must be 1..{MAX_EMBEDDING_BATCH} (Hunyuan's cap per request)"
            )
        self.backend = backend or make_backend(
            api_key=api_key,
            base_url=base_url,
            secret_id=secret_id,
            secret_key=secret_key,
            region=region,
        )
        self.retry = retry_policy or RetryPolicy(max_retries=max_retries)
        self.raise_on_sensitive = raise_on_sensitive
        self.embed_batch_size = embed_batch_size
        # Bulk work at the quota (see hunyuan_core/concurrency.py): embed_concurrency only caps
        # the batches in flight; with adaptive_concurrency=False it fixes them (4 by default).
        self.embed_concurrency = max(1, embed_concurrency) if embed_concurrency else None
        self.max_requests_per_second = max_requests_per_second
        self.adaptive_concurrency = adaptive_concurrency
        self.rate_limit_patience = rate_limit_patience
        self._timeout_key: _TimeoutKey = (timeout, connect_timeout)
        self._http_client = http_client
        self._http_async_client = http_async_client

    def __repr__(self) -> str:
        return f"HunyuanClient(backend={self.backend.name!r}, base_url={self.backend.base_url!r})"

    # --- transport ----------------------------------------------------------------------

    @property
    def http_client(self) -> httpx.Client:
        return self._http_client or shared_sync_client(self._timeout_key)

    @property
    def http_async_client(self) -> httpx.AsyncClient:
        return self._http_async_client or shared_async_client(self._timeout_key)

    @contextlib.asynccontextmanager
    async def _async_slot(self) -> AsyncIterator[None]:
        """A slot on the shared async pool (see ``_in_flight``); callers' own clients have none.

        Waiting for one is bounded by the read timeout, as httpx bounds waiting for a pooled
        connection, so that requests nested inside 100 open streams fail instead of hanging.
        """
        if self._http_async_client is not None:
            yield
            return
        client = self.http_async_client
        slots = _in_flight.get(client)
        if slots is None:
            slots = _in_flight[client] = asyncio.Semaphore(DEFAULT_LIMITS.max_connections or 100)
        if slots.locked():
            try:
                await asyncio.wait_for(slots.acquire(), self._timeout_key[0])
            except asyncio.TimeoutError:
                raise APITimeoutError(
                    f"no free connection within {self._timeout_key[0]} s: all "
                    f"{DEFAULT_LIMITS.max_connections} are busy (requests waiting inside "
                    "streams that wait for them?)"
                ) from None
        else:
            await slots.acquire()
        try:
            yield
        finally:
            slots.release()

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

    def _governed(self, model: str, send: Callable[[], Any], bulk: bool = False) -> Any:
        limiter = self.limiter(model)
        if limiter is None:
            return send()
        return concurrency.call(limiter, send, bulk=bulk, patience=self.rate_limit_patience)

    async def _agoverned(
        self, model: str, send: Callable[[], Awaitable[Any]], bulk: bool = False
    ) -> Any:
        limiter = self.limiter(model)
        if limiter is None:
            return await send()
        return await concurrency.acall(limiter, send, bulk=bulk, patience=self.rate_limit_patience)

    def _redact(self, text: str) -> str:
        for secret in self.backend.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def _scrub(self, exc: HunyuanError) -> HunyuanError:
        """Redact our secrets from what the error shows: message and the server's error body
        (a gateway may echo the key it rejected)."""
        exc.message = self._redact(exc.message)
        exc.args = (exc.message,)
        if isinstance(exc.body, dict):
            exc.body = {
                k: self._redact(v) if isinstance(v, str) else v for k, v in exc.body.items()
            }
        return exc

    def _transport_error(self, exc: httpx.TransportError, url: str) -> HunyuanError:
        if isinstance(exc, httpx.TimeoutException):
            err: HunyuanError = APITimeoutError(
                f"request to {url} timed out ({type(exc).__name__})"
            )
        else:
            err = APIConnectionError(f"could not reach {url}: {type(exc).__name__}: {exc}")
        return self._scrub(err)

    def _status_error(self, response: httpx.Response, content: bytes) -> HunyuanError:
        if response.status_code < 400:
            return self._not_a_stream(response, content)
        return self._scrub(self.backend.error_from_response(response, content))

    def _not_a_stream(self, response: httpx.Response, content: bytes) -> HunyuanError:
        """A 2xx answer that is not the success asked for: the error object it holds, or junk.

        Tencent's native API answers errors with 200 and a JSON error body (streams too), and
        a proxy may send an HTML page; a stream would otherwise look empty.
        """
        try:
            self.backend.parse_chat(content, response.headers)
        except HunyuanError as err:
            return self._scrub(err)
        return StreamError(
            "asked for a stream, but Hunyuan answered with a whole JSON reply "
            f"(content-type {response.headers.get('content-type')!r})",
            request_id=request_id_of(response.headers),
        )

    def _first_event_error(
        self, exc: httpx.TransportError | HunyuanError, url: str
    ) -> tuple[HunyuanError, BaseException | None]:
        """The error for a stream that failed before its first event was delivered."""
        if isinstance(exc, httpx.TransportError):
            return self._transport_error(exc, url), exc
        return self._scrub(exc), None

    def _first_event(
        self, data: str | None, response: httpx.Response
    ) -> ChatCompletionChunk | str | None:
        """A stream's first event, parsed (an error event raises): ``DONE``, or ``None`` if the
        stream ended without any."""
        if data is None or data == DONE:
            return data
        return self.backend.parse_chunk(data, request_id_of(response.headers))

    def _retry_after(self, err: HunyuanError, attempt: int) -> float | None:
        """Seconds to wait before trying again, or ``None`` to give up and raise ``err``."""
        if concurrency.is_rate_limited(err):  # the limiter backs off; a bulk job waits it out
            asked = self.retry._retry_after(err.headers) if err.headers else None
            wait = concurrency.on_rate_limited(asked)
            if wait is not None:
                return wait
        if attempt >= self.retry.max_retries:
            return None
        headers = err.headers
        if isinstance(err, APIStatusError):
            if err.status_code is None and not err.code:
                return None
            if not self.retry.should_retry(err.status_code or 200, headers, err.code):
                return None
        elif not isinstance(err, APIConnectionError):
            return None
        return self.retry.delay(attempt, headers)

    def _accepted(self, response: httpx.Response, stream: bool) -> bool:
        """A success: no error status, no JSON where a stream was asked for, and no error in a
        200 body (the native API answers errors with 200)."""
        if response.status_code >= 400:
            return False
        if stream:
            return _is_event_stream(response)
        return not self.backend.is_error_body(response.content)

    def _send(
        self,
        kind: str,
        build: Any,
        *,
        stream: bool,
        peek: Callable[[httpx.Response], None] | None = None,
    ) -> httpx.Response:
        """Send with retries. ``peek`` reads a stream's first event inside the retry loop: a
        break or an error event before anything was delivered is retried like a failed call."""
        client = self.http_client
        attempt = 0
        while True:
            url, headers, content = build()
            started = time.perf_counter()
            try:
                response = client.send(
                    client.build_request("POST", url, headers=headers, content=content),
                    stream=stream,
                )
            except httpx.TransportError as exc:
                err = self._transport_error(exc, url)
                cause: BaseException | None = exc
            else:
                self._log(kind, url, response, started, attempt)
                if self._accepted(response, stream):
                    try:
                        if peek is not None:
                            peek(response)
                        return response
                    except (httpx.TransportError, HunyuanError) as exc:
                        response.close()
                        err, cause = self._first_event_error(exc, url)
                else:
                    body = response.read()
                    response.close()
                    err, cause = self._status_error(response, body), None
                    err.headers = dict(response.headers)
            wait = self._retry_after(err, attempt)
            if wait is None:
                raise err from cause
            logger.info("retrying %s in %.2fs after %s", kind, wait, type(err).__name__)
            self.retry.sleep(wait)
            attempt += 1

    async def _asend(
        self,
        kind: str,
        build: Any,
        *,
        stream: bool,
        peek: Callable[[httpx.Response], Awaitable[None]] | None = None,
    ) -> httpx.Response:
        client = self.http_async_client
        attempt = 0
        while True:
            url, headers, content = build()
            started = time.perf_counter()
            try:
                response = await client.send(
                    client.build_request("POST", url, headers=headers, content=content),
                    stream=stream,
                )
            except httpx.TransportError as exc:
                err = self._transport_error(exc, url)
                cause: BaseException | None = exc
            else:
                self._log(kind, url, response, started, attempt)
                if self._accepted(response, stream):
                    try:
                        if peek is not None:
                            await peek(response)
                        return response
                    except (httpx.TransportError, HunyuanError) as exc:
                        await response.aclose()
                        err, cause = self._first_event_error(exc, url)
                else:
                    body = await response.aread()
                    await response.aclose()
                    err, cause = self._status_error(response, body), None
                    err.headers = dict(response.headers)
            wait = self._retry_after(err, attempt)
            if wait is None:
                raise err from cause
            logger.info("retrying %s in %.2fs after %s", kind, wait, type(err).__name__)
            await self.retry.async_sleep(wait)
            attempt += 1

    @staticmethod
    def _log(kind: str, url: str, response: httpx.Response, started: float, attempt: int) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s POST %s -> %s in %.1f ms (attempt %d, request id %s)",
                kind,
                url,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                attempt + 1,
                request_id_of(response.headers),
            )

    # --- chat ---------------------------------------------------------------------------

    def _chat_build(self, request: ChatRequest, stream: bool) -> Any:
        self.backend.check_credentials()
        body = request.to_body()
        body["messages"] = prepare_messages(request.messages)
        if stream:
            body["stream"] = True
        else:
            body.pop("stream", None)
            body.pop("stream_options", None)
        return lambda: self.backend.chat_request(body)

    def _parse_completion(self, request: ChatRequest, response: httpx.Response) -> ChatCompletion:
        try:
            completion = self.backend.parse_chat(response.content, response.headers)
        except HunyuanError as err:
            raise self._scrub(err) from None
        return normalize_completion(
            completion, request.stop, raise_on_sensitive=self.raise_on_sensitive
        )

    def chat(self, request: ChatRequest) -> ChatCompletion:
        """One reply; ``stop`` strings are cut from it as OpenAI would."""
        build = self._chat_build(request, False)
        response = self._governed(request.model, lambda: self._send("chat", build, stream=False))
        return self._parse_completion(request, response)

    async def achat(self, request: ChatRequest) -> ChatCompletion:
        build = self._chat_build(request, False)

        async def send() -> httpx.Response:
            async with self._async_slot():
                return await self._asend("chat", build, stream=False)

        response = await self._agoverned(request.model, send)
        return self._parse_completion(request, response)

    def stream_chat(self, request: ChatRequest) -> Iterator[ChatCompletionChunk]:
        """Normalised chunks (see :class:`~hunyuan_core.quirks.StreamNormalizer`).

        Raises :class:`StreamError` if the stream breaks or ends before ``[DONE]``; what was
        yielded before stays yielded, and nothing is retried once a chunk has been yielded.
        """
        build = self._chat_build(request, True)
        opened: list[Any] = []  # the event iterator and its first event, read by peek()

        def peek(response: httpx.Response) -> None:
            events = iter_sse_data(response.iter_lines())
            opened[:] = [events, self._first_event(next(events, None), response)]

        response = self._send("stream", build, stream=True, peek=peek)
        events, first = opened
        normalizer = StreamNormalizer(request.stop, raise_on_sensitive=self.raise_on_sensitive)
        request_id = request_id_of(response.headers)
        try:
            if first == DONE:
                yield from normalizer.finish()
                return
            if first is not None:
                chunk = normalizer.process(first)
                if chunk is not None:
                    yield chunk
                for data in events:
                    if data == DONE:
                        yield from normalizer.finish()
                        return
                    chunk = normalizer.process(self.backend.parse_chunk(data, request_id))
                    if chunk is not None:
                        yield chunk
            yield from self._end_without_done(normalizer, request_id)
        except httpx.TransportError as exc:
            raise self._stream_broken(exc, request_id) from exc
        except HunyuanError as err:
            raise self._scrub(err) from None
        finally:
            response.close()

    async def astream_chat(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        build = self._chat_build(request, True)
        async with self._async_slot():  # held until the stream is read or abandoned
            opened: list[Any] = []

            async def peek(response: httpx.Response) -> None:
                events = aiter_sse_data(response.aiter_lines())
                first = await anext(events, None)
                opened[:] = [events, self._first_event(first, response)]

            response = await self._asend("stream", build, stream=True, peek=peek)
            events, first = opened
            normalizer = StreamNormalizer(request.stop, raise_on_sensitive=self.raise_on_sensitive)
            request_id = request_id_of(response.headers)
            try:
                if first == DONE:
                    for chunk in normalizer.finish():
                        yield chunk
                    return
                if first is not None:
                    parsed = normalizer.process(first)
                    if parsed is not None:
                        yield parsed
                    async for data in events:
                        if data == DONE:
                            for chunk in normalizer.finish():
                                yield chunk
                            return
                        parsed = normalizer.process(self.backend.parse_chunk(data, request_id))
                        if parsed is not None:
                            yield parsed
                for chunk in self._end_without_done(normalizer, request_id):
                    yield chunk
            except httpx.TransportError as exc:
                raise self._stream_broken(exc, request_id) from exc
            except HunyuanError as err:
                raise self._scrub(err) from None
            finally:
                await response.aclose()

    @staticmethod
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

    def _stream_broken(self, exc: httpx.TransportError, request_id: str | None) -> HunyuanError:
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        return self._scrub(
            cls(f"the stream broke mid-reply: {type(exc).__name__}: {exc}", request_id=request_id)
        )

    # --- embeddings ---------------------------------------------------------------------

    def _embed_batches(self, texts: Sequence[str]) -> list[list[str]]:
        self.backend.check_credentials()
        if isinstance(texts, str):
            raise HunyuanInputError("embed() takes a list of texts; wrap a single text in [...]")
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise HunyuanInputError(f"texts[{i}] is {type(text).__name__}, not str")
            if not text.strip():
                raise HunyuanInputError(
                    f"texts[{i}] is empty: Hunyuan rejects empty input; drop or replace it"
                )
            if len(text) > EMBEDDING_MAX_TOKENS:
                tokens = _estimate_tokens(text)
                if tokens > EMBEDDING_MAX_TOKENS:
                    logger.warning(
                        "texts[%d] is about %d tokens: Hunyuan embeds only the first %d and drops "
                        "the rest; split long texts into chunks before embedding",
                        i,
                        tokens,
                        EMBEDDING_MAX_TOKENS,
                    )
        size = min(self.embed_batch_size, self.backend.max_embed_batch)
        return [list(texts[i : i + size]) for i in range(0, len(texts), size)]

    def _vectors(self, batch: list[str], response: httpx.Response) -> list[list[float]]:
        try:
            parsed: EmbeddingResponse = self.backend.parse_embeddings(
                response.content, response.headers
            )
        except HunyuanError as err:
            raise self._scrub(err) from None
        if len(parsed.data) != len(batch):
            raise APIStatusError(
                f"Hunyuan returned {len(parsed.data)} embeddings for {len(batch)} texts",
                request_id=parsed.request_id,
            )
        return [item.embedding for item in sorted(parsed.data, key=lambda item: item.index)]

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
            def send() -> httpx.Response:
                started()
                return self._send(
                    "embed", lambda: self.backend.embed_request(batch, model), stream=False
                )

            return self._vectors(batch, self._governed(model, send, bulk=True))

        cap = limiter.max_concurrency if limiter else 4
        return concurrency.run_batches(batches, one, self.embed_concurrency or cap)

    async def aembed(
        self, texts: Sequence[str], *, model: str = EMBEDDING_MODEL
    ) -> list[list[float]]:
        """Async :meth:`embed`; after a failure, batches not yet sent are cancelled."""
        batches = self._embed_batches(texts)
        cap = self.embed_concurrency or (None if self.adaptive_concurrency else 4)
        limit = asyncio.Semaphore(cap) if cap else contextlib.nullcontext()

        async def one(batch: list[str], started: Callable[[], None]) -> list[list[float]]:
            async def send() -> httpx.Response:
                started()
                async with self._async_slot():
                    return await self._asend(
                        "embed", lambda: self.backend.embed_request(batch, model), stream=False
                    )

            async with limit:
                response = await self._agoverned(model, send, bulk=True)
            return self._vectors(batch, response)

        return await concurrency.arun_batches(batches, one)

    # --- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Close clients passed in by the caller; shared pooled clients stay open."""
        if self._http_client is not None:
            self._http_client.close()

    async def aclose(self) -> None:
        if self._http_async_client is not None:
            await self._http_async_client.aclose()
