"""Property: whatever text, roles, numbers and shapes a caller passes, request building ends in
a ``HunyuanInputError`` or in a body that is strict JSON, never in another exception.

Random messages (text with lone surrogates, control characters, U+2028; content of every
type; any role), sampling numbers (NaN, infinities), extra body parameters and tool schemas go
through ``prepare_messages``, ``chat_body`` and each backend's ``chat_request`` / ``embed_request``
(the OpenAI-compatible API, strict and lenient, and Tencent Cloud's native API).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from hunyuan_core import HunyuanInputError
from hunyuan_core._constants import LEGACY_BASE_URL
from hunyuan_core.backends.base import Backend
from hunyuan_core.backends.openai_compatible import OpenAICompatibleBackend
from hunyuan_core.native import NativeBackend
from hunyuan_core.quirks import chat_body, embedding_batches, make_chat_request, prepare_messages

BACKENDS: list[Backend] = [
    OpenAICompatibleBackend(api_key=SecretStr("sk-prop"), base_url=LEGACY_BASE_URL),
    OpenAICompatibleBackend(api_key=SecretStr("sk-prop"), base_url="https://gw.example/v1"),
    NativeBackend(secret_id=SecretStr("AKIDprop"), secret_key=SecretStr("prop-key")),
]
PROPERTY = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)

SPECIAL = ["\ud83d", "\udc00", "\u2028", "\u2029", "\x00", "\x1b[0m", "\r\n", "😀", "混元", ""]
texts = st.one_of(
    st.text(max_size=12),
    st.text(max_size=12),
    st.text(st.characters(exclude_categories=()), max_size=12),
    st.sampled_from(SPECIAL),
    st.lists(st.sampled_from(SPECIAL), max_size=4).map("".join),
)
# Mostly plausible values, so that most examples get past the first check and reach the wire.
finite = st.one_of(st.none(), st.floats(0, 2), st.integers(0, 10))
numbers = st.one_of(
    finite,
    finite,
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(texts, numbers, st.booleans())
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(texts, inner, max_size=3)),
    max_leaves=8,
)
parts = st.lists(
    st.one_of(
        st.fixed_dictionaries({"type": st.just("text"), "text": st.one_of(texts, numbers)}),
        st.fixed_dictionaries(
            {"type": st.just("image_url"), "image_url": st.fixed_dictionaries({"url": texts})}
        ),
        st.dictionaries(texts, json_like, max_size=2),
        texts,
    ),
    max_size=3,
)
contents = st.one_of(
    texts, texts, texts, parts, st.none(), numbers, st.dictionaries(texts, json_like)
)
valid_roles = st.sampled_from(["system", "user", "assistant", "tool", "user", "assistant"])
roles = st.integers(0, 19).flatmap(lambda i: valid_roles if i < 17 else st.one_of(texts, numbers))
tool_calls = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {
                "id": st.sampled_from(["call_1", "call_2"]),
                "type": st.just("function"),
                "function": st.fixed_dictionaries(
                    {"name": texts, "arguments": st.one_of(texts, json_like)}
                ),
            }
        ),
        json_like,
    ),
    max_size=2,
)
turns = st.lists(
    st.fixed_dictionaries(
        {"role": roles, "content": contents},
        optional={
            "tool_calls": tool_calls,
            "tool_call_id": st.sampled_from(["call_1", "call_2", None]),
            "name": texts,
            "reasoning_content": texts,
        },
    ),
    max_size=6,
)
#: Often a user turn first, as real conversations start.
messages = st.tuples(st.booleans(), turns).map(
    lambda t: ([{"role": "user", "content": "hi"}] if t[0] else []) + t[1]
)
tools = st.lists(
    st.fixed_dictionaries(
        {
            "type": st.just("function"),
            "function": st.fixed_dictionaries(
                {"name": texts, "parameters": st.dictionaries(texts, json_like, max_size=3)}
            ),
        }
    ),
    max_size=2,
)
extra_params = st.dictionaries(
    st.sampled_from(["foo", "max_tokens", "enable_enhancement", "stop", "seed", "api_key"]),
    json_like,
    max_size=3,
)


def strict_json(content: bytes) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"non-JSON constant {constant} in a request body")

    return json.loads(content, parse_constant=refuse)


@PROPERTY
@given(messages=st.one_of(messages, st.lists(json_like, max_size=3)))
def test_prepare_messages_raises_only_input_errors(messages: Any) -> None:
    for strict in (False, True):
        try:
            prepared = prepare_messages(messages, strict_turn_order=strict)
        except HunyuanInputError:
            continue
        json.dumps(prepared, allow_nan=False).encode()


@PROPERTY
@given(
    messages=messages,
    temperature=numbers,
    top_p=numbers,
    tools=st.one_of(st.none(), tools),
    tool_choice=st.one_of(st.none(), st.sampled_from(["auto", "none", "required"]), texts),
    extra=extra_params,
    stream=st.booleans(),
)
def test_request_building_gives_strict_json_or_an_input_error(
    messages: Any,
    temperature: Any,
    top_p: Any,
    tools: Any,
    tool_choice: Any,
    extra: dict[str, Any],
    stream: bool,
) -> None:
    fields = {"temperature": temperature, "top_p": top_p, "tools": tools, **extra}
    if tool_choice is not None:
        fields["tool_choice"] = tool_choice
    for backend in BACKENDS:
        try:
            request = make_chat_request(model="hunyuan-turbos-latest", messages=messages, **fields)
            body = chat_body(
                request,
                stream=stream,
                reasoning_history=backend.accepts_reasoning_history,
                strict_turn_order=backend.strict_turn_order,
            )
            wire = backend.chat_request(body)
        except HunyuanInputError:
            continue
        sent = strict_json(wire.content)
        assert sent  # a body was built
        assert "api_key" not in json.dumps(sent)


@PROPERTY
@given(texts=st.one_of(st.lists(st.one_of(texts, numbers), max_size=4), texts))
def test_embedding_requests_give_strict_json_or_an_input_error(texts: Any) -> None:
    for backend in BACKENDS:
        try:
            batches = embedding_batches(texts, backend.max_embed_batch)
            wires = [backend.embed_request(batch, "hunyuan-embedding") for batch in batches]
        except HunyuanInputError:
            continue
        for wire in wires:
            strict_json(wire.content)
