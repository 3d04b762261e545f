"""The transport limits as LangChain and LlamaIndex users meet them, sync and async, on real
loopback sockets: connection reuse over TLS, deadlines, partial text, SSE separators, replies
of the wrong shape, size caps, embedding cancellation."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk
from llama_index.core.base.llms.types import ChatMessage

from hunyuan_core import APIConnectionError, APIStatusError, APITimeoutError, transport
from hunyuan_core.errors import ResponseTooLargeError
from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from tests.support import faults
from tests.support import transport_faults as tf
from tests.support.emulator import GREETING, HunyuanEmulator
from tests.support.faults import Gate, chunk
from tests.support.tls import LoopbackCA

KEY = "sk-transport-0123456789abcdef"
MODES = ["sync", "async"]
SEPARATORS = "行\u2028分\u2029段\u0085尾"


@pytest.fixture
def trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LoopbackCA:
    ca = LoopbackCA()
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.ca_file(tmp_path)))
    monkeypatch.setattr(transport, "_sync_pool", {})
    monkeypatch.setattr(transport, "_async_pool", transport.weakref.WeakKeyDictionary())
    return ca


def lc(emu: HunyuanEmulator, **kw: Any) -> ChatHunyuan:
    kw.setdefault("max_retries", 0)
    return ChatHunyuan(api_key=KEY, base_url=emu.base_url, **kw)


def li(emu: HunyuanEmulator, **kw: Any) -> Hunyuan:
    kw.setdefault("max_retries", 0)
    return Hunyuan(api_key=KEY, api_base=emu.base_url, **kw)


async def lc_stream(model: ChatHunyuan, mode: str) -> AIMessageChunk:
    chunks = (
        list(model.stream("你好")) if mode == "sync" else [c async for c in model.astream("你好")]
    )
    out = chunks[0]
    for c in chunks[1:]:
        out = out + c
    assert isinstance(out, AIMessageChunk)
    return out


async def lc_invoke(model: ChatHunyuan, mode: str) -> Any:
    return model.invoke("你好") if mode == "sync" else await model.ainvoke("你好")


async def li_stream(llm: Hunyuan, mode: str) -> Any:
    messages = [ChatMessage(role="user", content="你好")]
    if mode == "sync":
        responses = list(llm.stream_chat(messages))
    else:
        responses = [r async for r in await llm.astream_chat(messages)]
    return responses[-1]


async def li_chat(llm: Hunyuan, mode: str) -> Any:
    messages = [ChatMessage(role="user", content="你好")]
    return llm.chat(messages) if mode == "sync" else await llm.achat(messages)


# --- 1. connection reuse over TLS ---------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_langchain_streams_reuse_one_tls_connection(mode: str, trusted: LoopbackCA) -> None:
    with HunyuanEmulator(ssl=trusted.server_context()) as emu:
        model = lc(emu)
        for _ in range(20):
            assert (await lc_stream(model, mode)).content == GREETING
        assert emu.accepted == 1


@pytest.mark.parametrize("mode", MODES)
async def test_llama_index_streams_reuse_one_tls_connection(mode: str, trusted: LoopbackCA) -> None:
    with HunyuanEmulator(ssl=trusted.server_context()) as emu:
        llm = li(emu)
        for _ in range(20):
            assert (await li_stream(llm, mode)).message.content == GREETING
        assert emu.accepted == 1


# --- 2. deadlines --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
async def test_a_trickle_fails_at_the_adapters_deadline(
    mode: str, framework: str, gate: Gate
) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(tf.trickle(0.1, gate))
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            if framework == "langchain":
                await lc_invoke(lc(emu, timeout=0.5, deadline=1.0), mode)
            else:
                await li_chat(li(emu, timeout=0.5, deadline=1.0), mode)
        assert caught.value.limit == "deadline"
        assert time.monotonic() - started < 1.6


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("framework", ["langchain", "llama_index"])
async def test_comments_only_fail_at_the_adapters_idle_timeout(
    mode: str, framework: str, gate: Gate
) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(tf.comments_after(["你好"], gate))
        with pytest.raises(APITimeoutError) as caught:
            if framework == "langchain":
                await lc_stream(lc(emu, stream_idle_timeout=0.3), mode)
            else:
                await li_stream(li(emu, stream_idle_timeout=0.3), mode)
        assert caught.value.limit == "stream_idle"
        assert caught.value.partial_text == "你好"


# --- 3. nothing received is lost -----------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_langchain_streaming_invoke_keeps_partial_text(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(faults.reset_after(["一", "二", "三", "四", "五"]))
        with pytest.raises(APIConnectionError) as caught:
            await lc_invoke(lc(emu, streaming=True), mode)
        assert caught.value.partial_text == "一二三四五"


@pytest.mark.parametrize("mode", MODES)
async def test_langchain_stream_keeps_partial_text(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(faults.reset_after(["一", "二"]))
        with pytest.raises(APIConnectionError) as caught:
            await lc_stream(lc(emu), mode)
        assert caught.value.partial_text == "一二"


@pytest.mark.parametrize("mode", MODES)
async def test_llama_index_stream_keeps_partial_text(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(faults.reset_after(["一", "二"]))
        with pytest.raises(APIConnectionError) as caught:
            await li_stream(li(emu), mode)
        assert caught.value.partial_text == "一二"


@pytest.mark.parametrize("mode", MODES)
async def test_langchain_finished_reply_without_done_is_complete(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(tf.finished_then_reset(["你好", "世界"]))
        message = await lc_invoke(lc(emu, streaming=True), mode)
        assert message.content == "你好世界"
        assert message.usage_metadata["total_tokens"] == tf.USAGE["total_tokens"]


@pytest.mark.parametrize("mode", MODES)
async def test_llama_index_finished_reply_without_done_is_complete(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(tf.finished_then_reset(["你好", "世界"]))
        last = await li_stream(li(emu), mode)
        assert last.message.content == "你好世界"
        assert tf.USAGE["total_tokens"] in last.additional_kwargs.values()


# --- 4. SSE separators ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_separators_survive_langchain_streams(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(faults.events(chunk(SEPARATORS), chunk("", finish="stop")))
        assert (await lc_stream(lc(emu), mode)).content == SEPARATORS
        emu.script.append(tf.split_event("中文\u2028"))
        assert (await lc_stream(lc(emu), mode)).content == "中文\u2028"


@pytest.mark.parametrize("mode", MODES)
async def test_separators_survive_llama_index_streams(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.append(faults.events(chunk(SEPARATORS), chunk("", finish="stop")))
        assert (await li_stream(li(emu), mode)).message.content == SEPARATORS
        emu.script.append(tf.split_event("中文\u2028"))
        assert (await li_stream(li(emu), mode)).message.content == "中文\u2028"


# --- 5. replies of the wrong shape ---------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_reply_without_choices_is_typed_in_both_adapters(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.extend([tf.json_reply({}), tf.json_reply({})])
        with pytest.raises(APIStatusError):
            await lc_invoke(lc(emu), mode)
        with pytest.raises(APIStatusError):
            await li_chat(li(emu), mode)


@pytest.mark.parametrize("mode", MODES)
async def test_bad_vector_indexes_are_typed_in_both_adapters(mode: str) -> None:
    data = [{"index": 0, "embedding": [0.1]}, {"index": 0, "embedding": [0.2]}]
    with HunyuanEmulator() as emu:
        for _ in range(2):
            emu.script.append(tf.json_reply({"data": data}))
        lc_emb = HunyuanEmbeddings(api_key=KEY, base_url=emu.base_url, max_retries=0)
        li_emb = HunyuanEmbedding(api_key=KEY, api_base=emu.base_url, max_retries=0)
        with pytest.raises(APIStatusError, match="indexes"):
            if mode == "sync":
                lc_emb.embed_documents(["a", "b"])
            else:
                await lc_emb.aembed_documents(["a", "b"])
        with pytest.raises(APIStatusError, match="indexes"):
            if mode == "sync":
                li_emb.get_text_embedding_batch(["a", "b"])
            else:
                await li_emb.aget_text_embedding_batch(["a", "b"])


# --- 6. size caps --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_a_gzip_bomb_is_typed_in_both_adapters(mode: str) -> None:
    with HunyuanEmulator() as emu:
        emu.script.extend([tf.bomb(tf.Sent()), tf.bomb(tf.Sent())])
        with pytest.raises(ResponseTooLargeError):
            await lc_invoke(lc(emu), mode)
        with pytest.raises(ResponseTooLargeError):
            await li_chat(li(emu), mode)


# --- 7. embedding cancellation -------------------------------------------------------------


async def test_adapters_stop_embedding_after_a_batch_fails() -> None:
    texts = [f"text {i}" for i in range(40)]
    with HunyuanEmulator() as emu:
        emu.script.extend([emu._route, faults.status(400)])
        lc_emb = HunyuanEmbeddings(
            api_key=KEY, base_url=emu.base_url, max_retries=0, embed_batch_size=1
        )
        with pytest.raises(APIStatusError):
            await lc_emb.aembed_documents(texts)
        assert len(emu.requests) <= 8
    with HunyuanEmulator() as emu:
        emu.script.extend([emu._route, faults.status(400)])
        li_emb = HunyuanEmbedding(api_key=KEY, api_base=emu.base_url, max_retries=0)
        li_emb.client.embed_batch_size = 1
        # LlamaIndex's own aget_text_embedding_batch gathers its batches without cancelling
        # them; each of its batches reaches the core through _aget_text_embeddings
        with pytest.raises(APIStatusError):
            await li_emb._aget_text_embeddings(texts)
        assert len(emu.requests) <= 8
