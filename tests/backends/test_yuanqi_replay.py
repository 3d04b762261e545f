"""The Yuanqi agent API from cassettes, at the core level."""

from __future__ import annotations

import pytest

from hunyuan_core import ChatRequest, HunyuanClient, backend_for, resolve_settings
from tests.support.emulator_yuanqi import WEATHER_ANSWER

pytestmark = [pytest.mark.vcr, pytest.mark.usefixtures("yuanqi_credentials")]


def ask(text: str) -> ChatRequest:
    return ChatRequest(model="yuanqi-agent", messages=[{"role": "user", "content": text}])


def agent() -> HunyuanClient:
    """The agent the environment names, as the adapters build it."""
    return HunyuanClient(backend=backend_for(resolve_settings({"backend": "yuanqi"})))


def test_agent_reply_with_steps() -> None:
    reply = agent().chat(ask("北京天气怎么样"))
    assert reply.choices[0].message.content == WEATHER_ANSWER
    assert reply.model_extra is not None
    assert [s["role"] for s in reply.model_extra["steps"]] == ["assistant", "tool", "assistant"]


def test_agent_stream() -> None:
    chunks = list(agent().stream_chat(ask("北京天气怎么样")))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == WEATHER_ANSWER
    assert sum(1 for c in chunks if c.model_extra and "step" in c.model_extra) == 2


def test_tool_fail_and_sensitive_finish_reasons() -> None:
    client = agent()
    assert client.chat(ask("天气 工具失败")).choices[0].finish_reason == "tool_fail"
    assert client.chat(ask("敏感话题")).choices[0].finish_reason == "sensitive"
