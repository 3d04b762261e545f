"""``Hunyuan`` (LlamaIndex LLM) logic: mocked transport and the loopback emulator.

Wire replay is in ``test_llama_index_wire.py``; the interface-by-interface suite in
``test_conformance.py``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    ChatResponse,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool

import llama_index_hunyuan.llms as llms_module
from hunyuan_core import AuthenticationError, ContentModerationError, HunyuanInputError
from llama_index_hunyuan import Hunyuan
from tests.support.emulator import GREETING, HunyuanEmulator
from tests.support.streams import WEATHER_AND_TIME, reply_of, stream_of

KEY = "sk-llama-index-unit-0123456789abcdef"
USER = [ChatMessage(role=MessageRole.USER, content="你好")]


def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"sunny in {city}"


def get_time(tz: str) -> str:
    """The time in a time zone."""
    return f"12:00 in {tz}"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def completion_body(message: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "hunyuan-turbo",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
        **extra,
    }


class Recorder:
    """A MockTransport handler that records request bodies and answers with one body."""

    def __init__(self, body: dict[str, Any] | None = None) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []
        self.body = body or completion_body({"role": "assistant", "content": "好的"})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = json.loads(request.content)
        self.bodies.append(body)
        if body.get("stream"):
            return httpx.Response(
                200, headers={"content-type": "text/event-stream"}, content=SSE_REPLY
            )
        return httpx.Response(200, json=self.body)


SSE_REPLY = (
    b'data: {"id":"s","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n"
)


def mocked(recorder: Recorder, **kwargs: Any) -> Hunyuan:
    transport = httpx.MockTransport(recorder)
    return Hunyuan(
        api_key=KEY,
        base_url="https://hy.test/v1",
        http_client=httpx.Client(transport=transport),
        async_http_client=httpx.AsyncClient(transport=transport),
        **kwargs,
    )


def on_emulator(emu: HunyuanEmulator, **kwargs: Any) -> Hunyuan:
    return Hunyuan(api_key=KEY, base_url=emu.base_url, **kwargs)


# --- configuration -------------------------------------------------------------------------


def test_metadata_comes_from_the_model_table_not_llama_index_defaults() -> None:
    hy3 = Hunyuan(api_key=KEY).metadata
    assert (hy3.context_window, hy3.num_output) == (256_000, 128_000)
    assert hy3.is_chat_model and hy3.is_function_calling_model and hy3.model_name == "hy3"
    turbos = Hunyuan(model="hunyuan-turbos-latest", api_key=KEY).metadata
    assert (turbos.context_window, turbos.num_output) == (44_000, 16_000)
    lite = Hunyuan(model="hunyuan-lite", api_key=KEY, max_tokens=512).metadata
    assert (lite.context_window, lite.num_output) == (256_000, 512)
    assert not lite.is_function_calling_model


def test_the_key_never_shows_in_repr_serialisation_or_instrumentation() -> None:
    llm = Hunyuan(api_key=KEY, secret_id="AKIDsecretid0123456789", secret_key="tc-secret-key")
    shown = [repr(llm), str(llm), llm.to_json(), str(llm.dict())]
    if hasattr(llm, "to_payload"):  # llama-index-core >= 0.14.23: what instrumentation emits
        shown.append(json.dumps(llm.to_payload()))
    for text in shown:
        assert KEY not in text
        assert "AKIDsecretid0123456789" not in text and "tc-secret-key" not in text
    assert llm.api_key is not None and llm.api_key.get_secret_value() == KEY


def test_base_url_is_an_alias_of_api_base() -> None:
    assert Hunyuan(api_key=KEY, base_url="https://gw.test/v1").api_base == "https://gw.test/v1"
    assert Hunyuan(api_key=KEY, api_base="https://gw.test/v1").client.backend.base_url == (
        "https://gw.test/v1"
    )


def test_key_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUNYUAN_API_KEY", KEY)
    monkeypatch.setenv("HUNYUAN_BASE_URL", "https://env.test/v1")
    recorder = Recorder()
    llm = Hunyuan(http_client=httpx.Client(transport=httpx.MockTransport(recorder)))
    llm.chat(USER)
    request = recorder.requests[0]
    assert str(request.url) == "https://env.test/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"


def test_settings_forwarded_to_one_core_client_per_instance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[dict[str, Any]] = []
    backends: list[dict[str, Any]] = []
    real, real_backend = llms_module.HunyuanClient, llms_module.backend_for

    def spy(**kwargs: Any) -> Any:
        built.append(kwargs)
        return real(**kwargs)

    def backend_spy(settings: Any, **kwargs: Any) -> Any:
        backends.append(vars(settings))
        return real_backend(settings, **kwargs)

    monkeypatch.setattr(llms_module, "HunyuanClient", spy)
    monkeypatch.setattr(llms_module, "backend_for", backend_spy)
    recorder = Recorder()
    llm = mocked(
        recorder,
        secret_id="sid",
        secret_key="skey",
        region="ap-guangzhou",
        timeout=9.5,
        max_retries=4,
        raise_on_sensitive=True,
    )
    llm.chat(USER)
    list(llm.stream_complete("hi"))
    assert len(built) == 1 and len(backends) == 1
    kwargs, credentials = built[0], backends[0]
    # An explicit API key wins over explicit Tencent Cloud credentials (one resolver decides).
    assert credentials["backend"] == "openai-compatible"
    assert credentials["api_key"].get_secret_value() == KEY
    assert (credentials["region"], kwargs["timeout"], kwargs["max_retries"]) == (
        "ap-guangzhou",
        9.5,
        4,
    )
    assert kwargs["raise_on_sensitive"] is True


# --- requests ------------------------------------------------------------------------------


def test_request_body_carries_settings_custom_params_and_call_kwargs() -> None:
    recorder = Recorder()
    llm = mocked(
        recorder,
        model="hunyuan-turbo",
        temperature=0.3,
        max_tokens=64,
        additional_kwargs={"enable_enhancement": False, "enable_speed_search": True},
    )
    llm.chat(USER, stop="。", seed=7)
    body = recorder.bodies[0]
    assert body["model"] == "hunyuan-turbo"
    assert (body["temperature"], body["max_tokens"], body["seed"]) == (0.3, 64, 7)
    assert body["enable_enhancement"] is False and body["enable_speed_search"] is True
    assert body["stop"] == ["。"]
    assert "stream" not in body and "tools" not in body


def test_messages_become_openai_shaped_dicts() -> None:
    recorder = Recorder()
    history = [
        ChatMessage(role=MessageRole.SYSTEM, content="简洁回答"),
        ChatMessage(role=MessageRole.USER, content="北京天气?"),
        ChatMessage(
            role=MessageRole.ASSISTANT,
            blocks=[
                ThinkingBlock(content="need the weather tool"),
                ToolCallBlock(
                    tool_call_id="call_1", tool_name="get_weather", tool_kwargs={"city": "北京"}
                ),
            ],
        ),
        ChatMessage(
            role=MessageRole.TOOL, content="晴", additional_kwargs={"tool_call_id": "call_1"}
        ),
        ChatMessage(
            role=MessageRole.USER,
            blocks=[TextBlock(text="这是什么?"), ImageBlock(url="https://img.test/a.png")],
        ),
    ]
    mocked(recorder).chat(history)
    assert recorder.bodies[0]["messages"] == [
        {"role": "system", "content": "简洁回答"},
        {"role": "user", "content": "北京天气?"},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "北京"}'},
                }
            ],
        },
        {"role": "tool", "content": "晴", "tool_call_id": "call_1"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "这是什么?"},
                {"type": "image_url", "image_url": {"url": "https://img.test/a.png"}},
            ],
        },
    ]


def test_cache_hints_are_dropped_and_audio_refused() -> None:
    recorder = Recorder()
    hinted = ChatMessage(
        role=MessageRole.USER,
        blocks=[TextBlock(text="hi"), CachePoint(cache_control=CacheControl(type="ephemeral"))],
    )
    mocked(recorder).chat([hinted])
    assert recorder.bodies[0]["messages"] == [{"role": "user", "content": "hi"}]
    audio = ChatMessage(role=MessageRole.USER, blocks=[AudioBlock(audio=b"RIFF", format="wav")])
    with pytest.raises(ValueError, match="AudioBlock"):
        mocked(recorder).chat([audio])
    assert len(recorder.requests) == 1


def test_unfixable_history_fails_before_any_request() -> None:
    recorder = Recorder()
    late_system = [*USER, ChatMessage(role=MessageRole.SYSTEM, content="too late")]
    with pytest.raises(HunyuanInputError, match="system message"):
        mocked(recorder).chat(late_system)
    assert recorder.requests == []


def test_stream_asks_for_usage() -> None:
    recorder = Recorder()
    assert list(mocked(recorder).stream_chat(USER))[-1].message.content == "hi"
    body = recorder.bodies[0]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


def test_llama_index_sees_tool_required_support() -> None:
    """Without a ``tool_required`` parameter, LlamaIndex drops the flag with a warning."""
    from llama_index.core.llms.function_calling import _supports_tool_required

    assert _supports_tool_required(Hunyuan, True)


@pytest.mark.parametrize(
    ("tools", "kwargs", "expected"),
    [
        ([add], {}, None),
        ([add], {"tool_required": True}, {"type": "function", "function": {"name": "add"}}),
        ([add, get_time], {"tool_required": True}, "required"),
        (
            [add, get_time],
            {"tool_choice": "get_time"},
            {"type": "function", "function": {"name": "get_time"}},
        ),
        ([add], {"tool_choice": "none"}, "none"),
    ],
)
def test_tool_choice(tools: list[Any], kwargs: dict[str, Any], expected: Any) -> None:
    recorder = Recorder()
    llm = mocked(recorder)
    llm.chat_with_tools([FunctionTool.from_defaults(t) for t in tools], "hi", **kwargs)
    body = recorder.bodies[0]
    assert body.get("tool_choice") == expected
    assert [t["function"]["name"] for t in body["tools"]] == [t.__name__ for t in tools]
    assert "parallel_tool_calls" not in body  # not a documented Hunyuan parameter


# --- replies -------------------------------------------------------------------------------


def test_reply_with_reasoning_tool_calls_usage_and_hunyuan_fields() -> None:
    message = {
        "role": "assistant",
        "content": "",
        "reasoning_content": "先查天气",
        "tool_calls": [
            {
                "id": "call_a",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "北京"}'},
            },
            {
                "id": "call_b",
                "type": "function",
                "function": {"name": "get_time", "arguments": '{"tz": "Asia/Shanghai"}'},
            },
        ],
    }
    recorder = Recorder(completion_body(message, search_info={"search_results": []}))
    response = mocked(recorder).chat(USER)
    blocks = response.message.blocks
    assert isinstance(blocks[0], ThinkingBlock) and blocks[0].content == "先查天气"
    assert [b.tool_call_id for b in blocks if isinstance(b, ToolCallBlock)] == ["call_a", "call_b"]
    assert response.additional_kwargs == {
        "prompt_tokens": 5,
        "completion_tokens": 2,
        "total_tokens": 7,
        "finish_reason": "stop",
    }
    assert response.raw.model_extra["search_info"] == {"search_results": []}
    selections = Hunyuan(api_key=KEY).get_tool_calls_from_response(response)
    assert [(s.tool_name, s.tool_kwargs) for s in selections] == [
        ("get_weather", {"city": "北京"}),
        ("get_time", {"tz": "Asia/Shanghai"}),
    ]


def test_no_tool_call_raises_only_when_asked() -> None:
    response = mocked(Recorder()).chat(USER)
    llm = Hunyuan(api_key=KEY)
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="without one"):
        llm.get_tool_calls_from_response(response)


def test_stream_reports_usage_once_with_the_final_not_summed_figure(
    emulator: HunyuanEmulator,
) -> None:
    llm = on_emulator(emulator)
    whole = llm.chat(USER)
    responses = list(llm.stream_chat(USER))
    with_usage = [r for r in responses if "prompt_tokens" in r.additional_kwargs]
    assert with_usage == [responses[-1]]  # Hunyuan put usage on every one of these chunks
    usage = responses[-1].additional_kwargs
    assert usage["prompt_tokens"] == whole.additional_kwargs["prompt_tokens"]
    chunks_with_text = sum(1 for r in responses if r.delta)
    assert usage["completion_tokens"] == chunks_with_text  # the emulator counts one per chunk
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert responses[-1].raw.usage.total_tokens == usage["total_tokens"]
    assert "".join(r.delta or "" for r in responses) == GREETING
    assert responses[-1].message.content == GREETING


async def test_async_stream_reports_usage_once(emulator: HunyuanEmulator) -> None:
    responses = [r async for r in await on_emulator(emulator).astream_chat(USER)]
    assert sum("total_tokens" in r.additional_kwargs for r in responses) == 1
    assert responses[-1].message.content == GREETING


def test_stop_strings_are_cut_as_openai_would(emulator: HunyuanEmulator) -> None:
    llm = on_emulator(emulator)
    # Hunyuan's reply to this includes "助手" (Tencent's OpenAI-compatible API docs); OpenAI
    # semantics stop before it.
    assert llm.complete("请介绍一下你自己", stop=["助手"]).text == "我是一个AI"
    streamed = list(llm.stream_complete("请介绍一下你自己", stop=["助手"]))
    assert streamed[-1].text == "我是一个AI"
    assert "".join(r.delta or "" for r in streamed) == "我是一个AI"


def test_streamed_reasoning_is_kept(emulator: HunyuanEmulator) -> None:
    emulator.script.append(
        stream_of(
            [
                {"role": "assistant", "reasoning_content": "想一想"},
                {"role": "assistant", "reasoning_content": "再想"},
                {"role": "assistant", "content": "好"},
            ]
        )
    )
    responses = list(on_emulator(emulator).stream_chat(USER))
    assert [r.additional_kwargs.get("thinking_delta") for r in responses[:2]] == ["想一想", "再想"]
    final = responses[-1].message
    assert isinstance(final.blocks[0], ThinkingBlock) and final.blocks[0].content == "想一想再想"
    assert final.content == "好"


def test_several_tool_calls_in_one_chunk_with_repeated_ids(emulator: HunyuanEmulator) -> None:
    emulator.script.append(stream_of(WEATHER_AND_TIME, "tool_calls"))
    llm = on_emulator(emulator)
    tools = [FunctionTool.from_defaults(get_weather), FunctionTool.from_defaults(get_time)]
    responses = list(
        llm.stream_chat_with_tools(tools, "北京天气和时间", allow_parallel_tool_calls=True)
    )
    # FunctionAgent calls this on every chunk: partial JSON must not raise.
    partial = llm.get_tool_calls_from_response(responses[0], error_on_no_tool_call=False)
    assert [(s.tool_id, s.tool_name) for s in partial] == [
        ("call_weather", "get_weather"),
        ("call_time", "get_time"),
    ]
    final = llm.get_tool_calls_from_response(responses[-1])
    assert [(s.tool_id, s.tool_name, s.tool_kwargs) for s in final] == [
        ("call_weather", "get_weather", {"city": "Beijing"}),
        ("call_time", "get_time", {"tz": "Asia/Shanghai"}),
    ]
    assert responses[-1].additional_kwargs["finish_reason"] == "tool_calls"


def test_partial_json_arguments_never_raise() -> None:
    llm = Hunyuan(api_key=KEY)
    for arguments, expected in [
        ("", {}),
        ('{"ci', {}),
        ('{"city": "Bei', {"city": None}),  # an unfinished string is not guessed at
        ('{"city": "Beijing", "days": [1, 2', {"city": "Beijing", "days": [1, 2]}),
        ("[1, 2]", {}),
        ("not json", {}),
    ]:
        response_message = ChatMessage(
            role=MessageRole.ASSISTANT,
            blocks=[ToolCallBlock(tool_call_id="c", tool_name="t", tool_kwargs=arguments)],
        )
        (selection,) = llm.get_tool_calls_from_response(
            ChatResponse(message=response_message), error_on_no_tool_call=False
        )
        assert selection.tool_kwargs == expected, arguments


def test_single_tool_call_kept_unless_parallel_allowed(emulator: HunyuanEmulator) -> None:
    tools = [FunctionTool.from_defaults(get_weather), FunctionTool.from_defaults(get_time)]
    message = {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}},
            {"id": "b", "type": "function", "function": {"name": "get_time", "arguments": "{}"}},
        ],
    }
    emulator.script.extend([reply_of(message, "tool_calls"), reply_of(message, "tool_calls")])
    llm = on_emulator(emulator)
    single = llm.chat_with_tools(tools, "hi")
    parallel = llm.chat_with_tools(tools, "hi", allow_parallel_tool_calls=True)
    assert [s.tool_id for s in llm.get_tool_calls_from_response(single)] == ["a"]
    assert [c["id"] for c in single.message.additional_kwargs["tool_calls"]] == ["a"]
    assert [s.tool_id for s in llm.get_tool_calls_from_response(parallel)] == ["a", "b"]


async def test_function_agent_sends_the_call_and_its_result_back(
    emulator: HunyuanEmulator,
) -> None:
    calls: list[tuple[int, int]] = []

    def add_numbers(a: int, b: int) -> int:
        """Add two integers."""
        calls.append((a, b))
        return a + b

    agent = FunctionAgent(tools=[add_numbers], llm=on_emulator(emulator))
    result = await agent.run("1+2?")
    assert calls == [(3, 3)]  # the emulator fills integer arguments with 3
    assert "6" in str(result)
    second = emulator.requests[-1][2]["messages"]
    call = second[-2]["tool_calls"][0]
    assert second[-2]["role"] == "assistant" and call["function"]["name"] == "add_numbers"
    assert json.loads(call["function"]["arguments"]) == {"a": 3, "b": 3}
    assert second[-1] == {"role": "tool", "content": "6", "tool_call_id": call["id"]}
    assert call["id"].startswith("call_") and call["id"].count("call_") == 1


def test_moderation_raises_when_asked(emulator: HunyuanEmulator) -> None:
    emulator.script.append(stream_of([{"role": "assistant", "content": "部分"}], "sensitive"))
    emulator.script.append(stream_of([{"role": "assistant", "content": "部分"}], "sensitive"))
    quiet = list(on_emulator(emulator).stream_chat(USER))
    assert quiet[-1].additional_kwargs["finish_reason"] == "sensitive"
    with pytest.raises(ContentModerationError) as info:
        list(on_emulator(emulator, raise_on_sensitive=True).stream_chat(USER))
    assert info.value.partial_content == "部分"


def test_bad_key_is_a_typed_error_without_the_key(emulator: HunyuanEmulator) -> None:
    with pytest.raises(AuthenticationError) as info:
        Hunyuan(api_key="sk-invalid", base_url=emulator.base_url).complete("hi")
    assert "sk-invalid" not in str(info.value)


def test_missing_key_says_how_to_set_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUNYUAN_API_KEY", raising=False)
    monkeypatch.delenv("TENCENTCLOUD_SECRET_ID", raising=False)
    llm = Hunyuan()  # constructing without a key works (Settings.llm at import time)
    with pytest.raises(AuthenticationError, match="HUNYUAN_API_KEY"):
        llm.complete("hi")


# --- the anchors' failures on Hunyuan, reproduced ----------------------------------------------


def openai_like(emu: HunyuanEmulator) -> Any:
    openai_like_module = pytest.importorskip("llama_index.llms.openai_like")
    return openai_like_module.OpenAILike(
        model="hunyuan-turbo",
        api_base=emu.base_url,
        api_key=KEY,
        is_chat_model=True,
        is_function_calling_model=True,
    )


def test_openai_like_defaults_are_wrong_for_hunyuan(emulator: HunyuanEmulator) -> None:
    openai_like_module = pytest.importorskip("llama_index.llms.openai_like")
    theirs = openai_like_module.OpenAILike(model="hunyuan-turbo", api_key=KEY).metadata
    assert theirs.context_window == 3900
    assert not theirs.is_function_calling_model and not theirs.is_chat_model
    ours = Hunyuan(model="hunyuan-turbo", api_key=KEY).metadata
    assert ours.context_window == 32_000 and ours.is_function_calling_model


def test_openai_like_concatenates_repeated_ids_ours_does_not(emulator: HunyuanEmulator) -> None:
    tools = [FunctionTool.from_defaults(add)]
    theirs = openai_like(emulator)
    their_last = list(theirs.stream_chat_with_tools(tools, "1+2?"))[-1]
    (their_call,) = theirs.get_tool_calls_from_response(their_last)
    ours = on_emulator(emulator)
    our_last = list(ours.stream_chat_with_tools(tools, "1+2?"))[-1]
    (our_call,) = ours.get_tool_calls_from_response(our_last)
    # The emulator, like Hunyuan, repeats the id on each of the call's chunks.
    assert their_call.tool_id.count("call_") > 1
    assert our_call.tool_id.count("call_") == 1 and len(our_call.tool_id) == len("call_") + 24
    assert our_call.tool_kwargs == {"a": 3, "b": 3}


def test_openai_like_reads_only_the_first_call_of_a_chunk(emulator: HunyuanEmulator) -> None:
    tools = [FunctionTool.from_defaults(get_weather), FunctionTool.from_defaults(get_time)]
    emulator.script.append(stream_of(WEATHER_AND_TIME, "tool_calls"))
    theirs = openai_like(emulator)
    their_last = list(theirs.stream_chat_with_tools(tools, "hi", allow_parallel_tool_calls=True))
    their_names = [s.tool_name for s in theirs.get_tool_calls_from_response(their_last[-1])]
    assert "get_time" not in their_names  # the second call of the chunk is lost

    emulator.script.append(stream_of(WEATHER_AND_TIME, "tool_calls"))
    ours = on_emulator(emulator)
    our_last = list(ours.stream_chat_with_tools(tools, "hi", allow_parallel_tool_calls=True))
    assert [s.tool_name for s in ours.get_tool_calls_from_response(our_last[-1])] == [
        "get_weather",
        "get_time",
    ]
