"""``Hunyuan``: Tencent Hunyuan as a LlamaIndex ``FunctionCallingLLM``, on ``hunyuan_core``.

The class only translates: ``ChatMessage`` -> OpenAI-shaped dicts -> ``ChatRequest``, and core
replies -> ``ChatResponse``. Every Hunyuan quirk (inclusive ``stop``, cumulative stream usage,
repeated tool-call ids, message ordering) is handled once, in the core.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import httpx
from llama_index.core.base.llms.generic_utils import (
    achat_to_completion_decorator,
    astream_chat_to_completion_decorator,
    chat_to_completion_decorator,
    stream_chat_to_completion_decorator,
)
from llama_index.core.base.llms.types import (
    CachePoint,
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    ContentBlock,
    ImageBlock,
    LLMMetadata,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from llama_index.core.constants import DEFAULT_TEMPERATURE
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json

from hunyuan_core import (
    DEFAULT_CHAT_MODEL,
    Backend,
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    HunyuanClient,
    ModelInfo,
    ResponseMessage,
    Usage,
    backend_for,
    model_info,
)
from hunyuan_core.quirks import (
    make_chat_request,
    resolve_tool_choice,
    split_call_options,
    tool_names,
)
from llama_index_hunyuan._connection import HunyuanConnection

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = ["Hunyuan", "to_hunyuan_messages"]


# --- ChatMessage -> OpenAI-shaped dicts ----------------------------------------------------


def _tool_call_dict(block: ToolCallBlock) -> dict[str, Any]:
    args = block.tool_kwargs
    return {
        "id": block.tool_call_id,
        "type": "function",
        "function": {
            "name": block.tool_name,
            "arguments": args if isinstance(args, str) else json.dumps(args, ensure_ascii=False),
        },
    }


def _legacy_tool_calls(calls: Sequence[Any]) -> list[dict[str, Any]]:
    """``additional_kwargs["tool_calls"]`` as older integrations stored it (dicts or objects)."""
    out = []
    for call in calls:
        as_dict = call if isinstance(call, dict) else call.model_dump(exclude_none=True)
        out.append(as_dict)
    return out


def _image_part(block: ImageBlock) -> dict[str, Any]:
    if block.url:
        url = str(block.url)
    else:
        data = block.resolve_image(as_base64=True).read().decode()
        url = f"data:{block.image_mimetype or 'image/png'};base64,{data}"
    return {"type": "image_url", "image_url": {"url": url}}


def _content(blocks: Sequence[ContentBlock]) -> str | list[dict[str, Any]]:
    """Text only: one string. With images: OpenAI content parts (Hunyuan's vision models).

    Reasoning, tool calls (sent apart) and cache hints (meaningless to Hunyuan) are left out;
    audio, video and documents are refused rather than silently dropped.
    """
    parts: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, TextBlock):
            parts.append({"type": "text", "text": block.text})
        elif isinstance(block, ImageBlock):
            parts.append(_image_part(block))
        elif not isinstance(block, ThinkingBlock | ToolCallBlock | CachePoint):
            raise ValueError(f"Hunyuan accepts text and image blocks; got {type(block).__name__}")
    if all(p["type"] == "text" for p in parts):
        return "".join(p["text"] for p in parts)
    return parts


def to_hunyuan_messages(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """LlamaIndex messages as the OpenAI-shaped dicts ``hunyuan_core`` takes.

    An assistant turn's reasoning (``ThinkingBlock``) goes along as ``reasoning_content``: the
    core sends it back only for the current turn, where TokenHub's interleaved thinking asks for
    it, and never to the native API; tool calls come from ``ToolCallBlock`` or,
    for older integrations, ``additional_kwargs["tool_calls"]``; a tool result takes its call id
    from ``additional_kwargs["tool_call_id"]``.
    """
    out = []
    for message in messages:
        entry: dict[str, Any] = {"role": message.role.value, "content": _content(message.blocks)}
        reasoning = "".join(b.content or "" for b in message.blocks if isinstance(b, ThinkingBlock))
        if reasoning and message.role == MessageRole.ASSISTANT:
            entry["reasoning_content"] = reasoning  # the core decides whether it is sent
        calls = [_tool_call_dict(b) for b in message.blocks if isinstance(b, ToolCallBlock)]
        if not calls and message.additional_kwargs.get("tool_calls"):
            calls = _legacy_tool_calls(message.additional_kwargs["tool_calls"])
        if calls and message.role == MessageRole.ASSISTANT:
            entry["tool_calls"] = calls
        if message.role == MessageRole.TOOL:
            entry["tool_call_id"] = message.additional_kwargs.get("tool_call_id")
        out.append(entry)
    return out


# --- core replies -> ChatMessage --------------------------------------------------------------


def _usage_kwargs(usage: Usage | None) -> dict[str, Any]:
    if usage is None:
        return {}
    counts: dict[str, Any] = {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }
    if usage.cached_tokens is not None:
        counts["cached_tokens"] = usage.cached_tokens
    if usage.reasoning_tokens is not None:
        counts["reasoning_tokens"] = usage.reasoning_tokens
    return counts


def _count_thinking(message: ChatMessage, usage: Usage | None) -> None:
    """Put the reasoning token count, once known, on the message's thinking block."""
    tokens = usage.reasoning_tokens if usage is not None else None
    for block in message.blocks:
        if tokens is not None and isinstance(block, ThinkingBlock):
            block.num_tokens = tokens


def _message(
    content: str, reasoning: str, calls: Sequence[dict[str, Any]], extra: dict[str, Any]
) -> ChatMessage:
    """An assistant message. Tool calls are ``ToolCallBlock``s, and also OpenAI-shaped dicts in
    ``additional_kwargs["tool_calls"]``, where LlamaIndex's streaming structured output looks."""
    blocks: list[ContentBlock] = []
    if reasoning:
        blocks.append(ThinkingBlock(content=reasoning))
    if content or not calls:
        blocks.append(TextBlock(text=content))
    for call in calls:
        blocks.append(
            ToolCallBlock(
                tool_call_id=call["id"], tool_name=call["name"], tool_kwargs=call["arguments"]
            )
        )
    if calls:
        extra["tool_calls"] = [
            {
                "id": call["id"],
                "type": "function",
                "function": {"name": call["name"], "arguments": call["arguments"]},
            }
            for call in calls
        ]
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extra)


def _from_response_message(message: ResponseMessage) -> ChatMessage:
    calls = [
        {
            "id": call.id,
            "name": (call.function.name or "") if call.function else "",
            "arguments": (call.function.arguments or "") if call.function else "",
        }
        for call in message.tool_calls or ()
    ]
    # Hunyuan-specific fields of the message (e.g. search results) stay visible.
    extra = dict(message.model_extra or {})
    return _message(message.content or "", message.reasoning_content or "", calls, extra)


class _StreamState:
    """What a stream has said so far: text, reasoning and tool calls accumulated by index."""

    __slots__ = ("calls", "content", "finish_reason", "reasoning")

    def __init__(self) -> None:
        self.content = ""
        self.reasoning = ""
        self.calls: dict[int, dict[str, Any]] = {}
        self.finish_reason: str | None = None

    def update(self, chunk: ChatCompletionChunk) -> ChatResponse:
        text_delta = thinking_delta = ""
        for choice in chunk.choices:
            if choice.index != 0:  # LlamaIndex has one reply per call
                continue
            delta = choice.delta
            text_delta = delta.content or ""
            thinking_delta = delta.reasoning_content or ""
            self.content += text_delta
            self.reasoning += thinking_delta
            for call in delta.tool_calls or ():
                # The core gives every delta an index and sends id and name once per call.
                slot = self.calls.setdefault(
                    call.index or 0, {"id": None, "name": "", "arguments": ""}
                )
                if call.id:
                    slot["id"] = call.id
                if call.function is not None:
                    if call.function.name:
                        slot["name"] = call.function.name
                    slot["arguments"] += call.function.arguments or ""
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
        extra: dict[str, Any] = _usage_kwargs(chunk.usage)
        if self.finish_reason:
            extra["finish_reason"] = self.finish_reason
        if thinking_delta:
            extra["thinking_delta"] = thinking_delta
        calls = [dict(self.calls[i]) for i in sorted(self.calls)]
        message = _message(self.content, self.reasoning, calls, {})
        _count_thinking(message, chunk.usage)
        return ChatResponse(
            message=message,
            delta=text_delta,
            raw=chunk,
            additional_kwargs=extra,
        )


def _chat_response(completion: ChatCompletion) -> ChatResponse:
    choice = completion.choices[0]
    extra = _usage_kwargs(completion.usage)
    if choice.finish_reason:
        extra["finish_reason"] = choice.finish_reason
    message = _from_response_message(choice.message)
    _count_thinking(message, completion.usage)
    return ChatResponse(message=message, raw=completion, additional_kwargs=extra)


def _parse_arguments(arguments: dict[str, Any] | str) -> dict[str, Any]:
    """Tool arguments as a dict; partial JSON (mid-stream) gives what is complete so far."""
    if isinstance(arguments, dict):
        return arguments
    if not arguments.strip():
        return {}
    try:
        parsed = parse_partial_json(arguments)
    except (ValueError, TypeError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


# --- the LLM ---------------------------------------------------------------------------------


def _metadata(llm: Hunyuan, info: ModelInfo) -> LLMMetadata:
    """The metadata of ``info``, with what the user set on ``llm`` winning."""
    function_calling = llm.is_function_calling_model
    return LLMMetadata(
        context_window=llm.context_window or info.context_window,
        num_output=llm.max_tokens or info.max_output_tokens,
        is_chat_model=llm.is_chat_model,
        is_function_calling_model=(
            info.function_calling if function_calling is None else function_calling
        ),
        model_name=llm.model,
    )


class Hunyuan(HunyuanConnection, FunctionCallingLLM):
    """Tencent Hunyuan chat models, with tool calling, streaming and async.

    ``api_key`` defaults to ``TOKENHUB_API_KEY`` (or ``TENCENT_TOKENHUB_API_KEY``,
    ``HUNYUAN_API_KEY``); ``api_base`` (alias ``base_url``) to ``HUNYUAN_BASE_URL`` or TokenHub
    (``region="ap-singapore"``: Singapore). With no API key, Tencent Cloud ``secret_id`` /
    ``secret_key`` (``TENCENTCLOUD_SECRET_ID`` / ``TENCENTCLOUD_SECRET_KEY``) select the native
    API. ``additional_kwargs`` go into every request body (e.g. ``enable_enhancement``); call
    keyword arguments (``stop``, ``response_format``, ...) into that call's body.

    Example::

        from llama_index.core import Settings
        from llama_index_hunyuan import Hunyuan

        Settings.llm = Hunyuan(model="hy3", reasoning_effort="high")
        print(Settings.llm.complete("你好"))
    """

    model: str = Field(default=DEFAULT_CHAT_MODEL, description="The Hunyuan model name.")
    temperature: float = Field(
        default=DEFAULT_TEMPERATURE, ge=0.0, le=2.0, description="Sampling temperature."
    )
    max_tokens: int | None = Field(
        default=None, gt=0, description="Most tokens to generate; the model's limit if unset."
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description="Extra fields for the request body, e.g. enable_enhancement=False.",
    )
    max_requests_per_second: float | None = Field(
        default=None, gt=0, description="Your quota, if known: requests are paced under it."
    )
    raise_on_sensitive: bool = Field(
        default=False,
        description="Raise ContentModerationError when moderation stops a reply.",
    )
    context_window: int | None = Field(
        default=None,
        gt=0,
        description="Input + output tokens the model takes; the model table's if unset.",
    )
    is_function_calling_model: bool | None = Field(
        default=None,
        description="Whether the model calls tools; the model table's if unset.",
    )
    is_chat_model: bool = Field(
        default=True, description=LLMMetadata.model_fields["is_chat_model"].description
    )
    thinking: bool | None = Field(
        default=None,
        description="Hy3's deep thinking on (True) or off (False); unset: the model's default.",
    )
    reasoning_effort: Literal["none", "low", "medium", "high"] | None = Field(
        default=None, description="How hard Hy3 thinks; any value but 'none' turns thinking on."
    )

    _client: HunyuanClient = PrivateAttr()

    def __init__(
        self,
        *,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._client = HunyuanClient(
            backend=self._backend(),
            timeout=self.timeout,
            max_retries=self.max_retries,
            **self._limits(),
            raise_on_sensitive=self.raise_on_sensitive,
            max_requests_per_second=self.max_requests_per_second,
            http_client=http_client,
            http_async_client=async_http_client,
            default_headers=self.default_headers,
        )

    def _backend(self) -> Backend:
        """The API the settings select (``Yuanqi`` selects Yuanqi's)."""
        return backend_for(self._connection_settings())

    @classmethod
    def class_name(cls) -> str:
        return "Hunyuan"

    @property
    def client(self) -> HunyuanClient:
        """The shared-core client this LLM sends through (built once, at construction)."""
        return self._client

    @property
    def metadata(self) -> LLMMetadata:
        """From the model table (:func:`hunyuan_core.model_info`), overridden by the fields
        the user set: ``context_window``, ``is_function_calling_model``, ``max_tokens``
        (as ``num_output``), ``is_chat_model``."""
        return _metadata(self, model_info(self.model))

    # --- requests -------------------------------------------------------------------------

    def _request(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> tuple[ChatRequest, dict[str, Any]]:
        """The request and its call options (``timeout``, ``extra_headers``), which go on the
        request, not into the body."""
        options = split_call_options(kwargs)
        params: dict[str, Any] = {"temperature": self.temperature}
        if self.max_tokens is not None:
            params["max_tokens"] = self.max_tokens
        if self.thinking is not None:
            params["thinking"] = {"type": "enabled" if self.thinking else "disabled"}
        if self.reasoning_effort is not None:
            params["reasoning_effort"] = self.reasoning_effort
        params.update(self.additional_kwargs)
        params.update(kwargs)
        if isinstance(params.get("stop"), str):
            params["stop"] = [params["stop"]]
        messages_ = to_hunyuan_messages(messages)
        return make_chat_request(model=self.model, messages=messages_, **params), options

    def _chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request, options = self._request(messages, **kwargs)
        return _chat_response(self._client.chat(request, **options))

    async def _achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        request, options = self._request(messages, **kwargs)
        return _chat_response(await self._client.achat(request, **options))

    def _stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        request, options = self._request(messages, **kwargs)

        def gen() -> ChatResponseGen:
            state = _StreamState()
            for chunk in self._client.stream_chat(request, stream_usage=True, **options):
                yield state.update(chunk)

        return gen()

    async def _astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        request, options = self._request(messages, **kwargs)

        async def gen() -> ChatResponseAsyncGen:
            state = _StreamState()
            async for chunk in self._client.astream_chat(request, stream_usage=True, **options):
                yield state.update(chunk)

        return gen()

    # --- the LLM interface ----------------------------------------------------------------

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return self._chat(messages, **kwargs)

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        return self._stream_chat(messages, **kwargs)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return chat_to_completion_decorator(self._chat)(prompt, **kwargs)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        return stream_chat_to_completion_decorator(self._stream_chat)(prompt, **kwargs)

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return await self._achat(messages, **kwargs)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        return await self._astream_chat(messages, **kwargs)

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        return await achat_to_completion_decorator(self._achat)(prompt, **kwargs)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        return await astream_chat_to_completion_decorator(self._astream_chat)(prompt, **kwargs)

    # --- tools ----------------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Messages, OpenAI-style tool specs and ``tool_choice`` for :meth:`chat`.

        ``tool_required`` with a single tool names that tool (Hunyuan's ``custom`` choice, which
        every Hunyuan API accepts); with several it asks for ``"required"``. A ``tool_choice``
        that is not none/auto/required is taken as a tool name.
        """
        specs = [tool.metadata.to_openai_tool(skip_length_check=True) for tool in tools]
        messages = list(chat_history or [])
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        if specs:
            if tool_choice is None and tool_required:
                tool_choice = "required"
            choice = resolve_tool_choice(tool_choice, tool_names(specs))
            if choice is not None:
                kwargs["tool_choice"] = choice
            kwargs["tools"] = specs
        return {"messages": messages, **kwargs}

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Keep only the first tool call unless parallel calls were allowed."""
        if not allow_parallel_tool_calls:
            calls = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
            if len(calls) > 1:
                response.message.blocks = [
                    b for b in response.message.blocks if not isinstance(b, ToolCallBlock)
                ] + [calls[0]]
                extra = response.message.additional_kwargs
                extra["tool_calls"] = extra["tool_calls"][:1]
        return response

    def get_tool_calls_from_response(
        self,
        response: ChatResponse,
        error_on_no_tool_call: bool = True,
        **kwargs: Any,
    ) -> list[ToolSelection]:
        """The tool calls in a reply, also mid-stream (partial JSON arguments never raise)."""
        calls = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
        if not calls:
            if error_on_no_tool_call:
                raise ValueError(
                    "Expected at least one tool call, but Hunyuan replied without one "
                    f"(finish_reason {response.additional_kwargs.get('finish_reason')!r})"
                )
            return []
        return [
            ToolSelection(
                tool_id=call.tool_call_id or "",
                tool_name=call.tool_name,
                tool_kwargs=_parse_arguments(call.tool_kwargs),
            )
            for call in calls
        ]
