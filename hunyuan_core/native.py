"""The Tencent Cloud native Hunyuan API (``hunyuan.tencentcloudapi.com``, Version 2023-09-01).

Selected by Tencent Cloud ``secret_id``/``secret_key`` instead of an API key (see
:func:`hunyuan_core.client.make_backend`). Requests are TC3-HMAC-SHA256 signed (a fresh timestamp
per attempt); the OpenAI-shaped body the client builds is translated to the ``ChatCompletions``
and ``GetEmbedding`` actions, and their PascalCase replies back to the core's types, so retries,
streaming, stop trimming and the moderation signal work as on the OpenAI-compatible API.

Field names follow ``tencentcloud/hunyuan/v20230901/models.py`` in Tencent's Python SDK.
What differs from the OpenAI-compatible API:

- errors come as HTTP 200 with ``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}``;
- a stream is ``data:`` events without ``[DONE]``; it ends after the ``FinishReason`` chunk;
- ``ToolChoice`` is none/auto/custom (+ ``CustomTool``): ``"required"`` works only with one tool;
- there is no ``max_tokens`` nor ``response_format``: they are dropped with a warning;
- ``GetEmbedding`` takes at most 50 texts (``InputList``) and has no model parameter.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import ConfigDict, Field, SecretStr

from hunyuan_core import tc3
from hunyuan_core.backend import OpenAICompatibleBackend, _is_header_safe, dumps, request_id_of
from hunyuan_core.errors import (
    APIStatusError,
    AuthenticationError,
    HunyuanError,
    HunyuanInputError,
    InternalServerError,
    StreamError,
    error_class,
)
from hunyuan_core.sse import iter_sse_data
from hunyuan_core.types import (
    ChatCompletion,
    ChatCompletionChunk,
    EmbeddingResponse,
    _Wire,
)

if TYPE_CHECKING:
    from hunyuan_core.client import HunyuanClient

logger = logging.getLogger("hunyuan_core")

HOST = "hunyuan.tencentcloudapi.com"
SERVICE = "hunyuan"
VERSION = "2023-09-01"
DEFAULT_REGION = "ap-guangzhou"
#: GetEmbedding's ``InputList`` holds at most 50 texts (SDK models.py).
MAX_NATIVE_EMBEDDING_BATCH = 50
ENDPOINT_ENV = "TENCENTCLOUD_HUNYUAN_ENDPOINT"
REGION_ENV = "TENCENTCLOUD_REGION"

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


def native_message(message: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Role": message["role"], **_native_content(message.get("content"))}
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
    if message.get("reasoning_content"):
        out["ReasoningContent"] = message["reasoning_content"]
    return out


def _native_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    fn = tool.get("function") or {}
    out = {"Name": fn.get("name"), "Parameters": json.dumps(fn.get("parameters") or {})}
    if fn.get("description"):
        out["Description"] = fn["description"]
    return {"Type": tool.get("type", "function"), "Function": out}


def _tool_choice(choice: Any, tools: list[dict[str, Any]]) -> dict[str, Any]:
    if choice in ("none", "auto"):
        return {"ToolChoice": choice}
    if choice == "required":
        if len(tools) != 1:
            raise HunyuanInputError(
                "tool_choice='required' with several tools: the native Hunyuan API can force one "
                "named tool only (ToolChoice custom); name the tool, or use an API key"
            )
        return {"ToolChoice": "custom", "CustomTool": tools[0]}
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        for tool in tools:
            if tool["Function"]["Name"] == name:
                return {"ToolChoice": "custom", "CustomTool": tool}
        raise HunyuanInputError(f"tool_choice names {name!r}, which is not among the tools")
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


def _usage(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    usage = {_snake(k): v for k, v in raw.items()}
    usage.setdefault("completion_tokens", 0)
    return usage


def _tool_calls(raw: list[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    if not raw:
        return None
    calls = []
    for call in raw:
        fn = call.get("Function") or {}
        out: dict[str, Any] = {
            "id": call.get("Id"),
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


# --- the backend ---------------------------------------------------------------------------


class NativeBackend(OpenAICompatibleBackend):
    """TC3-signed ``ChatCompletions`` / ``GetEmbedding`` on ``hunyuan.tencentcloudapi.com``.

    ``region`` defaults to ``TENCENTCLOUD_REGION`` or ap-guangzhou; ``endpoint`` (a full URL,
    default ``TENCENTCLOUD_HUNYUAN_ENDPOINT`` or ``https://hunyuan.tencentcloudapi.com``) is for
    proxies and tests.
    """

    name = "tencentcloud-native"
    max_embed_batch = MAX_NATIVE_EMBEDDING_BATCH

    def __init__(
        self,
        *,
        secret_id: SecretStr,
        secret_key: SecretStr,
        region: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(
            api_key=None, base_url=endpoint or os.environ.get(ENDPOINT_ENV) or f"https://{HOST}"
        )
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.region = region or os.environ.get(REGION_ENV) or DEFAULT_REGION
        self.host = httpx.URL(self.base_url).netloc.decode()
        #: Seconds since the epoch for ``X-TC-Timestamp`` (injectable for tests).
        self.clock: Callable[[], float] = time.time

    @property
    def secrets(self) -> list[str]:
        return [s.get_secret_value() for s in (self.secret_id, self.secret_key)]

    def check_credentials(self) -> None:
        if not self.secret_id.get_secret_value() or not self.secret_key.get_secret_value():
            raise AuthenticationError(
                "no Tencent Cloud credentials: set TENCENTCLOUD_SECRET_ID and "
                "TENCENTCLOUD_SECRET_KEY or pass secret_id=... and secret_key=..."
            )
        if not _is_header_safe(self.secret_id.get_secret_value()):
            # it goes into the Authorization header; httpx would echo it in its error
            raise AuthenticationError(
                "the Tencent Cloud SecretId contains whitespace or non-ASCII characters: "
                "copy it again from the console, without quotes or a trailing newline"
            )

    def request(self, action: str, params: Mapping[str, Any]) -> tuple[str, dict[str, str], bytes]:
        """``(url, headers, content)`` for one signed call of ``action``."""
        content = dumps(params)
        headers = tc3.signed_headers(
            secret_id=self.secret_id.get_secret_value(),
            secret_key=self.secret_key.get_secret_value(),
            service=SERVICE,
            host=self.host,
            action=action,
            version=VERSION,
            payload=content,
            region=self.region,
            timestamp=int(self.clock()),
        )
        del headers["Host"]  # httpx sends it from the URL
        return f"{self.base_url}/", headers, content

    def chat_request(self, body: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
        return self.request("ChatCompletions", chat_params(body))

    def embed_request(self, texts: list[str], model: str) -> tuple[str, dict[str, str], bytes]:
        # GetEmbedding has no model parameter: it is always hunyuan-embedding.
        return self.request("GetEmbedding", {"InputList": texts})

    # --- responses ----------------------------------------------------------------------

    def _response(self, content: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """The ``Response`` object of a reply, or the typed error it holds."""
        request_id = request_id_of(headers)
        try:
            raw = json.loads(content)
        except ValueError as exc:
            raise APIStatusError(
                f"Hunyuan sent a body that is not JSON: {content[:200]!r}", request_id=request_id
            ) from exc
        response = raw.get("Response") if isinstance(raw, dict) else None
        if not isinstance(response, dict):
            raise APIStatusError(
                "unexpected response shape from Hunyuan: no Response object",
                request_id=request_id,
                body=raw,
            )
        if isinstance(response.get("Error"), dict):
            raise self.native_error(response, None, request_id)
        response.setdefault("RequestId", request_id)
        return response

    def parse_chat(self, content: bytes, headers: Mapping[str, str]) -> ChatCompletion:
        response = self._response(content, headers)
        completion = ChatCompletion.model_validate(completion_from_native(response))
        completion.request_id = response.get("RequestId")
        return completion

    def parse_embeddings(self, content: bytes, headers: Mapping[str, str]) -> EmbeddingResponse:
        response = self._response(content, headers)
        parsed = EmbeddingResponse.model_validate(embeddings_from_native(response))
        parsed.request_id = response.get("RequestId")
        return parsed

    def parse_chunk(self, data: str, request_id: str | None) -> ChatCompletionChunk:
        try:
            raw = json.loads(data)
        except ValueError as exc:
            raise StreamError(
                f"malformed stream event from Hunyuan: {data[:200]!r}", request_id=request_id
            ) from exc
        if not isinstance(raw, dict):
            raise StreamError(f"malformed stream event: {data[:200]!r}", request_id=request_id)
        if isinstance(raw.get("Response"), dict):  # an error object sent as an event
            self._response(data.encode(), {"x-tc-requestid": request_id or ""})
        error = raw.get("ErrorMsg")
        if isinstance(error, dict) and (error.get("Code") or error.get("Msg")):
            # 4000: engine error, 4001: model timed out (SDK models.py ErrorMsg).
            raise InternalServerError(
                str(error.get("Msg") or "Hunyuan failed mid-stream"),
                code=str(error.get("Code")),
                request_id=request_id,
                body=error,
            )
        chunk = ChatCompletionChunk.model_validate(chunk_from_native(raw))
        chunk.request_id = request_id
        return chunk

    def error_from_response(self, response: httpx.Response, content: bytes) -> APIStatusError:
        request_id = request_id_of(response.headers)
        try:
            raw = json.loads(content)
        except ValueError:
            raw = None
        native = raw.get("Response") if isinstance(raw, dict) else None
        if isinstance(native, dict) and isinstance(native.get("Error"), dict):
            status = response.status_code if response.status_code >= 400 else None
            return self.native_error(native, status, request_id)
        return super().error_from_response(response, content)

    def is_error_body(self, content: bytes) -> bool:
        """Errors come with HTTP 200: ``{"Response": {"Error": {...}}}``."""
        return b'"Error"' in content[:4096] and _has_error(content)

    @staticmethod
    def native_error(
        response: Mapping[str, Any], status_code: int | None, request_id: str | None
    ) -> APIStatusError:
        error = response["Error"]
        code = str(error.get("Code") or "") or None
        message = str(error.get("Message") or "Hunyuan returned an error")
        cls = error_class(status_code, code)
        if cls is AuthenticationError:
            message += (
                ": check TENCENTCLOUD_SECRET_ID/TENCENTCLOUD_SECRET_KEY (or secret_id/secret_key)"
            )
        return cls(
            message,
            status_code=status_code,
            code=code,
            request_id=response.get("RequestId") or request_id,
            body=dict(error),
        )


def _has_error(content: bytes) -> bool:
    try:
        raw = json.loads(content)
    except ValueError:
        return False
    response = raw.get("Response") if isinstance(raw, dict) else None
    return isinstance(response, dict) and isinstance(response.get("Error"), dict)


# --- thread runs (seed 002) ----------------------------------------------------------------


class ThreadRun(_Wire):
    """A ``thread.run`` object from ``RunThread``; fields not named here stay in ``model_extra``
    under their wire names (``ExpiresAt``, ``TruncationStrategy``, ...)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: str = Field("", alias="ID")
    object: str = Field("thread.run", alias="Object")
    created_at: int = Field(0, alias="CreatedAt")
    thread_id: str = Field("", alias="ThreadID")
    assistant_id: str = Field("", alias="AssistantID")
    status: str = Field("", alias="Status")
    model: str = Field("", alias="Model")
    usage: dict[str, Any] | None = Field(None, alias="Usage")
    last_error: Any = Field(None, alias="LastError")
    required_action: Any = Field(None, alias="RequiredAction")
    #: The other events of a streamed run (messages, deltas), in order.
    events: list[dict[str, Any]] = Field(default_factory=list)
    request_id: str | None = None


def _run_events(response: httpx.Response) -> Iterator[dict[str, Any]]:
    if "json" in response.headers.get("content-type", ""):
        raw = json.loads(response.read())
        yield raw.get("Response", raw) if isinstance(raw, dict) else {}
        return
    for data in iter_sse_data(response.iter_lines()):
        if data == "[DONE]":
            return
        event = json.loads(data)
        if isinstance(event, dict):
            yield event


def run_thread(
    client: HunyuanClient,
    thread_id: str,
    *,
    messages: list[dict[str, Any]] | None = None,
    model: str | None = None,
    assistant_id: str | None = None,
    **params: Any,
) -> ThreadRun:
    """Run a thread (``RunThread``, seed 002) and return the run as it last reported itself.

    ``messages`` are OpenAI-shaped ``{"role", "content"}`` dicts sent as ``AdditionalMessages``;
    other keyword arguments (``temperature``, ``tools``, ...) are translated as for chat.
    The run streams (the API allows only ``Stream: true``); events that are not the run object
    itself are kept in :attr:`ThreadRun.events`.
    """
    backend = client.backend
    if not isinstance(backend, NativeBackend):
        raise HunyuanInputError(
            "RunThread is a native API action: create the client with secret_id/secret_key"
        )
    backend.check_credentials()
    body: dict[str, Any] = {"ThreadID": thread_id, "Stream": True, **chat_params(params)}
    if model:
        body["Model"] = model
    if assistant_id:
        body["AssistantID"] = assistant_id
    if messages:
        body["AdditionalMessages"] = [
            {"Role": m["role"], "Content": m.get("content") or ""} for m in messages
        ]
    response = client._send("run_thread", lambda: backend.request("RunThread", body), stream=True)
    request_id = request_id_of(response.headers)
    run: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    try:
        for event in _run_events(response):
            if isinstance(event.get("Error"), dict):
                raise backend.native_error(event, None, request_id)
            if str(event.get("Object", "")).startswith("thread.run") and ".step" not in str(
                event.get("Object")
            ):
                run = event
            else:
                events.append(event)
    except HunyuanError as err:
        raise client._scrub(err) from None
    except ValueError as exc:
        raise StreamError("malformed RunThread event", request_id=request_id) from exc
    finally:
        response.close()
    if not run:
        raise StreamError("RunThread ended without a thread.run object", request_id=request_id)
    result = ThreadRun.model_validate(run)
    result.events = events
    result.request_id = request_id
    return result


__all__ = [
    "HOST",
    "SERVICE",
    "VERSION",
    "NativeBackend",
    "ThreadRun",
    "chat_params",
    "run_thread",
]
