"""Sending: pooled httpx connections, the retry loop, and typed, scrubbed errors.

:class:`Sender` sends a backend's requests and hands each accepted response to an ``open``
callback (read the body, or open an event stream) inside the retry loop, so that whatever
fails before a caller sees anything is retried under one budget.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx
from httpx._client import UseClientDefault

from hunyuan_core import concurrency
from hunyuan_core._constants import DEFAULT_LIMITS
from hunyuan_core.backends.base import Backend, WireRequest, request_id_of
from hunyuan_core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    HunyuanError,
    StreamError,
)
from hunyuan_core.limits import CallLimits, Deadline
from hunyuan_core.retry import RetryPolicy

logger = logging.getLogger("hunyuan_core")

T = TypeVar("T")
Build = Callable[[], WireRequest]
#: A request's timeouts (or the client's own), and the name of the limit its read and its
#: connect timeout stand for ("read", "stream_idle", "deadline", "connect").
Timeouts = tuple[httpx.Timeout | UseClientDefault, str, str]

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


# A forked child must not use its parent's sockets, nor close them (TLS would send the parent's
# close_notify): it drops the pools, keeping the inherited clients referenced and unclosed.
_inherited: list[object] = []


def _fresh_pools_after_fork() -> None:
    _inherited.extend([dict(_sync_pool), dict(_async_pool), dict(_in_flight)])
    _sync_pool.clear()
    _async_pool.clear()
    _in_flight.clear()


os.register_at_fork(after_in_child=_fresh_pools_after_fork)


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
        limits: CallLimits | None = None,
    ) -> None:
        self.backend = backend
        self.retry = retry
        self.limits = limits or CallLimits()
        self.timeout_key = timeout_key
        self.own_http_client = http_client
        self.own_http_async_client = http_async_client
        #: Headers sent with every request; the backend's own (auth, signature) win.
        self.default_headers: dict[str, str] = {}

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

    def transport_error(
        self, exc: httpx.TransportError, url: str, names: tuple[str, str] = ("read", "connect")
    ) -> HunyuanError:
        if isinstance(exc, httpx.TimeoutException):
            limit = _limit_name(exc, names)
            err: HunyuanError = APITimeoutError(
                f"request to {url} timed out ({type(exc).__name__}): the {limit} limit",
                limit=limit,
            )
        else:
            err = APIConnectionError(f"could not reach {url}: {type(exc).__name__}: {exc}")
        return self.scrub(err)

    def stream_broken(
        self, exc: httpx.TransportError, request_id: str | None, deadline: Deadline | None = None
    ) -> HunyuanError:
        message = f"the stream broke mid-reply: {type(exc).__name__}: {exc}"
        if not isinstance(exc, httpx.TimeoutException):
            return self.scrub(APIConnectionError(message, request_id=request_id))
        # a stream's reads wait at most min(read timeout, idle timeout, time left)
        if deadline is not None and deadline.passed():
            limit = "deadline"
        else:
            idle, read = self.limits.stream_idle_timeout, self.timeout_key[0]
            limit = "stream_idle" if idle is not None and (read is None or idle < read) else "read"
        return self.scrub(
            APITimeoutError(f"{message} (limit: {limit})", limit=limit, request_id=request_id)
        )

    def _status_error(self, response: httpx.Response, content: bytes) -> HunyuanError:
        if response.status_code < 400:
            err = self._not_a_stream(response, content)
        else:
            err = self.backend.error_from_response(response, content)
        err.headers = dict(response.headers)
        return self.scrub(err)

    def _request(
        self,
        client: httpx.Client | httpx.AsyncClient,
        build: Build,
        deadline: Deadline,
        stream: bool,
        timeout: float | None,
        extra_headers: Mapping[str, str] | None,
    ) -> tuple[httpx.Request, tuple[str, str]]:
        """The next attempt's request and the names of its read/connect limits, built here so
        that no frame of the send loop holds the credentials in a local (tracebacks that print
        locals: pytest ``-l``, rich, Sentry); an ``httpx.Request`` shows neither its headers
        nor its body in its repr.

        ``timeout`` replaces the client's read timeout for this call (still capped by the
        deadline and the stream idle bound); ``extra_headers`` never replace the backend's own
        (authentication).
        """
        wire = self._build(build)
        headers = {**extra_headers, **wire.headers} if extra_headers else wire.headers
        base = client.timeout
        if timeout is not None:
            base = httpx.Timeout(timeout, connect=base.connect)
        per_attempt, read_name, connect_name = self._timeouts(base, deadline, stream)
        if timeout is not None and per_attempt is httpx.USE_CLIENT_DEFAULT:
            per_attempt = base
        request = client.build_request(
            "POST", wire.url, headers=headers, content=wire.content, timeout=per_attempt
        )
        return request, (read_name, connect_name)

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
        self, exc: httpx.TransportError | HunyuanError, url: str, names: tuple[str, str]
    ) -> tuple[HunyuanError, BaseException | None]:
        """The error for a response that failed while being opened (read, or first event)."""
        if isinstance(exc, httpx.TransportError):
            return self.transport_error(exc, url, names), exc
        return self.scrub(exc), None

    def _retry_after(self, err: HunyuanError, attempt: int, deadline: Deadline) -> float | None:
        """Seconds to wait before trying again, or ``None`` to give up and raise ``err``
        (also when the wait would not leave time for another attempt before the deadline)."""
        wait = self._retry_wait(err, attempt)
        if wait is None:
            return None
        remaining = deadline.remaining()
        if remaining is not None and wait >= remaining:
            logger.info(
                "not retrying %s: %.2fs left of the deadline", type(err).__name__, remaining
            )
            return None
        return wait

    def _retry_wait(self, err: HunyuanError, attempt: int) -> float | None:
        if concurrency.is_rate_limited(err):  # the limiter backs off; a bulk job waits it out
            asked = self.retry._retry_after(err.headers) if err.headers else None
            wait = concurrency.on_rate_limited(asked)
            if wait is not None:
                return wait
        if attempt >= self.retry.max_retries:
            return None
        if isinstance(err, APITimeoutError) and err.limit == "deadline":
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

    def deadline(self) -> Deadline:
        """The deadline of a call starting now."""
        return self.limits.start()

    def _timeouts(self, base: httpx.Timeout, deadline: Deadline, stream: bool) -> Timeouts:
        """One attempt's timeouts: the client's, each capped by the time left of the call and,
        for a stream's reads, by the idle timeout (a read that waits longer sees no event)."""
        read, read_name = base.read, "read"
        connect, connect_name = base.connect, "connect"
        idle = self.limits.stream_idle_timeout if stream else None
        if idle is not None and (read is None or idle < read):
            read, read_name = idle, "stream_idle"
        remaining = deadline.remaining()
        if remaining is not None:
            remaining = max(remaining, 0.001)
            if read is None or remaining < read:
                read, read_name = remaining, "deadline"
            if connect is None or remaining < connect:
                connect, connect_name = remaining, "deadline"
        if read == base.read and connect == base.connect:
            return httpx.USE_CLIENT_DEFAULT, read_name, connect_name
        write, pool = base.write, base.pool
        if remaining is not None:
            write = remaining if write is None else min(write, remaining)
            pool = remaining if pool is None else min(pool, remaining)
        timeout = httpx.Timeout(connect=connect, read=read, write=write, pool=pool)
        return timeout, read_name, connect_name

    def _read_body(self, response: httpx.Response, deadline: Deadline) -> None:
        """Read a whole body under the size cap and the deadline, then release the
        connection; the body is then ``response.content`` as after ``response.read()``."""
        cap, parts, size = self.limits.max_response_bytes, [], 0
        try:
            for part in response.iter_bytes():
                size += len(part)
                if size > cap:
                    raise self.limits.too_large()
                parts.append(part)
                deadline.check()
        finally:
            response.close()
        response._content = b"".join(parts)

    async def _aread_body(self, response: httpx.Response, deadline: Deadline) -> None:
        cap, parts, size = self.limits.max_response_bytes, [], 0
        try:
            async for part in response.aiter_bytes():
                size += len(part)
                if size > cap:
                    raise self.limits.too_large()
                parts.append(part)
                deadline.check()
        finally:
            await response.aclose()
        response._content = b"".join(parts)

    def _accepted(self, response: httpx.Response, stream: bool) -> bool:
        """A success: no error status, no JSON where a stream was asked for, and no error in a
        200 body (the native API answers errors with 200)."""
        if response.status_code >= 400:
            return False
        if stream:
            return _is_event_stream(response)
        return not self.backend.is_error_body(response.content)

    # --- the retry loop -----------------------------------------------------------------

    def _build(self, build: Build) -> WireRequest:
        """The backend's request plus the default headers it does not set itself (compared
        without case, so that a default can never replace ``Authorization``)."""
        request = build()
        if not self.default_headers:
            return request
        own = {name.lower() for name in request.headers}
        extra = {k: v for k, v in self.default_headers.items() if k.lower() not in own}
        return request._replace(headers={**extra, **request.headers})

    def send(
        self,
        kind: str,
        build: Build,
        *,
        stream: bool,
        open: Callable[[httpx.Response], T],
        deadline: Deadline | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> T:
        """Send with retries; ``open`` turns an accepted response into what the caller gets.

        Every response is read as a stream: a whole body under the size cap and the deadline
        (then ``response.content`` holds it), a stream by ``open``. ``timeout`` and
        ``extra_headers`` apply to this call only (see :meth:`_request`).
        """
        client = self.http_client
        deadline = deadline or self.deadline()
        attempt = 0
        while True:
            while attempt and (hold := concurrency.before_resend()) and not deadline.passed():
                self.retry.sleep(hold)
            request, limits = self._request(client, build, deadline, stream, timeout, extra_headers)
            url = str(request.url)
            started = time.perf_counter()
            concurrency.on_sending()
            if trace := concurrency.wire_trace(False):
                request.extensions["trace"] = trace
            try:
                response = client.send(request, stream=True)
            except httpx.TransportError as exc:
                concurrency.on_answered()
                err = self.transport_error(exc, url, limits)
                cause: BaseException | None = exc
            else:
                concurrency.on_answered(response.status_code)
                _log(kind, url, response, started, attempt)
                try:
                    if not (stream and self._accepted(response, True)):
                        self._read_body(response, deadline)
                    if self._accepted(response, stream):
                        return open(response)
                    err, cause = self._status_error(response, response.content), None
                except (httpx.TransportError, HunyuanError) as exc:
                    response.close()
                    err, cause = self._opening_error(exc, url, limits)
            wait = self._retry_after(err, attempt, deadline)
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
        deadline: Deadline | None = None,
        timeout: float | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> T:
        """The asynchronous form of :meth:`send`."""
        client = self.http_async_client
        deadline = deadline or self.deadline()
        attempt = 0
        while True:
            while attempt and (hold := concurrency.before_resend()) and not deadline.passed():
                await self.retry.async_sleep(hold)
            request, limits = self._request(client, build, deadline, stream, timeout, extra_headers)
            url = str(request.url)
            started = time.perf_counter()
            concurrency.on_sending()
            if trace := concurrency.wire_trace(True):
                request.extensions["trace"] = trace
            try:
                response = await client.send(request, stream=True)
            except httpx.TransportError as exc:
                concurrency.on_answered()
                err = self.transport_error(exc, url, limits)
                cause: BaseException | None = exc
            else:
                concurrency.on_answered(response.status_code)
                _log(kind, url, response, started, attempt)
                try:
                    if not (stream and self._accepted(response, True)):
                        await self._aread_body(response, deadline)
                    if self._accepted(response, stream):
                        return await open(response)
                    err, cause = self._status_error(response, response.content), None
                except (httpx.TransportError, HunyuanError) as exc:
                    await response.aclose()
                    err, cause = self._opening_error(exc, url, limits)
            wait = self._retry_after(err, attempt, deadline)
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


def _limit_name(exc: httpx.TimeoutException, names: tuple[str, str]) -> str:
    """Which limit a timeout stands for: ``names`` are those the read and connect timeouts
    were set from (the deadline caps both)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return names[1]
    if isinstance(exc, httpx.PoolTimeout):
        return "pool" if names[0] != "deadline" else "deadline"
    if isinstance(exc, httpx.WriteTimeout):
        return "write" if names[0] != "deadline" else "deadline"
    return names[0]
