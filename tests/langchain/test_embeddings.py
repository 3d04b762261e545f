"""HunyuanEmbeddings against the loopback emulator: batching, order, empty input, secrets."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hunyuan_core import HunyuanInputError
from langchain_hunyuan import HunyuanEmbeddings
from tests.support.emulator import HunyuanEmulator, fake_vector

KEY = "sk-langchain-embed-0123456789abcdef"


def embedder(emu: HunyuanEmulator, **kwargs: object) -> HunyuanEmbeddings:
    return HunyuanEmbeddings(
        api_key=KEY, base_url=emu.base_url, model="hunyuan-embedding", **kwargs
    )


def test_documents_are_batched_under_the_cap_in_order(emulator: HunyuanEmulator) -> None:
    texts = [f"文本 {i}" for i in range(450)]
    vectors = embedder(emulator).embed_documents(texts)
    assert vectors == [fake_vector(t) for t in texts]
    bodies = [body for path, _, body in emulator.requests if path.endswith("/embeddings")]
    assert sorted(len(b["input"]) for b in bodies) == [50, 200, 200]
    assert all(set(b) == {"input", "model"} for b in bodies)
    assert all(b["model"] == "hunyuan-embedding" for b in bodies)


async def test_async_documents_and_query(emulator: HunyuanEmulator) -> None:
    model = embedder(emulator, embed_batch_size=2)
    texts = ["a", "b", "c", "d", "e"]
    assert await model.aembed_documents(texts) == [fake_vector(t) for t in texts]
    assert len(emulator.requests) == 3
    query = await model.aembed_query("你好")
    assert query == fake_vector("你好")
    assert len(query) == HunyuanEmbeddings(model="hunyuan-embedding").dimensions == 1024


def test_empty_list_sends_nothing(emulator: HunyuanEmulator) -> None:
    model = embedder(emulator)
    assert model.embed_documents([]) == []
    assert emulator.requests == []


async def test_async_empty_list_sends_nothing(emulator: HunyuanEmulator) -> None:
    assert await embedder(emulator).aembed_documents([]) == []
    assert emulator.requests == []


def test_empty_text_is_refused_before_any_request(emulator: HunyuanEmulator) -> None:
    with pytest.raises(HunyuanInputError, match="texts\\[1\\] is empty"):
        embedder(emulator).embed_documents(["a", " "])
    assert emulator.requests == []


def test_batch_size_above_the_server_cap_is_refused() -> None:
    with pytest.raises(ValidationError):
        HunyuanEmbeddings(api_key=KEY, embed_batch_size=201)


def test_key_stays_out_of_repr() -> None:
    model = HunyuanEmbeddings(api_key=KEY, secret_key="tcsecretkey987")
    assert KEY not in repr(model) and "tcsecretkey987" not in repr(model)
    assert model.client is model.client
