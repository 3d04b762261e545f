"""Tencent Cloud's native Hunyuan API (``hunyuan.tencentcloudapi.com``, Version 2023-09-01).

Selected by Tencent Cloud ``secret_id``/``secret_key`` instead of an API key (see
:mod:`hunyuan_core.settings`). Requests are TC3-HMAC-SHA256 signed (a fresh timestamp per
attempt; temporary credentials add ``X-TC-Token``); the OpenAI-shaped body the client builds is
translated to the ``ChatCompletions`` and ``GetEmbedding`` actions (:mod:`.convert`), and their
PascalCase replies back to the core's types, so retries, streaming, stop trimming and the
moderation signal work as on the OpenAI-compatible API.

API overview: https://cloud.tencent.com/document/product/1729/101848 ; field names follow
Tencent's Python SDK:
https://github.com/TencentCloud/tencentcloud-sdk-python/blob/master/tencentcloud/hunyuan/v20230901/models.py
What differs from the OpenAI-compatible API:

- errors come as HTTP 200 with ``{"Response": {"Error": {"Code", "Message"}, "RequestId"}}``;
- a stream is ``data:`` events without ``[DONE]``; it ends after the ``FinishReason`` chunk;
- ``ToolChoice`` is none/auto/custom (+ ``CustomTool``);
- there is no ``max_tokens`` nor ``response_format``: they are dropped with a warning;
- ``GetEmbedding`` takes at most 50 texts (``InputList``) and has no model parameter;
- an assistant turn's ``ReasoningContent`` must not be sent back.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr

from hunyuan_core.backends import openai_compatible
from hunyuan_core.backends.base import (
    Backend,
    WireRequest,
    dumps,
    is_header_safe,
    load_json,
    malformed_event,
    request_id_of,
)
from hunyuan_core.backends.tencentcloud import tc3
from hunyuan_core.backends.tencentcloud.convert import (
    chat_params,
    chunk_from_native,
    completion_from_native,
    embeddings_from_native,
    token_count_from_native,
)
from hunyuan_core.errors import (
    APIStatusError,
    AuthenticationError,
    InternalServerError,
    error_class,
)
from hunyuan_core.types import ChatCompletion, ChatCompletionChunk, EmbeddingResponse

HOST = "hunyuan.tencentcloudapi.com"
SERVICE = "hunyuan"
VERSION = "2023-09-01"
DEFAULT_REGION = "ap-guangzhou"
#: GetEmbedding's ``InputList`` holds at most 50 texts (SDK models.py).
MAX_NATIVE_EMBEDDING_BATCH = 50


class NativeBackend(Backend):
    """TC3-signed ``ChatCompletions`` / ``GetEmbedding`` on ``hunyuan.tencentcloudapi.com``.

    ``region`` defaults to ap-guangzhou; ``endpoint`` (a full URL, default
    ``https://hunyuan.tencentcloudapi.com``) is for proxies and tests; ``token`` is the session
    token of temporary (STS) credentials.
    """

    name: ClassVar[str] = "tencentcloud-native"
    max_embed_batch: ClassVar[int] = MAX_NATIVE_EMBEDDING_BATCH
    accepts_reasoning_history: ClassVar[bool] = False
    #: "Messages start with user and end with user or tool" (ChatCompletions, SDK models.py).
    strict_turn_order = True

    def __init__(
        self,
        *,
        secret_id: SecretStr | None,
        secret_key: SecretStr | None,
        token: SecretStr | None = None,
        region: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        self.base_url = (endpoint or f"https://{HOST}").rstrip("/")
        self.secret_id = secret_id or SecretStr("")
        self.secret_key = secret_key or SecretStr("")
        self.token = token
        self.region = region or DEFAULT_REGION
        self.host = httpx.URL(self.base_url).netloc.decode()
        #: Seconds since the epoch for ``X-TC-Timestamp`` (injectable for tests).
        self.clock: Callable[[], float] = time.time

    @property
    def secrets(self) -> list[str]:
        held = (self.secret_id, self.secret_key, self.token)
        return [s.get_secret_value() for s in held if s is not None and s.get_secret_value()]

    def check_credentials(self) -> None:
        if not self.secret_id.get_secret_value() or not self.secret_key.get_secret_value():
            raise AuthenticationError(
                "no Tencent Cloud credentials: set TENCENTCLOUD_SECRET_ID and "
                "TENCENTCLOUD_SECRET_KEY or pass secret_id=... and secret_key=..."
            )
        if not is_header_safe(self.secret_id.get_secret_value()):
            # it goes into the Authorization header; httpx would echo it in its error
            raise AuthenticationError(
                "the Tencent Cloud SecretId contains whitespace or non-ASCII characters: "
                "copy it again from the console, without quotes or a trailing newline"
            )

    def request(self, action: str, params: Mapping[str, Any]) -> WireRequest:
        """One signed call of ``action``."""
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
            token=self.token.get_secret_value() if self.token is not None else None,
        )
        del headers["Host"]  # httpx sends it from the URL
        return WireRequest(f"{self.base_url}/", headers, content)

    def chat_request(self, body: dict[str, Any]) -> WireRequest:
        return self.request("ChatCompletions", chat_params(body))

    def embed_request(self, texts: list[str], model: str) -> WireRequest:
        # GetEmbedding has no model parameter: it is always hunyuan-embedding.
        return self.request("GetEmbedding", {"InputList": texts})

    # --- responses ----------------------------------------------------------------------

    def _response(self, content: bytes, headers: Mapping[str, str]) -> dict[str, Any]:
        """The ``Response`` object of a reply, or the typed error it holds."""
        request_id = request_id_of(headers)
        raw = load_json(content, request_id)
        response = raw.get("Response") if isinstance(raw, dict) else None
        if response is None and isinstance(raw, dict) and ("Choices" in raw or "Data" in raw):
            response = raw  # published once without its wrapper (tccli ChatCompletions.md)
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

    def parse_token_count(self, content: bytes, headers: Mapping[str, str]) -> int:
        """A ``GetTokenCount`` reply's token count, or the typed error it holds."""
        response = self._response(content, headers)
        try:
            return token_count_from_native(response)
        except ValueError as exc:
            raise APIStatusError(str(exc), request_id=response.get("RequestId")) from None

    def parse_chunk(self, data: str, request_id: str | None) -> ChatCompletionChunk:
        try:
            raw = json.loads(data)
        except ValueError as exc:
            raise malformed_event(data, request_id) from exc
        if not isinstance(raw, dict):
            raise malformed_event(data, request_id)
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
        return openai_compatible.error_from_response(response, content)

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
