"""A certificate authority for loopback TLS tests and benchmarks (``trustme``), and a proxy
that adds a round-trip time, so that connection reuse is measured where it matters."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import trustme


class LoopbackCA:
    """A throwaway CA with a certificate for 127.0.0.1 and localhost."""

    def __init__(self) -> None:
        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert("127.0.0.1", "localhost")

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(ctx)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        self.ca.configure_trust(ctx)
        return ctx

    def ca_file(self, directory: Path) -> Path:
        """The CA's PEM, for ``SSL_CERT_FILE`` (what httpx's default clients trust)."""
        path = directory / "loopback-ca.pem"
        self.ca.cert_pem.write_to_path(str(path))
        return path


class DelayProxy:
    """A TCP proxy on loopback that delays every piece of data by ``rtt / 2`` each way, so a
    handshake costs round trips as on a real network. Counts the connections it accepts."""

    def __init__(self, target_port: int, rtt: float) -> None:
        self.target_port = target_port
        self.delay = rtt / 2
        self.port = 0
        self.accepted = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # data keeps its order; each piece is released ``delay`` after it arrived
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def release() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    break
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(data)
                await writer.drain()

        sender = asyncio.ensure_future(release())
        try:
            while True:
                data = await reader.read(65536)
                await queue.put((loop.time() + self.delay, data))
                if not data:
                    break
            await sender
        except (ConnectionError, asyncio.CancelledError):
            sender.cancel()
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    @contextlib.contextmanager
    def running(self) -> Iterator[DelayProxy]:
        ready = threading.Event()
        stop: list[asyncio.Event] = []

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()

            async def main() -> None:
                server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=1024)
                self.port = server.sockets[0].getsockname()[1]
                stop.append(asyncio.Event())
                ready.set()
                await stop[0].wait()
                server.close()

            loop.run_until_complete(main())
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.run_until_complete(asyncio.sleep(0))
            loop.close()

        self._thread = threading.Thread(target=run, name="delay-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("proxy did not start")
        try:
            yield self
        finally:
            assert self._loop is not None
            self._loop.call_soon_threadsafe(stop[0].set)
            self._thread.join(10)
