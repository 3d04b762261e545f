"""Bulk work against an enforced quota, partial failures, and models across pickle and fork."""

from __future__ import annotations

import asyncio
import os
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from hunyuan_core import EMBEDDING_MODEL, HunyuanClient, PartialEmbeddingError
from hunyuan_core.concurrency import AdaptiveLimiter
from hunyuan_core.errors import BadRequestError
from tests.support.emulator import Exchange, HunyuanEmulator, fake_vector
from tests.support.emulator_tokenhub import TokenHubEmulator
from tests.support.quota_server import QuotaServer

KEY = "sk-bulk-test"
TEXTS = [f"段落 {i % 50} text {i % 50}" for i in range(1500)]


@pytest.fixture
def quota() -> Iterator[QuotaServer]:
    with QuotaServer(rps=200, concurrent=5, latency=0.001, whole_seconds=False) as server:
        yield server


def bulk_client(server: HunyuanEmulator, **kwargs: Any) -> HunyuanClient:
    # max_retries=0: every 429 the job survives was waited out by the limiter, not retried.
    kwargs.setdefault("max_retries", 0)
    return HunyuanClient(api_key=KEY, base_url=server.base_url, embed_batch_size=5, **kwargs)


def assert_learned_the_quota(limiter: AdaptiveLimiter | None, server: QuotaServer) -> None:
    """The pace is the quota's: a concurrency 429 read as the rate's once made it 31/s of a
    quota of 100/s to 200/s (the job took 4 to 13 times as long, with few 429s)."""
    assert limiter is not None and limiter.rate is not None
    assert 0.9 * server.rps <= limiter.rate <= 1.05 * server.rps


@pytest.mark.timeout(60)
def test_a_bulk_embedding_finishes_at_the_quota_with_no_text_lost(quota: QuotaServer) -> None:
    client = bulk_client(quota)
    vectors = client.embed(TEXTS)
    assert vectors == [fake_vector(t) for t in TEXTS]
    assert quota.admitted == 300  # one accepted request per batch
    assert quota.max_in_flight <= 5
    limiter = client.limiter(EMBEDDING_MODEL)
    assert_learned_the_quota(limiter, quota)
    # The job learns the quota by meeting it. On this client (up to 64 threads, and the
    # server, sharing one GIL on 2 CPUs) requests let out before the first rate 429 was read
    # reach the wire after it, and are refused: up to one per permit out (measured 5 to 63
    # of 300 on Python 3.10 to 3.12; a few a job where the client is not CPU-bound).
    assert limiter is not None and quota.rejected <= limiter.max_concurrency + 16


@pytest.mark.timeout(60)
async def test_an_async_bulk_embedding_finishes_at_the_quota(quota: QuotaServer) -> None:
    client = bulk_client(quota)
    vectors = await client.aembed(TEXTS)
    assert vectors == [fake_vector(t) for t in TEXTS]
    assert quota.admitted == 300 and quota.rejected <= 30  # one thread: measured 0 to 12
    assert_learned_the_quota(client.limiter(EMBEDDING_MODEL), quota)


@pytest.mark.timeout(60)
def test_the_old_fixed_concurrency_exhausts_retries_on_the_same_quota(quota: QuotaServer) -> None:
    """The contrast: without the limiter, 429s spend max_retries and the job fails (what it
    finished is still kept)."""
    client = bulk_client(quota, adaptive_concurrency=False, embed_concurrency=8)
    with pytest.raises(PartialEmbeddingError) as info:
        client.embed(TEXTS)
    assert info.value.status_code == 429 and info.value.failed_indexes


def failing_batch(server: HunyuanEmulator, marker: str) -> None:
    """Answer 400 to the embeddings request that holds ``marker`` (once)."""
    route = server._route
    fired: list[bool] = []

    async def handler(ex: Exchange) -> None:
        if not fired and marker in (ex.json or {}).get("input", []):
            fired.append(True)
            await ex.send_json(400, {"error": {"message": "bad input", "code": "400001"}})
            return
        await route(ex)

    server._route = handler  # type: ignore[method-assign]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_failed_batch_keeps_what_finished_and_the_rest_resumes(mode: str) -> None:
    texts = [f"t{i}" for i in range(100)]
    with TokenHubEmulator(latency=0.005) as emu:
        failing_batch(emu, "t55")
        client = bulk_client(emu, embed_concurrency=2)
        with pytest.raises(PartialEmbeddingError) as info:
            if mode == "sync":
                client.embed(texts)
            else:
                asyncio.run(client.aembed(texts))
        err = info.value
        assert isinstance(err.__cause__, BadRequestError) and err.code == "400001"
        assert 55 in err.failed_indexes and 59 in err.failed_indexes
        assert set(err.completed) | set(err.failed_indexes) == set(range(100))
        assert all(err.completed[i] == fake_vector(texts[i]) for i in err.completed)
        sent = [body for path, _, body in emu.requests if path.endswith("/embeddings")]
        # Every batch sent either finished or is the one that failed: those queued behind the
        # failure were never sent (20 batches in all).
        assert len(sent) == len(err.completed) // 5 + 1 < 20
        resumed = client.embed([texts[i] for i in err.failed_indexes])
    merged = dict(err.completed) | dict(zip(err.failed_indexes, resumed, strict=True))
    assert [merged[i] for i in range(100)] == [fake_vector(t) for t in texts]


def test_a_failure_with_nothing_finished_raises_the_error_itself() -> None:
    with TokenHubEmulator() as emu:
        failing_batch(emu, "t0")
        with pytest.raises(BadRequestError):
            bulk_client(emu, embed_concurrency=1).embed([f"t{i}" for i in range(30)])


@pytest.mark.timeout(60)
def test_chat_batch_is_one_bulk_job_at_the_quota() -> None:
    from langchain_hunyuan import ChatHunyuan

    with QuotaServer(rps=100, concurrent=4, latency=0.001, whole_seconds=False) as server:
        model = ChatHunyuan(api_key=KEY, base_url=server.base_url, max_retries=0)
        replies = model.batch(["你好"] * 300, config={"max_concurrency": 16})
    assert all(r.content for r in replies)
    assert server.admitted == 300 and server.rejected <= 30  # 16 threads: measured 3 to 21
    assert_learned_the_quota(model.client.limiter(model.model_name), server)


def test_langchain_rate_limiter_works_with_chat_hunyuan(emulator: HunyuanEmulator) -> None:
    from langchain_core.rate_limiters import BaseRateLimiter

    from langchain_hunyuan import ChatHunyuan

    class Counting(BaseRateLimiter):
        def __init__(self) -> None:
            self.calls = 0

        def acquire(self, *, blocking: bool = True) -> bool:
            self.calls += 1
            return True

        async def aacquire(self, *, blocking: bool = True) -> bool:
            self.calls += 1
            return True

    limiter = Counting()
    model = ChatHunyuan(api_key=KEY, base_url=emulator.base_url, rate_limiter=limiter)
    assert [r.content for r in model.batch(["你好"] * 3)] and limiter.calls == 3
    asyncio.run(model.ainvoke("你好"))
    assert limiter.calls == 4


def test_max_requests_per_second_reaches_the_core() -> None:
    from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
    from llama_index_hunyuan import Hunyuan, HunyuanEmbedding

    for model in (
        ChatHunyuan(api_key=KEY, max_requests_per_second=3),
        HunyuanEmbeddings(api_key=KEY, max_requests_per_second=3),
        Hunyuan(api_key=KEY, max_requests_per_second=3),
        HunyuanEmbedding(api_key=KEY, max_requests_per_second=3),
    ):
        limiter = model.client.limiter("m")
        assert model.client.max_requests_per_second == 3
        assert limiter is not None and limiter.max_requests_per_second == 3


# --- pickle and fork ------------------------------------------------------------------------


def models(base_url: str) -> list[Any]:
    from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
    from llama_index_hunyuan import Hunyuan, HunyuanEmbedding

    return [
        ChatHunyuan(api_key=KEY, base_url=base_url),
        HunyuanEmbeddings(api_key=KEY, base_url=base_url),
        Hunyuan(api_key=KEY, base_url=base_url),
        HunyuanEmbedding(api_key=KEY, base_url=base_url),
    ]


def use(model: Any) -> Any:
    """One real call through the model's main entry point."""
    if hasattr(model, "embed_documents"):
        return model.embed_documents(["你好", "世界"])[1][:3]
    if hasattr(model, "get_text_embedding_batch"):
        return model.get_text_embedding_batch(["你好", "世界"])[1][:3]
    if hasattr(model, "invoke"):
        return model.invoke("你好").content
    from llama_index.core.llms import ChatMessage

    return model.chat([ChatMessage(role="user", content="你好")]).message.content


def test_models_pickle_and_still_work(tokenhub: TokenHubEmulator) -> None:
    emulator = tokenhub
    for model in models(emulator.base_url):
        expected = use(model)  # used before pickling: a client and pools exist
        copy = pickle.loads(pickle.dumps(model))
        assert use(copy) == expected, type(model).__name__


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
@pytest.mark.timeout(60)
def test_models_work_in_a_forked_child_on_fresh_connections(
    tokenhub: TokenHubEmulator,
) -> None:
    emulator = tokenhub
    built = models(emulator.base_url)
    expected = [use(m) for m in built]  # the parent's pools now hold open connections
    before = emulator.open_connections
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            ok = [use(m) for m in built] == expected
            os.write(write, b"ok" if ok else b"different")
        except BaseException as exc:
            os.write(write, repr(exc).encode()[:200])
        os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    assert os.read(read, 256) == b"ok" and status == 0
    # The parent's connections are intact and still serve it.
    assert [use(m) for m in built] == expected
    assert emulator.open_connections >= before
