"""Typed errors. Every error the core raises is a :class:`HunyuanError`; none carries the key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class HunyuanError(Exception):
    """Base class: the server's message plus what identifies the failed call."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        error_type: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.error_type = error_type
        self.request_id = request_id
        self.body = body
        #: The error response's headers (``retry-after``, request ids), when there was one.
        self.headers: dict[str, str] = {}

    def __str__(self) -> str:
        parts = [f"status {self.status_code}" if self.status_code is not None else ""]
        parts += [
            f"code {self.code}" if self.code else "",
            f"request id {self.request_id}" if self.request_id else "",
        ]
        detail = ", ".join(p for p in parts if p)
        return f"{self.message} ({detail})" if detail else self.message


class HunyuanInputError(HunyuanError, ValueError):
    """The request is wrong before it is sent: the message says what to change."""


class APIStatusError(HunyuanError):
    """The server answered with an error status or an error object."""


class BadRequestError(APIStatusError):
    """400/404/422 or ``InvalidParameter*``: the request was rejected as malformed."""


class AuthenticationError(APIStatusError):
    """401, ``AuthFailure.*`` or a missing key: check ``HUNYUAN_API_KEY``."""


class PermissionDeniedError(APIStatusError):
    """403 or a service not activated / stopped / out of quota for this account."""


class RateLimitError(APIStatusError):
    """429 or an engine/quota limit: retried with backoff, raised when retries run out."""


class InternalServerError(APIStatusError):
    """5xx or an engine error on Hunyuan's side."""


class APIConnectionError(HunyuanError):
    """The connection failed (refused, reset, DNS) before or while reading a response."""


class APITimeoutError(APIConnectionError):
    """Connect or read timed out."""


class StreamError(HunyuanError):
    """A stream broke its contract: malformed event, or ended before ``[DONE]``."""


class ContentModerationError(HunyuanError):
    """``finish_reason == "sensitive"``: Hunyuan's moderation stopped the reply.

    Raised only when the caller asked for it (``raise_on_sensitive=True``);
    ``partial_content`` holds what had been generated.
    """

    def __init__(self, message: str, *, partial_content: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.partial_content = partial_content


# Hunyuan / Tencent Cloud error codes (seed 002) by the error class they map to.
_CODE_PREFIXES: tuple[tuple[str, type[APIStatusError]], ...] = (
    ("AuthFailure", AuthenticationError),
    ("FailedOperation.EngineServerLimitExceeded", RateLimitError),
    ("FailedOperation.EngineRequestTimeout", InternalServerError),
    ("FailedOperation.EngineServerError", InternalServerError),
    ("FailedOperation.FreeResourcePackExhausted", PermissionDeniedError),
    ("FailedOperation.ResourcePackExhausted", PermissionDeniedError),
    ("FailedOperation.ServiceNotActivated", PermissionDeniedError),
    ("FailedOperation.ServiceStop", PermissionDeniedError),
    ("UnauthorizedOperation", PermissionDeniedError),
    ("RequestLimitExceeded", RateLimitError),
    ("LimitExceeded", RateLimitError),
    ("InternalError", InternalServerError),
    ("InvalidParameter", BadRequestError),
    ("MissingParameter", BadRequestError),
    ("UnknownParameter", BadRequestError),
)

#: Codes worth retrying: transient on Hunyuan's side.
RETRYABLE_CODES = frozenset(
    {
        "FailedOperation.EngineServerLimitExceeded",
        "FailedOperation.EngineRequestTimeout",
        "FailedOperation.EngineServerError",
        "InternalError",
        "RequestLimitExceeded",
        "LimitExceeded",
    }
)

_STATUS_CLASSES: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: BadRequestError,
    408: InternalServerError,
    422: BadRequestError,
    429: RateLimitError,
}


def error_class(status_code: int | None, code: str | None) -> type[APIStatusError]:
    """The error class for a status code and/or a Hunyuan error code (the code wins)."""
    if code:
        for prefix, cls in _CODE_PREFIXES:
            if code.startswith(prefix):
                return cls
    if status_code is not None:
        if status_code in _STATUS_CLASSES:
            return _STATUS_CLASSES[status_code]
        if status_code >= 500:
            return InternalServerError
    return APIStatusError


class PartialEmbeddingError(HunyuanError):
    """A bulk embedding failed part-way; the vectors already paid for are kept.

    ``completed`` maps the index of each embedded text to its vector; ``failed_indexes`` lists
    the texts without one (failed, or never sent once the job stopped). Resume by embedding
    ``[texts[i] for i in err.failed_indexes]`` and merging. The error that stopped the job is
    ``__cause__``; its status and code are copied here.
    """

    def __init__(
        self,
        message: str,
        *,
        completed: dict[int, list[float]],
        failed_indexes: list[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.completed = completed
        self.failed_indexes = failed_indexes
