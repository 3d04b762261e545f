"""This package's errors as LangChain's ``ModelError`` types too, at the adapter boundary.

LangChain's agent middleware decides by type: its retry middleware skips a ``ModelError``
whose ``is_retryable`` is false (a bad key) and retries a rate limit; summarisation shrinks the
prompt on ``ContextOverflowError``. So every :class:`~hunyuan_core.errors.HunyuanError` leaving
``ChatHunyuan`` / ``HunyuanEmbeddings`` / ``ChatYuanqi`` is re-raised as a class that inherits
from both the core's class (``except AuthenticationError`` keeps working) and the matching
``langchain_core.exceptions`` class. The table is in ``docs/conventions.md``.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar, cast

from langchain_core import exceptions as lc
from langchain_core.runnables import RunnableGenerator

from hunyuan_core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContentModerationError,
    ContextWindowExceededError,
    HunyuanError,
    HunyuanInputError,
    InternalServerError,
    PermissionDeniedError,
    RateLimitError,
    StreamError,
)

F = TypeVar("F", bound=Callable[..., Any])


def _lc_class(name: str) -> type[Exception] | None:
    """A ``langchain_core.exceptions`` class, or its base when this langchain-core predates it
    (``ModelRefusalError`` came in 1.7.5), or ``None`` before ``ModelError`` existed."""
    found = getattr(lc, name, None) or getattr(lc, "ModelError", None)
    return cast("type[Exception] | None", found)


#: TokenHub error codes (https://cloud.tencent.com/document/product/1823/131595).
CONTEXT_OVERFLOW_CODES = frozenset({"400003", "context_length_exceeded"})
CONTENT_SAFETY_CODES = frozenset({"451001"})
#: The native API's "model does not exist" (Tencent's SDK errorcodes.py) and TokenHub's
#: unknown model / service codes.
MODEL_NOT_FOUND_CODES = frozenset({"InvalidParameterValue.Model", "400004", "401006"})

# What servers say when the prompt does not fit (OpenAI-compatible servers such as vLLM, and
# Hunyuan's own Chinese messages): "maximum context length", "exceeds the context window",
# "input is too long", "超过最大长度", "超出上下文"...
_OVERFLOW_TEXT = re.compile(
    r"context[ _](length|window)|maximum context|too many (input )?tokens|"
    r"(input|prompt|message)s? (is |are )?too long|"
    r"exceed\w*.{0,40}(context|max\w*[ _](length|tokens|input)|token limit)|"
    r"(超过|超出).{0,12}(长度|上下文|token|限制)|(长度|上下文).{0,8}(超过|超出|超限)",
    re.IGNORECASE,
)


def is_context_overflow(err: HunyuanError) -> bool:
    """Whether the server rejected the request because the input does not fit the model."""
    if not isinstance(err, APIStatusError) or isinstance(
        err, AuthenticationError | PermissionDeniedError | RateLimitError | InternalServerError
    ):
        return False
    if isinstance(err, ContextWindowExceededError) or err.code in CONTEXT_OVERFLOW_CODES:
        return True
    if err.status_code not in (None, 400, 413, 422):
        return False
    return bool(_OVERFLOW_TEXT.search(err.message))


def is_refusal(err: HunyuanError) -> bool:
    """Moderation: ``finish_reason`` ``sensitive`` raised, or TokenHub's HTTP 451 / 451001."""
    return isinstance(err, ContentModerationError) or (
        isinstance(err, APIStatusError)
        and (err.status_code == 451 or err.code in CONTENT_SAFETY_CODES)
    )


def _lc_name(err: HunyuanError) -> str:
    """The name of the ``langchain_core.exceptions`` class for ``err``."""
    if is_refusal(err):
        return "ModelRefusalError"
    if is_context_overflow(err):
        return "ContextOverflowError"
    if isinstance(err, HunyuanInputError):
        return "ModelInvalidRequestError"
    if isinstance(err, AuthenticationError):
        return "ModelAuthenticationError"
    if isinstance(err, PermissionDeniedError):
        return "ModelPermissionDeniedError"
    if isinstance(err, RateLimitError):
        return "ModelRateLimitError"
    if isinstance(err, InternalServerError):
        return "ModelAPIError"
    if isinstance(err, APITimeoutError):
        return "ModelTimeoutError"
    if isinstance(err, APIConnectionError):
        return "ModelConnectionError"
    if isinstance(err, StreamError):
        # A broken or truncated stream: a new request may well succeed.
        return "ModelAPIError"
    if isinstance(err, APIStatusError):
        if err.status_code == 404 or err.code in MODEL_NOT_FOUND_CODES:
            return "ModelNotFoundError"
        if isinstance(err, BadRequestError):
            return "ModelInvalidRequestError"
        if err.status_code is not None and err.status_code >= 500:
            return "ModelAPIError"
    return "ModelError"


_CONDITIONS = ("ContextOverflowError", "ModelRefusalError", "ModelNotFoundError")
_classes: dict[tuple[type[HunyuanError], type[Exception]], type[HunyuanError]] = {}


def _dual_class(cls: type[HunyuanError], lc_cls: type[Exception]) -> type[HunyuanError]:
    """``class LC<Name>(<core class>, <LangChain class>)``, made once per pair."""
    key = (cls, lc_cls)
    made = _classes.get(key)
    if made is None:
        # Named after the condition when LangChain's class says more than the core's
        # (a BadRequestError that is a context overflow), else after the core's class.
        special = lc_cls.__name__ in _CONDITIONS
        name = f"LC{(lc_cls if special else cls).__name__}"
        doc = f"{cls.__name__} that is also LangChain's {lc_cls.__name__}."
        attrs = {"__module__": __name__, "__doc__": doc, "__reduce__": _reduce}
        made = type(name, (cls, lc_cls), attrs)
        _classes[key] = made
    return made


def _reduce(err: HunyuanError) -> tuple[Any, ...]:
    """Pickle by the two base classes: the made class has no importable name."""
    core_cls, lc_cls = type(err).__bases__
    return _restore, (core_cls, lc_cls, err.args, dict(err.__dict__))


def _restore(
    core_cls: type[HunyuanError], lc_cls: type[Exception], args: Any, state: dict[str, Any]
) -> HunyuanError:
    cls = _dual_class(core_cls, lc_cls)
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


def to_langchain(err: HunyuanError) -> HunyuanError:
    """``err`` as an instance of both its class and the matching LangChain class.

    The message, every attribute (``status_code``, ``code``, ``request_id``, ``body``,
    ``headers``, ``partial_content``...), the traceback and ``__cause__`` are kept.
    """
    lc_cls = _lc_class(_lc_name(err))
    if lc_cls is None or isinstance(err, lc_cls):
        return err
    new = _restore(type(err), lc_cls, err.args, err.__dict__)
    if lc_cls.__name__ == "ModelRefusalError" and not hasattr(new, "raw_message"):
        new.raw_message = None  # type: ignore[attr-defined]
    new.__cause__ = err.__cause__
    new.__context__ = err.__context__
    new.__suppress_context__ = err.__suppress_context__
    return new.with_traceback(err.__traceback__)


def converts_errors(fn: F) -> F:
    """Decorate a method (plain, async, generator or async generator) so that the core's
    errors leave it as :func:`to_langchain` makes them."""
    if inspect.isasyncgenfunction(fn):

        @functools.wraps(fn)
        async def agen(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            try:
                async for item in fn(*args, **kwargs):
                    yield item
            except HunyuanError as err:
                raise to_langchain(err) from err.__cause__

        return cast("F", agen)
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def gen(*args: Any, **kwargs: Any) -> Iterator[Any]:
            try:
                yield from fn(*args, **kwargs)
            except HunyuanError as err:
                raise to_langchain(err) from err.__cause__

        return cast("F", gen)
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def coro(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except HunyuanError as err:
                raise to_langchain(err) from err.__cause__

        return cast("F", coro)

    @functools.wraps(fn)
    def plain(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except HunyuanError as err:
            raise to_langchain(err) from err.__cause__

    return cast("F", plain)


def refusal_from_message(message: Any) -> HunyuanError | None:
    """The refusal error for a reply that moderation stopped (``finish_reason`` ``sensitive``),
    for paths that need the withheld content, such as structured output; else ``None``."""
    metadata = getattr(message, "response_metadata", None) or {}
    if metadata.get("finish_reason") != "sensitive":
        return None
    err = ContentModerationError(
        "Hunyuan's content moderation stopped the reply (finish_reason 'sensitive'), so "
        "there is no structured output to parse",
        partial_content=getattr(message, "text", "") or "",
        request_id=metadata.get("request_id"),
    )
    refusal = to_langchain(err)
    refusal.raw_message = message  # type: ignore[attr-defined]
    return refusal


def _refused(acc: Any, chunk: Any) -> Any:
    acc = chunk if acc is None else acc + chunk
    refusal = refusal_from_message(acc)
    if refusal is not None:
        raise refusal
    return acc


def _guard(chunks: Iterator[Any]) -> Iterator[Any]:
    acc = None
    for chunk in chunks:
        acc = _refused(acc, chunk)
        yield chunk


async def _aguard(chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
    acc = None
    async for chunk in chunks:
        acc = _refused(acc, chunk)
        yield chunk


#: Passes replies (or streamed chunks) through, raising the refusal error when moderation
#: stopped the reply: structured output has nothing to parse then.
REFUSAL_GUARD: RunnableGenerator[Any, Any] = RunnableGenerator(
    _guard, _aguard, name="HunyuanRefusalGuard"
)
