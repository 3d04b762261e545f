"""The Yuanqi agent backend on a loopback emulator of the documented Yuanqi format."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from hunyuan_core import (
    AuthenticationError,
    Backend,
    BadRequestError,
    ChatRequest,
    ContentModerationError,
    HunyuanClient,
    HunyuanInputError,
    backend_for,
    resolve_settings,
)
from hunyuan_core.yuanqi import AgentToolError, YuanqiBackend, yuanqi_messages
from tests.support.emulator_yuanqi import ASSISTANT_ID, TOKEN, WEATHER_ANSWER, YuanqiEmulator


@pytest.fixture
def emu() -> Iterator[YuanqiEmulator]:
    with YuanqiEmulator() as emulator:
        yield emulator


def client(emu: YuanqiEmulator, **kwargs: Any) -> HunyuanClient:
    raise_on_sensitive = kwargs.pop("raise_on_sensitive", False)
    backend = YuanqiBackend(token=TOKEN, assistant_id=ASSISTANT_ID, base_url=emu.base_url, **kwargs)
    return HunyuanClient(backend=backend, raise_on_sensitive=raise_on_sensitive)


def ask(text: str) -> ChatRequest:
    return ChatRequest(model="yuanqi", messages=[{"role": "user", "content": text}])


def test_request_follows_seed_003(emu: YuanqiEmulator) -> None:
    messages = [
        {"role": "system", "content": "回答要简短"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "这张图是哪里?"},
                {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
            ],
        },
        {"role": "assistant", "content": "北京"},
        {"role": "user", "content": "你好"},
    ]
    c = client(emu, user_id="user-42")
    reply = c.chat(ChatRequest(model="yuanqi", messages=messages, temperature=0.2))
    path, headers, body = emu.requests[-1]
    assert path == "/openapi/v1/agent/chat/completions"
    assert headers["x-source"] == "openapi" and headers["authorization"] == f"Bearer {TOKEN}"
    assert body == {
        "assistant_id": ASSISTANT_ID,
        "user_id": "user-42",
        "stream": False,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "回答要简短"},
                    {"type": "text", "text": "这张图是哪里?"},
                    {"type": "file_url", "file_url": {"type": "image", "url": "https://x/a.png"}},
                ],
            },
            {"role": "assistant", "content": [{"type": "text", "text": "北京"}]},
            {"role": "user", "content": [{"type": "text", "text": "你好"}]},
        ],
    }
    assert reply.choices[0].message.content and reply.choices[0].finish_reason == "stop"
    assert reply.model_extra and reply.model_extra["assistant_id"] == ASSISTANT_ID


def test_tools_and_tool_messages_are_refused_before_sending(emu: YuanqiEmulator) -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {}}}
    with pytest.raises(HunyuanInputError, match="tools configured for it"):
        client(emu).chat(ChatRequest(model="y", messages=ask("x").messages, tools=[tool]))
    with pytest.raises(HunyuanInputError, match="tool call or result"):
        yuanqi_messages([{"role": "tool", "tool_call_id": "c", "content": "r"}])
    assert emu.requests == []


def test_steps_are_kept_on_the_reply(emu: YuanqiEmulator) -> None:
    reply = client(emu).chat(ask("北京天气怎么样"))
    assert reply.choices[0].message.content == WEATHER_ANSWER
    assert reply.model_extra is not None
    steps = reply.model_extra["steps"]
    assert steps == (reply.choices[0].message.model_extra or {})["steps"]
    call = steps[0]["tool_calls"][0]["function"]
    assert (call["name"], call["type"]) == ("get_weather", "tool")
    assert (
        steps[1]["role"] == "tool" and steps[1]["tool_call_id"] == steps[0]["tool_calls"][0]["id"]
    )
    assert reply.choices[0].message.tool_calls is None  # the agent ran it; nothing for the caller


def test_stream_keeps_tool_output_out_of_the_answer(emu: YuanqiEmulator) -> None:
    chunks = list(
        client(emu).stream_chat(ask("北京天气怎么样").model_copy(update={"stream": True}))
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == WEATHER_ANSWER
    steps = [c.model_extra["step"] for c in chunks if c.model_extra and "step" in c.model_extra]
    assert [s["role"] for s in steps] == ["assistant", "tool"]
    assert steps[1]["content"].startswith('{"weather"')
    assert not any(c.choices[0].delta.tool_calls for c in chunks if c.choices)
    assert chunks[-1].choices == [] and chunks[-1].usage is not None


def test_tool_fail_is_a_finish_reason_and_a_warning_or_an_error(
    emu: YuanqiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "hunyuan_core"):
        reply = client(emu).chat(ask("天气 工具失败"))
    assert reply.choices[0].finish_reason == "tool_fail" and "tool_fail" in caplog.text
    with pytest.raises(AgentToolError) as info:
        client(emu, raise_on_tool_fail=True).chat(ask("天气 工具失败"))
    assert info.value.code == "tool_fail" and info.value.steps[-1]["role"] == "tool"
    with pytest.raises(AgentToolError):
        list(client(emu, raise_on_tool_fail=True).stream_chat(ask("天气 工具失败")))


def test_sensitive_uses_the_core_moderation_signal(emu: YuanqiEmulator) -> None:
    assert client(emu).chat(ask("敏感话题")).choices[0].finish_reason == "sensitive"
    with pytest.raises(ContentModerationError) as info:
        client(emu, raise_on_sensitive=True).chat(ask("敏感话题"))
    assert info.value.partial_content == "这个问题"


def agent(**given: Any) -> Backend:
    """A Yuanqi backend as the adapters build one: arguments, then the environment."""
    return backend_for(resolve_settings({"backend": "yuanqi", **given}))


def test_credentials(emu: YuanqiEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = HunyuanClient(
        backend=YuanqiBackend(token="wrong", assistant_id=ASSISTANT_ID, base_url=emu.base_url)
    )
    with pytest.raises(AuthenticationError):
        bad.chat(ask("hi"))
    with pytest.raises(BadRequestError, match="assistant_id"):
        HunyuanClient(
            backend=YuanqiBackend(token=TOKEN, assistant_id="nope", base_url=emu.base_url)
        ).chat(ask("hi"))
    n = len(emu.requests)
    monkeypatch.delenv("YUANQI_TOKEN", raising=False)
    with pytest.raises(AuthenticationError, match="YUANQI_TOKEN"):
        HunyuanClient(backend=agent(assistant_id="a", base_url=emu.base_url)).chat(ask("x"))
    monkeypatch.setenv("YUANQI_TOKEN", TOKEN)
    monkeypatch.setenv("YUANQI_ASSISTANT_ID", ASSISTANT_ID)
    monkeypatch.setenv("YUANQI_BASE_URL", emu.base_url)
    assert HunyuanClient(backend=agent()).chat(ask("hi")).choices[0].message.content
    assert len(emu.requests) == n + 1
    with pytest.raises(HunyuanInputError, match="no embeddings"):
        HunyuanClient(backend=agent()).embed(["x"])
