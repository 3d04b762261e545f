"""Tencent Yuanqi (元器) agents: ``POST https://open.hunyuan.tencent.com/openapi/v1/agent/chat/completions``.

An agent is published on Yuanqi with its own prompt, plugins, knowledge and workflows; the API
takes ``assistant_id``, ``user_id``, a bearer token, ``stream`` and messages whose ``content``
is a list of ``text`` / ``file_url`` parts. Replies are OpenAI-shaped with two additions, both
surfaced rather than hidden:

- ``message.steps`` (what the agent did: model outputs, tool / knowledge / workflow calls and
  their results) is kept on the message and copied to the reply's top level as ``steps``; in a
  stream, a delta from a step (role ``tool``, or one carrying the agent's ``tool_calls``) is
  moved to the chunk's ``step`` field, so tool output never mixes into the answer text and the
  agent's own tool calls are never mistaken for calls the caller must run;
- ``finish_reason`` ``"sensitive"`` (moderation) is handled by the core like Hunyuan's (partial
  reply, or ``ContentModerationError`` with ``raise_on_sensitive``); ``"tool_fail"`` (a tool of
  the agent failed) is kept as the finish reason and logged as a warning, or raised as
  :class:`AgentToolError` when the backend is built with ``raise_on_tool_fail=True``.

Use it with ``HunyuanClient(backend=YuanqiBackend(...))``. Sampling parameters do not exist on
this API (the agent's settings apply); ``stop`` still works because the core cuts it client-side.

API reference: https://yuanqi.tencent.com/guide/publish-agent-api-documentation (its examples
also show the host ``yuanqi.tencent.com``; set ``base_url`` to use it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import SecretStr

from hunyuan_core.backends.base import WireRequest, dumps
from hunyuan_core.backends.openai_compatible import OpenAICompatibleBackend
from hunyuan_core.errors import APIStatusError, AuthenticationError, HunyuanInputError
from hunyuan_core.types import ChatCompletion, ChatCompletionChunk, Delta

logger = logging.getLogger("hunyuan_core")

YUANQI_BASE_URL = "https://open.hunyuan.tencent.com/openapi/v1"
DEFAULT_USER_ID = "hunyuan-integrations"
TOOL_FAIL = "tool_fail"
#: Request fields Yuanqi documents besides messages (``version``/``chat_type`` are internal).
_PASSED = ("version", "chat_type")


class AgentToolError(APIStatusError):
    """A Yuanqi agent's tool failed (``finish_reason == "tool_fail"``).

    ``partial_content`` is what the agent had answered, ``steps`` what it had done.
    """

    def __init__(
        self,
        message: str,
        *,
        partial_content: str = "",
        steps: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.partial_content = partial_content
        self.steps = steps or []


def _parts(content: Any) -> list[dict[str, Any]]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    parts = []
    for part in content:
        kind = part.get("type")
        if kind in ("text", "file_url"):
            parts.append(dict(part))
        elif kind == "image_url":
            image = part.get("image_url")
            url = image.get("url") if isinstance(image, dict) else image
            parts.append({"type": "file_url", "file_url": {"type": "image", "url": url}})
        else:
            raise HunyuanInputError(f"content part of type {kind!r}: Yuanqi takes text, file_url")
    return parts


def yuanqi_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """User/assistant messages with content lists; system text goes before the first user turn
    (the agent keeps its own persona; Yuanqi has no system role)."""
    system: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    for i, msg in enumerate(messages):
        role = msg["role"]
        if role == "system":
            system += _parts(msg.get("content"))
        elif role in ("user", "assistant") and not msg.get("tool_calls"):
            parts = _parts(msg.get("content"))
            if system and role == "user":
                parts, system = system + parts, []
            out.append({"role": role, "content": parts})
        else:
            raise HunyuanInputError(
                f"messages[{i}] is a tool call or result: a Yuanqi agent runs its own tools "
                "(plugins, knowledge, workflows); send user and assistant messages only"
            )
    if system:
        raise HunyuanInputError("a Yuanqi conversation needs a user message after the system text")
    return out


class YuanqiBackend(OpenAICompatibleBackend):
    """A published Yuanqi agent: the OpenAI-compatible wire format with agent fields added.
    The environment (``YUANQI_TOKEN``, ``YUANQI_ASSISTANT_ID``, ``YUANQI_USER_ID``) is read by
    :func:`hunyuan_core.settings.resolve_settings`, not here."""

    name: ClassVar[str] = "yuanqi"

    def __init__(
        self,
        *,
        token: str | SecretStr | None = None,
        assistant_id: str | None = None,
        user_id: str | None = None,
        base_url: str | None = None,
        raise_on_tool_fail: bool = False,
    ) -> None:
        super().__init__(
            api_key=SecretStr(token) if isinstance(token, str) else token,
            base_url=base_url or YUANQI_BASE_URL,
        )
        self.assistant_id = assistant_id or ""
        self.user_id = user_id or DEFAULT_USER_ID
        self.raise_on_tool_fail = raise_on_tool_fail

    def check_credentials(self) -> None:
        if self.api_key is None or not self.api_key.get_secret_value():
            raise AuthenticationError(
                "no Yuanqi token: set YUANQI_TOKEN or pass token=... (the agent's API token, "
                "shown with its ID in Yuanqi under 我的创建 > 调用API)"
            )
        if not self.assistant_id:
            raise AuthenticationError(
                "no Yuanqi agent id: set YUANQI_ASSISTANT_ID or pass assistant_id=..."
            )

    def _headers(self) -> dict[str, str]:
        return {**super()._headers(), "X-Source": "openapi"}

    def chat_request(self, body: dict[str, Any]) -> WireRequest:
        if body.get("tools"):
            raise HunyuanInputError(
                "a Yuanqi agent uses the tools configured for it on Yuanqi; it takes no tools"
            )
        params: dict[str, Any] = {
            "assistant_id": self.assistant_id,
            "user_id": self.user_id,
            "stream": bool(body.get("stream")),
            "messages": yuanqi_messages(body["messages"]),
        }
        params.update({k: body[k] for k in _PASSED if k in body})
        url = f"{self.base_url}/agent/chat/completions"
        return WireRequest(url, self._headers(), dumps(params))

    def embed_request(self, texts: list[str], model: str) -> WireRequest:
        raise HunyuanInputError("Yuanqi agents have no embeddings: use an API key or secret_id")

    def parse_chat(self, content: bytes, headers: Mapping[str, str]) -> ChatCompletion:
        completion = super().parse_chat(content, headers)
        for choice in completion.choices:
            steps = (choice.message.model_extra or {}).get("steps")
            if steps is not None and completion.model_extra is not None:
                completion.model_extra.setdefault("steps", steps)
            if choice.finish_reason == TOOL_FAIL:
                self._tool_failed(choice.message.content or "", steps, completion.request_id)
        return completion

    def parse_chunk(self, data: str, request_id: str | None) -> ChatCompletionChunk:
        chunk = super().parse_chunk(data, request_id)
        for choice in chunk.choices:
            delta = choice.delta
            if delta.role == "tool" or delta.tool_calls:
                step = delta.model_dump(exclude_none=True)
                choice.delta = Delta()
                if chunk.model_extra is not None:
                    chunk.model_extra["step"] = step
            if choice.finish_reason == TOOL_FAIL:
                self._tool_failed("", None, request_id)
        return chunk

    def _tool_failed(self, partial: str, steps: list[Any] | None, request_id: str | None) -> None:
        message = "a tool of the Yuanqi agent failed (finish_reason 'tool_fail')"
        if self.raise_on_tool_fail:
            raise AgentToolError(
                message,
                partial_content=partial,
                steps=steps,
                code=TOOL_FAIL,
                request_id=request_id,
            )
        logger.warning("%s; request id %s", message, request_id)
