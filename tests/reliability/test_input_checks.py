"""Wrong input is a ``HunyuanInputError`` naming where it is, before any request, through the
core and both frameworks: text that is not valid Unicode, numbers JSON cannot carry, content
that is not text, a turn order the strict APIs reject, call options that belong on the request.

"No request" is asserted on what the loopback server saw (or, for Tencent's own hosts, on a
mock transport that records every request), not on a mock of the client.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from llama_index.core.base.llms.types import ChatMessage
from pydantic import SecretStr

from hunyuan_core import ChatRequest, HunyuanClient, HunyuanInputError
from hunyuan_core._constants import LEGACY_BASE_URL
from hunyuan_core.backends.base import dumps
from hunyuan_core.backends.openai_compatible import OpenAICompatibleBackend
from hunyuan_core.native import NativeBackend
from hunyuan_core.quirks import chat_body, prepare_messages
from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from tests.support.emulator import HunyuanEmulator
from tests.support.emulator_native import SECRETS, NativeEmulator
from tests.support.faults import FakeClock

KEY = "sk-inputs-0123456789abcdef"
MODEL = "hunyuan-turbos-latest"
MODES = ["chat", "achat", "stream", "astream"]
HALF_EMOJI = "\ud83d"
CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}


async def send(client: HunyuanClient, request: ChatRequest, mode: str, **options: Any) -> None:
    if mode == "chat":
        client.chat(request, **options)
    elif mode == "achat":
        await client.achat(request, **options)
    elif mode == "stream":
        list(client.stream_chat(request, **options))
    else:
        [c async for c in client.astream_chat(request, **options)]


def client_for(emu: HunyuanEmulator) -> HunyuanClient:
    return HunyuanClient(api_key=KEY, base_url=emu.base_url, retry_policy=FakeClock().policy())


def user(text: Any = "hi") -> dict[str, Any]:
    return {"role": "user", "content": text}


# --- text, numbers and content: the core, every call mode ----------------------------------


BAD_REQUESTS: list[tuple[str, dict[str, Any], str]] = [
    ("surrogate-content", {"messages": [user(), user(f"a{HALF_EMOJI}b")]}, r"messages\[1\]"),
    (
        "surrogate-part",
        {"messages": [user([{"type": "text", "text": HALF_EMOJI}])]},
        r"messages\[0\]\.content\[0\]\.text contains a lone surrogate",
    ),
    (
        "surrogate-tool-args",
        {
            "messages": [
                user(),
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{**CALL, "function": {"name": "f", "arguments": HALF_EMOJI}}],
                },
                {"role": "tool", "tool_call_id": "call_1", "content": "1"},
            ]
        },
        r"messages\[1\]\.tool_calls\[0\]\.function\.arguments contains a lone surrogate",
    ),
    ("nan-temperature", {"temperature": float("nan")}, r"temperature is nan.*finite number"),
    ("inf-top-p", {"top_p": float("inf")}, r"top_p is inf"),
    ("nan-extra-param", {"foo": {"bar": [float("-inf")]}}, r"foo\.bar\[0\] is -inf"),
    (
        "nan-tool-schema",
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"x": 1e999}}}]},
        r"tools\[0\]\.function\.parameters\.x is inf",
    ),
    (
        "object-in-tool-schema",
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": {"d": object}}}]},
        r"parameters\.d is a type, which is not JSON",
    ),
    ("set-extra-param", {"foo": {1, 2}}, r"foo is a set, which is not JSON"),
    ("content-int", {"messages": [user(123)]}, r"messages\[0\]\.content is int"),
    ("content-dict", {"messages": [user({})]}, r"messages\[0\]\.content is dict"),
    ("content-none", {"messages": [user(None)]}, r"messages\[0\] \(user\) has no content"),
    (
        "system-none",
        {"messages": [{"role": "system", "content": None}, user()]},
        r"messages\[0\] \(system\) has no content",
    ),
    (
        "tool-none",
        {
            "messages": [
                user(),
                {"role": "assistant", "content": None, "tool_calls": [CALL]},
                {"role": "tool", "tool_call_id": "call_1", "content": None},
            ]
        },
        r"messages\[2\] \(tool\) has no content",
    ),
    ("part-without-type", {"messages": [user([{"text": "x"}])]}, r"content\[0\] is not a content"),
    (
        "tool-call-without-name",
        {"messages": [user(), {"role": "assistant", "content": "", "tool_calls": [{"id": "x"}]}]},
        r"tool_calls\[0\] needs a function with a name",
    ),
    ("credential-param", {"api_key": KEY}, r"'api_key'.*looks like a credential"),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("fields", "where"), [c[1:] for c in BAD_REQUESTS], ids=[c[0] for c in BAD_REQUESTS]
)
async def test_bad_request_fails_before_any_request_naming_where(
    emulator: HunyuanEmulator, fields: dict[str, Any], where: str, mode: str
) -> None:
    request = ChatRequest.model_validate({"model": MODEL, "messages": [user()], **fields})
    with pytest.raises(HunyuanInputError, match=where) as info:
        await send(client_for(emulator), request, mode)
    assert KEY not in str(info.value)
    assert emulator.requests == []


def test_assistant_without_content_is_fine_when_it_calls_tools(emulator: HunyuanEmulator) -> None:
    messages = [
        user(),
        {"role": "assistant", "content": None, "tool_calls": [CALL]},
        {"role": "tool", "tool_call_id": "call_1", "content": "42"},
    ]
    client_for(emulator).chat(ChatRequest(model=MODEL, messages=messages, tools=[TOOL]))
    assert emulator.requests[0][2]["messages"][1]["tool_calls"][0]["id"] == "call_1"


def test_tool_arguments_given_as_a_dict_are_sent_as_json() -> None:
    """The same call, written as the string the API takes (LlamaIndex's older integrations
    store arguments as dicts)."""
    call = {**CALL, "function": {"name": "f", "arguments": {"city": "深圳"}}}
    messages = [user(), {"role": "assistant", "content": "", "tool_calls": [call]}]
    sent = prepare_messages(messages)[1]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(sent) == {"city": "深圳"}


@pytest.mark.parametrize("mode", ["sync", "async"])
async def test_surrogate_in_embedding_text_names_the_text(
    emulator: HunyuanEmulator, mode: str
) -> None:
    client = client_for(emulator)
    with pytest.raises(HunyuanInputError, match=r"texts\[1\] contains a lone surrogate"):
        if mode == "sync":
            client.embed(["ok", f"x{HALF_EMOJI}"])
        else:
            await client.aembed(["ok", f"x{HALF_EMOJI}"])
    assert emulator.requests == []


def test_dumps_never_raises_an_untyped_error() -> None:
    """The last line behind the checks: what a backend serialises that is not JSON."""
    with pytest.raises(HunyuanInputError, match=r"the request body\.x is nan"):
        dumps({"x": float("nan")})
    with pytest.raises(HunyuanInputError, match="is a object, which is not JSON"):
        dumps({"y": [object()]})
    with pytest.raises(HunyuanInputError, match="lone surrogate"):
        dumps({"z": HALF_EMOJI})
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(HunyuanInputError, match="nested more than"):
        dumps(cyclic)


# --- both frameworks --------------------------------------------------------------------------


def test_langchain_bad_input_is_typed_and_never_sent(emulator: HunyuanEmulator) -> None:
    chat = ChatHunyuan(model=MODEL, api_key=KEY, base_url=emulator.base_url)
    with pytest.raises(HunyuanInputError, match=r"messages\[0\]\.content contains a lone"):
        chat.invoke(f"half {HALF_EMOJI}")
    with pytest.raises(HunyuanInputError, match=r"messages\[0\]\.content contains a lone"):
        list(chat.stream(f"half {HALF_EMOJI}"))
    with pytest.raises(HunyuanInputError, match="temperature is nan"):
        chat.invoke("hi", temperature=float("nan"))
    with pytest.raises(HunyuanInputError, match="top_p is inf"):
        ChatHunyuan(model=MODEL, api_key=KEY, base_url=emulator.base_url, top_p=1e999).invoke("x")
    with pytest.raises(HunyuanInputError, match=r"invalid request: temperature"):
        chat.invoke("hi", temperature="hot")
    bad_tool = {"type": "function", "function": {"name": "f", "parameters": {"d": {1, 2}}}}
    with pytest.raises(HunyuanInputError, match="is a set, which is not JSON"):
        chat.bind_tools([bad_tool]).invoke("hi")
    embeddings = HunyuanEmbeddings(api_key=KEY, base_url=emulator.base_url)
    with pytest.raises(HunyuanInputError, match=r"texts\[0\] contains a lone surrogate"):
        embeddings.embed_query(HALF_EMOJI)
    assert emulator.requests == []


async def test_llama_index_bad_input_is_typed_and_never_sent(emulator: HunyuanEmulator) -> None:
    llm = Hunyuan(model=MODEL, api_key=KEY, api_base=emulator.base_url)
    with pytest.raises(HunyuanInputError, match=r"messages\[1\]\.content contains a lone"):
        llm.chat(
            [ChatMessage(role="system", content="s"), ChatMessage(role="user", content=HALF_EMOJI)]
        )
    with pytest.raises(HunyuanInputError, match=r"messages\[0\]\.content contains a lone"):
        await llm.acomplete(HALF_EMOJI)
    with pytest.raises(HunyuanInputError, match="top_p is nan"):
        llm.complete("hi", top_p=float("nan"))
    with pytest.raises(HunyuanInputError, match=r"foo\[0\] is inf"):
        Hunyuan(
            model=MODEL, api_key=KEY, api_base=emulator.base_url, additional_kwargs={"foo": [1e999]}
        ).complete("hi")
    embed_model = HunyuanEmbedding(api_key=KEY, api_base=emulator.base_url)
    with pytest.raises(HunyuanInputError, match=r"texts\[0\] contains a lone surrogate"):
        embed_model.get_query_embedding(HALF_EMOJI)
    assert emulator.requests == []


# --- turn order -------------------------------------------------------------------------------

ASSISTANT_FIRST = [
    {"role": "system", "content": "s"},
    {"role": "assistant", "content": "Hello! How can I help?"},
    user(),
]
ASSISTANT_LAST = [user(), {"role": "assistant", "content": '{"answer":'}]
CALLS_UNANSWERED = [user(), {"role": "assistant", "content": "", "tool_calls": [CALL]}]
SYSTEM_ONLY = [{"role": "system", "content": "s"}]
TURN_ORDER = [
    (ASSISTANT_FIRST, r"messages\[1\] is an assistant turn before any user message.*move its"),
    (ASSISTANT_LAST, r"messages\[1\] is an assistant turn at the end.*prefilled"),
    (CALLS_UNANSWERED, r"answer its tool_calls with tool messages"),
    (SYSTEM_ONLY, "only a system message"),
]
TURN_IDS = ["assistant-first", "assistant-last", "calls-unanswered", "system-only"]


@pytest.mark.parametrize(("messages", "fix"), TURN_ORDER, ids=TURN_IDS)
async def test_native_api_turn_order_is_refused_before_any_request(
    messages: list[dict[str, Any]], fix: str
) -> None:
    """Tencent Cloud's native API: "start with user, end with user or tool"."""
    (secret_id, secret_key), clock = next(iter(SECRETS.items())), FakeClock()
    with NativeEmulator() as emu:
        backend = NativeBackend(
            secret_id=SecretStr(secret_id), secret_key=SecretStr(secret_key), endpoint=emu.base_url
        )
        client = HunyuanClient(backend=backend, retry_policy=clock.policy())
        for mode in MODES:
            with pytest.raises(HunyuanInputError, match=fix):
                await send(client, ChatRequest(model=MODEL, messages=messages), mode)
        assert emu.requests == []


@pytest.fixture
def recording_transport() -> Iterator[tuple[list[httpx.Request], httpx.MockTransport]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reply = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}
        return httpx.Response(200, json=reply)

    yield seen, httpx.MockTransport(handler)


@pytest.mark.parametrize(("messages", "fix"), TURN_ORDER, ids=TURN_IDS)
def test_legacy_endpoint_turn_order_is_refused_before_any_request(
    recording_transport: tuple[list[httpx.Request], httpx.MockTransport],
    messages: list[dict[str, Any]],
    fix: str,
) -> None:
    """Tencent's legacy OpenAI-compatible endpoint answers these with code 1001."""
    seen, transport = recording_transport
    client = HunyuanClient(
        api_key=KEY, base_url=LEGACY_BASE_URL, http_client=httpx.Client(transport=transport)
    )
    assert client.backend.strict_turn_order
    with pytest.raises(HunyuanInputError, match=fix):
        client.chat(ChatRequest(model=MODEL, messages=messages))
    assert seen == []


def test_other_openai_compatible_servers_decide_turn_order_themselves(
    recording_transport: tuple[list[httpx.Request], httpx.MockTransport],
) -> None:
    """TokenHub, resellers and vLLM may accept a greeting first or a prefilled reply."""
    seen, transport = recording_transport
    for base_url in ("https://tokenhub.tencentmaas.com/v1", "http://127.0.0.1:8000/v1"):
        backend = OpenAICompatibleBackend(api_key=SecretStr(KEY), base_url=base_url)
        assert not backend.strict_turn_order
        client = HunyuanClient(backend=backend, http_client=httpx.Client(transport=transport))
        client.chat(ChatRequest(model=MODEL, messages=ASSISTANT_FIRST))
        client.chat(ChatRequest(model=MODEL, messages=ASSISTANT_LAST))
    assert [json.loads(r.content)["messages"][-1]["role"] for r in seen] == [
        "user",
        "assistant",
    ] * 2


def test_langchain_prefill_on_the_native_api_says_what_to_change() -> None:
    body_for = ChatHunyuan(secret_id="AKIDx", secret_key="k")
    messages = [SystemMessage("s"), HumanMessage("hi"), AIMessage("{")]
    request, _ = body_for._request(messages, None, False, {})
    with pytest.raises(HunyuanInputError, match="end with a user message"):
        chat_body(
            request, stream=False, strict_turn_order=body_for.client.backend.strict_turn_order
        )
    # a finished tool round ends with tool results: fine
    tool_round = [
        HumanMessage("hi"),
        AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "call_1"}]),
        ToolMessage("42", tool_call_id="call_1"),
    ]
    request, _ = body_for._request(tool_round, None, False, {})
    assert (
        chat_body(request, stream=False, strict_turn_order=True)["messages"][-1]["role"] == "tool"
    )


# --- per-call timeout and headers ----------------------------------------------------------


def _mock_client(seen: list[httpx.Request], **kw: Any) -> HunyuanClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if json.loads(request.content).get("stream"):
            body = 'data: {"choices":[{"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\n'
            body += "data: [DONE]\n\n"
            return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})
        reply = {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}]}
        return httpx.Response(200, json=reply)

    return HunyuanClient(
        api_key=KEY,
        base_url="https://gateway.example/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        **kw,
    )


def _check_options(seen: list[httpx.Request]) -> None:
    assert seen
    for request in seen:
        body = json.loads(request.content)
        assert "timeout" not in body and "extra_headers" not in body
        assert request.extensions["timeout"]["read"] == 5
        assert request.headers["x-trace"] == "t-1"
        assert request.headers["authorization"] == f"Bearer {KEY}"


def test_langchain_call_timeout_and_headers_go_on_the_request() -> None:
    seen: list[httpx.Request] = []
    chat = ChatHunyuan(model=MODEL, api_key=KEY, base_url="https://gateway.example/v1")
    chat._client = _mock_client(seen)
    options: dict[str, Any] = {"timeout": 5, "extra_headers": {"X-Trace": "t-1"}}
    chat.invoke("hi", **options)
    list(chat.stream("hi", **options))
    chat.bind(**options).invoke("hi")
    _check_options(seen)
    assert len(seen) == 3
    assert seen[0].extensions["timeout"]["connect"] == 5.0  # the connect timeout is kept
    with pytest.raises(HunyuanInputError, match="may not set 'Authorization'"):
        chat.invoke("hi", extra_headers={"Authorization": "Bearer other"})
    with pytest.raises(HunyuanInputError, match="line break"):
        chat.invoke("hi", extra_headers={"X-Trace": "a\r\nX-Evil: 1"})
    with pytest.raises(HunyuanInputError, match="timeout=-1"):
        chat.invoke("hi", timeout=-1)
    assert len(seen) == 3


async def test_llama_index_call_timeout_and_headers_go_on_the_request() -> None:
    seen: list[httpx.Request] = []
    llm = Hunyuan(model=MODEL, api_key=KEY, api_base="https://gateway.example/v1")
    llm._client = _mock_client(seen)
    options: dict[str, Any] = {"timeout": 5, "extra_headers": {"X-Trace": "t-1"}}
    llm.chat([ChatMessage(role="user", content="hi")], **options)
    await llm.acomplete("hi", **options)
    list(llm.stream_complete("hi", **options))
    _check_options(seen)
    assert len(seen) == 3
    with pytest.raises(HunyuanInputError, match="may not set 'x-tc-token'"):
        llm.complete("hi", extra_headers={"x-tc-token": "t"})


def test_call_without_options_keeps_the_client_timeouts() -> None:
    seen: list[httpx.Request] = []
    client = _mock_client(seen)
    client.chat(ChatRequest(model=MODEL, messages=[user()]))
    assert seen[-1].extensions["timeout"] == client.http_client.timeout.as_dict()


@pytest.mark.parametrize("messages", [["hi"], "hi", [None]])
def test_messages_that_are_not_dicts_are_refused(messages: Any) -> None:
    with pytest.raises(HunyuanInputError, match=r"dicts? with role and content"):
        prepare_messages(messages)
