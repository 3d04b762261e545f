"""Typed event streams: an open SSE response whose first event has already been read.

The send loop opens a stream with :meth:`EventStream.open` inside its retry loop, so that a
stream that breaks or sends an error event before anything was delivered is retried like a
failed call; once the caller holds the stream, nothing is retried. Events come out parsed:
a :class:`~hunyuan_core.types.ChatCompletionChunk`, or :data:`~hunyuan_core.sse.DONE`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx

from hunyuan_core.backends.base import Backend, request_id_of
from hunyuan_core.sse import DONE, aiter_sse_data, iter_sse_data
from hunyuan_core.types import ChatCompletionChunk

Event = ChatCompletionChunk | str


def _parse(data: str | None, backend: Backend, request_id: str | None) -> Event | None:
    if data is None or data == DONE:
        return data
    return backend.parse_chunk(data, request_id)


class EventStream:
    """A synchronous stream of parsed events. Iterate it once; :meth:`close` it when done."""

    __slots__ = ("_backend", "_data", "first", "request_id", "response")

    def __init__(self, response: httpx.Response, backend: Backend) -> None:
        self.response = response
        self.request_id = request_id_of(response.headers)
        self._backend = backend
        self._data = iter_sse_data(response.iter_lines())
        #: The first event (``None`` if the stream ended without any).
        self.first: Event | None = None

    @classmethod
    def open(cls, response: httpx.Response, backend: Backend) -> EventStream:
        """Read the first event: a break or an error event raises here, inside the retry loop."""
        stream = cls(response, backend)
        stream.first = _parse(next(stream._data, None), backend, stream.request_id)
        return stream

    def __iter__(self) -> Iterator[Event]:
        if self.first is None:
            return
        yield self.first
        if self.first == DONE:
            return
        for data in self._data:
            if data == DONE:
                yield DONE
                return
            yield self._backend.parse_chunk(data, self.request_id)

    def close(self) -> None:
        self.response.close()


class AsyncEventStream:
    """The asynchronous form of :class:`EventStream`."""

    __slots__ = ("_backend", "_data", "first", "request_id", "response")

    def __init__(self, response: httpx.Response, backend: Backend) -> None:
        self.response = response
        self.request_id = request_id_of(response.headers)
        self._backend = backend
        self._data = aiter_sse_data(response.aiter_lines())
        self.first: Event | None = None

    @classmethod
    async def open(cls, response: httpx.Response, backend: Backend) -> AsyncEventStream:
        stream = cls(response, backend)
        first = await anext(stream._data, None)
        stream.first = _parse(first, backend, stream.request_id)
        return stream

    async def __aiter__(self) -> AsyncIterator[Event]:
        if self.first is None:
            return
        yield self.first
        if self.first == DONE:
            return
        async for data in self._data:
            if data == DONE:
                yield DONE
                return
            yield self._backend.parse_chunk(data, self.request_id)

    async def aclose(self) -> None:
        await self.response.aclose()
