"""The OpenAI-compatible API: Bearer key, ``/chat/completions`` and ``/embeddings``.

Tencent's own endpoint (https://cloud.tencent.com/document/product/1729/111007), gateways that
resell it, and servers of the open weights (vLLM, SGLang) all speak it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

from hunyuan_core._constants import TOKENHUB_BASE_URL
from hunyuan_core.backends.base import (
    Backend,
    ParsedVectors,
    WireRequest,
    dumps,
    is_header_safe,
    load_json,
    malformed_event,
    request_id_of,
)
from hunyuan_core.errors import APIStatusError, AuthenticationError, error_class
from hunyuan_core.models import MAX_EMBEDDING_BATCH
from hunyuan_core.settings import endpoint_kind
from hunyuan_core.types import ChatCompletion, ChatCompletionChunk, EmbeddingResponse

DEFAULT_BASE_URL = TOKENHUB_BASE_URL


@dataclass(slots=True)
class _Vector:
    embedding: list[float]
    index: int = 0


@dataclass(slots=True)
class _Vectors:
    """An embeddings body, lean: one slotted object per vector where a model is three
    objects the garbage collector tracks (instance, ``__dict__``, fields set). A bulk job keeps
    100,000 vectors alive, and that made three times the collections, twice as many of them full
    ones, each a stall of up to 0.5 s in which no request is sent."""

    data: list[_Vector]
    error: Any = None


_VECTORS = TypeAdapter(_Vectors)


class OpenAICompatibleBackend(Backend):
    """Bearer-key auth, ``/chat/completions`` and ``/embeddings`` under ``base_url``."""

    name: ClassVar[str] = "openai-compatible"
    max_embed_batch: ClassVar[int] = MAX_EMBEDDING_BATCH

    def __init__(self, *, api_key: SecretStr | None, base_url: str | None = None) -> None:
        self.api_key = api_key
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        # Tencent's legacy endpoint answers code 1001 to an assistant turn first or last;
        # TokenHub, resellers and open-weight servers decide for themselves.
        self.strict_turn_order = endpoint_kind(self.base_url) == "legacy"

    @property
    def secrets(self) -> list[str]:
        return [self.api_key.get_secret_value()] if self.api_key else []

    def check_credentials(self) -> None:
        if self.api_key is None or not self.api_key.get_secret_value():
            raise AuthenticationError(
                "no Hunyuan API key: set TOKENHUB_API_KEY (or HUNYUAN_API_KEY) or pass "
                "api_key=... (create one in the TokenHub console; a key works in its region only)"
            )
        if not is_header_safe(self.api_key.get_secret_value()):
            # httpx would fail mid-request, echoing the header (and so the key) in its error.
            raise AuthenticationError(
                "the Hunyuan API key contains whitespace, a line break or non-ASCII characters: "
                "copy it again from the console, without quotes or a trailing newline"
            )

    def _headers(self) -> dict[str, str]:
        assert self.api_key is not None
        return {
            "Authorization": f"Bearer {self.api_key.get_secret_value()}",
            "Content-Type": "application/json",
        }

    def chat_request(self, body: dict[str, Any]) -> WireRequest:
        return WireRequest(f"{self.base_url}/chat/completions", self._headers(), dumps(body))

    def embed_request(self, texts: list[str], model: str) -> WireRequest:
        # Hunyuan accepts only these two fields (https://cloud.tencent.com/document/product/1729/111007).
        body = dumps({"input": texts, "model": model})
        return WireRequest(f"{self.base_url}/embeddings", self._headers(), body)

    def parse_chat(self, content: bytes, headers: Mapping[str, str]) -> ChatCompletion:
        completion: ChatCompletion = self._parse(ChatCompletion, content, headers)
        return completion

    def parse_embeddings(self, content: bytes, headers: Mapping[str, str]) -> EmbeddingResponse:
        response: EmbeddingResponse = self._parse(EmbeddingResponse, content, headers)
        return response

    def parse_vectors(self, content: bytes, headers: Mapping[str, str]) -> ParsedVectors:
        try:
            body = _VECTORS.validate_json(content)
        except ValidationError:
            body = None
        if body is None or body.error is not None:  # the checked path raises the right error
            return super().parse_vectors(content, headers)
        return ParsedVectors(
            [item.index for item in body.data],
            [item.embedding for item in body.data],
            request_id_of(headers),
        )

    def parse_chunk(self, data: str, request_id: str | None) -> ChatCompletionChunk:
        try:
            chunk = ChatCompletionChunk.model_validate_json(data)
        except ValidationError as exc:
            raise malformed_event(data, request_id) from exc
        if chunk.error is not None:
            raise self.error_from_body(chunk.error, None, request_id)
        chunk.request_id = request_id
        return chunk

    def _parse(self, cls: Any, content: bytes, headers: Mapping[str, str]) -> Any:
        request_id = request_id_of(headers)
        # Fast path: one pass in pydantic-core, about 2.5x faster than json.loads +
        # model_validate on an embeddings body (200 x 1024 floats). Error bodies and anything
        # malformed take the checked path below, which raises the right error.
        try:
            fast = cls.model_validate_json(content)
        except ValidationError:
            fast = None
        if fast is not None and not isinstance((fast.model_extra or {}).get("error"), dict):
            fast.request_id = request_id
            return fast
        raw = load_json(content, request_id)
        if isinstance(raw, dict) and isinstance(raw.get("error"), dict):
            raise self.error_from_body(raw["error"], None, request_id)
        try:
            obj = cls.model_validate(raw)
        except ValidationError as exc:
            raise APIStatusError(
                f"unexpected response shape from Hunyuan: {exc.errors()[0]['msg']}",
                request_id=request_id,
                body=raw,
            ) from exc
        obj.request_id = request_id
        return obj

    def error_from_response(self, response: httpx.Response, content: bytes) -> APIStatusError:
        return error_from_response(response, content)

    @staticmethod
    def error_from_body(
        error: Mapping[str, Any], status_code: int | None, request_id: str | None
    ) -> APIStatusError:
        return error_from_body(error, status_code, request_id)


def error_from_response(response: httpx.Response, content: bytes) -> APIStatusError:
    """Map an error status and its ``{"error": {...}}`` body (or any body) to a typed error."""
    request_id = request_id_of(response.headers)
    error: Any = None
    try:
        raw = json.loads(content)
        error = raw.get("error") if isinstance(raw, dict) else None
    except ValueError:
        pass
    if not isinstance(error, dict):
        text = content.decode("utf-8", "replace")[:500] or response.reason_phrase
        error = {"message": text}
    return error_from_body(error, response.status_code, request_id)


def error_from_body(
    error: Mapping[str, Any], status_code: int | None, request_id: str | None
) -> APIStatusError:
    """The typed error for an OpenAI-style error object (``message``, ``code``, ``type``)."""
    code = error.get("code")
    code = str(code) if code is not None else None
    message = str(error.get("message") or "Hunyuan returned an error")
    cls = error_class(status_code, code)
    if cls is AuthenticationError and "API_KEY" not in message:
        message += ": check the API key (api_key=..., TOKENHUB_API_KEY or HUNYUAN_API_KEY)"
    # TokenHub sends no request-id header: its id is in the error body (the legacy endpoint's,
    # in error.id).
    body_id = error.get("request_id") or error.get("id")
    return cls(
        message,
        status_code=status_code,
        code=code,
        error_type=error.get("type"),
        request_id=request_id or (str(body_id) if body_id else None),
        body=dict(error),
    )
