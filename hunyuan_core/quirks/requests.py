"""Request-side rules: what a chat body and an embeddings batch must look like before sending."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from hunyuan_core.errors import HunyuanInputError
from hunyuan_core.models import EMBEDDING_MAX_TOKENS
from hunyuan_core.quirks.inputs import (
    check_json,
    check_no_credentials,
    check_text,
    is_strict_json,
)
from hunyuan_core.quirks.messages import prepare_messages
from hunyuan_core.quirks.tools import resolve_tool_choice, tool_names
from hunyuan_core.types import ChatRequest

logger = logging.getLogger("hunyuan_core")


def chat_body(
    request: ChatRequest,
    *,
    stream: bool,
    stream_usage: bool = True,
    reasoning_history: bool = True,
    strict_turn_order: bool = False,
) -> dict[str, Any]:
    """The JSON body for ``request``: messages checked and merged, ``tool_choice`` in Hunyuan's
    form, the reasoning round trip applied, and the one decision on streaming and usage.

    ``stream_usage`` asks a stream for its usage (``stream_options.include_usage``) unless the
    caller set ``stream_options`` itself; a call that does not stream sends neither field.
    ``reasoning_history`` and ``strict_turn_order`` are the backend's
    (:class:`~hunyuan_core.backends.base.Backend`).

    Every value is checked to be strict JSON and no parameter may be named like a credential
    (:mod:`hunyuan_core.quirks.inputs`): what would fail or leak is a
    :class:`HunyuanInputError` here, before any request.
    """
    body = request.to_body()
    check_no_credentials(body, "the request body")
    params = {k: v for k, v in body.items() if k != "messages"}
    if not is_strict_json(params):
        for key, value in params.items():
            check_json(value, key)
    body["messages"] = keep_current_reasoning(
        prepare_messages(request.messages, strict_turn_order=strict_turn_order),
        accepted=reasoning_history,
    )
    if body.get("tools") and "tool_choice" in body:
        choice = resolve_tool_choice(body["tool_choice"], tool_names(body["tools"]))
        if choice is None:
            del body["tool_choice"]
        else:
            body["tool_choice"] = choice
    if "thinking" in body:
        body["thinking"] = thinking_param(body["thinking"])
    if "reasoning_effort" in body:
        body["reasoning_effort"] = reasoning_effort_param(body["reasoning_effort"])
    check_thinking_with_tools(body)
    if stream:
        body["stream"] = True
        if stream_usage:
            body.setdefault("stream_options", {"include_usage": True})
    else:
        body.pop("stream", None)
        body.pop("stream_options", None)
    return body


#: Call keyword arguments that configure the request, not its body (OpenAI SDK spelling).
CALL_OPTIONS = ("timeout", "extra_headers")


def split_call_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take ``timeout`` and ``extra_headers`` out of a call's keyword arguments (which
    otherwise go into the body), for :meth:`~hunyuan_core.HunyuanClient.chat` and friends."""
    return {name: kwargs.pop(name) for name in CALL_OPTIONS if name in kwargs}


def make_chat_request(**fields: Any) -> ChatRequest:
    """A :class:`ChatRequest`, with a wrongly typed field (``temperature="hot"``) reported as
    :class:`HunyuanInputError` naming the field, not as pydantic's error (which would also
    quote every value given)."""
    try:
        return ChatRequest(**fields)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)[:5]
        )
        raise HunyuanInputError(f"invalid request: {problems}") from None


REASONING_EFFORTS = ("none", "low", "medium", "high")


def thinking_param(value: object) -> dict[str, str]:
    """TokenHub's ``thinking`` object from ``True``/``False``, ``"enabled"``/``"disabled"`` or
    the object itself (https://cloud.tencent.com/document/product/1823/131208)."""
    kind = value.get("type") if isinstance(value, dict) else value
    if kind is True or kind == "enabled":
        return {"type": "enabled"}
    if kind is False or kind == "disabled":
        return {"type": "disabled"}
    raise HunyuanInputError(
        f"thinking={value!r}: use True/False, 'enabled'/'disabled' or {{'type': 'enabled'}}"
    )


def reasoning_effort_param(value: object) -> str:
    """A ``reasoning_effort`` Tencent documents for Hy3 (``none`` turns thinking off)."""
    if value not in REASONING_EFFORTS:
        raise HunyuanInputError(
            f"reasoning_effort={value!r}: use one of {', '.join(REASONING_EFFORTS)}"
        )
    return str(value)


def thinks(body: dict[str, Any]) -> bool:
    """Whether the request turns thinking on (``reasoning_effort`` alone does, unless none)."""
    if (body.get("thinking") or {}).get("type") == "enabled":
        return True
    effort = body.get("reasoning_effort")
    return effort is not None and effort != "none"


def check_thinking_with_tools(body: dict[str, Any]) -> None:
    """With thinking and tools, TokenHub takes ``tool_choice`` auto only
    (https://cloud.tencent.com/document/product/1823/130930): refuse a forced or required tool
    before sending, saying what to change."""
    choice = body.get("tool_choice")
    if body.get("tools") and choice not in (None, "auto") and thinks(body):
        raise HunyuanInputError(
            f"tool_choice={choice!r} with thinking on: Hunyuan's interleaved thinking takes "
            "tool_choice 'auto' only; drop tool_choice, or turn thinking off "
            "(thinking=False, reasoning_effort='none'); for structured output use "
            "method='json_schema'"
        )


def keep_current_reasoning(
    messages: list[dict[str, Any]], *, accepted: bool
) -> list[dict[str, Any]]:
    """The reasoning round trip: an assistant turn's ``reasoning_content`` goes back only for
    the current turn (after the last user message), where TokenHub's interleaved thinking asks
    for it with the tool results (https://cloud.tencent.com/document/product/1823/130930), and
    never to an API that rejects it (Tencent Cloud's native API)."""
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    out = []
    for i, message in enumerate(messages):
        if "reasoning_content" in message and (not accepted or i < last_user):
            message = {k: v for k, v in message.items() if k != "reasoning_content"}
        out.append(message)
    return out


def embedding_batches(texts: Sequence[str], size: int) -> list[list[str]]:
    """``texts`` checked (a list of non-empty strings) and cut into batches of ``size``.

    Texts likely past the model's window are logged: Hunyuan embeds only their beginning.
    """
    if isinstance(texts, str):
        raise HunyuanInputError("embed() takes a list of texts; wrap a single text in [...]")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise HunyuanInputError(f"texts[{i}] is {type(text).__name__}, not str")
        check_text(text, f"texts[{i}]")
        if not text.strip():
            raise HunyuanInputError(
                f"texts[{i}] is empty: Hunyuan rejects empty input; drop or replace it"
            )
        if len(text) > EMBEDDING_MAX_TOKENS:
            tokens = estimate_tokens(text)
            if tokens > EMBEDDING_MAX_TOKENS:
                logger.warning(
                    "texts[%d] is about %d tokens: Hunyuan embeds only the first %d and drops "
                    "the rest; split long texts into chunks before embedding",
                    i,
                    tokens,
                    EMBEDDING_MAX_TOKENS,
                )
    return [list(texts[i : i + size]) for i in range(0, len(texts), size)]


def estimate_tokens(text: str) -> int:
    """A rough, low token count without a tokenizer (1.8 CJK or 4 other characters a token),
    so that the warning it drives fires only when truncation is likely."""
    cjk = sum(1 for ch in text if ch >= "\u2e80")
    return round(cjk / 1.8 + (len(text) - cjk) / 4)
