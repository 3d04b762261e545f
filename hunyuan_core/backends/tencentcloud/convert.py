"""OpenAI-shaped bodies to Tencent Cloud's native ``ChatCompletions`` parameters, and native
PascalCase replies back to the OpenAI shape the core's types read.

Field names follow Tencent's SDK: https://github.com/TencentCloud/tencentcloud-sdk-python/blob/master/tencentcloud/hunyuan/v20230901/models.py
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from hunyuan_core.errors import HunyuanInputError

logger = logging.getLogger("hunyuan_core")

# OpenAI-shaped body keys with no native equivalent; every other key is sent in PascalCase
# (top_p -> TopP, enable_enhancement -> EnableEnhancement, stream_moderation -> ...).
_DROPPED_WITH_WARNING = {"max_tokens", "max_completion_tokens", "response_format"}
_DROPPED = {"stream_options", "n", "user", "parallel_tool_calls"}


def _pascal(key: str) -> str:
    return key if key[:1].isupper() else "".join(p[:1].upper() + p[1:] for p in key.split("_"))


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


# --- requests: OpenAI shape -> native ------------------------------------------------------


def _native_content(content: Any) -> dict[str, Any]:
    if content is None or isinstance(content, str):
        return {} if content is None else {"Content": content}
    parts = []
    for part in content:
        kind = part.get("type")
        if kind == "text":
            parts.append({"Type": "text", "Text": part.get("text", "")})
        elif kind == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, dict) else image
            parts.append({"Type": "image_url", "ImageUrl": {"Url": url}})
        else:
            raise HunyuanInputError(
                f"content part of type {kind!r}: the native Hunyuan API takes text and image_url"
            )
    return {"Contents": parts}


#: ``Content`` of an assistant tool-call turn that came without text. The SDK's
#: ``ChatCompletionsRequest.Messages`` says Content must not be empty, and Tencent's one published
#: tool round trip (tencentcloud-cli ``tccli/examples/hunyuan/v20230901/ChatCompletions.md``,
#: example 8) sends that turn with the model's own text, which names the tool it calls.
TOOL_CALL_CONTENT = "调用工具：{names}"


def native_message(message: Mapping[str, Any]) -> dict[str, Any]:
    """One OpenAI-shaped message as a native ``Message``. Only Role, Content/Contents,
    ToolCallId and ToolCalls are sent: ``reasoning_content`` (or any other key) never is, as the
    API errors when a message carries ``ReasoningContent``."""
    out: dict[str, Any] = {"Role": message["role"], **_native_content(message.get("content"))}
    if message.get("tool_calls") and not out.get("Content") and not out.get("Contents"):
        names = ", ".join(str(c["function"]["name"]) for c in message["tool_calls"])
        out["Content"] = TOOL_CALL_CONTENT.format(names=names)
    if message.get("tool_call_id"):
        out["ToolCallId"] = message["tool_call_id"]
    if message.get("tool_calls"):
        out["ToolCalls"] = [
            {
                "Id": call.get("id"),
                "Type": call.get("type", "function"),
                "Function": {
                    "Name": call["function"]["name"],
                    "Arguments": call["function"].get("arguments") or "{}",
                },
            }
            for call in message["tool_calls"]
        ]
    return out


def _native_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    fn = tool.get("function") or {}
    out = {"Name": fn.get("name"), "Parameters": json.dumps(fn.get("parameters") or {})}
    if fn.get("description"):
        out["Description"] = fn["description"]
    return {"Type": tool.get("type", "function"), "Function": out}


def _tool_choice(choice: Any, tools: list[dict[str, Any]]) -> dict[str, Any]:
    """OpenAI's ``tool_choice`` as ``ToolChoice`` (none/auto/custom). The core has already
    turned ``"required"`` with one tool into that tool's name
    (:func:`hunyuan_core.quirks.resolve_tool_choice`); with several it cannot be said here."""
    if choice in ("none", "auto"):
        return {"ToolChoice": choice}
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        for tool in tools:
            if tool["Function"]["Name"] == name:
                return {"ToolChoice": "custom", "CustomTool": tool}
        raise HunyuanInputError(f"tool_choice names {name!r}, which is not among the tools")
    if choice == "required":
        raise HunyuanInputError(
            "tool_choice='required' with several tools: the native Hunyuan API can force one "
            "named tool only (ToolChoice custom); name the tool, or use an API key"
        )
    raise HunyuanInputError(f"tool_choice {choice!r}: use none, auto, required or a tool")


def chat_params(body: Mapping[str, Any]) -> dict[str, Any]:
    """The ``ChatCompletions`` parameters for an OpenAI-shaped body."""
    params: dict[str, Any] = {}
    for key, value in body.items():
        if key in _DROPPED or value is None:
            continue
        if key in _DROPPED_WITH_WARNING:
            logger.warning("the native Hunyuan API has no %s: ignored", key)
        elif key == "messages":
            params["Messages"] = [native_message(m) for m in value]
        elif key == "tools":
            params["Tools"] = [_native_tool(t) for t in value]
        elif key != "tool_choice":
            params[_pascal(key)] = value
    if body.get("tool_choice") is not None:
        params.update(_tool_choice(body["tool_choice"], params.get("Tools") or []))
    return params


# --- responses: native -> OpenAI shape -----------------------------------------------------


def _count(value: Any) -> Any:
    """A token count as an int: the SDK types ``PromptTokensDetails.CachedTokens`` as a string."""
    if isinstance(value, str):
        return int(value) if value.strip().isdigit() else None
    return value


def _usage(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``Usage`` in OpenAI's shape, nested details included: ``PromptTokensDetails.CachedTokens``
    becomes ``prompt_tokens_details.cached_tokens`` (an int), where LangChain and LlamaIndex
    look for cache reads; any other ``*Details`` object is renamed the same way."""
    if not raw:
        return None
    usage: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, Mapping):
            details = {_snake(k): _count(v) for k, v in value.items()}
            usage[_snake(key)] = {k: v for k, v in details.items() if v is not None}
        else:
            usage[_snake(key)] = _count(value)
    usage.setdefault("completion_tokens", 0)
    return usage


def _tool_calls(raw: list[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    if not raw:
        return None
    calls = []
    for position, call in enumerate(raw):
        fn = call.get("Function") or {}
        index = call.get("Index", position)
        out: dict[str, Any] = {
            # Published replies may carry no Id (tccli's ChatCompletions.md): a caller needs one
            # to answer the call, so it is made from the call's place, the same in every chunk.
            "id": call.get("Id") or f"call_{index}",
            "type": call.get("Type") or "function",
            "function": {"name": fn.get("Name"), "arguments": fn.get("Arguments")},
        }
        if call.get("Index") is not None:
            out["index"] = call["Index"]
        calls.append(out)
    return calls


def _message(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    raw = raw or {}
    out: dict[str, Any] = {
        "content": raw.get("Content"),
        "reasoning_content": raw.get("ReasoningContent"),
        "tool_calls": _tool_calls(raw.get("ToolCalls")),
    }
    if raw.get("Role"):
        out["role"] = raw["Role"]
    return out


def _choices(raw: list[Mapping[str, Any]] | None, part: str) -> list[dict[str, Any]]:
    choices = []
    for i, choice in enumerate(raw or ()):
        out = {
            "index": i if choice.get("Index") is None else choice["Index"],
            part: _message(choice.get(part.capitalize())),
            "finish_reason": choice.get("FinishReason") or None,
        }
        if choice.get("ModerationLevel"):
            out["moderation_level"] = choice["ModerationLevel"]
        choices.append(out)
    return choices


_KNOWN = {"Id", "Created", "Choices", "Usage", "ErrorMsg", "RequestId", "Error"}


def _extras(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Fields the OpenAI shape has no place for (Note, SearchInfo, ModerationLevel, ...)."""
    return {_snake(k): v for k, v in raw.items() if k not in _KNOWN and v is not None}


def _openai_shaped(raw: Mapping[str, Any], obj: str, part: str) -> dict[str, Any]:
    return {
        "id": raw.get("Id") or "",
        "object": obj,
        "created": raw.get("Created") or 0,
        "choices": _choices(raw.get("Choices"), part),
        "usage": _usage(raw.get("Usage")),
        **_extras(raw),
    }


def completion_from_native(raw: Mapping[str, Any]) -> dict[str, Any]:
    return _openai_shaped(raw, "chat.completion", "message")


def chunk_from_native(raw: Mapping[str, Any]) -> dict[str, Any]:
    return _openai_shaped(raw, "chat.completion.chunk", "delta")


def embeddings_from_native(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "data": [
            {"index": item.get("Index", i), "embedding": item["Embedding"]}
            for i, item in enumerate(raw.get("Data") or ())
        ],
        "model": "hunyuan-embedding",
        "usage": _usage(raw.get("Usage")),
    }
