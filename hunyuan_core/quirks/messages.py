"""Hunyuan's rules for a message list, applied before any request."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from hunyuan_core.errors import HunyuanInputError
from hunyuan_core.quirks.inputs import check_json, is_strict_json

ROLES = frozenset({"system", "user", "assistant", "tool"})


def _merge_content(a: Any, b: Any) -> Any:
    if isinstance(a, str) and isinstance(b, str):
        return f"{a}\n\n{b}"
    as_list = [{"type": "text", "text": a}] if isinstance(a, str) else list(a or [])
    return as_list + ([{"type": "text", "text": b}] if isinstance(b, str) else list(b or []))


def _check_content(i: int, role: str, msg: Mapping[str, Any]) -> None:
    """Content is a string or a list of typed parts; only an assistant turn that calls tools
    may have none (OpenAI's and Hunyuan's rule)."""
    content = msg.get("content")
    if content is None or (isinstance(content, list) and not content):
        if role == "assistant" and msg.get("tool_calls"):
            return
        raise HunyuanInputError(
            f"messages[{i}] ({role}) has no content: give it text (only an assistant message "
            "with tool_calls may have none)"
        )
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise HunyuanInputError(
            f"messages[{i}].content is {type(content).__name__}: pass a string or a list of "
            'content parts like {"type": "text", "text": "..."}'
        )
    for j, part in enumerate(content):
        kind = part.get("type") if isinstance(part, Mapping) else None
        if not isinstance(kind, str):
            raise HunyuanInputError(
                f"messages[{i}].content[{j}] is not a content part: pass a dict with a 'type' "
                '(e.g. {"type": "text", "text": "..."})'
            )
        if kind == "text" and not isinstance(part.get("text"), str):
            raise HunyuanInputError(f"messages[{i}].content[{j}] is a text part without text")


def _tool_calls(i: int, calls: Any) -> list[dict[str, Any]]:
    """Tool calls as OpenAI sends them back; arguments given as a dict are written as JSON
    (the same call), anything else that the server could not read is refused."""
    if not isinstance(calls, list):
        raise HunyuanInputError(f"messages[{i}].tool_calls is {type(calls).__name__}: pass a list")
    out = []
    for j, call in enumerate(calls):
        fn = call.get("function") if isinstance(call, Mapping) else None
        if not isinstance(fn, Mapping) or not isinstance(fn.get("name"), str):
            raise HunyuanInputError(
                f"messages[{i}].tool_calls[{j}] needs a function with a name: "
                '{"id": ..., "type": "function", "function": {"name": ..., "arguments": "{}"}}'
            )
        arguments = fn.get("arguments")
        if isinstance(arguments, Mapping):
            check_json(arguments, f"messages[{i}].tool_calls[{j}].function.arguments")
            call = {**call, "function": {**fn, "arguments": json.dumps(arguments)}}
        elif arguments is not None and not isinstance(arguments, str):
            raise HunyuanInputError(
                f"messages[{i}].tool_calls[{j}].function.arguments is "
                f"{type(arguments).__name__}: pass a JSON string"
            )
        out.append(dict(call))
    return out


def _check_turn_order(out: list[dict[str, Any]], index: list[int]) -> None:
    """The order the legacy and native Hunyuan APIs enforce: after the system message, a user
    turn first, and a user (or tool) turn last. Neither can be fixed without changing what
    the conversation says, so the message says what to change."""
    turns = [k for k, m in enumerate(out) if m["role"] != "system"]
    if not turns:
        raise HunyuanInputError(
            "messages hold only a system message: Hunyuan answers a user message; add one"
        )
    first = out[turns[0]]
    if first["role"] == "assistant":
        raise HunyuanInputError(
            f"messages[{index[turns[0]]}] is an assistant turn before any user message: this "
            "Hunyuan API wants a user message first (after the system message); drop the "
            "assistant message or move its text into the system message"
        )
    last = out[-1]
    if last["role"] == "assistant":
        what = (
            "answer its tool_calls with tool messages"
            if last.get("tool_calls")
            else "end with a user message, or drop the trailing assistant turn (this API does "
            "not continue a prefilled reply)"
        )
        raise HunyuanInputError(
            f"messages[{index[-1]}] is an assistant turn at the end: this Hunyuan API answers "
            f"a user or tool message last; {what}"
        )


def prepare_messages(
    messages: Sequence[Mapping[str, Any]], *, strict_turn_order: bool = False
) -> list[dict[str, Any]]:
    """Check a message list and make it one Hunyuan accepts.

    Consecutive messages of the same role (system, user, or plain assistant) are merged, as
    Hunyuan wants one leading system message and alternating turns. Raises
    :class:`HunyuanInputError` for what cannot be fixed: no messages, an unknown role, a system
    message after a user or assistant turn, a tool result without its call, content that is
    not text or content parts, text that is not valid Unicode, numbers JSON cannot carry. With
    ``strict_turn_order`` (the backend's
    :attr:`~hunyuan_core.backends.base.Backend.strict_turn_order`) also an assistant turn
    before the first user message or at the end.
    """
    if isinstance(messages, str | bytes) or not isinstance(messages, Sequence):
        raise HunyuanInputError("messages must be a list of dicts with role and content")
    if not messages:
        raise HunyuanInputError("messages is empty: pass at least one user message")
    walk = not is_strict_json(messages)  # only then look for where the problem is
    out: list[dict[str, Any]] = []
    index: list[int] = []  # where each merged message starts in the caller's list
    call_ids: set[str] = set()
    for i, msg in enumerate(messages):
        if not isinstance(msg, Mapping):
            raise HunyuanInputError(
                f"messages[{i}] is {type(msg).__name__}: pass a dict with role and content"
            )
        role = msg.get("role")
        if role not in ROLES:
            raise HunyuanInputError(
                f"messages[{i}] has role {role!r:.40}: Hunyuan accepts system, user, assistant, "
                "tool"
            )
        prev = out[-1] if out else None
        if role == "system" and prev is not None and prev["role"] != "system":
            raise HunyuanInputError(
                f"messages[{i}] is a system message after the conversation started: Hunyuan "
                "accepts one system message, first; move its text into messages[0]"
            )
        if role == "tool":
            tool_call_id = msg.get("tool_call_id")
            if not isinstance(tool_call_id, str) or tool_call_id not in call_ids:
                raise HunyuanInputError(
                    f"messages[{i}] is a tool result for call id {tool_call_id!r:.60}, but no "
                    "earlier assistant message made that call: include the assistant message "
                    "with its tool_calls before the tool results"
                )
        _check_content(i, role, msg)
        msg = dict(msg)
        if msg.get("tool_calls") is not None:
            msg["tool_calls"] = _tool_calls(i, msg["tool_calls"])
            call_ids.update(c.get("id") for c in msg["tool_calls"] if isinstance(c.get("id"), str))
        if walk:
            check_json(msg, f"messages[{i}]")
        mergeable = role != "tool" and not msg.get("tool_calls") and not msg.get("name")
        if (
            prev is not None
            and mergeable
            and prev["role"] == role
            and not prev.get("tool_calls")
            and not prev.get("name")
        ):
            out[-1] = {**prev, "content": _merge_content(prev.get("content"), msg.get("content"))}
        else:
            out.append(msg)
            index.append(i)
    if strict_turn_order:
        _check_turn_order(out, index)
    return out
