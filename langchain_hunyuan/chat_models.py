"""``ChatHunyuan``: LangChain's chat model interface over :class:`hunyuan_core.HunyuanClient`.

Thin by design: LangChain messages become OpenAI-shaped dicts, the core sends them (and handles
every Hunyuan quirk: inclusive ``stop``, cumulative stream usage, tool-call deltas, message
order), and the core's typed replies become ``AIMessage`` / ``AIMessageChunk``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import (
    BaseChatModel,
    LangSmithParams,
    LanguageModelInput,
    ModelProfile,
)
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    convert_to_openai_messages,
)
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import ToolCallChunk, invalid_tool_call, tool_call_chunk
from langchain_core.output_parsers import (
    JsonOutputKeyToolsParser,
    JsonOutputParser,
    PydanticOutputParser,
    PydanticToolsParser,
)
from langchain_core.output_parsers.openai_tools import parse_tool_call
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from langchain_core.utils.utils import _build_model_kwargs, get_pydantic_field_names
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator
from typing_extensions import Self

from hunyuan_core import (
    DEFAULT_CHAT_MODEL,
    Backend,
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    HunyuanClient,
    Usage,
    backend_for,
    concurrency,
    model_info,
)
from hunyuan_core.models import max_input_tokens
from hunyuan_core.quirks import (
    make_chat_request,
    resolve_tool_choice,
    split_call_options,
    thinking_param,
    tool_names,
)
from langchain_hunyuan._connection import HunyuanConnection
from langchain_hunyuan._errors import REFUSAL_GUARD, converts_errors
from langchain_hunyuan._tokens import count_messages, counter_for
from langchain_hunyuan._tracing import LS_EXTRAS

PROVIDER = "hunyuan"


class ChatHunyuan(HunyuanConnection, BaseChatModel):
    """Tencent Hunyuan chat models: ``hy3`` on TokenHub by default, the legacy endpoint's and
    the native API's models by ``base_url`` / credentials, self-hosted Hy3 by ``base_url``.

    Setup: ``pip install 'hunyuan-integrations[langchain]'`` and ``export TOKENHUB_API_KEY=sk-...``
    (or ``HUNYUAN_API_KEY``, or pass ``api_key``); Tencent Cloud ``secret_id``/``secret_key``
    select the native API instead. One resolver decides (:func:`hunyuan_core.resolve_settings`).

    ```python
    from langchain_hunyuan import ChatHunyuan

    model = ChatHunyuan(model="hy3", reasoning_effort="high")
    model.invoke("你好").content
    for chunk in model.stream("你好"):  # reasoning in additional_kwargs, then the answer
        print(chunk.text, end="")
    ```

    What the core already gets right and this class relies on: ``stop`` strings are cut from
    the reply (the legacy endpoint keeps them), streamed usage is reported once on the last
    chunk (the legacy endpoint repeats the running total), tool-call deltas carry ``index``,
    the turn's reasoning goes back in tool loops, and message lists are checked before sending
    (``HunyuanInputError`` says what to fix).
    """

    model_name: str = Field(default=DEFAULT_CHAT_MODEL, alias="model")
    """Model name: ``hy3`` (TokenHub), ``hy3-preview``, ``hunyuan-2.0-thinking-20251109``; on the
    legacy endpoint e.g. ``hunyuan-turbos-latest``."""
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: list[str] | None = None
    """Stop strings; cut from the reply (Hunyuan itself would keep them)."""
    seed: int | None = None
    thinking: bool | Literal["enabled", "disabled"] | dict[str, str] | None = None
    """Hy3's deep thinking (TokenHub ``thinking``): ``True`` turns it on, ``False`` off; unset,
    the model's default applies (off for ``hy3``). Reasoning arrives in
    ``additional_kwargs["reasoning_content"]`` (and ``content_blocks`` as a reasoning block)."""
    reasoning_effort: Literal["none", "low", "medium", "high"] | None = None
    """How hard Hy3 thinks; any value but ``"none"`` turns thinking on."""
    max_requests_per_second: float | None = None
    """Your quota, if you know it: calls are paced under it (the core adapts to 429s anyway;
    LangChain's ``rate_limiter`` works too)."""
    streaming: bool = False
    """Stream under ``invoke`` too (callbacks then receive tokens)."""
    stream_usage: bool = True
    """Ask for usage when streaming (``stream_options.include_usage``); it arrives once, last."""
    enable_enhancement: bool | None = None
    """Hunyuan's "enhancement" (search and the like); server default on. Off lowers latency."""
    enable_speed_search: bool | None = None
    """Hunyuan's fast search mode; server default off."""
    raise_on_sensitive: bool = False
    """Raise ``ContentModerationError`` when moderation stops the reply (``finish_reason``
    ``sensitive``); by default the partial reply is returned with that finish reason."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other body parameters (unknown constructor keywords land here, with a warning)."""
    extra_body: dict[str, Any] | None = None
    """More body parameters, sent as they are (OpenAI SDK spelling)."""

    model_config = ConfigDict(populate_by_name=True)

    _client: HunyuanClient | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _build_extra(cls, values: dict[str, Any]) -> Any:
        return _build_model_kwargs(values, get_pydantic_field_names(cls))

    @field_validator("thinking")
    @classmethod
    def _check_thinking(cls, value: Any) -> Any:
        if value is not None:
            thinking_param(value)  # raises HunyuanInputError, a ValueError, with what to change
        return value

    # --- LangChain plumbing -------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "hunyuan-chat"

    @property
    def model(self) -> str:
        """Same as ``model_name``."""
        return self.model_name

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_hunyuan", "chat_models"]

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {
            "api_key": "HUNYUAN_API_KEY",
            "secret_id": "TENCENTCLOUD_SECRET_ID",
            "secret_key": "TENCENTCLOUD_SECRET_KEY",
        }

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "enable_enhancement": self.enable_enhancement,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=PROVIDER,
            ls_model_name=kwargs.get("model", self.model_name),
            ls_model_type="chat",
            ls_temperature=kwargs.get("temperature", self.temperature),
        )
        if max_tokens := kwargs.get("max_tokens", self.max_tokens):
            params["ls_max_tokens"] = max_tokens
        if ls_stop := stop or kwargs.get("stop") or self.stop:
            params["ls_stop"] = ls_stop
        params.update(LS_EXTRAS)  # type: ignore[typeddict-item]
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        info = model_info(self.model_name)
        return ModelProfile(
            # Tencent quotes context as input + output: the input may use what output leaves.
            max_input_tokens=max_input_tokens(info),
            max_output_tokens=info.max_output_tokens,
            text_inputs=True,
            image_inputs=info.vision,
            image_url_inputs=info.vision,
            tool_calling=info.function_calling,
            tool_choice=info.function_calling,
            tool_call_streaming=info.function_calling,
            reasoning_output=info.reasoning,
            # Only messages[0] may be a system message on Hunyuan.
            mid_conversation_system_messages=False,
            structured_output=info.json_schema,
        )

    # --- the core client ----------------------------------------------------------------

    def _backend(self) -> Backend:
        """The API the settings select (``ChatYuanqi`` selects Yuanqi's)."""
        return backend_for(self._connection_settings())

    @property
    def client(self) -> HunyuanClient:
        """The core client, built on first use and kept for this instance."""
        if self._client is None:
            self._client = HunyuanClient(
                backend=self._backend(),
                timeout=self.timeout,
                max_retries=self.max_retries,
                **self._limits(),
                raise_on_sensitive=self.raise_on_sensitive,
                **self._client_options(),
                max_requests_per_second=self.max_requests_per_second,
            )
        return self._client

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy._client = None  # the settings changed: build a new client on first use
        return copy

    # --- bulk: one job at the account's quota (hunyuan_core/concurrency.py) ---------------

    def batch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[AIMessage]:
        """Calls in parallel as one bulk job: 429s are waited out at the quota's pace."""
        with concurrency.bulk():
            return super().batch(inputs, config, return_exceptions=return_exceptions, **kwargs)

    async def abatch(
        self,
        inputs: list[LanguageModelInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[AIMessage]:
        with concurrency.bulk():
            return await super().abatch(
                inputs, config, return_exceptions=return_exceptions, **kwargs
            )

    # --- requests -----------------------------------------------------------------------

    def _request(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, kwargs: Any
    ) -> tuple[ChatRequest, dict[str, Any]]:
        """The request and its call options (``timeout``, ``extra_headers``: on the request,
        not in the body, as ``ChatOpenAI`` takes them)."""
        kwargs.pop("stream", None)
        kwargs.pop("stream_usage", None)
        options = split_call_options(kwargs)
        body: dict[str, Any] = {
            "model": self.model_name,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "stop": stop or self.stop or None,
            "seed": self.seed,
            "thinking": self.thinking,
            "reasoning_effort": self.reasoning_effort,
            "enable_enhancement": self.enable_enhancement,
            "enable_speed_search": self.enable_speed_search,
            **self.model_kwargs,
            **(self.extra_body or {}),
            **kwargs,
        }
        request = make_chat_request(
            messages=[message_to_dict(m) for m in messages], stream=stream, **body
        )
        return request, options

    @converts_errors
    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request, options = self._request(messages, stop, False, kwargs)
        return _chat_result(self.client.chat(request, **options), request.model)

    @converts_errors
    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request, options = self._request(messages, stop, False, kwargs)
        return _chat_result(await self.client.achat(request, **options), request.model)

    def _chunk_converter(self, model: str) -> _ChunkConverter:
        """The converter for one stream's chunks (``ChatYuanqi`` adds agent steps to it)."""
        return _ChunkConverter(model)

    @converts_errors
    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # BaseChatModel reports each chunk to the callbacks itself.
        usage = kwargs.get("stream_usage", self.stream_usage)
        request, options = self._request(messages, stop, True, kwargs)
        converter = self._chunk_converter(request.model)
        for chunk in self.client.stream_chat(request, stream_usage=usage, **options):
            generation = converter.convert(chunk)
            if generation is not None:
                yield generation

    @converts_errors
    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        usage = kwargs.get("stream_usage", self.stream_usage)
        request, options = self._request(messages, stop, True, kwargs)
        converter = self._chunk_converter(request.model)
        async for chunk in self.client.astream_chat(request, stream_usage=usage, **options):
            generation = converter.convert(chunk)
            if generation is not None:
                yield generation

    # --- token counts --------------------------------------------------------------------

    @converts_errors
    def get_num_tokens(self, text: str) -> int:
        """Hunyuan's own count with Tencent Cloud credentials (``GetTokenCount``), else an
        estimate that errs high; never needs ``transformers`` (see ``_tokens.py``)."""
        return counter_for(self)(text)

    @converts_errors
    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """Each message's text counted as :meth:`get_num_tokens` does, plus a few tokens of
        chat template per message, plus the tool schemas."""
        return count_messages(messages, tools, counter_for(self))

    # --- tools and structured output ----------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (anything ``convert_to_openai_tool`` accepts).

        ``tool_choice``: ``"auto"``, ``"none"``, a tool name (Hunyuan's documented "custom"
        choice: that tool is forced), or ``"any"``/``"required"``/``True`` (some tool must be
        called). Hunyuan documents none/auto/custom only, so with one tool ``"any"`` is sent
        as that tool's name (documented); with several it is sent as OpenAI's ``"required"``,
        which Hunyuan does not document (a server that rejects it answers 400).
        """
        formatted = [convert_to_openai_tool(tool, strict=strict) for tool in tools]
        choice = resolve_tool_choice(tool_choice, tool_names(formatted))
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["function_calling", "json_mode", "json_schema"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Replies parsed into ``schema`` (a Pydantic class, TypedDict, or JSON/OpenAI schema).

        ``method``: ``"json_schema"`` (``response_format`` ``json_schema``, the default where the
        model documents it, e.g. ``hy3``; it also works with thinking on, which forced tools do
        not), ``"function_calling"`` (the schema becomes a forced tool; the default elsewhere,
        and what ``"json_schema"`` falls back to on a model without it), or ``"json_mode"``
        (``response_format={"type": "json_object"}``: say in the prompt which keys you want).
        ``include_raw=True`` returns ``{"raw", "parsed", "parsing_error"}`` instead of raising
        on a parsing error.
        """
        if kwargs:
            raise ValueError(f"unexpected arguments: {sorted(kwargs)}")
        is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
        native_schema = model_info(self.model_name).json_schema
        if method is None:
            method = "json_schema" if native_schema else "function_calling"
        llm: Runnable[LanguageModelInput, Any]
        if method == "json_schema" and native_schema:
            if schema is None:
                raise ValueError("method='json_schema' needs a schema")
            spec = convert_to_openai_tool(schema, strict=strict)["function"]
            json_schema = {"name": spec["name"], "schema": spec.get("parameters") or {}}
            if spec.get("description"):
                json_schema["description"] = spec["description"]
            if strict is not None:
                json_schema["strict"] = strict
            llm = self.bind(
                response_format={"type": "json_schema", "json_schema": json_schema},
                ls_structured_output_format={
                    "kwargs": {"method": method, "strict": strict},
                    "schema": schema,
                },
            )
            parser: Runnable[Any, Any] = (
                PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
                if is_pydantic
                else JsonOutputParser()
            )
        elif method == "json_mode":
            llm = self.bind(
                response_format={"type": "json_object"},
                ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
            )
            parser = (
                PydanticOutputParser(pydantic_object=schema)  # type: ignore[arg-type]
                if is_pydantic
                else JsonOutputParser()
            )
        elif method in ("function_calling", "json_schema"):
            if schema is None:
                raise ValueError(f"method={method!r} needs a schema")
            tool_name = convert_to_openai_tool(schema)["function"]["name"]
            llm = self.bind_tools(
                [schema],
                tool_choice=tool_name,
                strict=strict,
                ls_structured_output_format={
                    "kwargs": {"method": "function_calling", "strict": strict},
                    "schema": schema,
                },
            )
            parser = (
                PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
                if is_pydantic
                else JsonOutputKeyToolsParser(key_name=tool_name, first_tool_only=True)
            )
        else:
            raise ValueError(
                f"method must be 'function_calling', 'json_mode' or 'json_schema', not {method!r}"
            )
        # A moderation stop is a refusal here (ModelRefusalError), not a parsing error.
        parser = REFUSAL_GUARD | parser
        if not include_raw:
            return llm | parser
        parsed = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        )
        unparsed = RunnablePassthrough.assign(parsed=lambda _: None)
        return RunnableMap(raw=llm) | parsed.with_fallbacks(
            [unparsed], exception_key="parsing_error"
        )


# --- LangChain messages -> OpenAI-shaped dicts -----------------------------------------------


def _tool_call_dict(call: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": call["id"],
        "type": "function",
        "function": {
            "name": call["name"],
            "arguments": json.dumps(call["args"], ensure_ascii=False),
        },
    }


def _text_of(content: Any) -> str:
    """The text blocks of a list content, joined (thinking, tool_use... are dropped)."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(block.get("text", ""))
    return "".join(parts)


def message_to_dict(message: BaseMessage) -> dict[str, Any]:
    """One LangChain message as the OpenAI-shaped dict the core sends.

    Plain text takes a fast path; list content (images, data blocks) goes through
    ``langchain_core``'s ``convert_to_openai_messages``. Assistant history is sent as text,
    ``tool_calls`` and its ``reasoning_content`` (the core keeps it only for the current turn,
    where TokenHub's interleaved thinking asks for it); a tool result as text.
    """
    content = message.content
    if isinstance(message, AIMessage):
        out: dict[str, Any] = {"role": "assistant", "content": _text_of(content)}
        reasoning = _reasoning_of(message)
        if reasoning:
            out["reasoning_content"] = reasoning  # the core decides whether it is sent
        calls = [_tool_call_dict(c) for c in message.tool_calls]
        calls += [
            {
                "id": c.get("id"),
                "type": "function",
                "function": {"name": c.get("name"), "arguments": c.get("args") or ""},
            }
            for c in message.invalid_tool_calls
        ]
        if calls:
            out["tool_calls"] = calls
        elif "tool_calls" in message.additional_kwargs:
            out["tool_calls"] = message.additional_kwargs["tool_calls"]
        if message.name:
            out["name"] = message.name
        return out
    if isinstance(message, ToolMessage):
        text = content if isinstance(content, str) else _tool_text(content)
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": text}
    if isinstance(content, str):
        if isinstance(message, HumanMessage):
            role = "user"
        elif isinstance(message, SystemMessage):
            role = "system"
        elif isinstance(message, ChatMessage):
            role = message.role
        else:
            role = message.type  # the core names what it cannot send
        out = {"role": role, "content": content}
        if message.name:
            out["name"] = message.name
        return out
    return convert_to_openai_messages(message)


def _reasoning_of(message: AIMessage) -> str:
    """The turn's reasoning, where LangChain keeps it: ``additional_kwargs`` (as this package
    and DeepSeek-style providers put it) or standard ``reasoning`` content blocks."""
    kept = message.additional_kwargs.get("reasoning_content")
    if isinstance(kept, str):
        return kept
    if isinstance(message.content, str):
        return ""
    return "".join(
        str(block.get("reasoning") or "")
        for block in message.content
        if isinstance(block, dict) and block.get("type") == "reasoning"
    )


def _tool_text(content: list[Any]) -> str:
    if all(
        isinstance(b, str) or (isinstance(b, dict) and b.get("type") == "text") for b in content
    ):
        return _text_of(content)
    return json.dumps(content, ensure_ascii=False)


# --- core replies -> LangChain messages -----------------------------------------------------


def usage_metadata(usage: Usage) -> UsageMetadata:
    """LangChain's usage from Hunyuan's (cache and reasoning details when the server sends them)."""
    result = UsageMetadata(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens or usage.prompt_tokens + usage.completion_tokens,
    )
    if usage.cached_tokens is not None:
        result["input_token_details"] = InputTokenDetails(cache_read=usage.cached_tokens)
    if usage.reasoning_tokens is not None:
        result["output_token_details"] = OutputTokenDetails(reasoning=usage.reasoning_tokens)
    return result


def _metadata(
    reply: ChatCompletion | ChatCompletionChunk,
    finish_reason: str | None,
    model: str,
    extras: dict[str, Any] | None,
) -> dict[str, Any]:
    """``response_metadata``: finish reason, model, ids, and whatever else Hunyuan sent
    (``system_fingerprint``, ``search_info``, ``note``, ...)."""
    meta: dict[str, Any] = dict(extras or {})
    meta.update(model_name=reply.model or model, finish_reason=finish_reason)
    if reply.id:
        meta["id"] = reply.id
    if reply.request_id:
        meta["request_id"] = reply.request_id
    meta["model_provider"] = PROVIDER
    return meta


def _chat_result(completion: ChatCompletion, model: str) -> ChatResult:
    usage = usage_metadata(completion.usage) if completion.usage else None
    generations = []
    for choice in completion.choices:
        message = choice.message
        tool_calls, invalid = [], []
        for raw in message.tool_calls or ():
            raw_dict = raw.model_dump(exclude_none=True)
            raw_dict.setdefault("function", {}).setdefault("arguments", "")
            try:
                tool_calls.append(parse_tool_call(raw_dict, return_id=True))
            except Exception as err:  # kept as an invalid tool call
                fn = raw_dict["function"]
                invalid.append(
                    invalid_tool_call(
                        name=fn.get("name"), args=fn.get("arguments"), id=raw.id, error=str(err)
                    )
                )
        additional: dict[str, Any] = {}
        if message.reasoning_content:
            additional["reasoning_content"] = message.reasoning_content
        ai = AIMessage(
            content=message.content or "",
            additional_kwargs=additional,
            tool_calls=[c for c in tool_calls if c is not None],
            invalid_tool_calls=invalid,
            usage_metadata=usage,
            response_metadata=_metadata(
                completion, choice.finish_reason, model, completion.model_extra
            ),
            id=completion.id or None,
        )
        generations.append(ChatGeneration(message=ai))
    llm_output: dict[str, Any] = {"model_name": completion.model or model}
    if completion.usage:
        llm_output["token_usage"] = completion.usage.model_dump()
    return ChatResult(generations=generations, llm_output=llm_output)


class _ChunkConverter:
    """Core chunks -> ``ChatGenerationChunk`` for one stream, doing little per chunk.

    Metadata goes on the chunk that carries ``finish_reason`` and usage on the core's final
    usage chunk (the core reports it once), so that LangChain's chunk addition, which sums
    numbers and concatenates strings, yields exactly the server's figures.
    """

    __slots__ = ("extras", "model")

    def __init__(self, model: str) -> None:
        self.model = model
        self.extras: dict[str, Any] | None = None

    def convert(self, chunk: ChatCompletionChunk) -> ChatGenerationChunk | None:
        if chunk.model_extra:
            self.extras = chunk.model_extra  # e.g. search_info; reported once, at the end
        if not chunk.choices:
            if chunk.usage is None:
                return None
            return ChatGenerationChunk(
                message=AIMessageChunk(
                    content="", usage_metadata=usage_metadata(chunk.usage), chunk_position="last"
                )
            )
        choice = chunk.choices[0]  # LangChain streams one reply
        delta = choice.delta
        tool_chunks: list[ToolCallChunk] = []
        for call in delta.tool_calls or ():
            fn = call.function
            tool_chunks.append(
                tool_call_chunk(
                    name=fn.name if fn else None,
                    args=fn.arguments if fn else None,
                    id=call.id,
                    index=call.index,
                )
            )
        message = AIMessageChunk(
            content=delta.content or "",
            additional_kwargs=(
                {"reasoning_content": delta.reasoning_content} if delta.reasoning_content else {}
            ),
            tool_call_chunks=tool_chunks,
        )
        if choice.finish_reason:
            message.response_metadata = _metadata(
                chunk, choice.finish_reason, self.model, self.extras
            )
        return ChatGenerationChunk(message=message)
