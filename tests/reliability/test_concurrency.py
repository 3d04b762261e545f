"""500 concurrent async requests through one client: all complete, no connection leaks.

Open connections are counted on the server side (the emulator), so a socket the client forgot
to close shows up whatever the client's pool believes.
"""

from __future__ import annotations

import asyncio
import gc

import pytest

from hunyuan_core import APITimeoutError, ChatRequest, HunyuanClient
from hunyuan_core.client import DEFAULT_LIMITS
from tests.support import faults
from tests.support.emulator import GREETING, HunyuanEmulator, wait_until
from tests.support.faults import FakeClock, Gate

KEY = "sk-reliability-0123456789abcdef"
N = 500
KEEPALIVE = DEFAULT_LIMITS.max_keepalive_connections
assert KEEPALIVE is not None and DEFAULT_LIMITS.max_connections is not None


def request(i: int) -> ChatRequest:
    return ChatRequest(
        model="hunyuan-turbos-latest", messages=[{"role": "user", "content": f"{i}"}]
    )


async def stream_text(client: HunyuanClient, i: int) -> str:
    chunks = [c async for c in client.astream_chat(request(i))]
    return "".join(ch.delta.content or "" for c in chunks for ch in c.choices)


async def check_pool_settles(client: HunyuanClient, emu: HunyuanEmulator) -> None:
    """Idle connections fall back to the keep-alive size, and to none once the pool closes."""
    assert wait_until(lambda: emu.open_connections <= KEEPALIVE, 5), emu.open_connections
    await client.http_async_client.aclose()
    assert wait_until(lambda: emu.open_connections == 0, 5), emu.open_connections


async def test_500_concurrent_chats(emulator: HunyuanEmulator) -> None:
    client = HunyuanClient(api_key=KEY, base_url=emulator.base_url)
    replies = await asyncio.wait_for(
        asyncio.gather(*(client.achat(request(i)) for i in range(N))), 30
    )
    assert [r.choices[0].message.content for r in replies] == [GREETING] * N
    assert len(emulator.requests) == N
    await check_pool_settles(client, emulator)


async def test_500_concurrent_streams(emulator: HunyuanEmulator) -> None:
    client = HunyuanClient(api_key=KEY, base_url=emulator.base_url)
    texts = await asyncio.wait_for(asyncio.gather(*(stream_text(client, i) for i in range(N))), 30)
    assert texts == [GREETING] * N
    await check_pool_settles(client, emulator)


async def test_500_concurrent_requests_through_faults(emulator: HunyuanEmulator) -> None:
    """A fault on every tenth request: the transient ones are retried, the rest fail typed,
    and neither kind leaves a connection behind."""
    clock, gate = FakeClock(), Gate()
    client = HunyuanClient(api_key=KEY, base_url=emulator.base_url, retry_policy=clock.policy())
    for i in range(N // 10):
        kind = i % 3
        if kind == 0:
            emulator.script.append(faults.reset_before_response())
        elif kind == 1:
            emulator.script.append(faults.status(503))
        else:
            emulator.script.append(faults.reset_after(["您好"]))
    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(stream_text(client, i) for i in range(N)), return_exceptions=True),
            30,
        )
    finally:
        gate.release()
    failed = [r for r in results if isinstance(r, BaseException)]
    assert [r for r in results if not isinstance(r, BaseException)] == [GREETING] * (
        N - len(failed)
    )
    # only mid-stream resets fail (never retried); resets before a response and 503s retry
    assert len(failed) == len([i for i in range(N // 10) if i % 3 == 2])
    assert all(type(e).__name__ == "APIConnectionError" for e in failed)
    assert len(clock.slept) == N // 10 - len(failed)
    await check_pool_settles(client, emulator)


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # the collector closes those sockets
def test_pools_of_closed_event_loops_are_released(emulator: HunyuanEmulator) -> None:
    """Each ``asyncio.run`` gets its own pool; a closed loop's pool must not keep its sockets."""

    async def burst() -> None:
        client = HunyuanClient(api_key=KEY, base_url=emulator.base_url)
        await asyncio.gather(*(client.achat(request(i)) for i in range(2 * KEEPALIVE)))

    for _ in range(4):
        asyncio.run(burst())
        gc.collect()
    # only the last loop's idle connections may remain (that loop is closed too, and its
    # pool goes when the next loop asks for one)
    assert wait_until(lambda: emulator.open_connections <= KEEPALIVE, 5), emulator.open_connections


async def test_waiting_for_a_free_connection_is_bounded(emulator: HunyuanEmulator) -> None:
    """With every pooled connection held by an open stream, another request fails in time
    (as when an agent calls the model while its own streams are still open) instead of hanging."""
    client = HunyuanClient(api_key=KEY, base_url=emulator.base_url, timeout=0.2)
    assert DEFAULT_LIMITS.max_connections is not None
    streams = [client.astream_chat(request(i)) for i in range(DEFAULT_LIMITS.max_connections)]
    for s in streams:
        await s.__anext__()  # each holds its connection until read to the end or closed
    with pytest.raises(APITimeoutError, match="no free connection"):
        await client.achat(request(-1))
    for s in streams:
        await s.aclose()
    assert (await client.achat(request(-1))).choices[0].message.content == GREETING
