"""Hunyuan's rule for ``tool_choice``, for every adapter and backend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hunyuan_core.errors import HunyuanInputError

#: What frameworks say for "some tool must be called".
_ANY = ("any", "required")


def resolve_tool_choice(choice: Any, tool_names: Sequence[str]) -> str | dict[str, Any] | None:
    """A framework's ``tool_choice`` in the form Hunyuan takes.

    ``None``/``False``: not sent (Hunyuan's default is auto). ``"auto"``/``"none"``: as they
    are. ``True``/``"any"``/``"required"``: with one tool, that tool by name, which every
    Hunyuan API documents (the native API's ``custom`` choice); with several, OpenAI's
    ``"required"``, which the OpenAI-compatible endpoints take. A tool's name, or an OpenAI
    ``{"type": "function", "function": {"name": ...}}`` dict: that tool.
    """
    if choice is None or choice is False:
        return None
    if isinstance(choice, dict):
        return choice
    if choice is True or choice in _ANY:
        if len(tool_names) == 1:
            return _named(tool_names[0])
        return "required"
    if choice in ("auto", "none"):
        return str(choice)
    if isinstance(choice, str) and choice in tool_names:
        return _named(choice)
    raise HunyuanInputError(
        f"tool_choice {choice!r} is not 'auto', 'none', 'any', 'required' or one of the bound "
        f"tools {list(tool_names)}"
    )


def _named(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name}}


def tool_names(tools: Sequence[dict[str, Any]] | None) -> list[str]:
    """The function names of OpenAI-shaped tool specs."""
    return [t["function"]["name"] for t in tools or () if isinstance(t.get("function"), dict)]
