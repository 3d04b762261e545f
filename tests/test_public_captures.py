"""Real public captures of Hunyuan traffic, replayed through both adapters.

Every cassette in ``cassettes/public/`` is a hand transcription of a reply someone published
(Tencent's CLI examples, issue threads, the Hy3 docs pull requests); its header names the source.
They check the adapters against Tencent's servers rather than against our own emulator. The
captured requests are not what our adapters send, so replay matches on method, host and path only.
Tests of behaviour not built yet are strict xfails: they flip to failures when the feature lands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock

from hunyuan_core import (
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    RetryPolicy,
    StreamError,
)
from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from tests.support import cassettes as cassettes_support

LEGACY = "https://api.hunyuan.cloud.tencent.com/v1"
TOKENHUB = "https://tokenhub.tencentmaas.com/v1"
SECRET_ID, SECRET_KEY = "AKIDplaceholder", "placeholder-secret-key"
NOTE = "以上内容为AI生成，不代表开发者立场，请勿删除或修改本标记"


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """Captured requests differ from ours (and native ones are signed per call): match the
    route only, and let one capture answer the sync, async and streamed calls alike."""
    config = cassettes_support.vcr_config()
    config.update(match_on=["method", "scheme", "host", "path"], allow_playback_repeats=True)
    return config


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(cassettes_support.CASSETTE_DIR / "public")


def vcr(name: str) -> pytest.MarkDecorator:
    return pytest.mark.vcr(f"{name}.yaml")


def with_cassettes(cases: list[tuple[Any, ...]]) -> list[Any]:
    """Parameters whose first item names the cassette they replay."""
    return [pytest.param(*case, marks=vcr(case[0]), id=case[0]) for case in cases]


@pytest.fixture
def native(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tencent Cloud credentials (placeholders) and no API key: the native API is selected."""
    for name in ("HUNYUAN_API_KEY", "HUNYUAN_BASE_URL", "TENCENTCLOUD_SECRET_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("TENCENTCLOUD_SECRET_KEY", raising=False)
    yield


def lc_native(model: str = "hunyuan-pro", **kwargs: Any) -> ChatHunyuan:
    return ChatHunyuan(
        model=model, secret_id=SECRET_ID, secret_key=SECRET_KEY, max_retries=0, **kwargs
    )


def li_native(**kwargs: Any) -> Hunyuan:
    return Hunyuan(
        model="hunyuan-pro", secret_id=SECRET_ID, secret_key=SECRET_KEY, max_retries=0, **kwargs
    )


def lc_tokenhub() -> ChatHunyuan:
    return ChatHunyuan(api_key="test-key", base_url=TOKENHUB, model="hy3", max_retries=0)


def li_tokenhub() -> Hunyuan:
    return Hunyuan(api_key="test-key", base_url=TOKENHUB, model="hy3", max_retries=0)


def lc_stream(llm: ChatHunyuan, text: str) -> tuple[AIMessageChunk, list[AIMessageChunk]]:
    chunks = list(llm.stream([HumanMessage(text)]))
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    assert isinstance(total, AIMessageChunk)
    return total, chunks


def usage_of(message: AIMessage) -> tuple[int, int, int]:
    usage = message.usage_metadata
    assert usage is not None
    return usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]


def li_usage(raw: Any) -> tuple[int, int, int]:
    usage = raw["usage"] if isinstance(raw, dict) else raw.usage
    usage = usage if isinstance(usage, dict) else usage.model_dump()
    return usage["prompt_tokens"], usage["completion_tokens"], usage["total_tokens"]


# --- native API: tencentcloud-cli examples -------------------------------------------------

NON_STREAM = [
    (
        "native_cli_functioncall_multiturn",
        "北京今天的天气情况是：\n温度：35摄氏度\n风向：南\n天气状况：暴雨\n\n"
        "深圳今天的天气情况是：\n温度：35摄氏度\n风向：南\n天气状况：暴雨",
        (71, 42, 113),
        "5a112898-d802-4bca-8ba2-7ce2388b98e8",
    ),
    (
        "native_cli_vision",
        "这张图片中展示的Logo属于腾讯公司。",
        (7, 10, 17),
        "a21f9d7e-c18a-438b-bfb4-7941a2adf8ae",
    ),
    (
        "native_cli_video",
        "视频展示了一个动画场景，其中有一个蓝发女孩和两只柴犬，背景是如画的秋季景色。",
        (823, 23, 846),
        "3fd3d34f-8008-4240-b221-fec236c8584d",
    ),
]


@pytest.mark.usefixtures("native")
@pytest.mark.parametrize(("name", "text", "usage", "request_id"), with_cassettes(NON_STREAM))
def test_native_non_stream_replies(
    name: str, text: str, usage: tuple[int, int, int], request_id: str
) -> None:
    reply = lc_native().invoke("你好")
    assert reply.content == text
    assert usage_of(reply) == usage
    assert reply.response_metadata["finish_reason"] == "stop"
    response = li_native().chat([ChatMessage(role="user", content="你好")])
    assert response.message.content == text
    assert li_usage(response.raw) == usage
    assert response.raw.request_id == request_id
    assert reply.response_metadata.get("request_id") == request_id


@pytest.mark.usefixtures("native")
@vcr("native_cli_nonstream")
def test_native_reply_published_without_the_response_wrapper() -> None:
    assert lc_native().invoke("你好呀！").content == (
        "你好！很高兴为您提供帮助。请问有什么问题我可以帮助您解决？"
    )


STREAMS = [
    (
        "native_cli_stream_system_prompt",
        "很好：nice\n英文释义：pleasing or acceptable\n例句：She had a nice smile.",
        (36, 21, 57),
    ),
    ("native_cli_stream_multiturn", "青蛙跳高，比下马。", (85, 7, 92)),
    ("native_cli_stream", "1+1=2", (4, 5, 9)),
]


@pytest.mark.usefixtures("native")
@pytest.mark.parametrize(("name", "text", "usage"), with_cassettes(STREAMS))
def test_native_streams(name: str, text: str, usage: tuple[int, int, int]) -> None:
    """Cumulative usage on every event becomes one usage report; no [DONE] is needed."""
    total, chunks = lc_stream(lc_native(), "nice")
    assert total.content == text
    assert usage_of(total) == usage
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert total.response_metadata["finish_reason"] == "stop"
    responses = list(li_native().stream_chat([ChatMessage(role="user", content="nice")]))
    assert responses[-1].message.content == text
    assert "".join(r.delta or "" for r in responses) == text


@pytest.mark.usefixtures("native")
@vcr("native_cli_stream")
async def test_native_stream_async() -> None:
    chunks = [c async for c in lc_native().astream("计算1+1")]
    assert "".join(str(c.content) for c in chunks) == "1+1=2"
    gen = await li_native().astream_chat([ChatMessage(role="user", content="计算1+1")])
    assert [r.message.content async for r in gen][-1] == "1+1=2"
    reply = await lc_native(streaming=True).ainvoke("计算1+1")
    assert reply.content == "1+1=2" and usage_of(reply) == (4, 5, 9)


WEATHER = {
    "name": "get_current_weather",
    "description": "获取当前地点的天气",
    "parameters": {
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "城市名称"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
}


def weather_tool() -> Any:
    from llama_index.core.tools import FunctionTool

    def get_current_weather(location: str, unit: str = "celsius") -> str:
        """获取当前地点的天气"""
        return f"{location} {unit}"

    return FunctionTool.from_defaults(get_current_weather)


@pytest.mark.usefixtures("native")
@vcr("native_cli_functioncall")
def test_native_tool_call_without_id() -> None:
    """The published tool call has no Id: the call still reaches the user, args parsed."""
    reply = lc_native().bind_tools([{"type": "function", "function": WEATHER}]).invoke("天气")
    assert reply.response_metadata["finish_reason"] == "tool_calls"
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("get_current_weather", {"location": ["北京", "深圳"], "unit": "celsius"})
    ]
    assert str(reply.content).startswith("使用get_current_weather工具")
    llm = li_native()
    response = llm.chat_with_tools([weather_tool()], user_msg="天气")
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=True)
    assert [(c.tool_name, c.tool_kwargs) for c in calls] == [
        ("get_current_weather", {"location": ["北京", "深圳"], "unit": "celsius"})
    ]


@pytest.mark.usefixtures("native")
@vcr("native_cli_functioncall")
def test_native_tool_call_without_id_gets_an_id() -> None:
    reply = lc_native().bind_tools([{"type": "function", "function": WEATHER}]).invoke("天气")
    assert reply.tool_calls[0]["id"]


@pytest.mark.usefixtures("native")
@vcr("native_cli_functioncall_stream")
def test_native_streamed_tool_call() -> None:
    """Id and Type repeated, Name sent once then "", no Index: one call comes out."""
    llm = lc_native().bind_tools([{"type": "function", "function": WEATHER}])
    chunks = list(llm.stream("北京和深圳今天天气如何"))
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    assert isinstance(total, AIMessageChunk)
    assert [(c["id"], c["name"], c["args"]) for c in total.tool_calls] == [
        ("call_cq154vk2c3m1v7ep3530", "get_current_weather", {"location": "北京"})
    ]
    assert str(total.content).startswith("计划使用get_current_weather工具")
    assert total.response_metadata["finish_reason"] == "tool_calls"
    assert usage_of(total) == (6, 46, 52)
    li = li_native()
    last = list(li.stream_chat_with_tools([weather_tool()], user_msg="天气"))[-1]
    calls = li.get_tool_calls_from_response(last, error_on_no_tool_call=True)
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("call_cq154vk2c3m1v7ep3530", "get_current_weather", {"location": "北京"})
    ]


@pytest.mark.usefixtures("native")
@vcr("native_cli_error")
def test_native_invalid_parameter_error() -> None:
    for call in (
        lambda: lc_native().invoke("介绍下自己"),
        lambda: li_native().chat([ChatMessage(role="user", content="介绍下自己")]),
    ):
        with pytest.raises(BadRequestError) as info:
            call()
        assert info.value.code == "InvalidParameter"
        assert info.value.message == "Temperature must be 2 or less"
        assert info.value.request_id == "188cc996-ab09-49a7-aa9f-1df88f11c6b4"


@pytest.mark.usefixtures("native")
@vcr("native_cli_get_embedding")
async def test_native_get_embedding() -> None:
    """The published vector holds 2 floats (Tencent's doc shortens it); replayed as is."""
    vector = [0.018218994140625, 0.024810791015625]
    lc = HunyuanEmbeddings(secret_id=SECRET_ID, secret_key=SECRET_KEY)
    assert lc.embed_query("你好") == vector
    assert await lc.aembed_documents(["你好"]) == [vector]
    li = HunyuanEmbedding(secret_id=SECRET_ID, secret_key=SECRET_KEY)
    assert li.get_text_embedding("你好") == vector
    assert await li.aget_query_embedding("你好") == vector


@pytest.mark.usefixtures("native")
@vcr("native_cpp_issue34_stream_start")
def test_native_stream_cut_after_two_events() -> None:
    """The issue shows a stream's first two events and no more: what was said reaches the
    user, then a StreamError says the reply was cut (no FinishReason, no [DONE])."""
    seen: list[str] = []
    with pytest.raises(StreamError):
        for chunk in lc_native(model="hunyuan-lite").stream("你好"):
            seen.append(str(chunk.content))
    assert "".join(seen) == "你好！"
    seen = []
    with pytest.raises(StreamError):
        for response in li_native().stream_chat([ChatMessage(role="user", content="你好")]):
            seen.append(response.delta or "")
    assert "".join(seen) == "你好！"


# --- legacy OpenAI-compatible endpoint --------------------------------------------------

ROLE_ORDER = "messages 中 user（tool） 和 assistant 角色需交替出现"


def lc_legacy() -> ChatHunyuan:
    return ChatHunyuan(
        api_key="test-key", base_url=LEGACY, model="hunyuan-turbos-latest", max_retries=0
    )


def li_legacy() -> Hunyuan:
    return Hunyuan(
        api_key="test-key", base_url=LEGACY, model="hunyuan-turbos-latest", max_retries=0
    )


@vcr("legacy_openmanus_894_error")
def test_legacy_role_order_error_1001() -> None:
    for call in (
        lambda: lc_legacy().invoke("你好"),
        lambda: li_legacy().chat([ChatMessage(role="user", content="你好")]),
    ):
        with pytest.raises(BadRequestError) as info:
            call()
        assert info.value.status_code == 400
        assert info.value.code == "1001"
        assert info.value.error_type == "invalid_request_error"
        assert info.value.message.startswith(ROLE_ORDER)


@vcr("legacy_openmanus_894_error")
def test_legacy_error_id_is_the_request_id() -> None:
    with pytest.raises(BadRequestError) as info:
        lc_legacy().invoke("你好")
    assert info.value.request_id == "3d98282009c094e0c9b7b11afc919ada"


# --- TokenHub ------------------------------------------------------------------------------


@vcr("tokenhub_pr144_chat")
async def test_tokenhub_chat_with_usage_details() -> None:
    reply = lc_tokenhub().invoke("你好")
    assert reply.content == "你好！我是你的助手，有什么可以帮你的吗？ 😊"
    assert usage_of(reply) == (22, 15, 37)
    assert reply.usage_metadata is not None
    assert reply.usage_metadata.get("input_token_details") == {"cache_read": 0}
    assert reply.usage_metadata.get("output_token_details") == {"reasoning": 0}
    assert reply.id == "c27d9b74-497e-4968-8138-530063de4f40"
    assert reply.response_metadata["finish_reason"] == "stop"
    again = await lc_tokenhub().ainvoke("你好")
    assert again.content == reply.content
    response = li_tokenhub().chat([ChatMessage(role="user", content="你好")])
    assert response.message.content == reply.content
    assert li_usage(response.raw) == (22, 15, 37)


@vcr("tokenhub_pr144_stream")
def test_tokenhub_stream_without_usage() -> None:
    """finish_reason rides on the last content chunk; no usage was asked for in the capture."""
    total, chunks = lc_stream(lc_tokenhub(), "你好")
    assert total.content == "你好！有什么可以帮你的吗？"
    assert total.response_metadata["finish_reason"] == "stop"
    assert total.usage_metadata is None
    assert not any(c.usage_metadata for c in chunks)
    responses = list(li_tokenhub().stream_chat([ChatMessage(role="user", content="你好")]))
    assert responses[-1].message.content == "你好！有什么可以帮你的吗？"


@vcr("tokenhub_pr49_stream_usage")
async def test_tokenhub_stream_usage_once_in_the_final_chunk() -> None:
    text = "人工智能是一门研究如何使计算机模拟人类智能行为的学科。"
    total, chunks = lc_stream(lc_tokenhub(), "请写一段关于人工智能发展的简短介绍。")
    assert total.content == text
    assert usage_of(total) == (24, 32, 56)
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    achunks = [c async for c in lc_tokenhub().astream("请写一段关于人工智能发展的简短介绍。")]
    assert "".join(str(c.content) for c in achunks) == text
    responses = list(li_tokenhub().stream_chat([ChatMessage(role="user", content="x")]))
    assert responses[-1].message.content == text


@vcr("tokenhub_pr144_tool_call")
def test_tokenhub_tool_call() -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "获取指定城市的当前天气信息",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
    reply = lc_tokenhub().bind_tools([tool]).invoke("深圳今天天气怎么样？")
    assert reply.content == ""
    assert reply.tool_calls == [
        {
            "name": "get_weather",
            "args": {"city": "深圳"},
            "id": "chatcmpl-tool-052c157ea6404545840ed45cc35ee1c9",
            "type": "tool_call",
        }
    ]
    assert reply.response_metadata["finish_reason"] == "tool_calls"
    assert usage_of(reply) == (208, 20, 228)

    from llama_index.core.tools import FunctionTool

    def get_weather(city: str) -> str:
        """获取指定城市的当前天气信息"""
        return city

    llm = li_tokenhub()
    response = llm.chat_with_tools(
        [FunctionTool.from_defaults(get_weather)], user_msg="深圳今天天气怎么样？"
    )
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=True)
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("chatcmpl-tool-052c157ea6404545840ed45cc35ee1c9", "get_weather", {"city": "深圳"})
    ]


PERSON = {
    "age": 35,
    "name": "张三",
    "occupation": "高级软件工程师",
    "skills": ["Python", "Java", "机器学习"],
}
PERSON_SCHEMA = {
    "title": "person_info",
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer"},
        "occupation": {"type": "string"},
        "skills": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["name", "age", "occupation", "skills"],
}


@vcr("tokenhub_pr144_json_schema")
def test_tokenhub_json_schema_reply_content() -> None:
    """The reply to response_format json_schema: the content is the JSON text."""
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": "person_info", "schema": PERSON_SCHEMA},
    }
    reply = lc_tokenhub().invoke("张三", response_format=response_format)
    assert json.loads(str(reply.content)) == PERSON
    li = Hunyuan(
        api_key="test-key",
        base_url=TOKENHUB,
        model="hy3",
        additional_kwargs={"response_format": response_format},
    )
    assert json.loads(li.chat([ChatMessage(role="user", content="张三")]).message.content or "")


@vcr("tokenhub_pr144_json_schema")
def test_tokenhub_structured_output_json_schema() -> None:
    assert (
        lc_tokenhub().with_structured_output(PERSON_SCHEMA, method="json_schema").invoke("张三")
        == PERSON
    )


@vcr("tokenhub_pr49_thinking")
def test_tokenhub_thinking_reply() -> None:
    reply = lc_tokenhub().invoke("小明有5个苹果，给了小红2个，又买了3个，最后还剩几个？")
    assert reply.content == "小明最后还剩6个苹果。"
    assert str(reply.additional_kwargs["reasoning_content"]).startswith("我们被问到")
    assert usage_of(reply) == (31, 132, 163)
    response = li_tokenhub().chat([ChatMessage(role="user", content="小明")])
    assert response.message.content == "小明最后还剩6个苹果。"
    thinking = [b for b in response.message.blocks if isinstance(b, ThinkingBlock)]
    assert len(thinking) == 1 and (thinking[0].content or "").endswith("答案：6。")


@vcr("tokenhub_pr49_thinking")
def test_tokenhub_thinking_as_a_langchain_reasoning_block() -> None:
    reply = lc_tokenhub().invoke("小明")
    blocks = [b for b in reply.content_blocks if b["type"] == "reasoning"]
    assert len(blocks) == 1 and str(blocks[0].get("reasoning", "")).startswith("我们被问到")


@vcr("tokenhub_pr114_invalid_key_401002")
def test_tokenhub_invalid_key_401002() -> None:
    for call in (
        lambda: lc_tokenhub().invoke("你好"),
        lambda: li_tokenhub().chat([ChatMessage(role="user", content="你好")]),
    ):
        with pytest.raises(AuthenticationError) as info:
            call()
        assert info.value.status_code == 401
        assert info.value.code == "401002"
        assert info.value.error_type == "gateway_error"
        assert info.value.message.startswith("The API Key does not exist")


@vcr("tokenhub_pr114_invalid_key_401002")
def test_tokenhub_401002_request_id_from_the_body() -> None:
    with pytest.raises(AuthenticationError) as info:
        lc_tokenhub().invoke("你好")
    assert info.value.request_id == "9adcaffd-db01-40dd-af39-dacd95241a32"


@vcr("tokenhub_pr144_busy_429006")
def test_tokenhub_busy_429006_is_a_retryable_rate_limit() -> None:
    for call in (
        lambda: lc_tokenhub().invoke("你好"),
        lambda: li_tokenhub().chat([ChatMessage(role="user", content="你好")]),
    ):
        with pytest.raises(RateLimitError) as info:
            call()
        err = info.value
        assert err.status_code == 429 and err.code == "429006"
        assert err.error_type == "rate_limit_error"
        assert err.message.startswith("The model service is currently busy")
        assert RetryPolicy().should_retry(429, err.headers, err.code)


@vcr("tokenhub_pr144_busy_429006")
def test_tokenhub_429006_request_id_from_the_body() -> None:
    with pytest.raises(RateLimitError) as info:
        lc_tokenhub().invoke("你好")
    assert info.value.request_id == "57b8d6ff-03dd-45a0-8d8e-5eebba3e0470"
