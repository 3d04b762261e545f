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
from langchain_core.utils import from_env, secret_from_env
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from langchain_core.utils.utils import _build_model_kwargs, get_pydantic_field_names
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, model_validator
from typing_extensions import Self

from hunyuan_core import (
    DEFAULT_CHAT_MODEL,
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    HunyuanClient,
    Usage,
    concurrency,
    model_info,
)
from hunyuan_core.backend import OpenAICompatibleBackend
from hunyuan_core.client import DEFAULT_TIMEOUT, make_backend

PROVIDER = "hunyuan"


class ChatHunyuan(BaseChatModel):
    """Tencent Hunyuan chat models (``hunyuan-turbos-latest``, ``hunyuan-t1-latest``, vision...).

    Setup: ``pip install 'hunyuan-integrations[langchain]'`` and ``export HUNYUAN_API_KEY=sk-...``
    (or pass ``api_key``). Any OpenAI-compatible gateway that resells Hunyuan works through
    ``base_url`` / ``HUNYUAN_BASE_URL``; Tencent Cloud ``secret_id``/``secret_key`` select the
    native API instead.

    ```python
    from langchain_hunyuan import ChatHunyuan

    model = ChatHunyuan(model="hunyuan-turbos-latest", temperature=0)
    model.invoke("你好").content
    for chunk in model.stream("你好"):
        print(chunk.text, end="")
    ```

    What the core already gets right and this class relies on: ``stop`` strings are cut from
    the reply (Hunyuan keeps them), streamed usage is reported once on the last chunk (Hunyuan
    repeats the running total on every chunk), tool-call deltas carry ``index``, and message
    lists are merged/validated before sending (``HunyuanInputError`` says what to fix).
    """

    model_name: str = Field(default=DEFAULT_CHAT_MODEL, alias="model")
    """Model name, e.g. ``hunyuan-turbos-latest``, ``hunyuan-t1-latest``, ``hunyuan-vision``."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("HUNYUAN_API_KEY", default=None),
        alias="hunyuan_api_key",
    )
    """API key for the OpenAI-compatible endpoint; defaults to ``HUNYUAN_API_KEY``."""
    base_url: str | None = Field(
        default_factory=from_env("HUNYUAN_BASE_URL", default=None), alias="hunyuan_base_url"
    )
    """Endpoint; defaults to ``HUNYUAN_BASE_URL`` or Tencent's ``api.hunyuan.cloud.tencent.com``."""
    secret_id: SecretStr | None = Field(
        default_factory=secret_from_env("TENCENTCLOUD_SECRET_ID", default=None)
    )
    """Tencent Cloud SecretId (native API, used when no API key is set)."""
    secret_key: SecretStr | None = Field(
        default_factory=secret_from_env("TENCENTCLOUD_SECRET_KEY", default=None)
    )
    """Tencent Cloud SecretKey (native API)."""
    region: str | None = None
    """Tencent Cloud region for the native API."""
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    stop: list[str] | None = None
    """Stop strings; cut from the reply (Hunyuan itself would keep them)."""
    seed: int | None = None
    timeout: float | None = DEFAULT_TIMEOUT
    """Read timeout in seconds (connect timeout is 5 s)."""
    max_retries: int = 2
    """Retries on connection errors, 429 and 5xx, with backoff; never once a stream has begun."""
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
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        info = model_info(self.model_name)
        return ModelProfile(
            # Tencent quotes context as input + output: the input may use what output leaves.
            max_input_tokens=info.context_window - info.max_output_tokens,
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
            structured_output=False,
        )

    # --- the core client ----------------------------------------------------------------

    def _backend(self) -> OpenAICompatibleBackend:
        """The API the credentials select (``ChatYuanqi`` selects Yuanqi's)."""
        return make_backend(
            api_key=self.api_key,
            base_url=self.base_url,
            secret_id=self.secret_id,
            secret_key=self.secret_key,
            region=self.region,
        )

    @property
    def client(self) -> HunyuanClient:
        """The core client, built on first use and kept for this instance."""
        if self._client is None:
            self._client = HunyuanClient(
                backend=self._backend(),
                timeout=self.timeout,
                max_retries=self.max_retries,
                raise_on_sensitive=self.raise_on_sensitive,
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
    ) -> ChatRequest:
        kwargs.pop("stream", None)
        stream_usage = kwargs.pop("stream_usage", self.stream_usage)
        body: dict[str, Any] = {
            "model": self.model_name,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "stop": stop or self.stop or None,
            "seed": self.seed,
            "enable_enhancement": self.enable_enhancement,
            "enable_speed_search": self.enable_speed_search,
            **self.model_kwargs,
            **(self.extra_body or {}),
            **kwargs,
        }
        if stream and stream_usage and "stream_options" not in body:
            body["stream_options"] = {"include_usage": True}
        return ChatRequest(messages=[message_to_dict(m) for m in messages], stream=stream, **body)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request = self._request(messages, stop, False, kwargs)
        return _chat_result(self.client.chat(request), request.model)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request = self._request(messages, stop, False, kwargs)
        return _chat_result(await self.client.achat(request), request.model)

    def _chunk_converter(self, model: str) -> _ChunkConverter:
        """The converter for one stream's chunks (``ChatYuanqi`` adds agent steps to it)."""
        return _ChunkConverter(model)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # BaseChatModel reports each chunk to the callbacks itself.
        request = self._request(messages, stop, True, kwargs)
        converter = self._chunk_converter(request.model)
        for chunk in self.client.stream_chat(request):
            generation = converter.convert(chunk)
            if generation is not None:
                yield generation

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        request = self._request(messages, stop, True, kwargs)
        converter = self._chunk_converter(request.model)
        async for chunk in self.client.astream_chat(request):
            generation = converter.convert(chunk)
            if generation is not None:
                yield generation

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
        if tool_choice is not None and tool_choice is not False:
            names = [t["function"]["name"] for t in formatted if "function" in t]
            kwargs["tool_choice"] = _tool_choice(tool_choice, names)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["function_calling", "json_mode", "json_schema"] = "function_calling",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Replies parsed into ``schema`` (a Pydantic class, TypedDict, or JSON/OpenAI schema).

        ``method``: ``"function_calling"`` (default; the schema becomes a forced tool),
        ``"json_mode"`` (``response_format={"type": "json_object"}``: say in the prompt which
        keys you want), or ``"json_schema"``, which Hunyuan does not document: it is served
        with function calling, which it does. ``include_raw=True`` returns
        ``{"raw", "parsed", "parsing_error"}`` instead of raising on a parsing error.
        """
        if kwargs:
            raise ValueError(f"unexpected arguments: {sorted(kwargs)}")
        is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
        llm: Runnable[LanguageModelInput, Any]
        if method == "json_mode":
            llm = self.bind(
                response_format={"type": "json_object"},
                ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
            )
            parser: Runnable[Any, Any] = (
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
    ``langchain_core``'s ``convert_to_openai_messages``. Assistant history is sent as text and
    ``tool_calls`` (reasoning is not sent back); a tool result as text.
    """
    content = message.content
    if isinstance(message, AIMessage):
        out: dict[str, Any] = {"role": "assistant", "content": _text_of(content)}
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


def _tool_text(content: list[Any]) -> str:
    if all(
        isinstance(b, str) or (isinstance(b, dict) and b.get("type") == "text") for b in content
    ):
        return _text_of(content)
    return json.dumps(content, ensure_ascii=False)


def _tool_choice(choice: dict[str, Any] | str | bool, names: list[str]) -> dict[str, Any] | str:
    """LangChain's ``tool_choice`` in the form Hunyuan takes (see ``ChatHunyuan.bind_tools``)."""
    if isinstance(choice, dict):
        return choice
    if choice is True or choice in ("any", "required"):
        if len(names) == 1:
            return {"type": "function", "function": {"name": names[0]}}
        return "required"
    if isinstance(choice, str):
        if choice in ("auto", "none"):
            return choice
        if choice in names:
            return {"type": "function", "function": {"name": choice}}
    raise ValueError(
        f"tool_choice {choice!r} is not 'auto', 'none', 'any', 'required' or one of the bound "
        f"tools {names}"
    )


# --- core replies -> LangChain messages -----------------------------------------------------


def usage_metadata(usage: Usage) -> UsageMetadata:
    """LangChain's usage from Hunyuan's (cache and reasoning details when the server sends them)."""
    result = UsageMetadata(
        input_tokens=usage.prompt_tokens,
        output_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens or usage.prompt_tokens + usage.completion_tokens,
    )
    extra = usage.model_extra
    if extra:
        cached = (extra.get("prompt_tokens_details") or {}).get("cached_tokens")
        if cached is not None:
            result["input_token_details"] = InputTokenDetails(cache_read=cached)
        reasoning = (extra.get("completion_tokens_details") or {}).get("reasoning_tokens")
        if reasoning is not None:
            result["output_token_details"] = OutputTokenDetails(reasoning=reasoning)
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
