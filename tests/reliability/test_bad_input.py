"""Bad input gets a clear error that names the fix, before any request when it can be known.

Every case runs against the loopback emulator, which records each request it receives: "no
request" is asserted on what the server saw, not on a mock.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from hunyuan_core import (
    AuthenticationError,
    ChatRequest,
    HunyuanClient,
    HunyuanError,
    HunyuanInputError,
)
from tests.support.emulator import HunyuanEmulator
from tests.support.faults import FakeClock

KEY = "sk-reliability-0123456789abcdef"
MODES = ["chat", "achat", "stream", "astream"]
CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}


async def send(client: HunyuanClient, messages: list[dict[str, Any]], mode: str) -> None:
    request = ChatRequest(model="hunyuan-turbos-latest", messages=messages)
    if mode == "chat":
        client.chat(request)
    elif mode == "achat":
        await client.achat(request)
    elif mode == "stream":
        list(client.stream_chat(request))
    else:
        [c async for c in client.astream_chat(request)]


def client_for(emu: HunyuanEmulator, key: str = KEY, **kw: Any) -> HunyuanClient:
    return HunyuanClient(
        api_key=key, base_url=emu.base_url, retry_policy=FakeClock().policy(), **kw
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("messages", "fix"),
    [
        ([], "pass at least one user message"),
        (
            [{"role": "user", "content": "hi"}, {"role": "system", "content": "be brief"}],
            r"move its text into messages\[0\]",
        ),
        ([{"role": "human", "content": "hi"}], "accepts system, user, assistant, tool"),
        (
            [
                {"role": "user", "content": "hi"},
                {"role": "tool", "tool_call_id": "x", "content": 1},
            ],
            "include the assistant message with its tool_calls",
        ),
        (
            [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": "", "tool_calls": [CALL]},
                {"role": "tool", "tool_call_id": "call_2", "content": "42"},
            ],
            "'call_2'",
        ),
    ],
    ids=["empty", "late-system", "unknown-role", "orphan-tool", "wrong-call-id"],
)
async def test_bad_messages_fail_before_any_request(
    emulator: HunyuanEmulator, messages: list[dict[str, Any]], fix: str, mode: str
) -> None:
    with pytest.raises(HunyuanInputError, match=fix):
        await send(client_for(emulator), messages, mode)
    assert emulator.requests == []


def test_fixable_messages_are_fixed_not_rejected(emulator: HunyuanEmulator) -> None:
    """Same-role runs are merged: the emulator (which enforces alternation) accepts them."""
    messages = [
        {"role": "system", "content": "a"},
        {"role": "system", "content": "b"},
        {"role": "user", "content": "hi"},
        {"role": "user", "content": "there"},
    ]
    assert client_for(emulator).chat(ChatRequest(model="m", messages=messages)).choices
    sent = emulator.requests[0][2]["messages"]
    assert [m["role"] for m in sent] == ["system", "user"]


@pytest.mark.parametrize(
    ("texts", "fix"),
    [
        (["ok", ""], r"texts\[1\] is empty.*drop or replace it"),
        (["ok", " \n "], r"texts\[1\] is empty"),
        (["ok", None], r"texts\[1\] is NoneType, not str"),
        ("a single text", r"wrap a single text in \[...\]"),
    ],
)
@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_bad_embedding_input_fails_before_any_request(
    emulator: HunyuanEmulator, texts: Any, fix: str, mode: str
) -> None:
    client = client_for(emulator)
    with pytest.raises(HunyuanInputError, match=fix):
        if mode == "sync":
            client.embed(texts)
        else:
            await client.aembed(texts)
    assert emulator.requests == []


def test_no_texts_need_no_request(emulator: HunyuanEmulator) -> None:
    assert client_for(emulator).embed([]) == []
    assert emulator.requests == []


def test_too_many_texts_are_split_into_batches(emulator: HunyuanEmulator) -> None:
    vectors = client_for(emulator).embed([f"t{i}" for i in range(201)], model="hunyuan-embedding")
    assert len(vectors) == 201
    assert sorted(len(body["input"]) for _, _, body in emulator.requests) == [1, 200]


def test_oversize_text_is_sent_with_a_warning_naming_the_fix(
    emulator: HunyuanEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Hunyuan embeds the first 1024 tokens and drops the rest: warn, don't refuse."""
    caplog.set_level(logging.WARNING, logger="hunyuan_core")
    long_text = "混元" * 1500  # about 1,667 tokens
    assert len(client_for(emulator).embed(["short", long_text], model="hunyuan-embedding")) == 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "texts[1]" in warnings[0] and "split long texts into chunks" in warnings[0]
    assert len(emulator.requests) == 1
    caplog.clear()
    client_for(emulator).embed(
        ["x" * 4000], model="hunyuan-embedding"
    )  # about 1,000 tokens of ASCII: no warning
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]


def test_batch_size_above_the_cap_is_refused_at_construction() -> None:
    with pytest.raises(HunyuanInputError, match=r"1\.\.200"):
        HunyuanClient(api_key=KEY, embed_batch_size=500)


@pytest.mark.parametrize("mode", MODES)
async def test_wrong_key_is_an_authentication_error_naming_the_setting(
    emulator: HunyuanEmulator, mode: str
) -> None:
    clock = FakeClock()
    client = HunyuanClient(api_key="sk-invalid", base_url=emulator.base_url)
    client.retry = clock.policy()
    with pytest.raises(AuthenticationError, match=r"Invalid API-KEY.*HUNYUAN_API_KEY") as info:
        await send(client, [{"role": "user", "content": "hi"}], mode)
    assert info.value.status_code == 401
    assert len(emulator.requests) == 1 and clock.slept == []  # not retried


async def test_missing_key_fails_before_any_request(
    emulator: HunyuanEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HUNYUAN_API_KEY", raising=False)
    monkeypatch.delenv("TENCENTCLOUD_SECRET_ID", raising=False)
    client = HunyuanClient(base_url=emulator.base_url)
    for mode in MODES:
        with pytest.raises(AuthenticationError, match=r"set TOKENHUB_API_KEY \(or HUNYUAN_API_KEY"):
            await send(client, [{"role": "user", "content": "hi"}], mode)
    with pytest.raises(AuthenticationError):
        client.embed(["x"])
    assert emulator.requests == []


@pytest.mark.parametrize(
    "key",
    ["sk-abcdef0123456789\n", "sk-abcdef 0123456789", "sk-abcdef０123456789"],
    ids=["newline", "space", "fullwidth"],
)
async def test_malformed_key_fails_before_any_request_without_echoing_it(
    emulator: HunyuanEmulator, key: str
) -> None:
    client = client_for(emulator, key=key)
    errors: list[HunyuanError] = []
    for mode in MODES:
        try:
            await send(client, [{"role": "user", "content": "hi"}], mode)
        except HunyuanError as err:
            errors.append(err)
    assert len(errors) == 4 and emulator.requests == []
    for err in errors:
        assert isinstance(err, AuthenticationError)
        assert "copy it again from the console" in str(err)
        assert key.strip() not in str(err) and "sk-abcdef" not in str(err)
