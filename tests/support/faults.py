"""Fault handlers for the emulator's ``script`` queue, and a clock that never sleeps.

Each factory returns a handler: ``emu.script.append(reset_after(["你好"]))`` makes the next
request get that fault; later requests get the emulator's normal answers. Stalls wait on a
:class:`Gate` that the test releases (and that gives up by itself after ``cap`` seconds), so no
handler outlives its test by more than that.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

from hunyuan_core import RetryPolicy
from tests.support.emulator import Exchange, Handler


class FakeClock:
    """Time that moves only when something sleeps on it: records the waits a
    :class:`RetryPolicy` (or a limiter) asks for instead of sleeping them. Call it for now."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    async def async_sleep(self, seconds: float) -> None:
        self.sleep(seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would

    def policy(self, max_retries: int = 2, jitter: float = 0.0) -> RetryPolicy:
        """A policy whose jitter draw is always ``jitter`` (0 = no jitter, 1 = the most)."""
        return RetryPolicy(
            max_retries=max_retries,
            sleep=self.sleep,
            async_sleep=self.async_sleep,
            random=lambda: jitter,
        )


class Gate:
    """A stall that the test ends with :meth:`release` (from its own thread)."""

    def __init__(self, cap: float = 5.0) -> None:
        self.cap = cap
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()

    @property
    def released(self) -> bool:
        return self._released.is_set()

    async def wait(self) -> None:
        deadline = time.monotonic() + self.cap
        while not self._released.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)


def chunk(content: str, finish: str | None = None, ident: str = "fault") -> str:
    """One streamed chunk in Hunyuan's wire shape, as a reseller gateway's examples show it."""
    return json.dumps(
        {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": 1737186705,
            "model": "hunyuan-turbos-latest",
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", "content": content},
                    "finish_reason": finish,
                }
            ],
        },
        ensure_ascii=False,
    )


def error_body(message: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": "api_error", "param": None, "code": code}}


async def _send_pieces(ex: Exchange, pieces: list[str]) -> None:
    await ex.start_stream({"X-Request-Id": "req-fault"})
    for piece in pieces:
        await ex.send_event(chunk(piece))


def _reset(ex: Exchange) -> None:
    """Close the connection with a TCP RST (SO_LINGER 0), as a crashed peer or proxy does."""
    sock = ex.writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    ex.writer.transport.abort()
    ex.keep_alive = False


def status(code: int, body: Any = None, headers: dict[str, str] | None = None) -> Handler:
    """An error status with Hunyuan's error body (or ``body``) and extra headers."""

    async def handler(ex: Exchange) -> None:
        await ex.send_json(code, body if body is not None else error_body(f"fault {code}"), headers)

    return handler


def reset_before_response() -> Handler:
    """Read the request, then reset the connection without answering."""

    async def handler(ex: Exchange) -> None:
        _reset(ex)

    return handler


def reset_after(pieces: list[str]) -> Handler:
    """Stream ``pieces`` as chunks, then reset the connection mid-stream."""

    async def handler(ex: Exchange) -> None:
        await _send_pieces(ex, pieces)
        await asyncio.sleep(0.02)  # let the client read what was sent before the RST
        _reset(ex)

    return handler


def stall_after(pieces: list[str], gate: Gate) -> Handler:
    """Stream ``pieces``, then send nothing until the gate opens (past the read timeout)."""

    async def handler(ex: Exchange) -> None:
        await _send_pieces(ex, pieces)
        await gate.wait()
        ex.keep_alive = False

    return handler


def slow_headers(gate: Gate) -> Handler:
    """Send nothing at all (not even headers) until the gate opens."""

    async def handler(ex: Exchange) -> None:
        await gate.wait()
        ex.keep_alive = False

    return handler


def end_without_done(pieces: list[str]) -> Handler:
    """Stream ``pieces`` and end the body cleanly: no ``finish_reason``, no ``[DONE]``."""

    async def handler(ex: Exchange) -> None:
        await _send_pieces(ex, pieces)
        await ex.end_stream()

    return handler


def events(*data: str, done: bool = True) -> Handler:
    """Stream these raw ``data:`` payloads (malformed JSON, error objects, ...)."""

    async def handler(ex: Exchange) -> None:
        await ex.start_stream({"X-Request-Id": "req-fault"})
        for item in data:
            await ex.send_event(item)
        if done:
            await ex.send_event("[DONE]")
        await ex.end_stream()

    return handler


def garbage(
    body: bytes = b"\x00\xff<html>502 upstream gone</html>",
    *,
    code: int = 200,
    content_type: str = "text/html",
) -> Handler:
    """A body that is not what the API speaks."""

    async def handler(ex: Exchange) -> None:
        await ex.send(code, body, {"Content-Type": content_type})

    return handler


def truncated_body() -> Handler:
    """Promise a longer JSON body than is sent, then close the connection."""

    async def handler(ex: Exchange) -> None:
        ex.writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b'Content-Length: 500\r\n\r\n{"id":'
        )
        await ex.writer.drain()
        ex.writer.close()
        ex.keep_alive = False

    return handler


def unused_port() -> int:
    """A loopback port with nothing listening on it (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextlib.contextmanager
def unanswered_port() -> Iterator[int]:
    """A loopback port that never completes a connection: a listening socket whose accept
    queue is full, so new SYNs are dropped and connecting times out (as to a dead host)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port: int = server.getsockname()[1]
        fillers = [socket.socket() for _ in range(4)]
        try:
            for filler in fillers:
                filler.setblocking(False)
                with contextlib.suppress(BlockingIOError):
                    filler.connect(("127.0.0.1", port))
            time.sleep(0.05)
            yield port
        finally:
            for filler in fillers:
                filler.close()
