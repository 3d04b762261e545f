"""``HunyuanEmbedding`` logic: batching under the server cap, the body, native async, secrets."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from hunyuan_core import MAX_EMBEDDING_BATCH, HunyuanInputError
from llama_index_hunyuan import HunyuanEmbedding
from tests.support.emulator import HunyuanEmulator, fake_vector

KEY = "sk-llama-index-embed-0123456789abcdef"


def on_emulator(emu: HunyuanEmulator, **kwargs: Any) -> HunyuanEmbedding:
    return HunyuanEmbedding(
        api_key=KEY, base_url=emu.base_url, model_name="hunyuan-embedding", **kwargs
    )


def embedding_bodies(emu: HunyuanEmulator) -> list[dict[str, Any]]:
    return [body for path, _, body in emu.requests if path.endswith("/embeddings")]


def test_defaults_follow_hunyuan() -> None:
    model = HunyuanEmbedding(api_key=KEY)
    assert model.model_name == "kinfra-text-embedding-0.6b"  # TokenHub's, 1024 dimensions
    assert model.embed_batch_size == MAX_EMBEDDING_BATCH == 200
    assert model.dimensions == 1024


def test_batch_size_over_the_server_cap_is_refused() -> None:
    with pytest.raises(ValidationError, match="200"):
        HunyuanEmbedding(api_key=KEY, embed_batch_size=201)


def test_batches_stay_under_the_cap_and_keep_order(emulator: HunyuanEmulator) -> None:
    texts = [f"文本 {i}" for i in range(450)]
    vectors = on_emulator(emulator).get_text_embedding_batch(texts)
    assert vectors == [fake_vector(t) for t in texts]
    bodies = embedding_bodies(emulator)
    assert [len(b["input"]) for b in bodies] == [200, 200, 50]
    assert all(set(b) == {"input", "model"} for b in bodies)  # Hunyuan rejects anything else
    assert {b["model"] for b in bodies} == {"hunyuan-embedding"}


def test_smaller_batch_size_is_honoured(emulator: HunyuanEmulator) -> None:
    on_emulator(emulator, embed_batch_size=2).get_text_embedding_batch(["a", "b", "c"])
    assert [b["input"] for b in embedding_bodies(emulator)] == [["a", "b"], ["c"]]


def test_query_and_text_embeddings(emulator: HunyuanEmulator) -> None:
    model = on_emulator(emulator)
    assert model.get_query_embedding("问题") == fake_vector("问题")
    assert model.get_text_embedding("文档") == fake_vector("文档")
    assert len(model.get_text_embedding("文档")) == model.dimensions


async def test_async_is_native_not_a_thread(emulator: HunyuanEmulator) -> None:
    """Only the async transport answers: a sync call in a thread would fail."""
    seen: list[dict[str, Any]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        data = [{"index": i, "embedding": fake_vector(t)} for i, t in enumerate(body["input"])]
        return httpx.Response(200, json={"data": data, "model": body["model"]})

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the sync client was used from async code")

    model = HunyuanEmbedding(
        api_key=KEY,
        base_url="https://hy.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(refuse)),
        async_http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    assert await model.aget_query_embedding("q") == fake_vector("q")
    assert await model.aget_text_embedding("t") == fake_vector("t")
    texts = [str(i) for i in range(5)]
    assert await model.aget_text_embedding_batch(texts) == [fake_vector(t) for t in texts]
    assert [b["input"] for b in seen] == [["q"], ["t"], texts]


def test_empty_text_fails_before_any_request(emulator: HunyuanEmulator) -> None:
    with pytest.raises(HunyuanInputError, match="empty"):
        on_emulator(emulator).get_text_embedding_batch(["ok", "  "])
    assert embedding_bodies(emulator) == []


def test_the_key_never_shows() -> None:
    model = HunyuanEmbedding(api_key=KEY)
    shown = [repr(model), model.to_json()]
    if hasattr(model, "to_payload"):  # llama-index-core >= 0.14.23: what instrumentation emits
        shown.append(json.dumps(model.to_payload()))
    for text in shown:
        assert KEY not in text
