"""Fault handlers for the transport limits: trickles, keep-alive floods, bombs, lost ends.

Used with the emulator's ``script`` queue like :mod:`tests.support.faults`.
"""

from __future__ import annotations

import asyncio
import json
import struct
import zlib
from functools import cache
from typing import Any

from tests.support.emulator import Exchange, Handler
from tests.support.faults import Gate, _reset, _send_pieces, chunk

USAGE = {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}


def trickle(interval: float, gate: Gate) -> Handler:
    """Promise a JSON body and send it one byte every ``interval`` s (until the gate opens)."""

    async def handler(ex: Exchange) -> None:
        ex.writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        )
        for _ in range(1000):
            if gate.released:
                break
            ex.writer.write(b" ")
            await ex.writer.drain()
            await asyncio.sleep(interval)
        ex.keep_alive = False

    return handler


def comments_after(pieces: list[str], gate: Gate, interval: float = 0.05) -> Handler:
    """Stream ``pieces``, then only SSE comments (``: keep-alive``) until the gate opens."""

    async def handler(ex: Exchange) -> None:
        await _send_pieces(ex, pieces)
        while not gate.released:
            await ex.send_event(b": keep-alive\n\n")
            await asyncio.sleep(interval)
        ex.keep_alive = False

    return handler


def finished_then_reset(pieces: list[str]) -> Handler:
    """A whole reply (``finish_reason`` and usage sent), then a reset before ``[DONE]``."""

    async def handler(ex: Exchange) -> None:
        await _send_pieces(ex, [*pieces[:-1]])
        await ex.send_event(chunk(pieces[-1], finish="stop"))
        await ex.send_event(json.dumps({"id": "fault", "choices": [], "usage": USAGE}))
        await asyncio.sleep(0.02)
        _reset(ex)

    return handler


def split_event(text: str) -> Handler:
    """One event whose bytes are cut in the middle of a multi-byte character, sent as two
    network chunks, then the rest of a normal stream."""

    async def handler(ex: Exchange) -> None:
        await ex.start_stream({"X-Request-Id": "req-split"})
        raw = f"data: {chunk(text)}\n\n".encode()
        cut = raw.index(text.encode()) + 1  # inside the first character's UTF-8 bytes
        await ex.send_event(raw[:cut])
        await asyncio.sleep(0.01)
        await ex.send_event(raw[cut:])
        await ex.send_event(f"data: {chunk('', finish='stop')}\n\ndata: [DONE]\n\n".encode())
        await ex.end_stream()

    return handler


@cache
def gzip_bomb(size: int = 1 << 30, block: int = 16 << 20) -> bytes:
    """A valid gzip body of ``size`` zero bytes in about ``size / 1000`` bytes, built from
    identical full-flush blocks (compressing 1 GiB would take seconds)."""
    zeros = bytes(block)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
    first = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    count, crc = size // block, 0
    for _ in range(count):
        crc = zlib.crc32(zeros, crc)
    body = first + again * (count - 1) + comp.flush()
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + body + struct.pack("<II", crc, size & 0xFFFFFFFF)


class Sent:
    """Bytes a handler managed to write before the client hung up."""

    def __init__(self) -> None:
        self.bytes = 0


def bomb(sent: Sent, content_type: str = "application/json") -> Handler:
    """A JSON reply gzip'd from 1 GiB of zeros (about 1 MiB on the wire)."""

    async def handler(ex: Exchange) -> None:
        body = gzip_bomb()
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        ex.writer.write(head.encode())
        for i in range(0, len(body), 16384):
            ex.writer.write(body[i : i + 16384])
            await ex.writer.drain()
            sent.bytes += min(16384, len(body) - i)
        ex.keep_alive = False

    return handler


def endless_line(sent: Sent, total: int = 300 * 1024 * 1024) -> Handler:
    """A stream whose first line never ends: ``data: aaaa...`` up to ``total`` bytes."""

    async def handler(ex: Exchange) -> None:
        await ex.start_stream()
        piece = b"a" * 65536
        await ex.send_event(b"data: ")
        for _ in range(total // len(piece)):
            await ex.send_event(piece)
            sent.bytes += len(piece)
        ex.keep_alive = False

    return handler


def json_reply(obj: Any) -> Handler:
    async def handler(ex: Exchange) -> None:
        await ex.send_json(200, obj)

    return handler
