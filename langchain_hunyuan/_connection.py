"""The connection fields every LangChain class here shares, handed to the core's resolver."""

from __future__ import annotations

import os
from typing import Any

import httpx
from langchain_core.utils import secret_from_env
from langchain_core.utils.utils import get_pydantic_field_names
from pydantic import BaseModel, Field, SecretStr

from hunyuan_core import Settings, resolve_settings
from hunyuan_core._constants import (
    API_KEY_ENVS,
    BASE_URL_ENVS,
    COMMUNITY_SECRET_ID_ENV,
    COMMUNITY_SECRET_KEY_ENV,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_STREAM_IDLE_TIMEOUT,
    DEFAULT_TIMEOUT,
    SECRET_ID_ENV,
    SECRET_KEY_ENV,
)
from hunyuan_core.quirks import check_constructor_kwargs

#: Fields that are connection settings, by the name :func:`hunyuan_core.resolve_settings` takes.
CONNECTION_FIELDS = ("api_key", "base_url", "secret_id", "secret_key", "region")


def _env_base_url() -> str | None:
    """``HUNYUAN_BASE_URL``/``TOKENHUB_BASE_URL`` for display, any userinfo masked (the
    resolver, which reads the variable itself, refuses it)."""
    url = next((os.environ[n] for n in BASE_URL_ENVS if os.environ.get(n)), None)
    if url and "@" in url:
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError):
            return None
        if parsed.userinfo:
            return str(parsed.copy_with(username="***", password=None))
    return url


class HunyuanConnection(BaseModel):
    """Credentials, endpoint, timeout and retries.

    The fields show the environment's values, as LangChain users expect; only the fields the
    user set are handed to :func:`hunyuan_core.resolve_settings`, which reads the environment
    for the rest, so an argument always wins over the environment.
    """

    api_key: SecretStr | None = Field(
        default_factory=secret_from_env(list(API_KEY_ENVS), default=None),
        alias="hunyuan_api_key",
    )
    """TokenHub (or other OpenAI-compatible) API key; defaults to ``TOKENHUB_API_KEY``,
    ``TENCENT_TOKENHUB_API_KEY`` or ``HUNYUAN_API_KEY``."""
    base_url: str | None = Field(default_factory=_env_base_url, alias="hunyuan_base_url")
    """Endpoint; defaults to ``HUNYUAN_BASE_URL``/``TOKENHUB_BASE_URL``, else TokenHub
    (Guangzhou; ``region="ap-singapore"`` for Singapore)."""
    secret_id: SecretStr | None = Field(
        default_factory=secret_from_env([SECRET_ID_ENV, COMMUNITY_SECRET_ID_ENV], default=None),
        alias="hunyuan_secret_id",
    )
    """Tencent Cloud SecretId (native API); also ``hunyuan_secret_id``, langchain-community's
    name."""
    secret_key: SecretStr | None = Field(
        default_factory=secret_from_env([SECRET_KEY_ENV, COMMUNITY_SECRET_KEY_ENV], default=None),
        alias="hunyuan_secret_key",
    )
    """Tencent Cloud SecretKey (native API); also ``hunyuan_secret_key``."""
    region: str | None = None
    """``ap-singapore`` for TokenHub's Singapore endpoint; the native API's region."""
    timeout: float | None = DEFAULT_TIMEOUT
    """Read timeout in seconds (connect timeout is 5 s)."""
    deadline: float | None = DEFAULT_DEADLINE
    """Seconds a whole call may take, retries included (``None``: no deadline)."""
    stream_idle_timeout: float | None = DEFAULT_STREAM_IDLE_TIMEOUT
    """Seconds a stream may go without a content event (``None``: no limit)."""
    max_retries: int = DEFAULT_MAX_RETRIES
    """Retries on connection errors, 429 and 5xx, with backoff; never once a stream has begun."""
    default_headers: dict[str, str] | None = None
    """Headers sent with every request (tracing, gateway routing); they never replace the
    ``Authorization`` or signature headers."""
    http_client: Any | None = Field(default=None, exclude=True)
    """An ``httpx.Client`` for sync calls (proxies, custom transports, mTLS); yours to close."""
    http_async_client: Any | None = Field(default=None, exclude=True)
    """An ``httpx.AsyncClient`` for async calls; yours to close."""

    def __init__(self, **kwargs: Any) -> None:
        # Before pydantic: its errors would quote the arguments, credentials included.
        known = get_pydantic_field_names(type(self))
        check_constructor_kwargs(type(self).__name__, kwargs, known)
        super().__init__(**kwargs)

    def _limits(self) -> dict[str, Any]:
        """The core client's time limits."""
        return {"deadline": self.deadline, "stream_idle_timeout": self.stream_idle_timeout}

    def _explicit_connection(self) -> dict[str, Any]:
        return {
            name: getattr(self, name) for name in CONNECTION_FIELDS if name in self.model_fields_set
        }

    def _client_options(self) -> dict[str, Any]:
        """The :class:`hunyuan_core.HunyuanClient` arguments that are not settings."""
        return {
            "http_client": self.http_client,
            "http_async_client": self.http_async_client,
            "default_headers": self.default_headers,
        }

    def _connection_settings(self) -> Settings:
        """The core's settings: what the user set here, then the environment."""
        return resolve_settings(self._explicit_connection())
