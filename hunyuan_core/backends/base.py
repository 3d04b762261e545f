"""The interface every backend implements: one API's wire format, nothing else.

A backend turns the core's OpenAI-shaped request bodies into HTTP requests and HTTP replies
back into the core's typed objects (:mod:`hunyuan_core.types`). It sends nothing itself: the
client owns connections, retries, deadlines, streams and Hunyuan's reply rules, so a backend
is pure functions of its input. To add an API, write one module with a :class:`Backend`
subclass and register it in :mod:`hunyuan_core.backends`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

import httpx

from hunyuan_core.errors import APIStatusError, HunyuanInputError, StreamError
from hunyuan_core.types import ChatCompletion, ChatCompletionChunk, EmbeddingResponse

_REQUEST_ID_HEADERS = ("x-request-id", "x-tc-requestid", "request-id", "x-trace-id")


class WireRequest(NamedTuple):
    """One HTTP POST, ready to send: built anew for every attempt, so signatures stay fresh."""

    url: str
    headers: dict[str, str]
    content: bytes


class ParsedVectors(NamedTuple):
    """An embeddings reply as parallel lists: ``vectors[i]`` is the input at ``indexes[i]``."""

    indexes: list[int]
    vectors: list[list[float]]
    request_id: str | None


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The request id a response's headers carry, if any (Tencent Cloud: ``X-TC-RequestId``)."""
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def is_header_safe(value: str) -> bool:
    """Printable ASCII without spaces: what can go into an HTTP header unchanged."""
    return all("!" <= ch <= "~" for ch in value)


def dumps(body: Any) -> bytes:
    """Compact JSON with raw non-ASCII, as Hunyuan's own examples send it. What is not strict
    JSON (``NaN``, a lone surrogate, an object) is a :class:`HunyuanInputError` naming it; the
    core checks bodies before this, so this is the last line for what a backend adds."""
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode()
    except (ValueError, TypeError, RecursionError) as exc:
        from hunyuan_core.quirks.inputs import check_json

        check_json(body, "the request body")  # raises, naming where
        raise HunyuanInputError(f"the request body cannot be sent as JSON: {exc}") from None


def load_json(content: bytes | str, request_id: str | None) -> Any:
    """A reply body's JSON, or the typed error for a body that is not JSON (a proxy's HTML)."""
    try:
        return json.loads(content)
    except ValueError as exc:
        raise APIStatusError(
            f"Hunyuan sent a body that is not JSON: {content[:200]!r}", request_id=request_id
        ) from exc


def malformed_event(data: str, request_id: str | None) -> StreamError:
    """The error for a stream event that is not what the API sends."""
    return StreamError(
        f"malformed stream event from Hunyuan: {data[:200]!r}", request_id=request_id
    )


class Backend(ABC):
    """One API's wire format. Every method is called by the client; none does I/O."""

    #: A short name for logs and ``repr`` (``"openai-compatible"``, ``"tencentcloud-native"``).
    name: ClassVar[str]
    #: The most texts one embeddings request may carry on this API.
    max_embed_batch: ClassVar[int]
    #: Whether the API takes an assistant turn's ``reasoning_content`` back in the history
    #: (TokenHub asks for it in tool loops; Tencent Cloud's native API rejects it).
    accepts_reasoning_history: ClassVar[bool] = True
    #: Whether the API refuses a history that starts (after the system message) or ends with
    #: an assistant turn, so that the core refuses it first, saying what to change (Tencent
    #: Cloud's native API and the legacy endpoint: "start with user, end with user or tool").
    #: A backend may set it per instance (a server behind a base URL may be either kind).
    strict_turn_order: bool = False

    #: The endpoint requests go to, without a trailing slash.
    base_url: str

    @property
    @abstractmethod
    def secrets(self) -> list[str]:
        """Every secret value this backend holds, so that the client can scrub them from any
        text it surfaces (error messages, echoed bodies, headers)."""

    @abstractmethod
    def check_credentials(self) -> None:
        """Raise :class:`~hunyuan_core.errors.AuthenticationError` before any request when the
        credentials are missing or cannot be sent (whitespace, non-ASCII)."""

    @abstractmethod
    def chat_request(self, body: dict[str, Any]) -> WireRequest:
        """The HTTP request for an OpenAI-shaped chat body (``stream`` set when streaming)."""

    @abstractmethod
    def embed_request(self, texts: list[str], model: str) -> WireRequest:
        """The HTTP request embedding ``texts`` (at most :attr:`max_embed_batch`)."""

    @abstractmethod
    def parse_chat(self, content: bytes, headers: Mapping[str, str]) -> ChatCompletion:
        """A whole 2xx reply as a completion, or raise the typed error the body holds."""

    @abstractmethod
    def parse_chunk(self, data: str, request_id: str | None) -> ChatCompletionChunk:
        """One stream event's ``data`` as a chunk, or raise the typed error it holds
        (:class:`~hunyuan_core.errors.StreamError` when it is malformed)."""

    @abstractmethod
    def parse_embeddings(self, content: bytes, headers: Mapping[str, str]) -> EmbeddingResponse:
        """A 2xx embeddings reply, or raise the typed error the body holds."""

    def parse_vectors(self, content: bytes, headers: Mapping[str, str]) -> ParsedVectors:
        """A 2xx embeddings reply as its indexes and vectors, for the bulk path, which a
        backend may parse without a model object per vector."""
        parsed = self.parse_embeddings(content, headers)
        return ParsedVectors(
            [item.index for item in parsed.data],
            [item.embedding for item in parsed.data],
            parsed.request_id,
        )

    @abstractmethod
    def error_from_response(self, response: httpx.Response, content: bytes) -> APIStatusError:
        """The typed error for a reply with an error status (``content`` is its body)."""

    def is_error_body(self, content: bytes) -> bool:
        """Whether a whole 2xx body is really an error (APIs that answer errors with HTTP 200
        say so here; the client then retries or raises through :meth:`parse_chat`)."""
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"
