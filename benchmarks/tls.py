"""Connections and time per streamed call over TLS with a 20 ms round trip, in one run.

The emulator serves HTTPS (a ``trustme`` certificate) behind a loopback proxy that delays
every piece of data by half the round-trip time each way, so a TCP + TLS handshake costs
what it does on a network. Cases, all in this process and run one after another:

- sequential: 100 streamed calls one at a time, for ours (``HunyuanClient.stream_chat``),
  ``ChatOpenAI.stream`` (langchain-openai) and raw httpx (``client.stream`` read to the end);
- burst: 100 concurrent streamed calls (``astream_chat``), twice, with our pool at 20 and at
  100 keep-alive connections: connections opened by the second burst show what the limit
  costs once the pool is warm.

    .venv/bin/python benchmarks/tls.py [--rtt 0.02] [--calls 100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from hunyuan_core import ChatRequest, HunyuanClient, transport  # noqa: E402
from tests.support.emulator import HunyuanEmulator  # noqa: E402
from tests.support.tls import DelayProxy, LoopbackCA  # noqa: E402

KEY = "sk-bench-0123456789abcdef"
MESSAGES = [{"role": "user", "content": "你好"}]


def measure(proxy: DelayProxy, calls: int, one: Callable[[], Any]) -> tuple[int, float]:
    before = proxy.accepted
    started = time.perf_counter()
    for _ in range(calls):
        one()
    per_call_ms = (time.perf_counter() - started) / calls * 1000
    return proxy.accepted - before, per_call_ms


def sequential(base_url: str, proxy: DelayProxy, ca: LoopbackCA, calls: int) -> None:
    request = ChatRequest(model="hunyuan-turbos-latest", messages=MESSAGES)
    ours = HunyuanClient(api_key=KEY, base_url=base_url)
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("ours (HunyuanClient.stream_chat)", lambda: list(ours.stream_chat(request)))
    ]
    try:
        from langchain_openai import ChatOpenAI

        chat_openai = ChatOpenAI(model="hunyuan-turbos-latest", api_key=KEY, base_url=base_url)  # type: ignore[arg-type]
        cases.append(("ChatOpenAI.stream", lambda: list(chat_openai.stream("你好"))))
    except ImportError:
        print("langchain-openai not installed: pip install -e '.[bench]'")
    raw = httpx.Client(verify=ca.client_context())

    def raw_stream() -> None:
        body = {"model": "hunyuan-turbos-latest", "messages": MESSAGES, "stream": True}
        headers = {"Authorization": f"Bearer {KEY}"}
        with raw.stream("POST", f"{base_url}/chat/completions", json=body, headers=headers) as r:
            for _line in r.iter_lines():
                pass

    cases.append(("raw httpx (client.stream, read to the end)", raw_stream))
    print(f"\nsequential: {calls} streamed calls, one at a time")
    print(f"{'case':46} {'connections':>11} {'ms/call':>8}")
    for name, one in cases:
        one()  # warm up: the first connection is not counted
        conns, ms = measure(proxy, calls, one)
        print(f"{name:46} {conns:>11} {ms:>8.1f}")


async def burst(base_url: str, proxy: DelayProxy, calls: int, keepalive: int) -> None:
    transport._async_pool.clear()
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=keepalive)
    transport.DEFAULT_LIMITS = limits
    client = HunyuanClient(api_key=KEY, base_url=base_url)
    request = ChatRequest(model="hunyuan-turbos-latest", messages=MESSAGES)

    async def one() -> None:
        async for _ in client.astream_chat(request):
            pass

    for label in ("cold", "warm"):
        before = proxy.accepted
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(calls)))
        elapsed = time.perf_counter() - started
        print(
            f"{keepalive:>9} {label:>5} {proxy.accepted - before:>11} "
            f"{elapsed * 1000:>9.0f} {elapsed / calls * 1000:>8.2f}"
        )
    await client.http_async_client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rtt", type=float, default=0.02)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    ca = LoopbackCA()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SSL_CERT_FILE"] = str(ca.ca_file(Path(tmp)))  # ours and ChatOpenAI trust it
        with HunyuanEmulator(ssl=ca.server_context()) as emu:
            with DelayProxy(emu.port, args.rtt).running() as proxy:
                base_url = f"https://127.0.0.1:{proxy.port}/v1"
                print(f"TLS via a loopback proxy adding {args.rtt * 1000:.0f} ms round trip")
                sequential(base_url, proxy, ca, args.calls)
                print(f"\nburst: {args.calls} concurrent streamed calls (ours, async), twice")
                print(
                    f"{'keepalive':>9} {'burst':>5} {'connections':>11} {'total ms':>9} "
                    f"{'ms/call':>8}"
                )
                for keepalive in (20, 50, 100):
                    asyncio.run(burst(base_url, proxy, args.calls, keepalive))


if __name__ == "__main__":
    main()
