"""Errors leave the LangChain classes as the core's type AND LangChain's ``ModelError`` type,
so that LangChain's agent middleware (retry, summarisation, fallbacks) takes the right turn."""

from __future__ import annotations

import inspect
import json
import pickle
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import ModelRetryMiddleware, SummarizationMiddleware
from langchain.agents.middleware import summarization as summarization_module
from langchain_core import exceptions as lc
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel

from hunyuan_core import errors as core
from langchain_hunyuan import ChatHunyuan, ChatYuanqi, HunyuanEmbeddings
from langchain_hunyuan._errors import is_context_overflow, to_langchain
from tests.support import faults
from tests.support.emulator import BAD_KEY, GREETING, Exchange, HunyuanEmulator
from tests.support.emulator_yuanqi import YuanqiEmulator

KEY = "sk-errors-0123456789abcdef"


def chat(emu: HunyuanEmulator, **kwargs: Any) -> ChatHunyuan:
    kwargs.setdefault("api_key", KEY)
    return ChatHunyuan(base_url=emu.base_url, max_retries=0, **kwargs)


def tokenhub_error(status: int, code: str | None, message: str, kind: str = "gateway_error") -> Any:
    """TokenHub's error body shape (code as a string, request id inside)."""
    body = {"error": {"message": message, "code": code, "type": kind, "request_id": "rid-1"}}
    return faults.status(status, body, {"X-Request-Id": "rid-1"})


CASES = [
    # (status, code, message, core class, LangChain class)
    (401, "401002", "API Key does not exist", core.AuthenticationError, "ModelAuthenticationError"),
    (403, "403001", "no permission", core.PermissionDeniedError, "ModelPermissionDeniedError"),
    (429, "429001", "RPM exceeded", core.RateLimitError, "ModelRateLimitError"),
    (500, "500001", "internal", core.InternalServerError, "ModelAPIError"),
    (400, "400001", "bad params", core.BadRequestError, "ModelInvalidRequestError"),
    (404, None, "no route", core.BadRequestError, "ModelNotFoundError"),
    (400, "400003", "context exceeded", core.ContextWindowExceededError, "ContextOverflowError"),
    (451, "451001", "content safety", core.ContentRejectedError, "ModelRefusalError"),
]


@pytest.mark.parametrize(("status", "code", "message", "core_cls", "lc_name"), CASES)
@pytest.mark.parametrize("mode", ["invoke", "ainvoke", "stream", "astream"])
async def test_status_errors_are_both_types(
    emulator: HunyuanEmulator,
    mode: str,
    status: int,
    code: str | None,
    message: str,
    core_cls: type[Exception],
    lc_name: str,
) -> None:
    emulator.script.append(tokenhub_error(status, code, message))
    model = chat(emulator)
    with pytest.raises(core.HunyuanError) as info:
        if mode == "invoke":
            model.invoke("你好")
        elif mode == "ainvoke":
            await model.ainvoke("你好")
        elif mode == "stream":
            list(model.stream("你好"))
        else:
            [c async for c in model.astream("你好")]
    err = info.value
    assert type(err).__bases__[0] is core_cls
    assert isinstance(err, getattr(lc, lc_name))
    # nothing of the core's error is lost
    assert err.status_code == status and err.code == code
    assert err.message.startswith(message) and str(err).startswith(message)
    assert err.request_id == "rid-1" and err.headers["x-request-id"] == "rid-1"
    assert isinstance(err.body, dict) and err.body["message"] == message
    assert err.is_retryable is (lc_name in ("ModelRateLimitError", "ModelAPIError"))  # type: ignore[attr-defined]


def test_connection_and_timeout_errors_are_retryable_model_errors() -> None:
    cause = OSError("reset")
    err = core.APIConnectionError("could not reach")
    err.__cause__ = cause
    converted = to_langchain(err)
    assert isinstance(converted, core.APIConnectionError)
    assert isinstance(converted, lc.ModelConnectionError) and converted.is_retryable
    assert converted.__cause__ is cause
    timeout = to_langchain(core.APITimeoutError("timed out"))
    assert isinstance(timeout, lc.ModelTimeoutError) and isinstance(timeout, core.APITimeoutError)
    # a converted error is not converted again, and the classes are made once
    assert to_langchain(converted) is converted
    assert type(to_langchain(core.APIConnectionError("x"))) is type(converted)


def test_the_cause_and_traceback_survive_the_adapter(emulator: HunyuanEmulator) -> None:
    emulator.script.append(faults.reset_before_response())
    with pytest.raises(core.APIConnectionError) as info:
        chat(emulator).invoke("你好")
    assert isinstance(info.value, lc.ModelConnectionError)
    assert info.value.__cause__ is not None  # httpx's error, as the core chained it
    assert "_generate" in "".join(str(e.name) for e in info.traceback)


def test_input_errors_are_not_retryable(emulator: HunyuanEmulator) -> None:
    with pytest.raises(core.HunyuanInputError) as info:
        chat(emulator).invoke([AIMessage("only an assistant turn"), ("system", "late")])
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, lc.ModelInvalidRequestError) and not info.value.is_retryable


def test_missing_key_is_an_authentication_error_before_any_request(
    emulator: HunyuanEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUNYUAN_API_KEY", raising=False)
    model = ChatHunyuan(base_url=emulator.base_url)
    with pytest.raises(lc.ModelAuthenticationError) as info:
        model.invoke("你好")
    assert isinstance(info.value, core.AuthenticationError) and emulator.requests == []


@pytest.mark.parametrize(
    "message",
    [
        "This model's maximum context length is 32768 tokens. However, you requested 40000",
        "input length exceeds the context window",
        "Prompt is too long",
        "输入长度超过最大长度限制",
        "上下文长度超出限制",
    ],
)
def test_overflow_messages_without_a_code(message: str) -> None:
    err = core.BadRequestError(message, status_code=400)
    assert is_context_overflow(err)
    assert isinstance(to_langchain(err), lc.ContextOverflowError)


@pytest.mark.parametrize(
    "err",
    [
        core.BadRequestError("temperature exceeds 2", status_code=400),
        core.RateLimitError("tokens per minute exceeded the limit", status_code=429),
        core.BadRequestError("unknown parameter max_token", status_code=400),
    ],
)
def test_other_errors_are_not_overflows(err: core.HunyuanError) -> None:
    assert not is_context_overflow(err)
    assert not isinstance(to_langchain(err), lc.ContextOverflowError)


def test_converted_errors_pickle() -> None:
    err = to_langchain(core.RateLimitError("slow down", status_code=429, code="429001"))
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is type(err) and again.code == "429001" and str(again) == str(err)


# --- moderation ---------------------------------------------------------------------------


def _sensitive_reply(tool: bool = False) -> Any:
    async def handler(ex: Exchange) -> None:
        message: dict[str, Any] = {"role": "assistant", "content": "部分回答"}
        body = {
            "id": "mod-1",
            "object": "chat.completion",
            "created": 1737186705,
            "model": "hunyuan-turbos-latest",
            "choices": [{"index": 0, "message": message, "finish_reason": "sensitive"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }
        await ex.send_json(200, body)

    return handler


class Person(BaseModel):
    name: str


def test_raise_on_sensitive_is_a_refusal(emulator: HunyuanEmulator) -> None:
    emulator.script.append(_sensitive_reply())
    with pytest.raises(core.ContentModerationError) as info:
        chat(emulator, raise_on_sensitive=True).invoke("你好")
    assert isinstance(info.value, lc.ModelRefusalError) and not info.value.is_retryable
    assert info.value.partial_content == "部分回答"


def test_plain_calls_return_the_partial_reply(emulator: HunyuanEmulator) -> None:
    emulator.script.append(_sensitive_reply())
    reply = chat(emulator).invoke("你好")
    assert reply.content == "部分回答"
    assert reply.response_metadata["finish_reason"] == "sensitive"


@pytest.mark.parametrize("method", ["function_calling", "json_mode"])
async def test_structured_output_moderation_is_a_refusal(
    emulator: HunyuanEmulator, method: Any
) -> None:
    structured = chat(emulator).with_structured_output(Person, method=method)
    emulator.script.append(_sensitive_reply())
    with pytest.raises(lc.ModelRefusalError) as info:
        structured.invoke("生成一个人")
    err = info.value
    assert isinstance(err, core.ContentModerationError) and err.partial_content == "部分回答"
    assert isinstance(err.raw_message, AIMessage) and err.raw_message.content == "部分回答"
    emulator.script.append(_sensitive_reply())
    with pytest.raises(lc.ModelRefusalError):
        await structured.ainvoke("生成一个人")


def test_structured_output_stream_moderation_is_a_refusal(emulator: HunyuanEmulator) -> None:
    structured = chat(emulator).with_structured_output(Person, method="json_mode")
    emulator.script.append(
        faults.events(faults.chunk("部分"), faults.chunk("回答", finish="sensitive"))
    )
    with pytest.raises(lc.ModelRefusalError) as info:
        list(structured.stream("生成一个人"))
    assert info.value.partial_content == "部分回答"  # type: ignore[attr-defined]


def test_structured_output_include_raw_reports_the_refusal(emulator: HunyuanEmulator) -> None:
    structured = chat(emulator).with_structured_output(Person, include_raw=True)
    emulator.script.append(_sensitive_reply())
    result = structured.invoke("生成一个人")
    assert isinstance(result, dict) and result["parsed"] is None
    assert isinstance(result["parsing_error"], lc.ModelRefusalError)
    assert result["raw"].content == "部分回答"


def test_structured_output_still_parses(emulator: HunyuanEmulator) -> None:
    person = chat(emulator).with_structured_output(Person).invoke("生成一个人")
    assert isinstance(person, Person)


# --- embeddings and Yuanqi -----------------------------------------------------------------


async def test_embedding_errors_are_both_types(emulator: HunyuanEmulator) -> None:
    embeddings = HunyuanEmbeddings(api_key=BAD_KEY, base_url=emulator.base_url, max_retries=0)
    for call in (
        lambda: embeddings.embed_documents(["a"]),
        lambda: embeddings.embed_query("a"),
    ):
        with pytest.raises(core.AuthenticationError) as info:
            call()
        assert isinstance(info.value, lc.ModelAuthenticationError)
    with pytest.raises(lc.ModelAuthenticationError):
        await embeddings.aembed_documents(["a"])
    with pytest.raises(lc.ModelAuthenticationError):
        await embeddings.aembed_query("a")
    with pytest.raises(lc.ModelInvalidRequestError):
        HunyuanEmbeddings(api_key=KEY, base_url=emulator.base_url).embed_documents([""])


def test_yuanqi_errors_are_both_types() -> None:
    with YuanqiEmulator() as emu:
        agent = ChatYuanqi(
            token="wrong-token", assistant_id="a1", user_id="u1", yuanqi_base_url=emu.base_url
        )
        with pytest.raises(core.AuthenticationError) as info:
            agent.invoke("你好")
    assert isinstance(info.value, lc.ModelAuthenticationError)


# --- LangChain's agent middleware ----------------------------------------------------------


def _retrying_agent(model: ChatHunyuan) -> Any:
    retry = ModelRetryMiddleware(max_retries=2, initial_delay=0, jitter=False, on_failure="error")
    return create_agent(model, tools=[], middleware=[retry])


def test_retry_middleware_does_not_retry_a_bad_key(emulator: HunyuanEmulator) -> None:
    agent = _retrying_agent(chat(emulator, api_key=BAD_KEY))
    with pytest.raises(lc.ModelAuthenticationError):
        agent.invoke({"messages": [HumanMessage("你好")]})
    assert len(emulator.requests) == 1


def test_retry_middleware_retries_a_rate_limit(emulator: HunyuanEmulator) -> None:
    emulator.script.append(tokenhub_error(429, "429001", "RPM exceeded", "rate_limit_error"))
    agent = _retrying_agent(chat(emulator))
    result = agent.invoke({"messages": [HumanMessage("你好")]})
    assert result["messages"][-1].content == GREETING
    assert len(emulator.requests) == 2


@pytest.mark.skipif(
    "ContextOverflowError" not in inspect.getsource(summarization_module),
    reason="this langchain's SummarizationMiddleware has no context-overflow fallback yet "
    "(langchain 1.4.0, the dev floor, lacks it; the locked set has it)",
)
def test_summarization_shrinks_the_prompt_on_context_overflow(
    emulator: HunyuanEmulator,
) -> None:
    """The summary call overflows (TokenHub 400003): the middleware retries it once with the
    middle of the history cut out, instead of failing (or retrying it unchanged)."""
    summarize = SummarizationMiddleware(
        model=chat(emulator), trigger=("messages", 4), keep=("messages", 1)
    )
    agent = create_agent(chat(emulator), tools=[], middleware=[summarize])
    history: list[Any] = []
    for i in range(6):
        history += [HumanMessage(f"问题 {i}: " + "很长的背景资料。" * 40), AIMessage(f"回答 {i}")]
    history.append(HumanMessage("总结一下"))
    emulator.script.append(tokenhub_error(400, "400003", "context exceeded"))
    result = agent.invoke({"messages": history})
    assert result["messages"][-1].content == GREETING
    prompts = [
        json.dumps(body["messages"], ensure_ascii=False) for _, _, body in emulator.requests[:2]
    ]
    assert len(emulator.requests) == 3  # overflow, shorter summary call, the answer
    assert len(prompts[1]) < len(prompts[0])
