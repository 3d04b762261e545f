"""Typed event streams: an open SSE response whose first event has already been read.

The send loop opens a stream with :meth:`EventStream.open` inside its retry loop, so that a
stream that breaks or sends an error event before anything was delivered is retried like a
failed call; once the caller holds the stream, nothing is retried. Events come out parsed:
a :class:`~hunyuan_core.types.ChatCompletionChunk`, or :data:`~hunyuan_core.sse.DONE`.

Lines are split by :class:`~hunyuan_core.sse.LineDecoder` (CR/LF only, bounded length); the
call's deadline, the idle timeout (time without a ``data:`` event) and the size cap are checked
as bytes arrive. After ``[DONE]`` the rest of the body (the chunked terminator) is read, within
small bounds, so that the connection goes back to the pool instead of being dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import httpx

from hunyuan_core._constants import DRAIN_MAX_BYTES, DRAIN_SECONDS
from hunyuan_core.backends.base import Backend, request_id_of
from hunyuan_core.limits import CallLimits, Deadline
from hunyuan_core.sse import DONE, LineDecoder, sse_data
from hunyuan_core.types import ChatCompletionChunk

Event = ChatCompletionChunk | str


def _parse(data: str | None, backend: Backend, request_id: str | None) -> Event | None:
    if data is None or data == DONE:
        return data
    return backend.parse_chunk(data, request_id)


class _Watch:
    """The byte-level checks of one stream: size, deadline, idle time."""

    __slots__ = ("deadline", "decoder", "idle", "last", "limits", "size")

    def __init__(self, limits: CallLimits, deadline: Deadline) -> None:
        self.limits = limits
        self.deadline = deadline
        self.decoder = LineDecoder(limits.max_line_bytes)
        self.idle = limits.stream_idle_timeout
        self.last = deadline.clock()
        self.size = 0

    def lines(self, chunk: bytes) -> list[str]:
        self.size += len(chunk)
        if self.size > self.limits.max_response_bytes:
            raise self.limits.too_large()
        return self.decoder.feed(chunk)

    def after(self, content: bool) -> None:
        """Called after each chunk's events were handed on."""
        now = self.deadline.clock()
        if self.deadline.end is not None and now >= self.deadline.end:
            raise self.deadline.error()
        if content:
            self.last = now
        elif self.idle is not None and now - self.last > self.idle:
            raise self.limits.idle_error()


class EventStream:
    """A synchronous stream of parsed events. Iterate it once; :meth:`close` it when done."""

    __slots__ = (
        "_backend",
        "_chunks",
        "_data",
        "_done",
        "_watch",
        "first",
        "request_id",
        "response",
    )

    def __init__(
        self,
        response: httpx.Response,
        backend: Backend,
        limits: CallLimits | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        limits = limits or CallLimits()
        self.response = response
        self.request_id = request_id_of(response.headers)
        self._backend = backend
        self._watch = _Watch(limits, deadline or limits.start())
        self._chunks = response.iter_bytes()
        self._data = self._read()
        self._done = False
        #: The first event (``None`` if the stream ended without any).
        self.first: Event | None = None

    @classmethod
    def open(
        cls,
        response: httpx.Response,
        backend: Backend,
        limits: CallLimits | None = None,
        deadline: Deadline | None = None,
    ) -> EventStream:
        """Read the first event: a break or an error event raises here, inside the retry loop."""
        stream = cls(response, backend, limits, deadline)
        stream.first = _parse(next(stream._data, None), backend, stream.request_id)
        return stream

    def _read(self) -> Iterator[str]:
        watch = self._watch
        for chunk in self._chunks:
            content = False
            for line in watch.lines(chunk):
                data = sse_data(line)
                if data:
                    content = True
                    yield data
            watch.after(content)
        for line in watch.decoder.flush():
            data = sse_data(line)
            if data:
                yield data

    def __iter__(self) -> Iterator[Event]:
        if self.first is None:
            return
        if self.first == DONE:
            self._done = True
            yield self.first
            return
        yield self.first
        for data in self._data:
            if data == DONE:
                self._done = True
                yield DONE
                return
            yield self._backend.parse_chunk(data, self.request_id)

    def _drain(self) -> None:
        """Read what follows ``[DONE]`` (the chunked terminator), within bounds."""
        end = self._watch.deadline.clock() + DRAIN_SECONDS
        size = 0
        with contextlib.suppress(httpx.TransportError):
            for chunk in self._chunks:
                size += len(chunk)
                if size > DRAIN_MAX_BYTES or self._watch.deadline.clock() > end:
                    return

    def close(self) -> None:
        """Release the connection: back to the pool after a complete stream, else dropped."""
        try:
            if self._done:
                self._drain()
        finally:
            self.response.close()


class AsyncEventStream:
    """The asynchronous form of :class:`EventStream`."""

    __slots__ = (
        "_backend",
        "_chunks",
        "_data",
        "_done",
        "_watch",
        "first",
        "request_id",
        "response",
    )

    def __init__(
        self,
        response: httpx.Response,
        backend: Backend,
        limits: CallLimits | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        limits = limits or CallLimits()
        self.response = response
        self.request_id = request_id_of(response.headers)
        self._backend = backend
        self._watch = _Watch(limits, deadline or limits.start())
        self._chunks = response.aiter_bytes()
        self._data = self._read()
        self._done = False
        self.first: Event | None = None

    @classmethod
    async def open(
        cls,
        response: httpx.Response,
        backend: Backend,
        limits: CallLimits | None = None,
        deadline: Deadline | None = None,
    ) -> AsyncEventStream:
        stream = cls(response, backend, limits, deadline)
        first = await anext(stream._data, None)
        stream.first = _parse(first, backend, stream.request_id)
        return stream

    async def _read(self) -> AsyncIterator[str]:
        watch = self._watch
        async for chunk in self._chunks:
            content = False
            for line in watch.lines(chunk):
                data = sse_data(line)
                if data:
                    content = True
                    yield data
            watch.after(content)
        for line in watch.decoder.flush():
            data = sse_data(line)
            if data:
                yield data

    async def __aiter__(self) -> AsyncIterator[Event]:
        if self.first is None:
            return
        if self.first == DONE:
            self._done = True
            yield self.first
            return
        yield self.first
        async for data in self._data:
            if data == DONE:
                self._done = True
                yield DONE
                return
            yield self._backend.parse_chunk(data, self.request_id)

    async def _drain(self) -> None:
        size = 0
        async for chunk in self._chunks:
            size += len(chunk)
            if size > DRAIN_MAX_BYTES:
                return

    async def aclose(self) -> None:
        try:
            if self._done:
                with contextlib.suppress(httpx.TransportError, asyncio.TimeoutError):
                    await asyncio.wait_for(self._drain(), DRAIN_SECONDS)
        finally:
            await self.response.aclose()
