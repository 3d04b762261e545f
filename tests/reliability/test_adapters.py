"""The same faults through LangChain's ChatHunyuan and LlamaIndex's Hunyuan, sync and async.

Neither framework may hide or rewrap the core's typed errors, repeat text already yielded, or
retry a stream that has started; non-streamed calls get the core's retries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.exceptions import ModelError
from langchain_core.messages import AIMessageChunk
from llama_index.core.base.llms.types import ChatMessage

from hunyuan_core import (
    APIConnectionError,
    APITimeoutError,
    HunyuanInputError,
    RateLimitError,
    StreamError,
)
from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from tests.support import faults
from tests.support.emulator import GREETING, HunyuanEmulator
from tests.support.faults import FakeClock, Gate

KEY = "sk-reliability-0123456789abcdef"
READ_TIMEOUT = 0.2
OVERLOADED = faults.json.dumps(
    faults.error_body("engine overloaded", "FailedOperation.EngineServerLimitExceeded")
)


def langchain(emu: HunyuanEmulator, clock: FakeClock) -> ChatHunyuan:
    model = ChatHunyuan(
        model="hunyuan-turbos-latest", api_key=KEY, base_url=emu.base_url, timeout=READ_TIMEOUT
    )
    model.client.retry = clock.policy()
    return model


def llama_index(emu: HunyuanEmulator, clock: FakeClock) -> Hunyuan:
    llm = Hunyuan(
        model="hunyuan-turbos-latest", api_key=KEY, api_base=emu.base_url, timeout=READ_TIMEOUT
    )
    llm.client.retry = clock.policy()
    return llm


async def stream_text(model: Any, mode: str) -> tuple[list[str], Exception | None]:
    """Text pieces yielded by the adapter's stream, and the error that ended it."""
    got: list[str] = []
    try:
        if isinstance(model, ChatHunyuan):
            chunks: Any = model.stream("你好") if mode == "sync" else model.astream("你好")
            piece: Callable[[Any], str] = lambda c: c.text if isinstance(c, AIMessageChunk) else ""  # noqa: E731
        else:
            messages = [ChatMessage(role="user", content="你好")]
            if mode == "sync":
                chunks = model.stream_chat(messages)
            else:
                chunks = await model.astream_chat(messages)
            piece = lambda r: r.delta or ""  # noqa: E731
        if mode == "sync":
            for c in chunks:
                got.append(piece(c))
        else:
            async for c in chunks:
                got.append(piece(c))
    except Exception as err:
        return [g for g in got if g], err
    return [g for g in got if g], None


async def invoke(model: Any, mode: str) -> str:
    if isinstance(model, ChatHunyuan):
        message = model.invoke("你好") if mode == "sync" else await model.ainvoke("你好")
        return str(message.content)
    messages = [ChatMessage(role="user", content="你好")]
    reply = model.chat(messages) if mode == "sync" else await model.achat(messages)
    return str(reply.message.content)


ADAPTERS = [pytest.param(langchain, id="langchain"), pytest.param(llama_index, id="llamaindex")]
MODES = ["sync", "async"]


def fault_cases(gate: Gate) -> dict[str, tuple[Any, type[Exception], list[str]]]:
    """fault name -> (handler, error type the user gets, text yielded before it)."""
    return {
        "reset": (faults.reset_after(["您好", "!"]), APIConnectionError, ["您好", "!"]),
        "stall": (faults.stall_after(["您好"], gate), APITimeoutError, ["您好"]),
        "malformed": (
            faults.events(faults.chunk("您好"), '{"choices": [{"de'),
            StreamError,
            ["您好"],
        ),
        "error-event": (faults.events(faults.chunk("您好"), OVERLOADED), RateLimitError, ["您好"]),
        "no-done": (faults.end_without_done(["您好", "!"]), StreamError, ["您好", "!"]),
    }


@pytest.mark.parametrize("fault", ["reset", "stall", "malformed", "error-event", "no-done"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("make", ADAPTERS)
async def test_stream_faults_surface_the_core_error(
    emulator: HunyuanEmulator, gate: Gate, make: Any, mode: str, fault: str
) -> None:
    handler, error, yielded = fault_cases(gate)[fault]
    clock = FakeClock()
    emulator.script.append(handler)
    got, err = await stream_text(make(emulator, clock), mode)
    # The core's own error, not wrapped (LangChain's is that class plus LangChain's ModelError).
    assert type(err) is error or (
        type(err).__bases__[0] is error and isinstance(err, ModelError)
    ), repr(err)
    assert got == yielded  # what was yielded stays yielded, once
    assert len(emulator.requests) == 1 and clock.slept == []  # a started stream is not retried


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("make", ADAPTERS)
async def test_calls_are_retried_through_the_adapters(
    emulator: HunyuanEmulator, make: Any, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.extend(
        [faults.status(429, headers={"Retry-After": "2"}), faults.reset_before_response()]
    )
    assert await invoke(make(emulator, clock), mode) == GREETING
    assert clock.slept == [2.0, 1.0] and len(emulator.requests) == 3


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("make", ADAPTERS)
async def test_streams_are_retried_before_they_start(
    emulator: HunyuanEmulator, make: Any, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.append(faults.status(503))
    got, err = await stream_text(make(emulator, clock), mode)
    assert err is None and "".join(got) == GREETING
    assert clock.slept == [0.5]


@pytest.mark.parametrize("make", ADAPTERS)
async def test_bad_history_fails_before_any_request(emulator: HunyuanEmulator, make: Any) -> None:
    model = make(emulator, FakeClock())
    with pytest.raises(HunyuanInputError, match=r"move its text into messages\[0\]"):
        if isinstance(model, ChatHunyuan):
            model.invoke([("user", "hi"), ("system", "late")])
        else:
            model.chat(
                [ChatMessage(role="user", content="hi"), ChatMessage(role="system", content="x")]
            )
    assert emulator.requests == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("make", ADAPTERS)
async def test_streams_broken_before_their_first_event_are_retried(
    emulator: HunyuanEmulator, make: Any, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.append(faults.reset_after([]))
    got, err = await stream_text(make(emulator, clock), mode)
    assert err is None and "".join(got) == GREETING
    assert clock.slept == [0.5] and len(emulator.requests) == 2


def test_timeout_and_max_retries_reach_the_core() -> None:
    lc = ChatHunyuan(api_key=KEY, timeout=7.5, max_retries=4)
    li = Hunyuan(api_key=KEY, timeout=7.5, max_retries=4)
    for client in (lc.client, li.client):
        assert client.retry.max_retries == 4
        assert client.http_client.timeout.read == 7.5
        assert client.http_client.timeout.connect == 5.0


@pytest.mark.parametrize("mode", MODES)
async def test_empty_embedding_text_fails_before_any_request(
    emulator: HunyuanEmulator, mode: str
) -> None:
    lc = HunyuanEmbeddings(api_key=KEY, base_url=emulator.base_url)
    li = HunyuanEmbedding(api_key=KEY, api_base=emulator.base_url)
    with pytest.raises(HunyuanInputError, match=r"texts\[1\] is empty"):
        lc.embed_documents(["ok", ""]) if mode == "sync" else await lc.aembed_documents(["ok", ""])
    with pytest.raises(HunyuanInputError, match=r"texts\[1\] is empty"):
        if mode == "sync":
            li.get_text_embedding_batch(["ok", ""])
        else:
            await li.aget_text_embedding_batch(["ok", ""])
    assert emulator.requests == []
