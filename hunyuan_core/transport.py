"""Sending: pooled httpx connections, the retry loop, and typed, scrubbed errors.

:class:`Sender` sends a backend's requests and hands each accepted response to an ``open``
callback (read the body, or open an event stream) inside the retry loop, so that whatever
fails before a caller sees anything is retried under one budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx

from hunyuan_core._constants import DEFAULT_LIMITS
from hunyuan_core.backends.base import Backend, WireRequest, request_id_of
from hunyuan_core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    HunyuanError,
    StreamError,
)
from hunyuan_core.retry import RetryPolicy

logger = logging.getLogger("hunyuan_core")

T = TypeVar("T")
Build = Callable[[], WireRequest]

# httpx clients are shared between senders with the same timeouts: building one costs an SSL
# context (tens of ms), and sharing keeps one connection pool per process.
TimeoutKey = tuple[float | None, float | None]
_sync_pool: dict[TimeoutKey, httpx.Client] = {}
_async_pool: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[TimeoutKey, httpx.AsyncClient]
]
_async_pool = weakref.WeakKeyDictionary()

# httpcore's async pool rescans every queued request against every connection on each event:
# 500 requests queued on 100 connections cost seconds of CPU (measured: 9 s vs 2.6 s on
# loopback). So requests wait for a slot here instead, at most one per pooled connection.
_in_flight: weakref.WeakKeyDictionary[httpx.AsyncClient, asyncio.Semaphore]
_in_flight = weakref.WeakKeyDictionary()


def _timeout(key: TimeoutKey) -> httpx.Timeout:
    read, connect = key
    return httpx.Timeout(read, connect=connect)


def shared_sync_client(key: TimeoutKey) -> httpx.Client:
    client = _sync_pool.get(key)
    if client is None or client.is_closed:
        client = _sync_pool[key] = httpx.Client(timeout=_timeout(key), limits=DEFAULT_LIMITS)
    return client


def shared_async_client(key: TimeoutKey) -> httpx.AsyncClient:
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


class Sender:
    """Sends one backend's requests with retries; every error it raises is typed and scrubbed
    of the backend's secrets."""

    def __init__(
        self,
        backend: Backend,
        retry: RetryPolicy,
        timeout_key: TimeoutKey,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
    ) -> None:
        self.backend = backend
        self.retry = retry
        self.timeout_key = timeout_key
        self.own_http_client = http_client
        self.own_http_async_client = http_async_client

    @property
    def http_client(self) -> httpx.Client:
        return self.own_http_client or shared_sync_client(self.timeout_key)

    @property
    def http_async_client(self) -> httpx.AsyncClient:
        return self.own_http_async_client or shared_async_client(self.timeout_key)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A slot on the shared async pool (see ``_in_flight``); callers' own clients have none.

        Waiting for one is bounded by the read timeout, as httpx bounds waiting for a pooled
        connection, so that requests nested inside 100 open streams fail instead of hanging.
        """
        if self.own_http_async_client is not None:
            yield
            return
        client = self.http_async_client
        slots = _in_flight.get(client)
        if slots is None:
            slots = _in_flight[client] = asyncio.Semaphore(DEFAULT_LIMITS.max_connections or 100)
        if slots.locked():
            try:
                await asyncio.wait_for(slots.acquire(), self.timeout_key[0])
            except asyncio.TimeoutError:
                raise APITimeoutError(
                    f"no free connection within {self.timeout_key[0]} s: all "
                    f"{DEFAULT_LIMITS.max_connections} are busy (requests waiting inside "
                    "streams that wait for them?)"
                ) from None
        else:
            await slots.acquire()
        try:
            yield
        finally:
            slots.release()

    # --- errors -------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        for secret in self.backend.secrets:
            if secret and secret in text:
                text = text.replace(secret, "***")
        return text

    def _redact_deep(self, value: Any, depth: int = 0) -> Any:
        """``value`` with every string in it redacted (nested dicts and lists included)."""
        if isinstance(value, str):
            return self.redact(value)
        if depth > 32:
            return value
        if isinstance(value, Mapping):
            return {
                self._redact_deep(k, depth + 1): self._redact_deep(v, depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return type(value)(self._redact_deep(v, depth + 1) for v in value)
        return value

    def _holds_secret(self, tb: TracebackType | None) -> bool:
        secrets = [s for s in self.backend.secrets if s]
        frames = 0
        while tb is not None and secrets and frames < 64:
            for value in tb.tb_frame.f_locals.values():
                if isinstance(value, Mapping | list | tuple) and len(value) < 1000:
                    value = repr(value)
                if isinstance(value, bytes):
                    value = value.decode("utf-8", "replace")
                if isinstance(value, str) and any(s in value for s in secrets):
                    return True
            tb, frames = tb.tb_next, frames + 1
        return False

    def _shows_secret(self, *texts: str) -> bool:
        return any(s and s in t for s in self.backend.secrets for t in texts)

    def scrub(self, exc: HunyuanError) -> HunyuanError:
        """Redact our secrets from everything the error shows: its message, the server's error
        body (a gateway may echo the key it rejected) at any depth, the response headers, and
        the exceptions chained to it (``__cause__``/``__context__``, e.g. a pydantic error
        quoting a malformed event)."""
        self._scrub_one(exc)
        self._scrub_chain(exc, {id(exc)})
        return exc

    def _scrub_one(self, exc: HunyuanError) -> None:
        """Redact, and drop the traceback so far if one of its frames holds a secret in a
        local (the event or body it was made from): where it is raised again starts anew."""
        if self._holds_secret(exc.__traceback__):
            exc.__traceback__ = None
        exc.message = self.redact(exc.message)
        exc.args = (exc.message,)
        exc.body = self._redact_deep(exc.body)
        exc.headers = {k: self.redact(v) for k, v in exc.headers.items()}

    def _scrub_chain(self, exc: BaseException, seen: set[int]) -> None:
        """A chained exception whose text shows a secret gets its args redacted, or, when its
        text is not made from its args (pydantic's ``ValidationError``), is replaced by a
        :class:`RedactedError` with the redacted text. Its traceback goes too: its frames'
        locals hold the text it was made from (tools that print locals would show it)."""
        for attr in ("__cause__", "__context__"):
            linked = getattr(exc, attr)
            if linked is None or id(linked) in seen or len(seen) > 32:
                continue
            seen.add(id(linked))
            if isinstance(linked, HunyuanError):
                self._scrub_one(linked)
            elif self._shows_secret(_text_of(linked), repr(linked.args)):
                with contextlib.suppress(Exception):
                    linked.args = tuple(self._redact_deep(a) for a in linked.args)
                linked.__traceback__ = None
                if self._shows_secret(_text_of(linked), repr(linked)):
                    replacement = RedactedError(
                        f"{type(linked).__name__}: {self.redact(_text_of(linked))}"
                    )
                    replacement.__cause__ = linked.__cause__
                    replacement.__context__ = linked.__context__
                    replacement.__suppress_context__ = linked.__suppress_context__
                    setattr(exc, attr, replacement)
                    linked = replacement
            self._scrub_chain(linked, seen)

    def transport_error(self, exc: httpx.TransportError, url: str) -> HunyuanError:
        if isinstance(exc, httpx.TimeoutException):
            err: HunyuanError = APITimeoutError(
                f"request to {url} timed out ({type(exc).__name__})"
            )
        else:
            err = APIConnectionError(f"could not reach {url}: {type(exc).__name__}: {exc}")
        return self.scrub(err)

    def stream_broken(self, exc: httpx.TransportError, request_id: str | None) -> HunyuanError:
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        return self.scrub(
            cls(f"the stream broke mid-reply: {type(exc).__name__}: {exc}", request_id=request_id)
        )

    def _status_error(self, response: httpx.Response, content: bytes) -> HunyuanError:
        if response.status_code < 400:
            err = self._not_a_stream(response, content)
        else:
            err = self.backend.error_from_response(response, content)
        err.headers = dict(response.headers)
        return self.scrub(err)

    def _rejected(self, response: httpx.Response) -> HunyuanError:
        """The error for a response that was not accepted, read and closed here so that the
        body (which may echo the key) is in no frame of the send loop."""
        try:
            return self._status_error(response, response.read())
        finally:
            response.close()

    async def _arejected(self, response: httpx.Response) -> HunyuanError:
        try:
            return self._status_error(response, await response.aread())
        finally:
            await response.aclose()

    def _request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        build: Build,
        timeout: float | None,
        extra_headers: Mapping[str, str] | None,
    ) -> httpx.Request:
        """The next attempt's request, built here so that no frame of the send loop holds the
        credentials in a local (tracebacks that print locals: pytest ``-l``, rich, Sentry); an
        ``httpx.Request`` shows neither its headers nor its body in its repr.

        ``timeout`` replaces the read timeout for this call; ``extra_headers`` never replace
        the backend's own (authentication).
        """
        wire = build()
        headers = {**extra_headers, **wire.headers} if extra_headers else wire.headers
        per_call: Any = httpx.USE_CLIENT_DEFAULT
        if timeout is not None:
            connect = self.timeout_key[1]
            per_call = httpx.Timeout(timeout, connect=timeout if connect is None else connect)
        return client.build_request(
            "POST", wire.url, headers=headers, content=wire.content, timeout=per_call
        )

    def _not_a_stream(self, response: httpx.Response, content: bytes) -> HunyuanError:
        """A 2xx answer that is not the success asked for: the error object it holds, or junk.

        Tencent's native API answers errors with 200 and a JSON error body (streams too), and
        a proxy may send an HTML page; a stream would otherwise look empty.
        """
        try:
            self.backend.parse_chat(content, response.headers)
        except HunyuanError as err:
            return self.scrub(err)
        return StreamError(
            "asked for a stream, but Hunyuan answered with a whole JSON reply "
            f"(content-type {response.headers.get('content-type')!r})",
            request_id=request_id_of(response.headers),
        )

    def _opening_error(
        self, exc: httpx.TransportError | HunyuanError, url: str
    ) -> tuple[HunyuanError, BaseException | None]:
        """The error for a response that failed while being opened (read, or first event)."""
        if isinstance(exc, httpx.TransportError):
            return self.transport_error(exc, url), exc
        return self.scrub(exc), None

    def _retry_after(self, err: HunyuanError, attempt: int) -> float | None:
        """Seconds to wait before trying again, or ``None`` to give up and raise ``err``."""
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

    # --- the retry loop -----------------------------------------------------------------

    def send(
        self,
        kind: str,
        build: Build,
        *,
        stream: bool,
        open: Callable[[httpx.Response], T],
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> T:
        """Send with retries; ``open`` turns an accepted response into what the caller gets.
        ``timeout`` and ``extra_headers`` apply to this call only (see :meth:`_request`)."""
        client = self.http_client
        attempt = 0
        while True:
            request = self._request(client, build, timeout, extra_headers)
            url = str(request.url)
            started = time.perf_counter()
            try:
                response = client.send(request, stream=stream)
            except httpx.TransportError as exc:
                err = self.transport_error(exc, url)
                cause: BaseException | None = exc
            else:
                _log(kind, url, response, started, attempt)
                if self._accepted(response, stream):
                    try:
                        return open(response)
                    except (httpx.TransportError, HunyuanError) as exc:
                        response.close()
                        err, cause = self._opening_error(exc, url)
                else:
                    err, cause = self._rejected(response), None
            wait = self._retry_after(err, attempt)
            if wait is None:
                raise err from cause
            logger.info("retrying %s in %.2fs after %s", kind, wait, type(err).__name__)
            self.retry.sleep(wait)
            attempt += 1

    async def asend(
        self,
        kind: str,
        build: Build,
        *,
        stream: bool,
        open: Callable[[httpx.Response], Awaitable[T]],
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> T:
        """The asynchronous form of :meth:`send`."""
        client = self.http_async_client
        attempt = 0
        while True:
            request = self._request(client, build, timeout, extra_headers)
            url = str(request.url)
            started = time.perf_counter()
            try:
                response = await client.send(request, stream=stream)
            except httpx.TransportError as exc:
                err = self.transport_error(exc, url)
                cause: BaseException | None = exc
            else:
                _log(kind, url, response, started, attempt)
                if self._accepted(response, stream):
                    try:
                        return await open(response)
                    except (httpx.TransportError, HunyuanError) as exc:
                        await response.aclose()
                        err, cause = self._opening_error(exc, url)
                else:
                    err, cause = await self._arejected(response), None
            wait = self._retry_after(err, attempt)
            if wait is None:
                raise err from cause
            logger.info("retrying %s in %.2fs after %s", kind, wait, type(err).__name__)
            await self.retry.async_sleep(wait)
            attempt += 1


class RedactedError(Exception):
    """Stands in, in an error's chain, for an exception whose text showed a secret."""


def _text_of(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # a broken __str__ must not hide the error being raised
        return type(exc).__name__


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
