"""The core against Hunyuan's wire format as published examples print it (cassettes, replayed)."""

from __future__ import annotations

import pytest

from hunyuan_core import LEGACY_BASE_URL, AuthenticationError, ChatRequest, HunyuanClient

pytestmark = pytest.mark.vcr
SYS_USER = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "你好"},
]


def client() -> HunyuanClient:
    # The key from the environment, as a user would; these are the legacy endpoint's examples.
    return HunyuanClient(base_url=LEGACY_BASE_URL)


def test_chat_seed_example_1() -> None:
    result = client().chat(ChatRequest(model="hunyuan-standard", messages=SYS_USER))
    assert result.id == "a16253ff29ec0cf30d2b23b9cf10c302"
    assert result.choices[0].message.content.startswith("您好!非常高兴")
    assert result.choices[0].finish_reason == "stop"
    assert result.usage is not None and result.usage.total_tokens == 29
    assert result.model_extra == {"system_fingerprint": ""}  # unknown fields kept


def test_chat_seed_example_1_1_multi_turn() -> None:
    messages = [
        *SYS_USER,
        {"role": "assistant", "content": "你好!有什么可以帮助你的吗?"},
        {"role": "user", "content": "什么是AGI?"},
    ]
    result = client().chat(ChatRequest(model="hunyuan-standard", messages=messages))
    assert "通用人工智能" in (result.choices[0].message.content or "")
    assert result.usage is not None and result.usage.completion_tokens == 401


def test_stream_seed_example_2() -> None:
    chunks = list(client().stream_chat(ChatRequest(model="hunyuan-standard", messages=SYS_USER)))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "您好!非常高兴与您交流,今天有什么有趣的事情想和我分享呢😄"
    assert [c.usage.total_tokens for c in chunks if c.usage] == [29]


async def test_stream_cumulative_usage() -> None:
    request = ChatRequest(
        model="hunyuan-standard", messages=SYS_USER, stream_options={"include_usage": True}
    )
    chunks = [c async for c in client().astream_chat(request)]
    usages = [c.usage for c in chunks if c.usage]
    # 18 chunks on the wire each carry usage; summing them would give 198 prompt tokens
    assert len(usages) == 1
    assert (usages[0].prompt_tokens, usages[0].completion_tokens) == (11, 18)


def test_invalid_key_seed_error() -> None:
    with pytest.raises(AuthenticationError, match="Invalid API-KEY") as info:
        client().chat(ChatRequest(model="hunyuan-standard", messages=SYS_USER))
    assert info.value.status_code == 401 and info.value.error_type == "invalid_request_error"
