"""The connection fields every LangChain class here shares, handed to the core's resolver."""

from __future__ import annotations

from typing import Any

from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, Field, SecretStr

from hunyuan_core import Settings, resolve_settings
from hunyuan_core._constants import (
    API_KEY_ENVS,
    BASE_URL_ENVS,
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_STREAM_IDLE_TIMEOUT,
    DEFAULT_TIMEOUT,
    SECRET_ID_ENV,
    SECRET_KEY_ENV,
)

#: Fields that are connection settings, by the name :func:`hunyuan_core.resolve_settings` takes.
CONNECTION_FIELDS = ("api_key", "base_url", "secret_id", "secret_key", "region")


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
    base_url: str | None = Field(
        default_factory=from_env(list(BASE_URL_ENVS), default=None), alias="hunyuan_base_url"
    )
    """Endpoint; defaults to ``HUNYUAN_BASE_URL``/``TOKENHUB_BASE_URL``, else TokenHub
    (Guangzhou; ``region="ap-singapore"`` for Singapore)."""
    secret_id: SecretStr | None = Field(
        default_factory=secret_from_env(SECRET_ID_ENV, default=None)
    )
    """Tencent Cloud SecretId (native API)."""
    secret_key: SecretStr | None = Field(
        default_factory=secret_from_env(SECRET_KEY_ENV, default=None)
    )
    """Tencent Cloud SecretKey (native API)."""
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
