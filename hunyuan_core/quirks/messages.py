"""Hunyuan's rules for a message list, applied before any request."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hunyuan_core.errors import HunyuanInputError

ROLES = frozenset({"system", "user", "assistant", "tool"})


def _merge_content(a: Any, b: Any) -> Any:
    if isinstance(a, str) and isinstance(b, str):
        return f"{a}\n\n{b}"
    as_list = [{"type": "text", "text": a}] if isinstance(a, str) else list(a or [])
    return as_list + ([{"type": "text", "text": b}] if isinstance(b, str) else list(b or []))


def prepare_messages(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check a message list and make it one Hunyuan accepts.

    Consecutive messages of the same role (system, user, or plain assistant) are merged, as
    Hunyuan wants one leading system message and alternating turns. Raises
    :class:`HunyuanInputError` for what cannot be fixed: no messages, an unknown role, a system
    message after a user or assistant turn, a tool result without its call.
    """
    if not messages:
        raise HunyuanInputError("messages is empty: pass at least one user message")
    out: list[dict[str, Any]] = []
    call_ids: set[str] = set()
    for i, msg in enumerate(messages):
        role = msg.get("role")
        if role not in ROLES:
            raise HunyuanInputError(
                f"messages[{i}] has role {role!r}: Hunyuan accepts system, user, assistant, tool"
            )
        prev = out[-1] if out else None
        if role == "system" and prev is not None and prev["role"] != "system":
            raise HunyuanInputError(
                f"messages[{i}] is a system message after the conversation started: Hunyuan "
                "accepts one system message, first; move its text into messages[0]"
            )
        if role == "tool":
            tool_call_id = msg.get("tool_call_id")
            if tool_call_id not in call_ids:
                raise HunyuanInputError(
                    f"messages[{i}] is a tool result for call id {tool_call_id!r}, but no earlier "
                    "assistant message made that call: include the assistant message with its "
                    "tool_calls before the tool results"
                )
        for call in msg.get("tool_calls") or ():
            call_ids.add(call.get("id"))
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
            out.append(dict(msg))
    return out
