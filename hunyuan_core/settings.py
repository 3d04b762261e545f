"""Which API, with which credentials, at which address: decided once, here, for every adapter.

:func:`resolve_settings` takes what the caller passed explicitly and fills the rest from the
environment. Explicit arguments always win over the environment, whichever kind they are:

1. an explicit ``api_key`` selects the OpenAI-compatible API;
2. an explicit ``secret_id`` or ``secret_key`` (and no explicit ``api_key``) selects Tencent
   Cloud's native API, even when an API key is in the environment (the other half may come
   from the environment);
3. otherwise an API key from the environment (``TOKENHUB_API_KEY``, ``TENCENT_TOKENHUB_API_KEY``
   or ``HUNYUAN_API_KEY``, in that order) selects the OpenAI-compatible API, and Tencent Cloud
   credentials from the environment select the native API;
4. with nothing at all, the OpenAI-compatible API is chosen and the first call raises
   :class:`~hunyuan_core.errors.AuthenticationError` naming the variables to set.

Tencent Cloud credentials are also read from ``HUNYUAN_SECRET_ID``/``HUNYUAN_SECRET_KEY``
(langchain-community's names) when the ``TENCENTCLOUD_*`` variables are unset.

A base URL with a user name or password is refused (httpx would send it as Basic auth in
place of the key, and it would show wherever the URL does); one that sends credentials in
clear text (``http://`` to a host that is not loopback) is logged as a warning, once.

``backend="yuanqi"`` (or ``"tencentcloud"``) names the API outright; the credentials are then
read for that API only. The OpenAI-compatible API's endpoint is ``base_url``, else
``HUNYUAN_BASE_URL`` or ``TOKENHUB_BASE_URL``, else TokenHub in the ``region`` (Guangzhou unless
``ap-singapore``): where Tencent serves Hunyuan to new accounts today. Adapters pass only the
fields their user set (pydantic's ``model_fields_set``), so a framework's own environment
defaults never outrank an argument.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from hunyuan_core import _constants as C
from hunyuan_core.errors import HunyuanInputError

logger = logging.getLogger("hunyuan_core")

BackendName = Literal["openai-compatible", "tencentcloud", "yuanqi"]
BACKENDS: tuple[BackendName, ...] = ("openai-compatible", "tencentcloud", "yuanqi")

#: The names :func:`resolve_settings` accepts; anything else is a typo and is refused.
FIELDS = frozenset(
    {
        "backend",
        "api_key",
        "base_url",
        "secret_id",
        "secret_key",
        "session_token",
        "region",
        "token",
        "assistant_id",
        "user_id",
    }
)


@dataclass(frozen=True)
class Settings:
    """The resolved connection settings of one client. Secrets stay ``SecretStr``."""

    backend: BackendName
    #: The endpoint; ``None`` means the backend's documented default.
    base_url: str | None = None
    #: Bearer credential: the OpenAI-compatible API key, or a Yuanqi agent's token.
    api_key: SecretStr | None = None
    secret_id: SecretStr | None = None
    secret_key: SecretStr | None = None
    #: Tencent Cloud temporary credentials (STS) send this as ``X-TC-Token``.
    session_token: SecretStr | None = None
    region: str | None = None
    assistant_id: str | None = None
    user_id: str | None = None

    def __repr__(self) -> str:  # never the secrets, and no URL userinfo
        return f"Settings(backend={self.backend!r}, base_url={self.base_url!r})"


def _secret(value: Any) -> SecretStr | None:
    if value is None or isinstance(value, SecretStr):
        return value
    if not isinstance(value, str):
        raise HunyuanInputError(f"a credential must be a string, not {type(value).__name__}")
    return SecretStr(value) if value else None


_warned_clear_text: set[str] = set()


def check_base_url(url: str | None, where: str = "base_url") -> str | None:
    """``url`` if credentials can go there: no userinfo (refused without echoing it), and a
    warning, once per host, when they would travel in clear text."""
    if url is None:
        return None
    if not isinstance(url, str):
        raise HunyuanInputError(f"{where} must be a string, not {type(url).__name__}")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise HunyuanInputError(f"{where} is not a valid URL: pass e.g. https://host/v1") from None
    if parsed.userinfo:
        raise HunyuanInputError(
            f"{where} contains a user name or password (https://***@{parsed.host}/...): "
            "httpx would send it as Basic auth in place of the key; remove it and pass the key "
            "as api_key=... (or secret_id/secret_key)"
        )
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise HunyuanInputError(f"{where} must be an http(s) URL with a host, like https://host/v1")
    if parsed.scheme == "http" and not _is_loopback(parsed.host):
        if parsed.host not in _warned_clear_text:
            _warned_clear_text.add(parsed.host)
            logger.warning(
                "%s is http:// to %s: the API key (or signature) travels in clear text; use "
                "https:// unless this network is trusted",
                where,
                parsed.host,
            )
    return url


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _env_secret(env: Mapping[str, str], *names: str) -> SecretStr | None:
    for name in names:
        if env.get(name):
            return SecretStr(env[name])
    return None


def resolve_settings(
    explicit: Mapping[str, Any] | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """The settings for ``explicit`` arguments (``None`` values count as not given), the
    environment filling what they leave out; see the module docstring for the precedence."""
    given = {k: v for k, v in (explicit or {}).items() if v is not None}
    unknown = set(given) - FIELDS
    if unknown:
        raise HunyuanInputError(f"unknown connection settings: {sorted(unknown)}")
    env = os.environ if env is None else env
    backend = given.get("backend")
    if backend is not None and backend not in BACKENDS:
        raise HunyuanInputError(f"backend {backend!r}: choose one of {list(BACKENDS)}")
    region = given.get("region") or env.get(C.REGION_ENV) or None
    if backend == "yuanqi":
        return Settings(
            backend="yuanqi",
            base_url=_base_url(given, env, C.YUANQI_BASE_URL_ENV),
            api_key=_secret(given.get("token", given.get("api_key")))
            or _env_secret(env, C.YUANQI_TOKEN_ENV),
            assistant_id=given.get("assistant_id") or env.get(C.YUANQI_ASSISTANT_ID_ENV) or None,
            user_id=given.get("user_id") or env.get(C.YUANQI_USER_ID_ENV) or None,
        )
    api_key = _secret(given.get("api_key"))
    secret_id, secret_key = _secret(given.get("secret_id")), _secret(given.get("secret_key"))
    base_url = _base_url(given, env, *C.BASE_URL_ENVS)
    key_envs = _key_envs(base_url)
    explicit_native = api_key is None and (secret_id is not None or secret_key is not None)
    if backend is None and api_key is None and not explicit_native:
        api_key = _env_secret(env, *key_envs)
    if backend == "tencentcloud" or (backend is None and api_key is None):
        secret_id = secret_id or _env_secret(env, C.SECRET_ID_ENV, C.COMMUNITY_SECRET_ID_ENV)
        secret_key = secret_key or _env_secret(env, C.SECRET_KEY_ENV, C.COMMUNITY_SECRET_KEY_ENV)
        both = secret_id is not None and secret_key is not None
        if backend == "tencentcloud" or explicit_native or both:
            return Settings(
                backend="tencentcloud",
                base_url=_base_url(given, env, C.NATIVE_ENDPOINT_ENV),
                secret_id=secret_id,
                secret_key=secret_key,
                session_token=_secret(given.get("session_token"))
                or _env_secret(env, C.SESSION_TOKEN_ENV),
                region=region,
            )
    return Settings(
        backend="openai-compatible",
        base_url=base_url or tokenhub_url(region),
        api_key=api_key if api_key is not None else _env_secret(env, *key_envs),
        region=region,
    )


def _base_url(given: Mapping[str, Any], env: Mapping[str, str], *env_names: str) -> str | None:
    """The explicit base URL, else the first variable set, checked by :func:`check_base_url`."""
    if given.get("base_url"):
        return check_base_url(given["base_url"])
    name = next((n for n in env_names if env.get(n)), None)
    return check_base_url(env[name], name) if name else None


#: A Yuanqi agent's fields as the adapters name them.
AGENT_FIELDS = ("token", "assistant_id", "user_id", "yuanqi_base_url")


def agent_settings(fields: Mapping[str, Any]) -> Settings:
    """A Yuanqi agent's settings from the adapters' :data:`AGENT_FIELDS` the user set, the
    environment filling the rest."""
    given = {("base_url" if k == "yuanqi_base_url" else k): v for k, v in fields.items()}
    return resolve_settings({"backend": "yuanqi", **given})


def _key_envs(base_url: str | None) -> tuple[str, ...]:
    """Where to look for an API key: TokenHub's variables first, except for the legacy endpoint,
    whose keys are not TokenHub's (and the other way round)."""
    if base_url and endpoint_kind(base_url) == "legacy":
        return (C.API_KEY_ENV, *(n for n in C.API_KEY_ENVS if n != C.API_KEY_ENV))
    return C.API_KEY_ENVS


def endpoint_kind(base_url: str | None) -> str:
    """``legacy``, ``tokenhub``, ``native`` or ``openai`` (any other OpenAI-compatible server),
    from the base URL's host; ``None`` means the package's default endpoint (TokenHub)."""
    host = (httpx.URL(base_url or C.TOKENHUB_BASE_URL).host or "").lower()
    if host in ("api.hunyuan.cloud.tencent.com", "hunyuan.cloud.tencent.com"):
        return "legacy"
    if re.fullmatch(r"tokenhub[a-z0-9-]*\.(tencentmaas\.(com|cn)|tencentcloudmaas\.com)", host):
        return "tokenhub"
    if host.endswith("tencentcloudapi.com") and host.startswith("hunyuan"):
        return "native"
    return "openai"


def tokenhub_url(region: str | None) -> str:
    """TokenHub's endpoint for ``region``: Singapore for ``ap-singapore``, else Guangzhou."""
    return C.TOKENHUB_INTL_BASE_URL if region in C.INTL_REGIONS else C.TOKENHUB_BASE_URL
