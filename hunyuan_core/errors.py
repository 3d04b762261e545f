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
        #: For a stream that failed after it began: the reply text received so far (first
        #: choice, stop strings cut), so that nothing received is lost.
        self.partial_text: str = ""
        #: For a stream that failed after it began: the last usage the server had sent.
        self.partial_usage: Any = None

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


class ContextWindowExceededError(BadRequestError):
    """The input is longer than the model's window (TokenHub code 400003): shorten or
    summarise the history; retrying the same request cannot succeed."""


class AuthenticationError(APIStatusError):
    """401, ``AuthFailure.*``, TokenHub 401xxx or a missing key: check the API key
    (``TOKENHUB_API_KEY`` / ``HUNYUAN_API_KEY``) or the Tencent Cloud credentials."""


class PermissionDeniedError(APIStatusError):
    """403 or a service not activated / stopped / out of quota for this account."""


class RateLimitError(APIStatusError):
    """429 or an engine/quota limit: retried with backoff, raised when retries run out."""


class InternalServerError(APIStatusError):
    """5xx or an engine error on Hunyuan's side."""


class APIConnectionError(HunyuanError):
    """The connection failed (refused, reset, DNS) before or while reading a response."""


class APITimeoutError(APIConnectionError):
    """A time limit fired; :attr:`limit` says which: ``"connect"``, ``"read"``, ``"pool"``
    (waiting for a free connection), ``"deadline"`` (the whole call) or ``"stream_idle"`` (no
    content event in a stream)."""

    def __init__(self, message: str, *, limit: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit


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


class ContentRejectedError(BadRequestError, ContentModerationError):
    """Content safety refused the request's input before any reply (TokenHub HTTP 451, code
    451001; native ``OperationDenied.TextIllegalDetected`` / ``ImageIllegalDetected``).

    A :class:`BadRequestError` (the request must change, retrying cannot help) that is also a
    :class:`ContentModerationError`, so one ``except ContentModerationError`` covers input and
    output moderation; ``partial_content`` is empty.
    """


# Tencent Cloud error codes by class, most specific prefix first. Sources: the Hunyuan list in
# tencentcloud-sdk-python (tencentcloud/hunyuan/v20230901/errorcodes.py) and the common codes
# on https://cloud.tencent.com/document/api/1729/101847 ; the SDK's retry rule is in
# tencentcloud/common/retry.py (network errors and RequestLimitExceeded only).
_CODE_PREFIXES: tuple[tuple[str, type[APIStatusError]], ...] = (
    # "请求未授权" (CAM): the key is valid but may not call this action.
    ("AuthFailure.UnauthorizedOperation", PermissionDeniedError),
    ("AuthFailure", AuthenticationError),
    ("FailedOperation.EngineServerLimitExceeded", RateLimitError),
    ("FailedOperation.EngineRequestTimeout", InternalServerError),
    ("FailedOperation.EngineServerError", InternalServerError),
    # Account and billing state: retrying cannot help, the owner must act.
    ("FailedOperation.FreeResourcePackExhausted", PermissionDeniedError),
    ("FailedOperation.ResourcePackExhausted", PermissionDeniedError),
    ("FailedOperation.ServiceNotActivated", PermissionDeniedError),
    ("FailedOperation.ServiceStop", PermissionDeniedError),  # also ServiceStopArrears
    ("FailedOperation.UserUnAuthError", PermissionDeniedError),  # identity not verified
    ("FailedOperation.PartnerAccountUnSupport", PermissionDeniedError),
    ("ResourceUnavailable", PermissionDeniedError),  # InArrears, LowBalance, NotExist, ...
    ("ResourceInsufficient", PermissionDeniedError),  # ChargeResourceExhaust
    ("UnauthorizedOperation", PermissionDeniedError),
    # "超过配额限制": a quota used up, not a burst; the SDK does not retry it.
    ("LimitExceeded", PermissionDeniedError),
    ("RequestLimitExceeded", RateLimitError),
    ("OperationDenied.TextIllegalDetected", ContentRejectedError),
    ("OperationDenied.ImageIllegalDetected", ContentRejectedError),
    ("ServiceUnavailable", InternalServerError),
    ("InternalError", InternalServerError),
    ("InvalidParameter", BadRequestError),  # also InvalidParameterValue*
    ("MissingParameter", BadRequestError),
    ("UnknownParameter", BadRequestError),
)

#: Codes worth retrying: transient on Hunyuan's side (engine load, rate limits, outages).
RETRYABLE_CODES = frozenset(
    {
        "FailedOperation.EngineServerLimitExceeded",
        "FailedOperation.EngineRequestTimeout",
        "FailedOperation.EngineServerError",
        "InternalError",
        "ServiceUnavailable",
        "RequestLimitExceeded",
        "RequestLimitExceeded.UinLimitExceeded",
        "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
        "RequestLimitExceeded.IPLimitExceeded",
        # TokenHub: "the model service is currently busy or has reached its serving capacity"
        "429006",
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
    451: ContentRejectedError,
}


# TokenHub's codes are six digits whose first three are the HTTP status they come with
# (https://cloud.tencent.com/document/product/1823/131595): the few with a meaning of their own.
_TOKENHUB_CODES: Mapping[str, type[APIStatusError]] = {
    "400003": ContextWindowExceededError,
    "451001": ContentRejectedError,
}


def error_class(status_code: int | None, code: str | None) -> type[APIStatusError]:
    """The error class for a status code and/or a Hunyuan error code (the code wins)."""
    if code:
        for prefix, cls in _CODE_PREFIXES:
            if code.startswith(prefix):
                return cls
        if len(code) == 6 and code.isdigit():
            return _TOKENHUB_CODES.get(code) or error_class(int(code[:3]), None)
    if status_code is not None:
        if status_code in _STATUS_CLASSES:
            return _STATUS_CLASSES[status_code]
        if status_code >= 500:
            return InternalServerError
    return APIStatusError


class ResponseTooLargeError(HunyuanError):
    """A response passed a size limit; :attr:`limit` says which: ``"max_response_bytes"``
    (decompressed body) or ``"max_line_bytes"`` (one server-sent-events line). Not retried."""

    def __init__(self, message: str, *, limit: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit


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
