"""HunyuanClient against a mocked transport and the loopback emulator."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from hunyuan_core import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ChatRequest,
    ContentModerationError,
    HunyuanClient,
    HunyuanInputError,
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    StreamError,
)
from tests.support.emulator import HunyuanEmulator
from tests.support.faults import FakeClock

KEY = "sk-unit-test-key-0123456789abcdef"
USER = [{"role": "user", "content": "你好"}]


def mock_client(handler: Any, clock: FakeClock | None = None, **kw: Any) -> HunyuanClient:
    clock = clock or FakeClock()
    policy = clock.policy(max_retries=kw.pop("max_retries", 2))
    return HunyuanClient(
        api_key=KEY,
        base_url="https://hy.test/v1",
        retry_policy=policy,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        **kw,
    )


def error_body(message: str, code: str | None = None) -> dict:
    return {
        "error": {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    }


def test_request_carries_key_and_custom_params_in_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "id": "1",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "hi"},
                        "finish_reason": "stop",
                    }
                ],
            },
        )

    client = mock_client(handler)
    client.chat(
        ChatRequest(
            model="hunyuan-turbo",
            messages=USER,
            enable_enhancement=False,
            enable_speed_search=True,
            citation=True,
        )
    )
    body = json.loads(seen[0].content)
    assert seen[0].url == "https://hy.test/v1/chat/completions"
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert body == {
        "model": "hunyuan-turbo",
        "messages": USER,
        "enable_enhancement": False,
        "enable_speed_search": True,
        "citation": True,
    }


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, None, AuthenticationError),
        (403, None, PermissionDeniedError),
        (400, None, BadRequestError),
        (429, None, RateLimitError),
        (500, None, InternalServerError),
        (400, "FailedOperation.EngineServerLimitExceeded", RateLimitError),
        (400, "AuthFailure.SignatureFailure", AuthenticationError),
        (400, "FailedOperation.ResourcePackExhausted", PermissionDeniedError),
    ],
)
def test_error_mapping(status: int, code: str | None, cls: type) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, json=error_body("boom", code), headers={"x-request-id": "req-42"}
        )

    with pytest.raises(cls) as info:
        mock_client(handler, max_retries=0).chat(ChatRequest(model="m", messages=USER))
    assert info.value.status_code == status
    assert info.value.request_id == "req-42"
    assert info.value.headers["x-request-id"] == "req-42"  # the response headers, kept
    assert "boom" in str(info.value) and "req-42" in str(info.value)


def test_error_object_in_200_body_is_raised() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=error_body("Invalid API-KEY"))

    with pytest.raises(Exception, match="Invalid API-KEY"):
        mock_client(handler).chat(ChatRequest(model="m", messages=USER))


def test_key_never_in_error_or_repr_or_debug_log(caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:  # a server that echoes the key
        return httpx.Response(401, json=error_body(f"bad key {KEY}"))

    client = mock_client(handler)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthenticationError) as info:
        client.chat(ChatRequest(model="m", messages=USER))
    for text in (
        str(info.value),
        repr(info.value),
        repr(client),
        caplog.text,
        repr(client.backend.api_key),
    ):
        assert KEY not in text
    assert "***" in str(info.value)


def test_missing_key_fails_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUNYUAN_API_KEY", raising=False)
    calls: list[httpx.Request] = []
    client = HunyuanClient(
        http_client=httpx.Client(
            transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(200))
        )
    )
    with pytest.raises(AuthenticationError, match="HUNYUAN_API_KEY"):
        client.chat(ChatRequest(model="m", messages=USER))
    with pytest.raises(AuthenticationError):
        client.embed(["x"])
    assert calls == []


def test_bad_messages_fail_before_any_request() -> None:
    calls: list[httpx.Request] = []
    client = mock_client(lambda r: calls.append(r) or httpx.Response(200))
    with pytest.raises(HunyuanInputError):
        client.chat(ChatRequest(model="m", messages=[]))
    assert calls == []


def test_retries_429_honouring_retry_after_then_succeeds() -> None:
    answers = [
        httpx.Response(429, json=error_body("slow down"), headers={"retry-after-ms": "1500"}),
        httpx.Response(503, json=error_body("busy")),
        httpx.Response(200, json={"choices": [{"message": {"content": "ok"}}]}),
    ]
    clock = FakeClock()
    client = mock_client(lambda r: answers.pop(0), clock)
    result = client.chat(ChatRequest(model="m", messages=USER))
    assert result.choices[0].message.content == "ok"
    assert clock.slept == [1.5, 1.0]  # server-asked 1.5 s, then backoff 0.5 * 2**1


def test_gives_up_after_max_retries_and_does_not_retry_400() -> None:
    count = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        count["n"] += 1
        return httpx.Response(
            500 if request.url.path.endswith("completions") else 400, json=error_body("no")
        )

    clock = FakeClock()
    with pytest.raises(InternalServerError):
        mock_client(handler, clock).chat(ChatRequest(model="m", messages=USER))
    assert count["n"] == 3 and len(clock.slept) == 2
    count["n"] = 0
    with pytest.raises(BadRequestError):
        mock_client(handler, clock).embed(["x"])
    assert count["n"] == 1


def test_connection_error_is_typed_and_retried() -> None:
    count = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        count["n"] += 1
        raise httpx.ConnectError("refused")

    with pytest.raises(APIConnectionError, match="could not reach"):
        mock_client(handler).chat(ChatRequest(model="m", messages=USER))
    assert count["n"] == 3


def sse(*events: Any) -> bytes:
    return b"".join(
        (f"data: {e if isinstance(e, str) else json.dumps(e)}\n\n").encode() for e in events
    )


def chunk(content: str, finish: str | None = None) -> dict:
    return {
        "id": "s",
        "choices": [
            {
                "index": 0,
                "delta": {"role": "assistant", "content": content},
                "finish_reason": finish,
            }
        ],
    }


def stream_client(body: bytes, **kw: Any) -> HunyuanClient:
    return mock_client(
        lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"}),
        **kw,
    )


def test_stream_error_event_raises_typed_error() -> None:
    body = sse(
        chunk("hi"),
        {
            "error": {
                "message": "engine overloaded",
                "code": "FailedOperation.EngineServerLimitExceeded",
            }
        },
    )
    got: list[str] = []
    with pytest.raises(RateLimitError, match="engine overloaded"):
        for c in stream_client(body).stream_chat(ChatRequest(model="m", messages=USER)):
            got.append(c.choices[0].delta.content)
    assert got == ["hi"]


def test_stream_malformed_event_raises_stream_error() -> None:
    with pytest.raises(StreamError, match="malformed"):
        list(
            stream_client(sse(chunk("a"), "{not json")).stream_chat(
                ChatRequest(model="m", messages=USER)
            )
        )


def test_stream_without_done_and_unfinished_raises() -> None:
    with pytest.raises(StreamError, match="truncated"):
        list(stream_client(sse(chunk("a"))).stream_chat(ChatRequest(model="m", messages=USER)))


def test_stream_finished_but_no_done_is_accepted() -> None:
    out = list(
        stream_client(sse(chunk("a"), chunk("", "stop"))).stream_chat(
            ChatRequest(model="m", messages=USER)
        )
    )
    assert out[-1].choices[0].finish_reason == "stop"


def test_sensitive_finish_is_a_signal_or_an_error_on_request() -> None:
    body = sse(chunk("部分"), chunk("", "sensitive"), "[DONE]")
    out = list(stream_client(body).stream_chat(ChatRequest(model="m", messages=USER)))
    assert out[-1].choices[0].finish_reason == "sensitive"
    with pytest.raises(ContentModerationError) as info:
        list(
            stream_client(body, raise_on_sensitive=True).stream_chat(
                ChatRequest(model="m", messages=USER)
            )
        )
    assert info.value.partial_content == "部分"


# --- against the emulator (real sockets, documented wire format) ---------------------------


def live(emulator: HunyuanEmulator, **kw: Any) -> HunyuanClient:
    return HunyuanClient(api_key=KEY, base_url=emulator.base_url, **kw)


def test_emulator_non_streaming_stop_is_trimmed(emulator: HunyuanEmulator) -> None:
    request = ChatRequest(
        model="hunyuan-standard",
        stop=["助手"],
        messages=[{"role": "user", "content": "请介绍一下你自己"}],
    )
    assert live(emulator).chat(request).choices[0].message.content == "我是一个AI"


async def test_emulator_stream_usage_once_and_stop_trimmed(emulator: HunyuanEmulator) -> None:
    request = ChatRequest(
        model="hunyuan-standard",
        stop=["助手"],
        stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "请介绍一下你自己"}],
    )
    chunks = [c async for c in live(emulator).astream_chat(request)]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "我是一个AI"
    usages = [c.usage for c in chunks if c.usage]
    assert len(usages) == 1 and usages[0].completion_tokens == 4  # cumulative, not summed
    # the wire really did carry usage on every chunk
    assert emulator.requests[-1][2]["stream_options"] == {"include_usage": True}


def test_emulator_embeddings_batched_in_order_with_only_input_and_model(
    emulator: HunyuanEmulator,
) -> None:
    texts = [f"text {i}" for i in range(450)]
    vectors = live(emulator).embed(texts, model="hunyuan-embedding")
    assert len(vectors) == 450 and all(len(v) == 1024 for v in vectors)
    from tests.support.emulator import fake_vector

    assert vectors[0] == fake_vector("text 0") and vectors[449] == fake_vector("text 449")
    bodies = [body for path, _, body in emulator.requests if path.endswith("/embeddings")]
    assert sorted(len(b["input"]) for b in bodies) == [50, 200, 200]
    assert all(set(b) == {"input", "model"} for b in bodies)


async def test_emulator_async_embeddings_keep_order(emulator: HunyuanEmulator) -> None:
    texts = [f"t{i}" for i in range(401)]
    from tests.support.emulator import fake_vector

    vectors = await live(emulator, embed_batch_size=100).aembed(texts, model="hunyuan-embedding")
    assert vectors == [fake_vector(t) for t in texts]


def test_empty_embedding_input_is_rejected_before_request(emulator: HunyuanEmulator) -> None:
    with pytest.raises(HunyuanInputError, match=r"texts\[1\] is empty"):
        live(emulator).embed(["ok", "  "])
    assert live(emulator).embed([]) == []
    assert emulator.requests == []


def test_wrong_key_is_authentication_error(emulator: HunyuanEmulator) -> None:
    client = HunyuanClient(api_key="sk-invalid", base_url=emulator.base_url)
    with pytest.raises(AuthenticationError, match="Invalid API-KEY"):
        client.chat(ChatRequest(model="m", messages=USER))
