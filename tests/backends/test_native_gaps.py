"""The native API's gaps of issue 13, each against Tencent's SDK or published examples.

Sources: tencentcloud-sdk-python ``tencentcloud/hunyuan/v20230901/models.py`` (``Usage``,
``PromptTokensDetails``, ``Message``), ``errorcodes.py``, ``tencentcloud/common/retry.py`` and
``abstract_client.py``; the common error codes on
https://cloud.tencent.com/document/api/1729/101847 ; tencentcloud-cli
``tccli/examples/hunyuan/v20230901/ChatCompletions.md`` (example 8, a tool round trip).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hunyuan_core import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ChatRequest,
    ContentModerationError,
    HunyuanClient,
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    resolve_settings,
)
from hunyuan_core.backends.tencentcloud import NativeBackend, tc3
from hunyuan_core.backends.tencentcloud.convert import (
    chat_params,
    chunk_from_native,
    completion_from_native,
)
from hunyuan_core.errors import RETRYABLE_CODES, ContentRejectedError, error_class
from tests.backends.test_tc3 import DOC_HOST, DOC_PAYLOAD, DOC_SECRET_ID, DOC_SECRET_KEY
from tests.support.emulator_native import TOKENS, NativeEmulator, native_error

SID, SKEY = "test-secret-id", "test-secret-key"
TEMP_ID, TEMP_KEY = "test-temp-id", "test-temp-key"
MODEL = "hunyuan-turbos-latest"
HI = [{"role": "user", "content": "你好"}]
CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city":"北京"}'},
}
TOOL_ROUND = [
    {"role": "user", "content": "北京天气?"},
    {"role": "assistant", "content": "", "tool_calls": [CALL]},
    {"role": "tool", "tool_call_id": "call_1", "content": "晴"},
]


@pytest.fixture
def emu() -> Iterator[NativeEmulator]:
    with NativeEmulator() as emulator:
        yield emulator


def client(emu: NativeEmulator, waits: list[float] | None = None, **kw: Any) -> HunyuanClient:
    sleep = (lambda _: None) if waits is None else waits.append
    return HunyuanClient(
        secret_id=SID,
        secret_key=SKEY,
        base_url=emu.base_url,
        retry_policy=RetryPolicy(sleep=sleep, random=lambda: 0.0),
        **kw,
    )


# --- usage details ---------------------------------------------------------------------------

NATIVE_USAGE = {
    "PromptTokens": 20,
    "CompletionTokens": 3,
    "TotalTokens": 23,
    "PromptTokensDetails": {"CachedTokens": "8"},
}


def test_nested_usage_details_take_openai_names_and_int_counts() -> None:
    raw = {"Id": "x", "Choices": [], "Usage": NATIVE_USAGE}
    for shaped in (completion_from_native(raw), chunk_from_native(raw)):
        assert shaped["usage"] == {
            "prompt_tokens": 20,
            "completion_tokens": 3,
            "total_tokens": 23,
            "prompt_tokens_details": {"cached_tokens": 8},
        }


def test_an_empty_cached_count_is_left_out_not_sent_as_a_string() -> None:
    raw = {"Usage": {"PromptTokens": 1, "PromptTokensDetails": {"CachedTokens": ""}}}
    assert completion_from_native(raw)["usage"]["prompt_tokens_details"] == {}


def test_cache_reads_reach_the_core_reply_and_stream(emu: NativeEmulator) -> None:
    emu.cached_tokens = "8"
    c = client(emu)
    reply = c.chat(ChatRequest(model=MODEL, messages=HI))
    assert reply.usage is not None
    assert reply.usage.model_extra == {"prompt_tokens_details": {"cached_tokens": 8}}
    chunks = list(c.stream_chat(ChatRequest(model=MODEL, messages=HI), stream_usage=True))
    usage = [ch.usage for ch in chunks if ch.usage is not None]
    assert len(usage) == 1 and usage[0].model_extra == {
        "prompt_tokens_details": {"cached_tokens": 8}
    }


def test_langchain_reports_cache_reads_on_the_native_api(emu: NativeEmulator) -> None:
    from langchain_hunyuan import ChatHunyuan

    emu.cached_tokens = "8"
    chat = ChatHunyuan(model=MODEL, secret_id=SID, secret_key=SKEY, base_url=emu.base_url)
    message = chat.invoke("你好")
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_token_details"] == {"cache_read": 8}
    streamed = [m.usage_metadata for m in chat.stream("你好") if m.usage_metadata]
    assert [u["input_token_details"] for u in streamed] == [{"cache_read": 8}]


def test_llama_index_sees_cache_reads_on_the_raw_reply(emu: NativeEmulator) -> None:
    from llama_index.core.llms import ChatMessage

    from llama_index_hunyuan import Hunyuan

    emu.cached_tokens = "8"
    llm = Hunyuan(model=MODEL, secret_id=SID, secret_key=SKEY, api_base=emu.base_url)
    response = llm.chat([ChatMessage(role="user", content="你好")])
    assert response.raw.usage.model_extra == {"prompt_tokens_details": {"cached_tokens": 8}}


# --- messages the API accepts ----------------------------------------------------------------


@pytest.mark.parametrize("content", ["", None])
def test_an_assistant_tool_call_turn_never_has_empty_content(content: Any) -> None:
    message = {"role": "assistant", "content": content, "tool_calls": [CALL, CALL]}
    sent = chat_params({"messages": [message]})["Messages"][0]
    assert sent["Content"] == "调用工具：get_weather, get_weather"
    assert sent["ToolCalls"][0]["Function"]["Name"] == "get_weather"


def test_an_assistant_tool_call_turn_keeps_its_own_text() -> None:
    # As in ChatCompletions.md example 8: the model's text travels with its ToolCalls.
    message = {"role": "assistant", "content": "使用get_weather工具", "tool_calls": [CALL]}
    assert chat_params({"messages": [message]})["Messages"][0]["Content"] == "使用get_weather工具"


def test_a_tool_round_with_empty_assistant_text_is_accepted(emu: NativeEmulator) -> None:
    reply = client(emu).chat(ChatRequest(model=MODEL, messages=TOOL_ROUND))
    assert reply.choices[0].message.content
    sent = emu.requests[-1][2]["Messages"]
    assert [m["Role"] for m in sent] == ["user", "assistant", "tool"]
    assert all(m.get("Content") for m in sent)


def test_the_emulator_refuses_what_the_sdk_forbids(emu: NativeEmulator) -> None:
    # The control for the two tests around it: the emulator does reject both messages.
    backend = NativeBackend(
        secret_id=SecretStr(SID), secret_key=SecretStr(SKEY), endpoint=emu.base_url
    )
    for message in (
        {"Role": "user", "Content": ""},
        {"Role": "user", "Content": "hi", "ReasoningContent": "thinking"},
    ):
        request = backend.request("ChatCompletions", {"Model": MODEL, "Messages": [message]})
        response = httpx.post(request.url, headers=request.headers, content=request.content)
        with pytest.raises(BadRequestError):
            backend.parse_chat(response.content, response.headers)


def test_reasoning_content_in_a_callers_message_is_never_sent(emu: NativeEmulator) -> None:
    history = [
        {"role": "user", "content": "1+1?"},
        {
            "role": "assistant",
            "content": "2",
            "reasoning_content": "one plus one",
            "ReasoningContent": "one plus one",
        },
        {"role": "user", "content": "and 2+2?"},
    ]
    reply = client(emu).chat(ChatRequest(model="hunyuan-t1-latest", messages=history))
    assert reply.choices[0].message.content
    assert all(set(m) <= {"Role", "Content"} for m in emu.requests[-1][2]["Messages"])


def test_langchain_history_with_reasoning_is_sent_without_it(emu: NativeEmulator) -> None:
    from langchain_core.messages import HumanMessage

    from langchain_hunyuan import ChatHunyuan

    chat = ChatHunyuan(
        model="hunyuan-t1-latest", secret_id=SID, secret_key=SKEY, base_url=emu.base_url
    )
    first = chat.invoke("1+1?")
    assert first.additional_kwargs.get("reasoning_content")
    chat.invoke([HumanMessage("1+1?"), first, HumanMessage("and 2+2?")])
    sent = emu.requests[-1][2]["Messages"]
    assert len(sent) == 3 and not any("ReasoningContent" in m for m in sent)


# --- temporary credentials (STS) -------------------------------------------------------------


def test_the_session_token_is_a_header_outside_the_signature() -> None:
    common: dict[str, Any] = dict(
        secret_id=DOC_SECRET_ID,
        secret_key=DOC_SECRET_KEY,
        service="cvm",
        host=DOC_HOST,
        action="DescribeInstances",
        version="2017-03-12",
        payload=DOC_PAYLOAD,
        region="ap-guangzhou",
        timestamp=1551113065,
    )
    plain = tc3.signed_headers(**common)
    temp = tc3.signed_headers(**common, token="sts-token")
    assert temp["X-TC-Token"] == "sts-token" and "X-TC-Token" not in plain
    # Only content-type and host are signed (abstract_client.py), so the token does not change
    # the signature.
    assert temp["Authorization"] == plain["Authorization"]
    assert "SignedHeaders=content-type;host," in temp["Authorization"]


def _temp_client(emu: NativeEmulator, env: dict[str, str]) -> HunyuanClient:
    settings = resolve_settings(
        {"secret_id": TEMP_ID, "secret_key": TEMP_KEY, "base_url": emu.base_url}, env=env
    )
    return HunyuanClient(settings=settings, retry_policy=RetryPolicy(sleep=lambda _: None))


def test_temporary_credentials_work_with_the_token_from_the_environment(
    emu: NativeEmulator,
) -> None:
    c = _temp_client(emu, {"TENCENTCLOUD_SESSION_TOKEN": TOKENS[TEMP_ID]})
    assert c.chat(ChatRequest(model=MODEL, messages=HI)).choices[0].message.content
    assert emu.requests[-1][1]["x-tc-token"] == TOKENS[TEMP_ID]


def test_temporary_credentials_without_their_token_fail_as_authentication(
    emu: NativeEmulator,
) -> None:
    with pytest.raises(AuthenticationError) as info:
        _temp_client(emu, {}).chat(ChatRequest(model=MODEL, messages=HI))
    assert info.value.code == "AuthFailure.TokenFailure"
    assert "x-tc-token" not in emu.requests[-1][1]


def test_an_explicit_session_token_wins_and_never_shows_in_errors(emu: NativeEmulator) -> None:
    settings = resolve_settings(
        {
            "secret_id": TEMP_ID,
            "secret_key": TEMP_KEY,
            "session_token": TOKENS[TEMP_ID],
            "base_url": emu.base_url,
        },
        env={"TENCENTCLOUD_SESSION_TOKEN": "stale"},
    )
    c = HunyuanClient(settings=settings, retry_policy=RetryPolicy(sleep=lambda _: None))
    emu.script.append(native_error("InvalidParameter", f"bad token {TOKENS[TEMP_ID]}"))
    with pytest.raises(BadRequestError) as info:
        c.chat(ChatRequest(model=MODEL, messages=HI))
    assert TOKENS[TEMP_ID] not in str(info.value)
    assert emu.requests[-1][1]["x-tc-token"] == TOKENS[TEMP_ID]


# --- error codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "cls", "retried"),
    [
        ("LimitExceeded", PermissionDeniedError, False),
        ("ServiceUnavailable", InternalServerError, True),
        ("RequestLimitExceeded", RateLimitError, True),
        ("RequestLimitExceeded.UinLimitExceeded", RateLimitError, True),
        ("RequestLimitExceeded.GlobalRegionUinLimitExceeded", RateLimitError, True),
        ("FailedOperation.EngineServerLimitExceeded", RateLimitError, True),
        ("ResourceUnavailable.InArrears", PermissionDeniedError, False),
        ("ResourceUnavailable.LowBalance", PermissionDeniedError, False),
        ("ResourceUnavailable.NotExist", PermissionDeniedError, False),
        ("ResourceUnavailable.StopUsing", PermissionDeniedError, False),
        ("ResourceInsufficient.ChargeResourceExhaust", PermissionDeniedError, False),
        ("FailedOperation.UserUnAuthError", PermissionDeniedError, False),
        ("FailedOperation.ServiceStopArrears", PermissionDeniedError, False),
        ("AuthFailure.UnauthorizedOperation", PermissionDeniedError, False),
        ("AuthFailure.SignatureFailure", AuthenticationError, False),
        ("AuthFailure.TokenFailure", AuthenticationError, False),
        ("OperationDenied.TextIllegalDetected", ContentRejectedError, False),
        ("OperationDenied.ImageIllegalDetected", ContentRejectedError, False),
        ("InvalidParameterValue.Model", BadRequestError, False),
        ("InternalError", InternalServerError, True),
    ],
)
def test_each_code_has_its_class_and_retry_rule(
    code: str, cls: type[APIStatusError], retried: bool
) -> None:
    assert error_class(None, code) is cls
    assert (code in RETRYABLE_CODES) is retried


def test_a_moderation_refusal_is_a_typed_api_error() -> None:
    assert issubclass(ContentRejectedError, BadRequestError)
    assert issubclass(ContentRejectedError, ContentModerationError)


def test_an_exhausted_quota_is_raised_at_once(emu: NativeEmulator) -> None:
    waits: list[float] = []
    emu.script.append(native_error("LimitExceeded", "超过配额限制"))
    with pytest.raises(PermissionDeniedError) as info:
        client(emu, waits).chat(ChatRequest(model=MODEL, messages=HI))
    assert info.value.code == "LimitExceeded" and not isinstance(info.value, RateLimitError)
    assert len(emu.requests) == 1 and waits == []


def test_service_unavailable_is_retried_with_backoff(emu: NativeEmulator) -> None:
    waits: list[float] = []
    emu.script.append(native_error("ServiceUnavailable", "当前服务暂时不可用"))
    reply = client(emu, waits).chat(ChatRequest(model=MODEL, messages=HI))
    assert reply.choices[0].message.content
    assert len(emu.requests) == 2 and waits == [0.5]


async def test_service_unavailable_is_retried_async(emu: NativeEmulator) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    emu.script.append(native_error("ServiceUnavailable"))
    c = HunyuanClient(
        secret_id=SID,
        secret_key=SKEY,
        base_url=emu.base_url,
        retry_policy=RetryPolicy(async_sleep=sleep, random=lambda: 0.0),
    )
    reply = await c.achat(ChatRequest(model=MODEL, messages=HI))
    assert reply.choices[0].message.content and waits == [0.5]


def test_an_input_moderation_refusal_is_raised_at_once_with_its_ids(emu: NativeEmulator) -> None:
    emu.script.append(native_error("OperationDenied.TextIllegalDetected", "文本包含违法违规信息"))
    with pytest.raises(ContentModerationError) as info:
        client(emu).chat(ChatRequest(model=MODEL, messages=HI))
    err = info.value
    assert isinstance(err, ContentRejectedError) and isinstance(err, APIStatusError)
    assert err.code == "OperationDenied.TextIllegalDetected"
    assert err.request_id and err.request_id.startswith("err-")
    assert err.partial_content == "" and len(emu.requests) == 1


def test_permission_problems_are_not_authentication_errors(emu: NativeEmulator) -> None:
    for code in ("AuthFailure.UnauthorizedOperation", "ResourceUnavailable.LowBalance"):
        emu.script.append(native_error(code))
        with pytest.raises(PermissionDeniedError) as info:
            client(emu).chat(ChatRequest(model=MODEL, messages=HI))
        assert not isinstance(info.value, AuthenticationError) and info.value.code == code
