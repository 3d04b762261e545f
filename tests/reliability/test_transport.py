"""Transport limits through the core, on real loopback sockets (TLS where about connections):
connection reuse, deadlines, nothing received lost, SSE line ends, size caps, embedding
cancellation. Time limits are small and real (each test well under 2 s of waiting)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from hunyuan_core import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ChatRequest,
    HunyuanClient,
    transport,
)
from hunyuan_core.errors import PartialEmbeddingError, ResponseTooLargeError
from tests.support import faults
from tests.support import transport_faults as tf
from tests.support.emulator import GREETING, HunyuanEmulator
from tests.support.faults import FakeClock, Gate, chunk
from tests.support.tls import LoopbackCA

KEY = "sk-transport-0123456789abcdef"
USER = [{"role": "user", "content": "你好"}]
MODES = ["sync", "async"]


def request() -> ChatRequest:
    return ChatRequest(model="hunyuan-turbos-latest", messages=USER)


def client_for(emu: HunyuanEmulator, **kw: Any) -> HunyuanClient:
    kw.setdefault("retry_policy", FakeClock().policy(2))
    return HunyuanClient(api_key=KEY, base_url=emu.base_url, **kw)


async def chat(client: HunyuanClient, mode: str) -> str:
    reply = client.chat(request()) if mode == "sync" else await client.achat(request())
    return reply.choices[0].message.content or ""


async def stream_text(client: HunyuanClient, mode: str, usage: bool = False) -> tuple[str, Any]:
    parts, last_usage = [], None
    if mode == "sync":
        chunks = list(client.stream_chat(request(), stream_usage=usage))
    else:
        chunks = [c async for c in client.astream_chat(request(), stream_usage=usage)]
    for c in chunks:
        parts += [ch.delta.content or "" for ch in c.choices]
        last_usage = c.usage or last_usage
    return "".join(parts), last_usage


@pytest.fixture(scope="module")
def ca() -> LoopbackCA:
    return LoopbackCA()


@pytest.fixture
def fresh_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty shared pools, so the pooled clients are built under this test's environment."""
    monkeypatch.setattr(transport, "_sync_pool", {})
    monkeypatch.setattr(transport, "_async_pool", transport.weakref.WeakKeyDictionary())


@pytest.fixture
def trusted(ca: LoopbackCA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_pools: None):
    """httpx's default clients trust the loopback CA (``SSL_CERT_FILE``)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file(tmp_path)))
    return ca


# --- 1. a complete stream gives its connection back ---------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
async def test_twenty_streams_use_one_connection(mode: str, tls: bool, trusted: LoopbackCA) -> None:
    with HunyuanEmulator(ssl=trusted.server_context() if tls else None) as emu:
        client = client_for(emu)  # the shared pooled clients, as users get them
        for _ in range(20):
            text, _ = await stream_text(client, mode)
            assert text == GREETING
        assert emu.accepted == 1


@pytest.mark.parametrize("mode", MODES)
async def test_streams_on_a_callers_tls_client_reuse_it(mode: str, ca: LoopbackCA) -> None:
    with HunyuanEmulator(ssl=ca.server_context()) as emu:
        ctx = ca.client_context()
        client = client_for(
            emu,
            http_client=httpx.Client(verify=ctx),
            http_async_client=httpx.AsyncClient(verify=ctx),
        )
        for _ in range(5):
            assert (await stream_text(client, mode))[0] == GREETING
        assert emu.accepted == 1
        client.close()
        await client.aclose()


@pytest.mark.parametrize("mode", MODES)
async def test_a_server_that_keeps_sending_after_done_cannot_hold_the_stream(mode: str) -> None:
    flood = [chunk("好", finish="stop"), "[DONE]"] + [chunk("x" * 1000)] * 200

    with HunyuanEmulator() as emu:
        emu.script.append(faults.events(*flood, done=False))
        started = time.monotonic()
        assert (await stream_text(client_for(emu), mode))[0] == "好"
        assert time.monotonic() - started < 1.5
        assert (await stream_text(client_for(emu), mode))[0] == GREETING
        assert emu.accepted == 2  # the flooded connection was dropped, not reused


# --- 2. a deadline on every call -----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_trickling_server_fails_at_the_deadline(mode: str, gate: Gate) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(tf.trickle(0.1, gate))
        client = client_for(emu, timeout=0.5, deadline=1.0)
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="deadline") as caught:
            await chat(client, mode)
        assert caught.value.limit == "deadline"
        assert 0.9 < time.monotonic() - started < 1.6
        assert len(emu.requests) == 1  # no retry once the deadline passed


@pytest.mark.parametrize("mode", MODES)
async def test_a_silent_server_costs_at_most_the_deadline(mode: str, gate: Gate) -> None:
    with HunyuanEmulator() as emu:
        for _ in range(3):
            emu.script.append(faults.slow_headers(gate))
        client = client_for(emu, timeout=10, deadline=0.6)
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            await chat(client, mode)
        assert caught.value.limit == "deadline"
        assert time.monotonic() - started < 1.2


@pytest.mark.parametrize("mode", MODES)
async def test_a_stream_of_comments_fails_at_the_idle_timeout(mode: str, gate: Gate) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(tf.comments_after(["你好"], gate))
        client = client_for(emu, timeout=5, stream_idle_timeout=0.4)
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="stream_idle_timeout") as caught:
            await stream_text(client, mode)
        assert caught.value.limit == "stream_idle"
        assert caught.value.partial_text == "你好"
        assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("mode", MODES)
async def test_a_stalled_stream_names_the_idle_limit(mode: str, gate: Gate) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(faults.stall_after(["你好"], gate))
        client = client_for(emu, timeout=5, stream_idle_timeout=0.3)
        with pytest.raises(APITimeoutError) as caught:
            await stream_text(client, mode)
        assert caught.value.limit == "stream_idle"
        assert caught.value.partial_text == "你好"


SteppingClock = faults.FakeClock  # time moves only when the retry loop sleeps


@pytest.mark.parametrize("mode", MODES)
async def test_no_retry_that_cannot_finish_before_the_deadline(mode: str) -> None:
    clock = SteppingClock()
    with HunyuanEmulator() as emu:
        for _ in range(5):
            emu.script.append(faults.status(503, headers={"retry-after": "2"}))
        client = client_for(
            emu,
            deadline=3.0,
            retry_policy=faults.RetryPolicy(
                max_retries=4, sleep=clock.sleep, async_sleep=clock.async_sleep
            ),
        )
        client.limits.clock = clock
        with pytest.raises(APIStatusError):
            await chat(client, mode)
        # t=0 fails, wait 2 (1 s left), fails again: a wait of 2 would pass the deadline
        assert clock.slept == [2.0]
        assert len(emu.requests) == 2


# --- 3. nothing received is lost -----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_broken_stream_carries_the_text_received(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(faults.reset_after(["你好", "世界"]))
        with pytest.raises(APIConnectionError) as caught:
            await stream_text(client_for(emu), mode)
        assert caught.value.partial_text == "你好世界"


@pytest.mark.parametrize("mode", MODES)
async def test_a_finished_reply_that_loses_done_is_complete(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(tf.finished_then_reset(["你好", "世界"]))
        text, usage = await stream_text(client_for(emu), mode, usage=True)
        assert text == "你好世界"
        assert usage is not None and usage.total_tokens == tf.USAGE["total_tokens"]


# --- 4. SSE lines end at CR/LF only --------------------------------------------------------

SEPARATORS = "行\u2028分\u2029段\u0085尾"


@pytest.mark.parametrize("mode", MODES)
async def test_unicode_line_separators_stay_inside_an_event(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(faults.events(chunk(SEPARATORS), chunk("", finish="stop")))
        assert (await stream_text(client_for(emu), mode))[0] == SEPARATORS


@pytest.mark.parametrize("mode", MODES)
async def test_a_character_split_across_chunks_survives(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(tf.split_event("中文\u2028"))
        assert (await stream_text(client_for(emu), mode))[0] == "中文\u2028"


# --- 5. replies of the wrong shape ---------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_reply_without_choices_is_a_typed_error(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(tf.json_reply({}))
        with pytest.raises(APIStatusError, match="without any choice"):
            await chat(client_for(emu), mode)


@pytest.mark.parametrize("indexes", [[0, 0], [0, 2]], ids=["duplicate", "missing"])
@pytest.mark.parametrize("mode", MODES)
async def test_vectors_with_bad_indexes_are_a_typed_error(mode: str, indexes: list[int]) -> None:
    data = [{"index": i, "embedding": [0.1, 0.2], "object": "embedding"} for i in indexes]
    with HunyuanEmulator() as emu:
        emu.script.append(tf.json_reply({"data": data, "model": "hunyuan-embedding"}))
        client = client_for(emu)
        with pytest.raises(APIStatusError, match="indexes"):
            if mode == "sync":
                client.embed(["a", "b"])
            else:
                await client.aembed(["a", "b"])


@pytest.mark.parametrize("mode", MODES)
async def test_vectors_out_of_order_come_back_in_the_order_of_the_texts(mode: str) -> None:
    data = [{"index": i, "embedding": [float(i)], "object": "embedding"} for i in (2, 0, 1)]
    with HunyuanEmulator() as emu:
        emu.script.append(tf.json_reply({"data": data, "model": "hunyuan-embedding"}))
        client = client_for(emu)
        texts = ["a", "b", "c"]
        vectors = client.embed(texts) if mode == "sync" else await client.aembed(texts)
    assert vectors == [[0.0], [1.0], [2.0]]


# --- 6. size caps --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_gzip_bomb_fails_fast_at_the_size_cap(mode: str) -> None:
    sent = tf.Sent()
    with HunyuanEmulator() as emu:
        emu.script.append(tf.bomb(sent))
        client = client_for(emu, max_response_bytes=1 << 20)
        started = time.monotonic()
        with pytest.raises(ResponseTooLargeError) as caught:
            await chat(client, mode)
        assert caught.value.limit == "max_response_bytes"
        assert time.monotonic() - started < 1.0
        assert len(emu.requests) == 1  # not retried
    # decompressing the whole GiB takes about 4 s here: under 1 s means it stopped early


BOMB_CHILD = """
import resource, sys
from hunyuan_core import ChatRequest, HunyuanClient
from hunyuan_core.errors import ResponseTooLargeError
client = HunyuanClient(api_key="sk-x-0123456789", base_url=sys.argv[1], max_retries=0)
try:
    client.chat(ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}]))
except ResponseTooLargeError:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


@pytest.mark.timeout(30)
def test_a_gzip_bomb_leaves_peak_memory_bounded() -> None:
    """With the default cap (64 MiB), a 1 GiB bomb: peak RSS of a fresh process, in MiB."""
    sent = tf.Sent()
    with HunyuanEmulator() as emu:
        emu.script.append(tf.bomb(sent))
        out = subprocess.run(
            [sys.executable, "-c", BOMB_CHILD, emu.base_url],
            capture_output=True,
            text=True,
            timeout=25,
            check=True,
        )
    peak_mib = int(out.stdout.strip())
    # the body alone would be 1024 MiB (2.1 GiB peak was measured without the cap); with it,
    # the cap (64 MiB) plus one decompressed network read (up to about 64 MiB) plus Python
    assert peak_mib < 640, peak_mib


@pytest.mark.parametrize("mode", MODES)
async def test_an_endless_line_fails_at_the_line_cap(mode: str) -> None:
    sent = tf.Sent()
    with HunyuanEmulator() as emu:
        emu.script.append(tf.endless_line(sent))
        client = client_for(emu, max_line_bytes=1 << 20)
        with pytest.raises(ResponseTooLargeError) as caught:
            await stream_text(client, mode)
        assert caught.value.limit == "max_line_bytes"
    assert sent.bytes < 64 << 20  # far from the 300 MB the server meant to send


# --- 7. embedding stops after a batch fails for good ---------------------------------------


async def test_aembed_does_not_send_batches_after_one_fails() -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(emu._route)
        emu.script.append(faults.status(400))
        client = client_for(emu, embed_batch_size=1, embed_concurrency=4)
        with pytest.raises(PartialEmbeddingError) as info:
            await client.aembed([f"text {i}" for i in range(40)], model="hunyuan-embedding")
        await asyncio.sleep(0.05)
        assert isinstance(info.value.__cause__, APIStatusError)  # what stopped the job
        assert len(emu.requests) <= 8


def test_embed_does_not_send_batches_after_one_fails() -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(emu._route)
        emu.script.append(faults.status(400))
        client = client_for(emu, embed_batch_size=1, embed_concurrency=4)
        with pytest.raises(PartialEmbeddingError) as info:
            client.embed([f"text {i}" for i in range(40)], model="hunyuan-embedding")
        assert isinstance(info.value.__cause__, APIStatusError)  # what stopped the job
        assert len(emu.requests) <= 8
