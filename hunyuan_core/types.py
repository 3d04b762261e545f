"""Typed wire objects. Unknown fields are kept (``model_extra``): search info, notes, moderation."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Wire(BaseModel):
    model_config = ConfigDict(extra="allow")


class FunctionCall(_Wire):
    name: str | None = None
    arguments: str | None = None


class ToolCall(_Wire):
    index: int | None = None
    id: str | None = None
    type: str | None = None
    function: FunctionCall | None = None


class Usage(_Wire):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    @property
    def cached_tokens(self) -> int | None:
        """Input tokens read from the cache (``prompt_tokens_details.cached_tokens``)."""
        return _detail(self, "prompt_tokens_details", "cached_tokens")

    @property
    def reasoning_tokens(self) -> int | None:
        """Output tokens spent thinking (``completion_tokens_details.reasoning_tokens``)."""
        return _detail(self, "completion_tokens_details", "reasoning_tokens")


def _detail(usage: Usage, group: str, name: str) -> int | None:
    details = (usage.model_extra or {}).get(group)
    value = details.get(name) if isinstance(details, dict) else None
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


class ResponseMessage(_Wire):
    role: str = "assistant"
    content: str | None = None
    reasoning_content: str | None = None
    tool_calls: list[ToolCall] | None = None


class Choice(_Wire):
    index: int = 0
    message: ResponseMessage
    finish_reason: str | None = None


class ChatCompletion(_Wire):
    id: str = ""
    object: str = "chat.completion"
    created: int = 0
    model: str = ""
    choices: list[Choice] = []
    usage: Usage | None = None
    #: Taken from the response headers, not the body.
    request_id: str | None = None


class Delta(_Wire):
    role: str | None = None
    content: str | None = None
    reasoning_content: str | None = None
    tool_calls: list[ToolCall] | None = None


class ChunkChoice(_Wire):
    index: int = 0
    delta: Delta = Delta()
    finish_reason: str | None = None


class ChatCompletionChunk(_Wire):
    id: str = ""
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str = ""
    choices: list[ChunkChoice] = []
    usage: Usage | None = None
    #: An error object sent inside the stream instead of a chunk.
    error: dict[str, Any] | None = None
    request_id: str | None = None


class Embedding(_Wire):
    index: int = 0
    embedding: list[float]
    object: str = "embedding"


class EmbeddingResponse(_Wire):
    data: list[Embedding]
    model: str = ""
    usage: Usage | None = None
    request_id: str | None = None


class ChatRequest(_Wire):
    """The body of ``/chat/completions``. Extra keyword fields go into the JSON body as they are.

    ``messages`` are OpenAI-shaped dicts; :func:`hunyuan_core.quirks.prepare_messages` checks
    and normalises them before sending.
    """

    model: str
    messages: list[dict[str, Any]]
    stream: bool | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: list[str] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: str | dict[str, Any] | None = None
    response_format: dict[str, Any] | None = None
    stream_options: dict[str, Any] | None = None
    seed: int | None = None
    #: TokenHub's switch: ``{"type": "enabled"}`` or ``{"type": "disabled"}``.
    thinking: dict[str, Any] | None = None
    #: ``none``, ``low``, ``medium`` or ``high``; any but ``none`` turns thinking on.
    reasoning_effort: str | None = None
    enable_enhancement: bool | None = None
    enable_speed_search: bool | None = None

    def to_body(self) -> dict[str, Any]:
        """The JSON body: unset and ``None`` fields left out."""
        return self.model_dump(exclude_none=True)
