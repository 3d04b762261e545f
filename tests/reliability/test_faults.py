"""The fault-injection suite: real loopback sockets, faults scripted into the emulator.

Each fault runs sync and async. Retries are checked by the waits a fake clock was asked for
(never by sleeping) and by how many requests reached the server; streams by what was yielded
before the error.
"""

from __future__ import annotations

from typing import Any

import pytest

from hunyuan_core import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ChatRequest,
    HunyuanClient,
    HunyuanError,
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    StreamError,
)
from tests.support import faults
from tests.support.emulator import GREETING, HunyuanEmulator
from tests.support.faults import FakeClock, Gate

KEY = "sk-reliability-0123456789abcdef"
USER = [{"role": "user", "content": "你好"}]
READ_TIMEOUT = 0.2
MODES = ["sync", "async"]


def client_for(
    emu: HunyuanEmulator | str, clock: FakeClock, *, max_retries: int = 2, **kw: Any
) -> HunyuanClient:
    base_url = emu if isinstance(emu, str) else emu.base_url
    return HunyuanClient(
        api_key=KEY,
        base_url=base_url,
        retry_policy=kw.pop("retry_policy", None) or clock.policy(max_retries),
        timeout=READ_TIMEOUT,
        connect_timeout=kw.pop("connect_timeout", 1.0),
        **kw,
    )


def request(stream: bool = False) -> ChatRequest:
    return ChatRequest(model="hunyuan-turbos-latest", messages=USER, stream=stream)


async def chat(client: HunyuanClient, mode: str) -> str:
    reply = client.chat(request()) if mode == "sync" else await client.achat(request())
    return reply.choices[0].message.content or ""


async def stream(client: HunyuanClient, mode: str) -> tuple[list[str], HunyuanError | None]:
    """The text pieces yielded, and the error that ended the stream (if any)."""
    got: list[str] = []
    try:
        if mode == "sync":
            for c in client.stream_chat(request(True)):
                got += [ch.delta.content or "" for ch in c.choices]
        else:
            async for c in client.astream_chat(request(True)):
                got += [ch.delta.content or "" for ch in c.choices]
    except HunyuanError as err:
        return [g for g in got if g], err
    return [g for g in got if g], None


def chat_requests(emu: HunyuanEmulator) -> int:
    return sum(1 for path, _, _ in emu.requests if path.endswith("/chat/completions"))


# --- retries before a response is delivered --------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
async def test_429_with_retry_after_waits_as_asked(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.append(faults.status(429, headers={"Retry-After": "3"}))
    assert await chat(client_for(emulator, clock), mode) == GREETING
    assert clock.slept == [3.0]
    assert chat_requests(emulator) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_retry_after_ms_wins_over_retry_after(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.append(
        faults.status(429, headers={"Retry-After": "3", "retry-after-ms": "250"})
    )
    assert await chat(client_for(emulator, clock), mode) == GREETING
    assert clock.slept == [0.25]


async def test_retry_after_past_the_cap_falls_back_to_backoff(emulator: HunyuanEmulator) -> None:
    clock = FakeClock()
    emulator.script.append(faults.status(429, headers={"Retry-After": "3600"}))
    assert await chat(client_for(emulator, clock), "async") == GREETING
    assert clock.slept == [0.5]  # an hour is past max_retry_after (60 s): our own backoff


def test_retry_after_as_http_date(emulator: HunyuanEmulator) -> None:
    clock = FakeClock()
    policy = RetryPolicy(sleep=clock.sleep, clock=lambda: 1_700_000_000.0)
    emulator.script.append(
        faults.status(503, headers={"Retry-After": "Tue, 14 Nov 2023 22:13:27 GMT"})
    )
    assert client_for(emulator, clock, retry_policy=policy).chat(request()).choices
    assert clock.slept == [7.0]  # the date is 7 s after the injected "now"


@pytest.mark.parametrize("mode", MODES)
async def test_503_then_success_backs_off_exponentially_with_jitter(
    emulator: HunyuanEmulator, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.extend([faults.status(503), faults.status(503)])
    client = client_for(emulator, clock, retry_policy=clock.policy(2, jitter=1.0))
    assert await chat(client, mode) == GREETING
    # 0.5 * 2**n, less up to 25% jitter (the draw is pinned to its maximum here)
    assert clock.slept == [0.375, 0.75]
    assert chat_requests(emulator) == 3


@pytest.mark.parametrize("mode", MODES)
async def test_gives_up_after_max_retries(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.extend([faults.status(503)] * 4)
    with pytest.raises(InternalServerError, match="fault 503") as info:
        await chat(client_for(emulator, clock, max_retries=3), mode)
    assert info.value.status_code == 503
    assert clock.slept == [0.5, 1.0, 2.0]
    assert chat_requests(emulator) == 4


async def test_max_retries_zero_means_one_attempt(emulator: HunyuanEmulator) -> None:
    clock = FakeClock()
    emulator.script.append(faults.status(503))
    with pytest.raises(InternalServerError):
        await chat(client_for(emulator, clock, max_retries=0), "async")
    assert clock.slept == [] and chat_requests(emulator) == 1


def test_max_retries_argument_reaches_the_policy(emulator: HunyuanEmulator) -> None:
    client = HunyuanClient(api_key=KEY, base_url=emulator.base_url, max_retries=5)
    assert client.retry.max_retries == 5
    assert HunyuanClient(api_key=KEY).retry.max_retries == 2


@pytest.mark.parametrize(
    ("code", "retried", "cls"),
    [
        (408, True, InternalServerError),
        (409, True, APIStatusError),
        (429, True, RateLimitError),
        (500, True, InternalServerError),
        (502, True, InternalServerError),
        (503, True, InternalServerError),
        (504, True, InternalServerError),
        (400, False, BadRequestError),
        (401, False, AuthenticationError),
        (403, False, PermissionDeniedError),
        (404, False, BadRequestError),
        (422, False, BadRequestError),
    ],
)
def test_which_statuses_are_retried(
    emulator: HunyuanEmulator, code: int, retried: bool, cls: type
) -> None:
    clock = FakeClock()
    emulator.script.append(faults.status(code))
    client = client_for(emulator, clock)
    if retried:
        assert client.chat(request()).choices[0].message.content == GREETING
        assert chat_requests(emulator) == 2 and len(clock.slept) == 1
    else:
        with pytest.raises(cls):
            client.chat(request())
        assert chat_requests(emulator) == 1 and clock.slept == []


@pytest.mark.parametrize(
    ("code", "retried", "cls"),
    [
        ("FailedOperation.EngineServerLimitExceeded", True, RateLimitError),
        ("FailedOperation.EngineRequestTimeout", True, InternalServerError),
        ("RequestLimitExceeded", True, RateLimitError),
        ("InternalError", True, InternalServerError),
        ("FailedOperation.ResourcePackExhausted", False, PermissionDeniedError),
        ("InvalidParameter", False, BadRequestError),
    ],
)
def test_hunyuan_error_codes_decide_retries_on_a_400(
    emulator: HunyuanEmulator, code: str, retried: bool, cls: type
) -> None:
    clock = FakeClock()
    emulator.script.extend([faults.status(400, faults.error_body("engine says no", code))] * 3)
    with pytest.raises(cls, match="engine says no") as info:
        client_for(emulator, clock).chat(request())
    assert info.value.code == code
    assert chat_requests(emulator) == (3 if retried else 1)


def test_x_should_retry_header_overrides_the_status(emulator: HunyuanEmulator) -> None:
    clock = FakeClock()
    emulator.script.append(faults.status(503, headers={"x-should-retry": "false"}))
    with pytest.raises(InternalServerError):
        client_for(emulator, clock).chat(request())
    emulator.script.append(faults.status(400, headers={"x-should-retry": "true"}))
    assert client_for(emulator, clock).chat(request()).choices
    assert chat_requests(emulator) == 3


@pytest.mark.parametrize("mode", MODES)
async def test_reset_before_any_response_is_retried(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.append(faults.reset_before_response())
    assert await chat(client_for(emulator, clock), mode) == GREETING
    assert clock.slept == [0.5] and chat_requests(emulator) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_slow_headers_past_read_timeout_are_retried(
    emulator: HunyuanEmulator, gate: Gate, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.append(faults.slow_headers(gate))
    assert await chat(client_for(emulator, clock), mode) == GREETING
    assert clock.slept == [0.5] and chat_requests(emulator) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_slow_headers_every_time_is_a_timeout_error(
    emulator: HunyuanEmulator, gate: Gate, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.extend([faults.slow_headers(gate)] * 3)
    with pytest.raises(APITimeoutError, match="timed out"):
        await chat(client_for(emulator, clock), mode)
    assert len(clock.slept) == 2 and chat_requests(emulator) == 3


@pytest.mark.parametrize("mode", MODES)
async def test_connection_refused_is_retried_then_typed(mode: str) -> None:
    clock = FakeClock()
    client = client_for(f"http://127.0.0.1:{faults.unused_port()}/v1", clock)
    with pytest.raises(APIConnectionError, match="could not reach") as info:
        await chat(client, mode)
    assert not isinstance(info.value, APITimeoutError)
    assert clock.slept == [0.5, 1.0]


@pytest.mark.parametrize("mode", MODES)
async def test_connect_timeout_is_retried_then_typed(mode: str) -> None:
    clock = FakeClock()
    with faults.unanswered_port() as port:
        client = client_for(f"http://127.0.0.1:{port}/v1", clock, connect_timeout=0.2)
        with pytest.raises(APITimeoutError, match=r"timed out \(ConnectTimeout\)"):
            await chat(client, mode)
    assert clock.slept == [0.5, 1.0]


@pytest.mark.parametrize("mode", MODES)
async def test_truncated_body_is_retried(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.append(faults.truncated_body())
    assert await chat(client_for(emulator, clock), mode) == GREETING
    assert chat_requests(emulator) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_garbage_200_body_is_a_status_error_not_retried(
    emulator: HunyuanEmulator, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.append(faults.garbage())
    with pytest.raises(APIStatusError, match="not JSON"):
        await chat(client_for(emulator, clock), mode)
    assert chat_requests(emulator) == 1


def test_garbage_502_page_from_a_proxy_is_retried(emulator: HunyuanEmulator) -> None:
    clock = FakeClock()
    emulator.script.append(faults.garbage(code=502))
    assert client_for(emulator, clock).chat(request()).choices[0].message.content == GREETING
    assert chat_requests(emulator) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_stream_is_retried_while_nothing_was_delivered(
    emulator: HunyuanEmulator, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.extend([faults.status(429, headers={"retry-after-ms": "10"})])
    got, err = await stream(client_for(emulator, clock), mode)
    assert err is None and "".join(got) == GREETING
    assert clock.slept == [0.01] and chat_requests(emulator) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_embeddings_retry_a_batch(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.extend([faults.status(503), faults.reset_before_response()])
    client = client_for(emulator, clock, embed_batch_size=2, embed_concurrency=1)
    texts = ["a", "b", "c"]
    vectors = (
        client.embed(texts, model="hunyuan-embedding")
        if mode == "sync"
        else await client.aembed(texts, model="hunyuan-embedding")
    )
    assert len(vectors) == 3 and len(clock.slept) == 2


# --- faults once a stream has started: typed error, nothing repeated, never retried ----------


@pytest.mark.parametrize("mode", MODES)
async def test_stream_reset_mid_reply(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.append(faults.reset_after(["您好", "!"]))
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == ["您好", "!"]
    assert isinstance(err, APIConnectionError) and not isinstance(err, APITimeoutError)
    assert "stream broke" in str(err) and err.request_id == "req-fault"
    assert clock.slept == [] and chat_requests(emulator) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_stream_stall_past_read_timeout(
    emulator: HunyuanEmulator, gate: Gate, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.append(faults.stall_after(["您好"], gate))
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == ["您好"]
    assert isinstance(err, APITimeoutError) and "stream broke" in str(err)
    assert clock.slept == [] and chat_requests(emulator) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_stream_malformed_json_event(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.append(faults.events(faults.chunk("您好"), '{"choices": [{"delta": {"co'))
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == ["您好"]
    assert isinstance(err, StreamError) and "malformed stream event" in str(err)
    assert err.request_id == "req-fault"
    assert chat_requests(emulator) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_stream_error_event_is_mapped(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    overloaded = faults.error_body("engine overloaded", "FailedOperation.EngineServerLimitExceeded")
    emulator.script.append(faults.events(faults.chunk("您好"), faults.json.dumps(overloaded)))
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == ["您好"]
    assert isinstance(err, RateLimitError) and "engine overloaded" in str(err)
    assert err.code == "FailedOperation.EngineServerLimitExceeded"
    assert clock.slept == [] and chat_requests(emulator) == 1  # retryable, but already started


@pytest.mark.parametrize("mode", MODES)
async def test_stream_ends_without_done(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.append(faults.end_without_done(["您好", "!"]))
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == ["您好", "!"]
    assert isinstance(err, StreamError) and "truncated" in str(err)
    assert chat_requests(emulator) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_stream_answered_with_an_html_page(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.append(faults.garbage())
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == []
    assert isinstance(err, APIStatusError) and "not JSON" in str(err) and "502 upstream" in str(err)
    assert chat_requests(emulator) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_stream_answered_with_a_json_error_body(emulator: HunyuanEmulator, mode: str) -> None:
    """As Tencent's native API answers a failed stream request: 200 and a JSON error."""
    clock = FakeClock()
    busy = faults.error_body("busy", "RequestLimitExceeded")
    denied = faults.error_body("not activated", "FailedOperation.ServiceNotActivated")
    emulator.script.extend([faults.status(200, busy), faults.status(200, denied)])
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == [] and isinstance(err, PermissionDeniedError) and "not activated" in str(err)
    assert clock.slept == [0.5] and chat_requests(emulator) == 2  # the transient one retried


async def test_stream_answered_with_a_whole_reply(emulator: HunyuanEmulator) -> None:
    clock = FakeClock()
    whole = {"id": "x", "choices": [{"index": 0, "message": {"content": "hi"}}]}
    emulator.script.append(faults.status(200, whole))
    got, err = await stream(client_for(emulator, clock), "async")
    assert got == [] and isinstance(err, StreamError) and "whole JSON reply" in str(err)


# --- a stream that fails before its first event has delivered nothing: retried -------------


@pytest.mark.parametrize("mode", MODES)
async def test_stream_reset_before_its_first_event_is_retried(
    emulator: HunyuanEmulator, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.append(faults.reset_after([]))
    got, err = await stream(client_for(emulator, clock), mode)
    assert err is None and "".join(got) == GREETING
    assert clock.slept == [0.5] and chat_requests(emulator) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_stream_stall_before_its_first_event_is_retried(
    emulator: HunyuanEmulator, gate: Gate, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.append(faults.stall_after([], gate))
    got, err = await stream(client_for(emulator, clock), mode)
    assert err is None and "".join(got) == GREETING
    assert clock.slept == [0.5] and chat_requests(emulator) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_stream_error_event_first_is_retried_when_transient(
    emulator: HunyuanEmulator, mode: str
) -> None:
    clock = FakeClock()
    busy = faults.json.dumps(faults.error_body("busy", "FailedOperation.EngineServerLimitExceeded"))
    denied = faults.json.dumps(faults.error_body("no", "FailedOperation.ServiceNotActivated"))
    emulator.script.extend([faults.events(busy), faults.events(denied)])
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == [] and isinstance(err, PermissionDeniedError)
    assert clock.slept == [0.5] and chat_requests(emulator) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_stream_malformed_first_event_is_not_retried(
    emulator: HunyuanEmulator, mode: str
) -> None:
    clock = FakeClock()
    emulator.script.append(faults.events("{not json"))
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == [] and isinstance(err, StreamError)
    assert clock.slept == [] and chat_requests(emulator) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_stream_retries_share_one_budget(emulator: HunyuanEmulator, mode: str) -> None:
    """A 503, then a reset before the first event, then a 503: three attempts, then raised."""
    clock = FakeClock()
    emulator.script.extend([faults.status(503), faults.reset_after([]), faults.status(503)])
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == [] and isinstance(err, InternalServerError)
    assert clock.slept == [0.5, 1.0] and chat_requests(emulator) == 3


@pytest.mark.parametrize("mode", MODES)
async def test_stream_with_no_events_at_all(emulator: HunyuanEmulator, mode: str) -> None:
    clock = FakeClock()
    emulator.script.append(faults.end_without_done([]))
    got, err = await stream(client_for(emulator, clock), mode)
    assert got == [] and isinstance(err, StreamError) and "truncated" in str(err)
    assert chat_requests(emulator) == 1


@pytest.mark.parametrize("mode", MODES)
async def test_client_works_again_after_each_fault(
    emulator: HunyuanEmulator, gate: Gate, mode: str
) -> None:
    """No fault poisons the pool: the same client streams a full reply afterwards."""
    clock = FakeClock()
    client = client_for(emulator, clock)
    for fault in (
        faults.reset_after(["您好"]),
        faults.stall_after(["您好"], gate),
        faults.end_without_done(["您好"]),
    ):
        emulator.script.append(fault)
        _, err = await stream(client, mode)
        assert err is not None
        got, err = await stream(client, mode)
        assert err is None and "".join(got) == GREETING
