"""The native (TC3-signed) backend on a loopback emulator of the documented wire format."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from hunyuan_core import (
    AuthenticationError,
    BadRequestError,
    ChatRequest,
    HunyuanClient,
    HunyuanInputError,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
)
from hunyuan_core.client import make_backend
from hunyuan_core.native import NativeBackend, ThreadRun, chat_params, run_thread
from hunyuan_core.quirks import chat_body
from tests.support.emulator import Exchange, fake_vector
from tests.support.emulator_native import NativeEmulator, error_body, native_error

SID, SKEY = "test-secret-id", "test-secret-key"
MODEL = "hunyuan-turbos-latest"
HI = [{"role": "user", "content": "你好"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@pytest.fixture
def emu() -> Iterator[NativeEmulator]:
    with NativeEmulator() as emulator:
        yield emulator


def client(emu: NativeEmulator, **kwargs: Any) -> HunyuanClient:
    kwargs.setdefault("retry_policy", RetryPolicy(sleep=lambda _: None))
    return HunyuanClient(secret_id=SID, secret_key=SKEY, base_url=emu.base_url, **kwargs)


def last_body(emu: NativeEmulator) -> Any:
    return emu.requests[-1][2]


# --- request translation -------------------------------------------------------------------


def test_openai_body_becomes_chat_completions_params() -> None:
    body = {
        "model": MODEL,
        "messages": [
            {"role": "system", "content": "be brief"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this?"},
                    {"type": "image_url", "image_url": {"url": "https://x/cat.png"}},
                ],
            },
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"北京"}'},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "晴"},
        ],
        "temperature": 0.5,
        "top_p": 0.9,
        "stop": ["。"],
        "seed": 7,
        "enable_enhancement": False,
        "stream": True,
        "stream_options": {"include_usage": True},
        "tools": [WEATHER],
        "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
        "StreamModeration": False,
    }
    params = chat_params(body)
    assert params["Model"] == MODEL
    assert params["Messages"][0] == {"Role": "system", "Content": "be brief"}
    assert params["Messages"][1]["Contents"] == [
        {"Type": "text", "Text": "what is this?"},
        {"Type": "image_url", "ImageUrl": {"Url": "https://x/cat.png"}},
    ]
    assert params["Messages"][2] == {
        "Role": "assistant",
        "Content": "调用工具：get_weather",  # Content must not be empty (SDK models.py)
        "ToolCalls": [
            {
                "Id": "call_1",
                "Type": "function",
                "Function": {"Name": "get_weather", "Arguments": '{"city":"北京"}'},
            }
        ],
    }
    assert params["Messages"][3] == {"Role": "tool", "Content": "晴", "ToolCallId": "call_1"}
    tool = params["Tools"][0]
    assert tool["Function"]["Name"] == "get_weather"
    assert json.loads(tool["Function"]["Parameters"]) == WEATHER["function"]["parameters"]
    assert params["ToolChoice"] == "custom" and params["CustomTool"] == tool
    assert (params["Temperature"], params["TopP"], params["Stop"], params["Seed"]) == (
        0.5,
        0.9,
        ["。"],
        7,
    )
    assert params["EnableEnhancement"] is False and params["Stream"] is True
    assert params["StreamModeration"] is False  # native names pass through
    assert "StreamOptions" not in params and "stream_options" not in params


def test_required_tool_choice_needs_a_single_tool() -> None:
    # The core's rule names the one tool; the native conversion then sends it as custom.
    body = chat_body(
        ChatRequest(model=MODEL, messages=HI, tools=[WEATHER], tool_choice="required"),
        stream=False,
    )
    one = chat_params(body)
    assert one["ToolChoice"] == "custom" and one["CustomTool"]["Function"]["Name"] == "get_weather"
    two = {**WEATHER, "function": {**WEATHER["function"], "name": "other"}}
    with pytest.raises(HunyuanInputError, match="one named tool"):
        chat_params({"tools": [WEATHER, two], "tool_choice": "required"})
    assert chat_params({"tools": [WEATHER], "tool_choice": "none"})["ToolChoice"] == "none"


def test_unsupported_fields_are_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, "hunyuan_core"):
        params = chat_params({"model": MODEL, "max_tokens": 10, "response_format": {"type": "x"}})
    assert params == {"Model": MODEL}
    assert "max_tokens" in caplog.text and "response_format" in caplog.text


# --- chat, stream, embeddings over the emulator --------------------------------------------


def test_chat_is_signed_and_parsed(emu: NativeEmulator) -> None:
    completion = client(emu).chat(ChatRequest(model=MODEL, messages=HI, stop=["交流"]))
    path, headers, body = emu.requests[-1]
    assert path == "/" and headers["x-tc-action"] == "ChatCompletions"
    assert headers["x-tc-version"] == "2023-09-01" and headers["x-tc-region"] == "ap-guangzhou"
    assert headers["authorization"].startswith(f"TC3-HMAC-SHA256 Credential={SID}/")
    assert body["Messages"] == [{"Role": "user", "Content": "你好"}] and body["Stop"] == ["交流"]
    # the emulator checked the signature; the reply is the OpenAI shape, stop cut as OpenAI does
    assert completion.choices[0].message.content == "您好!非常高兴与您"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.total_tokens > 0
    assert completion.request_id and completion.id == completion.request_id
    assert completion.model_extra and "AI" in completion.model_extra["note"]


def test_stream_without_done_ends_cleanly_with_usage_once(emu: NativeEmulator) -> None:
    chunks = list(client(emu).stream_chat(ChatRequest(model=MODEL, messages=HI)))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "您好!非常高兴与您交流,今天有什么有趣的事情想和我分享呢😄"
    with_usage = [c for c in chunks if c.usage is not None]
    assert len(with_usage) == 1 and with_usage[0] is chunks[-1] and chunks[-1].choices == []
    assert with_usage[0].usage is not None and with_usage[0].usage.completion_tokens == 16
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[0].request_id == emu.requests[-1][1].get("x-tc-requestid") or chunks[0].request_id


def test_streamed_tool_calls_are_openai_shaped(emu: NativeEmulator) -> None:
    chunks = list(client(emu).stream_chat(ChatRequest(model=MODEL, messages=HI, tools=[WEATHER])))
    calls = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or ()]
    assert calls and calls[0].index == 0 and calls[0].function is not None
    assert calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments or "") == {"city": "city from Hunyuan"}


async def test_async_chat_and_stream(emu: NativeEmulator) -> None:
    c = client(emu)
    completion = await c.achat(ChatRequest(model=MODEL, messages=HI))
    assert completion.choices[0].message.content
    pieces = [ch async for ch in c.astream_chat(ChatRequest(model=MODEL, messages=HI))]
    assert "".join(p.choices[0].delta.content or "" for p in pieces if p.choices) == (
        completion.choices[0].message.content
    )


def test_embeddings_are_batched_at_fifty(emu: NativeEmulator) -> None:
    texts = [f"text {i}" for i in range(120)]
    vectors = client(emu).embed(texts)
    assert len(vectors) == 120 and len(vectors[0]) == 1024
    sent = [b["InputList"] for _, h, b in emu.requests if h["x-tc-action"] == "GetEmbedding"]
    assert sorted(len(s) for s in sent) == [20, 50, 50]  # batches run concurrently
    assert sorted(t for batch in sent for t in batch) == sorted(texts)
    assert vectors == [fake_vector(t) for t in texts]  # in the caller's order


# --- errors and retries --------------------------------------------------------------------


def test_bad_signature_is_an_authentication_error_not_retried(emu: NativeEmulator) -> None:
    bad = HunyuanClient(secret_id=SID, secret_key="wrong-key", base_url=emu.base_url)
    with pytest.raises(AuthenticationError) as info:
        bad.chat(ChatRequest(model=MODEL, messages=HI))
    assert info.value.code == "AuthFailure.SignatureFailure" and info.value.request_id
    assert "TENCENTCLOUD_SECRET_ID" in str(info.value) and "wrong-key" not in str(info.value)
    assert len(emu.requests) == 1


@pytest.mark.parametrize("stream", [False, True])
def test_retryable_code_in_a_200_body_is_retried_with_a_fresh_signature(
    emu: NativeEmulator, stream: bool
) -> None:
    waits: list[float] = []
    c = client(emu, retry_policy=RetryPolicy(sleep=waits.append))
    times = iter([1_700_000_000.0, 1_700_000_007.0])
    assert isinstance(c.backend, NativeBackend)
    c.backend.clock = lambda: next(times)
    emu.script.append(native_error("FailedOperation.EngineServerLimitExceeded"))
    request = ChatRequest(model=MODEL, messages=HI)
    if stream:
        text = "".join(
            ch.choices[0].delta.content or "" for ch in c.stream_chat(request) if ch.choices
        )
    else:
        text = c.chat(request).choices[0].message.content or ""
    assert text.startswith("您好")
    assert len(waits) == 1 and len(emu.requests) == 2
    stamps = [h["x-tc-timestamp"] for _, h, _ in emu.requests]
    assert stamps == ["1700000000", "1700000007"]
    assert emu.requests[0][1]["authorization"] != emu.requests[1][1]["authorization"]


def test_retries_run_out_into_a_typed_error(emu: NativeEmulator) -> None:
    for _ in range(3):
        emu.script.append(native_error("RequestLimitExceeded", "too many requests"))
    with pytest.raises(RateLimitError) as info:
        client(emu).chat(ChatRequest(model=MODEL, messages=HI))
    assert info.value.code == "RequestLimitExceeded" and info.value.status_code is None
    assert len(emu.requests) == 3


def test_non_retryable_code_raises_at_once(emu: NativeEmulator) -> None:
    emu.script.append(native_error("InvalidParameterValue.Model", "no such model"))
    with pytest.raises(BadRequestError, match="no such model"):
        client(emu).chat(ChatRequest(model=MODEL, messages=HI))
    assert len(emu.requests) == 1


def test_error_mid_stream_is_typed(emu: NativeEmulator) -> None:
    async def broken(ex: Exchange) -> None:
        await ex.start_stream({"X-TC-RequestId": "rid-9"})
        event = {"Choices": [{"Delta": {"Content": "半"}, "FinishReason": ""}], "Id": "x"}
        await ex.send_event(json.dumps(event, ensure_ascii=False))
        await ex.send_event(json.dumps({"ErrorMsg": {"Msg": "请求模型超时", "Code": 4001}}))
        await ex.end_stream()

    emu.script.append(broken)
    got: list[str] = []
    with pytest.raises(InternalServerError) as info:
        for chunk in client(emu).stream_chat(ChatRequest(model=MODEL, messages=HI)):
            got += [c.delta.content or "" for c in chunk.choices]
    assert got == ["半"] and info.value.code == "4001" and info.value.request_id == "rid-9"


def test_secrets_are_scrubbed_from_error_messages(emu: NativeEmulator) -> None:
    async def echo(ex: Exchange) -> None:
        await ex.send_json(200, error_body("InvalidParameter", f"bad key {SKEY} for {SID}", "r"))

    emu.script.append(echo)
    with pytest.raises(BadRequestError) as info:
        client(emu).chat(ChatRequest(model=MODEL, messages=HI))
    assert SKEY not in str(info.value) and SID not in str(info.value) and "***" in str(info.value)


# --- credentials and selection -------------------------------------------------------------


def test_passed_secrets_win_over_an_api_key_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUNYUAN_API_KEY", "sk-from-env")
    assert isinstance(make_backend(secret_id=SID, secret_key=SKEY), NativeBackend)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", SID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", SKEY)
    assert not isinstance(make_backend(), NativeBackend)  # env: the API key still wins
    monkeypatch.delenv("HUNYUAN_API_KEY")
    backend = make_backend(region="ap-shanghai")
    assert isinstance(backend, NativeBackend) and backend.region == "ap-shanghai"
    assert backend.base_url == "https://hunyuan.tencentcloudapi.com"
    assert SKEY not in repr(HunyuanClient(backend=backend)) and SKEY not in repr(backend.__dict__)


def test_empty_secret_fails_before_any_request(emu: NativeEmulator) -> None:
    c = HunyuanClient(secret_id=SID, secret_key="", base_url=emu.base_url)
    with pytest.raises(AuthenticationError, match="TENCENTCLOUD_SECRET_KEY"):
        c.chat(ChatRequest(model=MODEL, messages=HI))
    pasted = HunyuanClient(secret_id=SID + "\n", secret_key=SKEY, base_url=emu.base_url)
    with pytest.raises(AuthenticationError, match="SecretId contains whitespace") as info:
        pasted.chat(ChatRequest(model=MODEL, messages=HI))
    assert SID not in str(info.value)
    assert emu.requests == []


# --- RunThread -----------------------------------------------------------------------------


def test_run_thread_returns_the_final_run(emu: NativeEmulator) -> None:
    run = run_thread(
        client(emu),
        "thread_zq",
        messages=[{"role": "user", "content": "你是谁"}],
        model="hunyuan-pro",
    )
    _, headers, body = emu.requests[-1]
    assert headers["x-tc-action"] == "RunThread"
    assert body == {
        "ThreadID": "thread_zq",
        "Stream": True,
        "Model": "hunyuan-pro",
        "AdditionalMessages": [{"Role": "user", "Content": "你是谁"}],
    }
    assert isinstance(run, ThreadRun)
    assert (run.thread_id, run.status, run.model) == ("thread_zq", "completed", "hunyuan-pro")
    assert run.id.startswith("run_") and run.usage and run.usage["TotalTokens"] > 0
    assert run.model_extra is not None and run.model_extra["TruncationStrategy"]["Type"] == ""
    assert (
        "".join(e["Delta"] for e in run.events)
        == "您好!非常高兴与您交流,今天有什么有趣的事情想和我分享呢😄"
    )


def test_run_thread_needs_the_native_backend() -> None:
    with pytest.raises(HunyuanInputError, match="secret_id"):
        run_thread(HunyuanClient(api_key="sk-x"), "thread_1")
