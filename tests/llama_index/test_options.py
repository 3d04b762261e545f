"""LlamaIndex conventions: metadata overrides (as ``OpenAILike`` takes them), caller-owned httpx
clients, default headers and ``show_progress``."""

from __future__ import annotations

import sys

import httpx
import pytest
from llama_index.core import Settings
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate

from hunyuan_core import model_info
from hunyuan_core.models import DEFAULT_MODEL_INFO
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from llama_index_hunyuan.yuanqi import Yuanqi
from tests.support.emulator import HunyuanEmulator, fake_vector

KEY = "sk-options-0123456789abcdef"
COMPLETION = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1737186705,
    "model": "hunyuan-turbos-latest",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}],
}
EMBEDDING = {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.5]}]}


# --- metadata -----------------------------------------------------------------------------


def test_metadata_defaults_to_the_model_table() -> None:
    info = model_info("hunyuan-lite")
    meta = Hunyuan(model="hunyuan-lite", api_key=KEY).metadata
    assert meta.context_window == info.context_window
    assert meta.num_output == info.max_output_tokens
    assert meta.is_function_calling_model is False and meta.is_chat_model is True
    unknown = Hunyuan(model="my-finetune", api_key=KEY).metadata
    assert unknown.context_window == DEFAULT_MODEL_INFO.context_window
    assert unknown.is_function_calling_model is DEFAULT_MODEL_INFO.function_calling


def test_overrides_win_over_the_table() -> None:
    llm = Hunyuan(
        model="my-finetune",
        api_key=KEY,
        context_window=200_000,
        is_function_calling_model=False,
        max_tokens=1234,
    )
    meta = llm.metadata
    assert meta.context_window == 200_000 and meta.num_output == 1234
    assert meta.is_function_calling_model is False
    # and the other way: a table model without tools, declared able to call them
    lite = Hunyuan(model="hunyuan-lite", api_key=KEY, is_function_calling_model=True)
    assert lite.metadata.is_function_calling_model is True
    assert Hunyuan(api_key=KEY, is_chat_model=False).metadata.is_chat_model is False


def test_overrides_are_validated() -> None:
    with pytest.raises(ValueError, match="context_window"):
        Hunyuan(api_key=KEY, context_window=0)


def test_yuanqi_metadata_takes_the_overrides() -> None:
    agent = Yuanqi(token="t", assistant_id="a", context_window=8000, max_tokens=500)
    meta = agent.metadata
    assert meta.context_window == 8000 and meta.num_output == 500
    assert meta.is_function_calling_model is False


# --- httpx clients and default headers ----------------------------------------------------

HEADERS = {"X-Trace-Id": "trace-1", "Authorization": "Bearer not-the-key"}


def _recorder(requests: list[httpx.Request]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        body = EMBEDDING if request.url.path.endswith("/embeddings") else COMPLETION
        return httpx.Response(200, json=body)

    return httpx.MockTransport(handle)


def _check(requests: list[httpx.Request], count: int) -> None:
    assert len(requests) == count
    for request in requests:
        assert request.url.host == "proxy.test"
        assert request.headers["x-trace-id"] == "trace-1"
        assert request.headers.get_list("authorization") == [f"Bearer {KEY}"]


async def test_llm_uses_the_callers_clients_and_headers() -> None:
    requests: list[httpx.Request] = []
    llm = Hunyuan(
        api_key=KEY,
        api_base="http://proxy.test/v1",
        http_client=httpx.Client(transport=_recorder(requests)),
        async_http_client=httpx.AsyncClient(transport=_recorder(requests)),
        default_headers=HEADERS,
    )
    messages = [ChatMessage(role="user", content="你好")]
    assert llm.chat(messages).message.content == "ok"
    assert (await llm.achat(messages)).message.content == "ok"
    _check(requests, 2)


async def test_embedding_uses_the_callers_clients_and_headers() -> None:
    requests: list[httpx.Request] = []
    embedding = HunyuanEmbedding(
        api_key=KEY,
        api_base="http://proxy.test/v1",
        http_client=httpx.Client(transport=_recorder(requests)),
        async_http_client=httpx.AsyncClient(transport=_recorder(requests)),
        default_headers=HEADERS,
    )
    assert embedding.get_query_embedding("a") == [0.5]
    assert await embedding.aget_query_embedding("a") == [0.5]
    _check(requests, 2)


# --- show_progress ------------------------------------------------------------------------


async def test_show_progress_on_batches(
    emulator: HunyuanEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    embedding = HunyuanEmbedding(
        api_key=KEY, api_base=emulator.base_url, model_name="hunyuan-embedding", embed_batch_size=2
    )
    texts = ["一", "二", "三", "四", "五"]
    vectors = embedding.get_text_embedding_batch(texts, show_progress=True)
    assert vectors == [fake_vector(t) for t in texts]
    assert "5/5" in capsys.readouterr().err
    vectors = await embedding.aget_text_embedding_batch(texts, show_progress=True)
    assert vectors == [fake_vector(t) for t in texts]
    assert "/3" in capsys.readouterr().err  # the async bar counts batches (3 of 2 texts)


# --- no tokenizer ---------------------------------------------------------------------------


def test_nothing_here_needs_a_tokenizer(
    emulator: HunyuanEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LlamaIndex's ``Settings.tokenizer`` (tiktoken) is the user's business: the LLM and the
    embedding never call it, nor import ``transformers``."""

    def no_tokenizer(text: str) -> list[int]:
        raise AssertionError("a tokenizer was used")

    monkeypatch.setattr(Settings, "_tokenizer", no_tokenizer)
    monkeypatch.setitem(sys.modules, "transformers", None)
    llm = Hunyuan(api_key=KEY, api_base=emulator.base_url)
    messages = [ChatMessage(role="user", content="你好")]
    assert llm.chat(messages).message.content
    assert llm.complete("你好").text
    assert "".join(r.delta or "" for r in llm.stream_chat(messages))
    assert llm.predict(PromptTemplate("{x}"), x="你好")
    embedding = HunyuanEmbedding(
        api_key=KEY, api_base=emulator.base_url, model_name="hunyuan-embedding"
    )
    assert len(embedding.get_text_embedding_batch(["a", "b"])) == 2
