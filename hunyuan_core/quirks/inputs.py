"""What may go into a request at all: JSON-clean values, no credentials in a body, safe headers.

Each check raises :class:`~hunyuan_core.errors.HunyuanInputError` naming where the bad value is
(``messages[2].content``, ``temperature``, ``tools[0].function.parameters``), so that nothing
leaves as a bare ``UnicodeEncodeError``, ``ValueError`` (``NaN``) or ``TypeError``, and nothing
reaches the server that it would reject or misread.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from hunyuan_core.errors import HunyuanInputError

#: Deeper than this, a body is almost surely a cycle (``json`` itself would recurse ~1000).
MAX_DEPTH = 64

_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: str, where: str) -> None:
    """A lone surrogate (half an emoji, e.g. from slicing UTF-16) cannot be encoded as UTF-8."""
    if not text.isascii() and _SURROGATE.search(text):
        raise HunyuanInputError(
            f"{where} contains a lone surrogate (half of an emoji or other astral character, "
            "often from cutting text by UTF-16 units): remove it or decode the text with "
            "errors='replace'"
        )


def is_strict_json(value: Any) -> bool:
    """The fast path: ``json`` in C says whether ``value`` is strict JSON (about 8x faster
    than :func:`check_json`, which is then run only to say where a problem is)."""
    try:
        json.dumps(value, ensure_ascii=False, allow_nan=False).encode()
    except (ValueError, TypeError, RecursionError):
        return False
    return True


def check_json(value: Any, where: str, depth: int = 0) -> None:
    """``value`` is strict JSON: str without lone surrogates, finite numbers, bool, None, and
    lists/dicts of those (dict keys as ``json`` accepts them)."""
    if isinstance(value, str):
        check_text(value, where)
    elif isinstance(value, bool) or value is None or isinstance(value, int):
        return
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise HunyuanInputError(
                f"{where} is {value!r}, which JSON cannot carry: pass a finite number"
            )
    elif depth >= MAX_DEPTH:
        raise HunyuanInputError(
            f"{where} is nested more than {MAX_DEPTH} levels deep (a cycle?): pass plain data"
        )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str):
                check_text(key, f"{where} key {key[:40]!r}")
            elif not (key is None or isinstance(key, int)) and not (
                isinstance(key, float) and math.isfinite(key)
            ):
                raise HunyuanInputError(
                    f"{where} has a key {key!r:.40} of type {type(key).__name__}: JSON keys are "
                    "strings"
                )
            check_json(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            check_json(item, f"{where}[{i}]", depth + 1)
    else:
        raise HunyuanInputError(
            f"{where} is a {type(value).__name__}, which is not JSON: pass str, number, bool, "
            "None, list or dict (e.g. call .model_dump() or json.loads(...) first)"
        )


# --- credentials must never travel in a body ---------------------------------------------------

#: Words that make a parameter name a credential wherever they appear in it.
_CREDENTIAL_WORDS = frozenset(
    {
        "secret",
        "secrets",
        "password",
        "passwd",
        "credential",
        "credentials",
        "auth",
        "authorization",
        "bearer",
        "signature",
        "cookie",
        "apikey",
        "appid",
        "appkey",
        "secretid",
        "secretkey",
        "accesskey",
    }
)
#: Words that make it one when the name ends with them (``api_key``, ``session_token``);
#: ``max_tokens`` and ``stop_token_ids`` end otherwise and stay body parameters.
_CREDENTIAL_ENDINGS = frozenset({"key", "token"})
#: Body parameters that look like credentials but are not: TokenHub's cache routing key.
BODY_PARAMS_NOT_CREDENTIALS = frozenset({"prompt_cache_key"})


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


@functools.lru_cache(maxsize=512)  # the same few names on every call
def is_credential_name(name: str) -> bool:
    """Whether a parameter name says it holds a credential (``hunyuan_secret_key``,
    ``app_id``, ``X-Api-Key``, ``accessToken``), not a body parameter (``max_tokens``)."""
    if name in BODY_PARAMS_NOT_CREDENTIALS:
        return False
    words = _words(name)
    if not words:
        return False
    if _CREDENTIAL_WORDS.intersection(words) or words[-1] in _CREDENTIAL_ENDINGS:
        return True
    return any(a == "app" and b in ("id", "key") for a, b in itertools.pairwise(words))


def check_no_credentials(params: Mapping[str, Any], where: str) -> None:
    """Refuse credential-like names among body parameters: the body is logged, traced and
    recorded in places where headers are filtered, and a server may echo it back."""
    for name in params:
        if isinstance(name, str) and is_credential_name(name):
            raise HunyuanInputError(
                f"{where} has {name!r}, which looks like a credential and would be sent in the "
                "request body: pass credentials as api_key=... (HUNYUAN_API_KEY) or "
                "secret_id=.../secret_key=... (TENCENTCLOUD_SECRET_ID/_KEY), never as body "
                "parameters"
            )


# --- per-call headers ------------------------------------------------------------------------

#: Headers a caller may not set: the backend's authentication and framing are its own.
_RESERVED_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "host", "content-length", "content-type", "cookie"}
)


def check_extra_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Per-call headers as a plain dict; refused when they would replace authentication or
    cannot be sent (httpx would otherwise fail mid-request, echoing the value)."""
    if not headers:
        return {}
    if not isinstance(headers, Mapping):
        raise HunyuanInputError(f"extra_headers is {type(headers).__name__}: pass a dict")
    out: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise HunyuanInputError("extra_headers: names and values must be strings")
        lower = name.lower()
        if lower in _RESERVED_HEADERS or lower.startswith("x-tc-"):
            raise HunyuanInputError(
                f"extra_headers may not set {name!r}: authentication and framing belong to the "
                "client; pass credentials as api_key=... or secret_id=.../secret_key=..."
            )
        if not name or not all("!" <= ch <= "~" and ch != ":" for ch in name):
            raise HunyuanInputError(f"extra_headers has an invalid header name {name[:40]!r}")
        if not all(" " <= ch <= "~" or ch == "\t" for ch in value):
            raise HunyuanInputError(
                f"extra_headers[{name!r}] has a line break or non-ASCII character: HTTP headers "
                "carry printable ASCII only"
            )
        out[name] = value
    return out


# --- adapter constructors ----------------------------------------------------------------------

#: Constructor fields whose keys are sent as body parameters.
BODY_FIELDS = ("model_kwargs", "extra_body", "additional_kwargs")
#: langchain-community's ChatHunyuan field for the retired v1 API: nothing here takes it.
_RETIRED = {"hunyuan_app_id", "app_id"}


def check_constructor_kwargs(cls_name: str, kwargs: Mapping[str, Any], known: set[str]) -> None:
    """Checks an adapter runs on its keyword arguments before pydantic sees them, so that the
    error is a :class:`HunyuanInputError` and quotes no value (pydantic's errors print the
    input, credentials included): a base URL with userinfo, a credential under a name that
    is not a connection field (it would land in the body), credential-named body params."""
    from hunyuan_core.settings import check_base_url

    for name in ("base_url", "hunyuan_base_url", "api_base"):
        if isinstance(kwargs.get(name), str):
            check_base_url(kwargs[name], name)
    for name in kwargs:
        if name in known:
            continue
        if name in _RETIRED:
            raise HunyuanInputError(
                f"{cls_name}({name}=...): the app id belonged to Hunyuan's retired v1 API; "
                "Tencent Cloud's API needs only secret_id and secret_key (also spelled "
                "hunyuan_secret_id/hunyuan_secret_key): drop it"
            )
        if is_credential_name(name):
            raise HunyuanInputError(
                f"{cls_name}({name}=...) is not a setting here, and a credential must never "
                "travel in the request body: pass api_key=... (HUNYUAN_API_KEY) or secret_id=... "
                "and secret_key=... (TENCENTCLOUD_SECRET_ID/_KEY)"
            )
    for field in BODY_FIELDS:
        params = kwargs.get(field)
        if isinstance(params, Mapping):
            check_no_credentials(params, f"{cls_name}({field}=...)")
