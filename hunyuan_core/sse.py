"""Server-sent events as Hunyuan sends them.

Each ``data:`` line is one event: published Hunyuan examples put ``data:`` lines back to back,
so waiting for a blank line would glue two JSON objects together. Blank keep-alives, comments
(``:``), ``event:``, ``id:`` and ``retry:`` lines are skipped. ``[DONE]`` is returned as
:data:`DONE` so that a stream that stops without it can be told apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

DONE = "[DONE]"


def _data(line: str) -> str | None:
    if not line.startswith("data:"):
        return None
    value = line[5:]
    return value[1:] if value.startswith(" ") else value


def iter_sse_data(lines: Iterable[str]) -> Iterator[str]:
    """Yield the payload of each ``data:`` line, stripped of the field name."""
    for line in lines:
        data = _data(line)
        if data:
            yield data.rstrip("\r")


async def aiter_sse_data(lines: AsyncIterable[str]) -> AsyncIterator[str]:
    """Async form of :func:`iter_sse_data`."""
    async for line in lines:
        data = _data(line)
        if data:
            yield data.rstrip("\r")
