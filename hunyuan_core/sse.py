"""Server-sent events as Hunyuan sends them.

Each ``data:`` line is one event: published Hunyuan examples put ``data:`` lines back to back,
so waiting for a blank line would glue two JSON objects together. Blank keep-alives, comments
(``:``), ``event:``, ``id:`` and ``retry:`` lines are skipped. ``[DONE]`` is returned as
:data:`DONE` so that a stream that stops without it can be told apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

from hunyuan_core.errors import ResponseTooLargeError

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


def sse_data(line: str) -> str | None:
    """The payload of a ``data:`` line; ``None`` (or empty) for anything else."""
    data = _data(line)
    return data.rstrip("\r") if data else data


class LineDecoder:
    """Bytes in, complete lines out, ending only at ``\\r``, ``\\n`` or ``\\r\\n`` as SSE says.

    httpx's ``iter_lines`` uses ``str.splitlines``, which also splits at U+2028, U+2029 and
    U+0085: raw non-ASCII that Hunyuan sends inside JSON would cut an event in two. Lines are
    split as bytes (CR and LF never occur inside a UTF-8 sequence) and each is decoded whole,
    so a character split across network chunks survives. A line longer than ``max_line``
    bytes raises instead of filling memory.
    """

    __slots__ = ("_cr", "_parts", "_size", "max_line")

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self._parts: list[bytes] = []  # the unfinished line, in pieces (no quadratic joins)
        self._size = 0
        self._cr = False  # the last chunk ended in CR: an LF opening the next one belongs to it

    def feed(self, data: bytes) -> list[str]:
        if self._cr and data[:1] == b"\n":
            data = data[1:]
        if not data:
            return []
        self._cr = data[-1:] == b"\r"
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        if b"\n" not in data:
            self._parts.append(data)
            self._size += len(data)
            self._check(self._size)
            return []
        if self._parts:
            data = b"".join(self._parts) + data
        *lines, rest = data.split(b"\n")
        self._parts = [rest] if rest else []
        self._size = len(rest)
        self._check(max(self._size, *map(len, lines)))
        return [line.decode("utf-8", "replace") for line in lines]

    def flush(self) -> list[str]:
        """The last line, if the body ended without a line break."""
        rest = b"".join(self._parts)
        self._parts, self._size = [], 0
        return [rest.decode("utf-8", "replace")] if rest else []

    def _check(self, length: int) -> None:
        if length > self.max_line:
            raise ResponseTooLargeError(
                f"a server-sent-events line passed {self.max_line} bytes without ending "
                "(raise max_line_bytes if this is expected)",
                limit="max_line_bytes",
            )
