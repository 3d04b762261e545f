"""ChatHunyuan's own behaviour: message conversion, usage, tool calls, metadata, errors, secrets.

Wire-exact cases use httpx's MockTransport (the bytes Hunyuan would send); the rest use the
loopback emulator (``emulator`` fixture).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.load import dumpd, dumps, loads
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel

from hunyuan_core import (
    AuthenticationError,
    ContentModerationError,
    HunyuanClient,
    HunyuanInputError,
)
from langchain_hunyuan import ChatHunyuan
from langchain_hunyuan.chat_models import message_to_dict
from tests.support.emulator import GREETING, THINKING, HunyuanEmulator

KEY = "sk-langchain-unit-0123456789abcdef"
Handler = Callable[[httpx.Request], httpx.Response]


def mocked(handler: Handler, **kwargs: Any) -> ChatHunyuan:
    """A ChatHunyuan whose core client talks to ``handler`` instead of the network."""
    model = ChatHunyuan(api_key=KEY, base_url="https://hy.test/v1", **kwargs)
    model._client = HunyuanClient(
        api_key=KEY,
        base_url="https://hy.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        raise_on_sensitive=model.raise_on_sensitive,
    )
    return model


def sse(*events: dict[str, Any], headers: dict[str, str] | None = None) -> Handler:
    body = "".join(f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events)
    body += "data: [DONE]\n\n"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"content-type": "text/event-stream", **(headers or {})},
            content=body.encode(),
        )

    return handler


def reply(body: dict[str, Any], headers: dict[str, str] | None = None) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body, headers=headers)

    return handler


def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "created": 1,
        "model": "hunyuan-turbos-latest",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }


def usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def on_emulator(emu: HunyuanEmulator, **kwargs: Any) -> ChatHunyuan:
    return ChatHunyuan(api_key=KEY, base_url=emu.base_url, **kwargs)


def last_body(emu: HunyuanEmulator) -> dict[str, Any]:
    body: dict[str, Any] = emu.requests[-1][2]
    return body


def add(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    return full


# --- usage ----------------------------------------------------------------------------------

# Hunyuan puts the running total on every chunk (Tencent's docs); these figures are the docs'.
CUMULATIVE_STREAM = [
    chunk({"role": "assistant", "content": "您好"}, usage=usage(11, 6)),
    chunk({"role": "assistant", "content": "!"}, usage=usage(11, 12)),
    chunk({"role": "assistant", "content": "很高兴"}, "stop", usage=usage(11, 18)),
    {
        "id": "c1",
        "created": 1,
        "model": "hunyuan-turbos-latest",
        "choices": [],
        "usage": usage(11, 18),
    },
]


def test_stream_usage_sums_to_the_servers_final_figure() -> None:
    model = mocked(sse(*CUMULATIVE_STREAM))
    chunks = list(model.stream("你好"))
    with_usage = [c for c in chunks if c.usage_metadata]
    assert len(with_usage) == 1, "usage must be reported once, not on every chunk"
    assert add(chunks).usage_metadata == {
        "input_tokens": 11,
        "output_tokens": 18,
        "total_tokens": 29,
    }
    assert add(chunks).content == "您好!很高兴"


async def test_astream_usage_sums_to_the_servers_final_figure() -> None:
    model = mocked(sse(*CUMULATIVE_STREAM))
    chunks = [c async for c in model.astream("你好")]
    assert add(chunks).usage_metadata == {
        "input_tokens": 11,
        "output_tokens": 18,
        "total_tokens": 29,
    }


def test_stream_usage_matches_the_emulators_last_wire_chunk(emulator: HunyuanEmulator) -> None:
    model = on_emulator(emulator)
    chunks = list(model.stream("你好"))
    body = last_body(emulator)
    assert body["stream_options"] == {"include_usage": True}
    # Replay the same request on the raw wire: the last usage there is the server's figure.
    with httpx.stream(
        "POST",
        f"{emulator.base_url}/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {KEY}"},
    ) as raw:
        events = [json.loads(line[6:]) for line in raw.iter_lines() if line.startswith("data: {")]
    wire_usages = [e["usage"] for e in events if e.get("usage")]
    assert len(wire_usages) > 2  # cumulative on every chunk
    final = wire_usages[-1]
    assert add(chunks).usage_metadata == {
        "input_tokens": final["prompt_tokens"],
        "output_tokens": final["completion_tokens"],
        "total_tokens": final["total_tokens"],
    }


def test_stream_usage_off_sends_no_stream_options(emulator: HunyuanEmulator) -> None:
    model = on_emulator(emulator, stream_usage=False)
    chunks = list(model.stream("你好"))
    assert "stream_options" not in last_body(emulator)
    assert add(chunks).content == GREETING
    # Hunyuan ends every stream with a usage chunk (per the reseller's published examples)
    # even unasked: still counted once.
    assert len([c for c in chunks if c.usage_metadata]) == 1


def test_invoke_usage_and_metadata_with_hunyuan_extras() -> None:
    search_info = {"search_results": [{"index": 1, "title": "腾讯", "url": "https://x.test"}]}
    model = mocked(
        reply(
            {
                "id": "resp-1",
                "created": 1,
                "model": "hunyuan-turbos-latest",
                "system_fingerprint": "fp-1",
                "note": "以上内容为AI生成",
                "search_info": search_info,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "好"},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    **usage(5, 7),
                    "prompt_tokens_details": {"cached_tokens": 2},
                    "completion_tokens_details": {"reasoning_tokens": 3},
                },
            },
            headers={"X-Request-Id": "req-42"},
        )
    )
    result = model.invoke("hi")
    meta = result.response_metadata
    assert meta["model_name"] == "hunyuan-turbos-latest"
    assert meta["finish_reason"] == "stop"
    assert meta["request_id"] == "req-42"
    assert meta["id"] == "resp-1"
    assert meta["system_fingerprint"] == "fp-1"
    assert meta["search_info"] == search_info
    assert meta["note"] == "以上内容为AI生成"
    assert result.usage_metadata == {
        "input_tokens": 5,
        "output_tokens": 7,
        "total_tokens": 12,
        "input_token_details": {"cache_read": 2},
        "output_token_details": {"reasoning": 3},
    }


def test_stream_extras_repeated_on_every_chunk_are_reported_once() -> None:
    search_info = {"search_results": [{"index": 1, "title": "腾讯"}]}
    events = [
        chunk({"content": "好"}, note="AI生成", search_info=search_info),
        chunk({"content": "的"}, note="AI生成", search_info=search_info),
        chunk({"content": ""}, "stop", note="AI生成", search_info=search_info),
    ]
    full = add(list(mocked(sse(*events, headers={"X-Request-Id": "req-7"})).stream("hi")))
    meta = full.response_metadata
    assert meta["note"] == "AI生成"  # not "AI生成AI生成AI生成"
    assert meta["search_info"] == search_info
    assert meta["model_name"] == "hunyuan-turbos-latest"
    assert meta["finish_reason"] == "stop"
    assert meta["request_id"] == "req-7"


# --- stop -----------------------------------------------------------------------------------


def test_stop_is_cut_on_invoke_and_stream(emulator: HunyuanEmulator) -> None:
    model = on_emulator(emulator)
    expected = GREETING[: GREETING.index("交流")]
    assert model.invoke("你好", stop=["交流"]).content == expected
    assert last_body(emulator)["stop"] == ["交流"]
    assert add(list(model.stream("你好", stop=["交流"]))).content == expected
    assert on_emulator(emulator, stop=["交流"]).invoke("你好").content == expected
    assert last_body(emulator)["stop"] == ["交流"]


# --- tool calls -----------------------------------------------------------------------------


def _tc(index: int | None, id_: str | None, name: str | None, args: str) -> dict[str, Any]:
    call: dict[str, Any] = {"type": "function", "function": {"arguments": args}}
    if index is not None:
        call["index"] = index
    if id_:
        call["id"] = id_
    if name:
        call["function"]["name"] = name
    return call


def test_parallel_tool_calls_stream_with_their_index() -> None:
    events = [
        chunk({"tool_calls": [_tc(0, "call_a", "get_weather", "")]}),
        chunk({"tool_calls": [_tc(0, None, None, '{"city": "北')]}),
        chunk({"tool_calls": [_tc(1, "call_b", "get_time", '{"tz"')]}),
        chunk({"tool_calls": [_tc(0, None, None, '京"}')]}),
        chunk({"tool_calls": [_tc(1, None, None, ': "UTC+8"}')]}),
        chunk({}, "tool_calls"),
    ]
    chunks = list(mocked(sse(*events)).stream("天气和时间?"))
    indexes = [tc["index"] for c in chunks for tc in c.tool_call_chunks]
    assert indexes == [0, 0, 1, 0, 1]
    full = add(chunks)
    assert full.tool_calls == [
        {"name": "get_weather", "args": {"city": "北京"}, "id": "call_a", "type": "tool_call"},
        {"name": "get_time", "args": {"tz": "UTC+8"}, "id": "call_b", "type": "tool_call"},
    ]
    assert full.response_metadata["finish_reason"] == "tool_calls"


def test_tool_call_deltas_without_index_and_with_repeated_ids_still_merge() -> None:
    """Hunyuan may omit ``index`` and repeat ``id``/``name`` on every delta (the core fixes it)."""
    events = [
        chunk({"tool_calls": [_tc(None, "call_a", "get_weather", '{"city": ')]}),
        chunk({"tool_calls": [_tc(None, "call_a", "get_weather", '"北京"}')]}),
        chunk({"tool_calls": [_tc(None, "call_b", "get_time", '{"tz": "UTC"}')]}),
        chunk({}, "tool_calls"),
    ]
    full = add(list(mocked(sse(*events)).stream("?")))
    assert [(c["id"], c["name"], c["args"]) for c in full.tool_calls] == [
        ("call_a", "get_weather", {"city": "北京"}),
        ("call_b", "get_time", {"tz": "UTC"}),
    ]


def test_parallel_tool_calls_invoke_and_tool_message_round_trip(
    emulator: HunyuanEmulator,
) -> None:
    calls = [_tc(None, "call_a", "add", '{"a": 1, "b": 2}'), _tc(None, "call_b", "add", "{bad")]
    model = mocked(
        reply(
            {
                "id": "r",
                "model": "hunyuan-turbos-latest",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "", "tool_calls": calls},
                        "finish_reason": "tool_calls",
                    }
                ],
            }
        )
    )
    ai = model.invoke("1+2?")
    assert ai.tool_calls == [
        {"name": "add", "args": {"a": 1, "b": 2}, "id": "call_a", "type": "tool_call"}
    ]
    assert [(c["id"], c["args"]) for c in ai.invalid_tool_calls] == [("call_b", "{bad")]

    history: list[BaseMessage] = [
        HumanMessage("1+2?"),
        ai,
        ToolMessage("3", tool_call_id="call_a", name="add"),
        ToolMessage("error: bad arguments", tool_call_id="call_b", status="error"),
    ]
    answer = on_emulator(emulator).invoke(history)
    assert answer.content == "The tool returned: error: bad arguments."
    sent = last_body(emulator)["messages"]
    assert sent[1]["tool_calls"] == [
        {
            "id": "call_a",
            "type": "function",
            "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
        },
        {"id": "call_b", "type": "function", "function": {"name": "add", "arguments": "{bad"}},
    ]
    assert sent[2:] == [
        {"role": "tool", "tool_call_id": "call_a", "content": "3"},
        {"role": "tool", "tool_call_id": "call_b", "content": "error: bad arguments"},
    ]


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return "晴"


@tool
def get_time(tz: str) -> str:
    """The time in a time zone."""
    return "12:00"


@pytest.mark.parametrize(
    ("tools", "choice", "sent"),
    [
        ([get_weather], "any", {"type": "function", "function": {"name": "get_weather"}}),
        ([get_weather], True, {"type": "function", "function": {"name": "get_weather"}}),
        ([get_weather, get_time], "any", "required"),
        ([get_weather, get_time], "required", "required"),
        (
            [get_weather, get_time],
            "get_time",
            {"type": "function", "function": {"name": "get_time"}},
        ),
        ([get_weather, get_time], "auto", "auto"),
        ([get_weather, get_time], "none", "none"),
    ],
)
def test_tool_choice_is_sent_in_the_form_hunyuan_takes(
    emulator: HunyuanEmulator, tools: list[Any], choice: Any, sent: Any
) -> None:
    on_emulator(emulator).bind_tools(tools, tool_choice=choice).invoke("天气?")
    assert last_body(emulator)["tool_choice"] == sent


def test_tool_choice_unknown_name_is_refused() -> None:
    with pytest.raises(ValueError, match="get_time"):
        ChatHunyuan(api_key=KEY).bind_tools([get_weather], tool_choice="get_time")


# --- structured output ----------------------------------------------------------------------


class Joke(BaseModel):
    setup: str
    punchline: str


def test_json_mode_sends_json_object_and_parses(emulator: HunyuanEmulator) -> None:
    chat = on_emulator(emulator).with_structured_output(Joke, method="json_mode")
    joke = chat.invoke("A joke as JSON with 'setup' and 'punchline' keys.")
    assert joke == Joke(setup="setup from Hunyuan", punchline="punchline from Hunyuan")
    body = last_body(emulator)
    assert body["response_format"] == {"type": "json_object"}
    assert "tools" not in body


def test_json_schema_is_served_by_function_calling_where_the_model_lacks_it(
    emulator: HunyuanEmulator,
) -> None:
    model = on_emulator(emulator, model="hunyuan-turbos-latest")
    chat = model.with_structured_output(Joke, method="json_schema")
    assert isinstance(chat.invoke("a joke"), Joke)
    body = last_body(emulator)
    assert "response_format" not in body
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Joke"}}
    default = on_emulator(emulator, model="hunyuan-turbos-latest").with_structured_output(Joke)
    assert isinstance(default.invoke("a joke"), Joke) and "tools" in last_body(emulator)


def test_json_schema_is_sent_as_response_format_where_the_model_has_it(
    emulator: HunyuanEmulator,
) -> None:
    for method in ("json_schema", None):
        chat = on_emulator(emulator, model="hy3").with_structured_output(Joke, method=method)
        assert isinstance(chat.invoke("a joke"), Joke)
        body = last_body(emulator)
        assert "tools" not in body and body["response_format"]["type"] == "json_schema"
        assert body["response_format"]["json_schema"]["name"] == "Joke"
        assert set(body["response_format"]["json_schema"]["schema"]["properties"]) == {
            "setup",
            "punchline",
        }


def test_include_raw_returns_the_parsing_error(emulator: HunyuanEmulator) -> None:
    chat = on_emulator(emulator).with_structured_output(Joke, method="json_mode", include_raw=True)
    out = chat.invoke("a joke, please")  # names no keys: the reply has none of Joke's fields
    assert isinstance(out, dict)
    assert out["parsed"] is None
    assert out["parsing_error"] is not None
    assert isinstance(out["raw"], AIMessage) and "answer" in out["raw"].content


# --- messages -------------------------------------------------------------------------------


def test_message_conversion() -> None:
    assert message_to_dict(SystemMessage("规则")) == {"role": "system", "content": "规则"}
    assert message_to_dict(HumanMessage("hi", name="bob")) == {
        "role": "user",
        "content": "hi",
        "name": "bob",
    }
    assert message_to_dict(ChatMessage(role="user", content="x")) == {
        "role": "user",
        "content": "x",
    }
    ai = AIMessage(
        [
            {"type": "thinking", "thinking": "hmm", "signature": "s"},
            {"type": "text", "text": "看看"},
            {"type": "tool_use", "id": "t1", "name": "f", "input": {"q": "北京"}},
        ],
        tool_calls=[{"name": "f", "args": {"q": "北京"}, "id": "t1", "type": "tool_call"}],
        additional_kwargs={"reasoning_content": "the turn's reasoning"},
    )
    assert message_to_dict(ai) == {
        "role": "assistant",
        "content": "看看",
        # carried along; the core sends it back for the current turn only (tests/core)
        "reasoning_content": "the turn's reasoning",
        "tool_calls": [
            {
                "id": "t1",
                "type": "function",
                "function": {"name": "f", "arguments": '{"q": "北京"}'},
            }
        ],
    }
    assert message_to_dict(
        ToolMessage(
            [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}], tool_call_id="t1"
        )
    ) == {"role": "tool", "tool_call_id": "t1", "content": "ab"}


def test_image_blocks_are_sent_as_image_url(emulator: HunyuanEmulator) -> None:
    message = HumanMessage(
        [
            {"type": "text", "text": "这是什么?"},
            {"type": "image_url", "image_url": {"url": "https://img.test/cat.png"}},
            {"type": "image", "base64": "iVBORw0KGgo=", "mime_type": "image/png"},
        ]
    )
    on_emulator(emulator, model="hunyuan-vision").invoke([message])
    body = last_body(emulator)
    assert body["model"] == "hunyuan-vision"
    assert body["messages"][0]["content"] == [
        {"type": "text", "text": "这是什么?"},
        {"type": "image_url", "image_url": {"url": "https://img.test/cat.png"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    ]


def test_reasoning_content_is_kept_in_invoke_and_stream(emulator: HunyuanEmulator) -> None:
    model = on_emulator(emulator, model="hunyuan-t1-latest")
    result = model.invoke("你好")
    assert result.additional_kwargs["reasoning_content"] == THINKING
    assert result.content == GREETING
    chunks = list(model.stream("你好"))
    assert any(c.additional_kwargs.get("reasoning_content") for c in chunks)
    full = add(chunks)
    assert full.additional_kwargs["reasoning_content"] == THINKING
    assert full.content_blocks[0] == {"type": "reasoning", "reasoning": THINKING}


# --- errors ---------------------------------------------------------------------------------


def test_bad_message_sequence_fails_typed_before_any_request(emulator: HunyuanEmulator) -> None:
    model = on_emulator(emulator)
    bad = [HumanMessage("hi"), SystemMessage("late rules")]
    with pytest.raises(HunyuanInputError, match="system message after"):
        model.invoke(bad)
    with pytest.raises(HunyuanInputError, match="system message after"):
        list(model.stream(bad))
    with pytest.raises(HunyuanInputError, match="no earlier"):
        model.invoke([HumanMessage("hi"), ToolMessage("3", tool_call_id="nope")])
    assert emulator.requests == []


async def test_bad_key_surfaces_as_authentication_error(emulator: HunyuanEmulator) -> None:
    model = ChatHunyuan(api_key="sk-invalid", base_url=emulator.base_url)
    with pytest.raises(AuthenticationError):
        model.invoke("hi")
    with pytest.raises(AuthenticationError):
        [c async for c in model.astream("hi")]


def test_missing_key_is_an_authentication_error_without_a_request(
    emulator: HunyuanEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    for env in ("HUNYUAN_API_KEY", "TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"):
        monkeypatch.delenv(env, raising=False)
    with pytest.raises(AuthenticationError, match="HUNYUAN_API_KEY"):
        ChatHunyuan(base_url=emulator.base_url).invoke("hi")
    assert emulator.requests == []


def test_moderation_stop_is_metadata_or_an_error_on_request() -> None:
    events = [chunk({"content": "部分"}), chunk({"content": ""}, "sensitive")]
    full = add(list(mocked(sse(*events)).stream("?")))
    assert full.response_metadata["finish_reason"] == "sensitive"
    with pytest.raises(ContentModerationError) as err:
        list(mocked(sse(*events), raise_on_sensitive=True).stream("?"))
    assert err.value.partial_content == "部分"


# --- configuration, secrets, client ---------------------------------------------------------


def test_hunyuan_parameters_reach_the_body(emulator: HunyuanEmulator) -> None:
    model = on_emulator(
        emulator,
        temperature=0.2,
        top_p=0.9,
        max_tokens=50,
        seed=7,
        enable_enhancement=False,
        enable_speed_search=True,
        extra_body={"citation": True},
        model_kwargs={"enable_deep_search": False},
    )
    model.invoke("hi", model="hunyuan-turbo")
    body = last_body(emulator)
    assert {k: v for k, v in body.items() if k != "messages"} == {
        "model": "hunyuan-turbo",
        "temperature": 0.2,
        "top_p": 0.9,
        "max_tokens": 50,
        "seed": 7,
        "enable_enhancement": False,
        "enable_speed_search": True,
        "citation": True,
        "enable_deep_search": False,
    }


def test_unknown_constructor_argument_goes_to_model_kwargs_with_a_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = ChatHunyuan(api_key=KEY, search_info=True)
    assert model.model_kwargs == {"search_info": True}
    assert any("search_info" in str(w.message) for w in caught)


def test_streaming_true_streams_under_invoke(emulator: HunyuanEmulator) -> None:
    result = on_emulator(emulator, streaming=True).invoke("你好")
    assert last_body(emulator)["stream"] is True
    assert result.content == GREETING
    assert result.usage_metadata is not None and result.usage_metadata["input_tokens"] > 0


def test_client_is_built_once_and_rebuilt_after_a_settings_copy() -> None:
    model = ChatHunyuan(api_key=KEY, base_url="https://a.test/v1")
    assert model.client is model.client
    copy = model.model_copy(update={"base_url": "https://b.test/v1"})
    assert copy.client is not model.client
    assert copy.client.backend.base_url == "https://b.test/v1"


def test_secrets_stay_out_of_repr_and_dumps() -> None:
    model = ChatHunyuan(
        api_key=KEY, secret_id="AKIDsecretid0123456789", secret_key="tcsecretkey987"
    )
    text = " ".join(
        [repr(model), str(model), dumps(model), json.dumps(dumpd(model)), repr(model.client)]
    )
    for secret in (KEY, "AKIDsecretid0123456789", "tcsecretkey987"):
        assert secret not in text
    assert dumpd(model)["kwargs"]["api_key"] == {
        "lc": 1,
        "type": "secret",
        "id": ["HUNYUAN_API_KEY"],
    }


def test_loads_restores_the_model_with_the_key_from_a_secrets_map() -> None:
    model = ChatHunyuan(api_key=KEY, model="hunyuan-t1-latest", temperature=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        restored = loads(
            dumps(model),
            allowed_objects=[ChatHunyuan],
            valid_namespaces=["langchain_hunyuan"],
            secrets_map={"HUNYUAN_API_KEY": "sk-other"},
        )
    assert isinstance(restored, ChatHunyuan)
    assert restored.model_name == "hunyuan-t1-latest"
    assert restored.temperature == 0.3
    assert restored.api_key is not None and restored.api_key.get_secret_value() == "sk-other"


def test_ls_params_and_profile() -> None:
    model = ChatHunyuan(api_key=KEY, model="hunyuan-vision", temperature=0.1, max_tokens=9)
    assert model._get_ls_params(stop=["x"]) == {
        "ls_provider": "hunyuan",
        "ls_model_name": "hunyuan-vision",
        "ls_model_type": "chat",
        "ls_temperature": 0.1,
        "ls_max_tokens": 9,
        "ls_stop": ["x"],
    }
    assert model.profile is not None
    assert model.profile["image_inputs"] is True
    assert model.profile["mid_conversation_system_messages"] is False


def test_tencent_cloud_credentials_select_the_native_api(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUNYUAN_API_KEY", raising=False)
    model = ChatHunyuan(secret_id="AKIDsecretid0123456789", secret_key="tcsecretkey987")
    assert model.client.backend.name == "tencentcloud-native"
    with_key = ChatHunyuan(api_key=KEY, secret_id="AKIDsecretid0123456789", secret_key="x")
    assert with_key.client.backend.name == "openai-compatible"


def test_stream_usage_can_be_turned_off_per_call(emulator: HunyuanEmulator) -> None:
    list(on_emulator(emulator).stream("你好", stream_usage=False))
    assert "stream_options" not in last_body(emulator)
    list(on_emulator(emulator).stream("你好"))
    assert last_body(emulator)["stream_options"] == {"include_usage": True}


def test_field_aliases() -> None:
    model = ChatHunyuan(hunyuan_api_key=KEY, hunyuan_base_url="https://gw.test/v1", model_name="m")
    assert model.api_key is not None and model.api_key.get_secret_value() == KEY
    assert (model.base_url, model.model_name, model.model) == ("https://gw.test/v1", "m", "m")
