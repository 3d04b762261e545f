"""The connection fields every LlamaIndex class here shares, handed to the core's resolver."""

from __future__ import annotations

from typing import Any

from llama_index.core.bridge.pydantic import BaseModel, Field, SecretStr
from pydantic import AliasChoices

from hunyuan_core import Settings, resolve_settings
from hunyuan_core._constants import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_STREAM_IDLE_TIMEOUT,
    DEFAULT_TIMEOUT,
)
from hunyuan_core.quirks import check_constructor_kwargs


class HunyuanConnection(BaseModel):
    """Credentials, endpoint, timeout and retries. Unset fields are resolved from the
    environment by :func:`hunyuan_core.resolve_settings`; secrets are never serialised."""

    api_key: SecretStr | None = Field(
        default=None,
        description="API key; TOKENHUB_API_KEY or HUNYUAN_API_KEY if unset.",
        exclude=True,
    )
    api_base: str | None = Field(
        default=None,
        validation_alias=AliasChoices("api_base", "base_url"),
        description="Base URL; HUNYUAN_BASE_URL or the backend's endpoint if unset.",
    )
    secret_id: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("secret_id", "hunyuan_secret_id"),
        description="Tencent Cloud SecretId (native API); also hunyuan_secret_id.",
        exclude=True,
    )
    secret_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("secret_key", "hunyuan_secret_key"),
        description="Tencent Cloud SecretKey (native API); also hunyuan_secret_key.",
        exclude=True,
    )
    region: str | None = Field(default=None, description="Tencent Cloud region (native API).")
    timeout: float = Field(default=DEFAULT_TIMEOUT, ge=0, description="Read timeout in seconds.")
    deadline: float | None = Field(
        default=DEFAULT_DEADLINE, description="Seconds a whole call may take, retries included."
    )
    stream_idle_timeout: float | None = Field(
        default=DEFAULT_STREAM_IDLE_TIMEOUT,
        description="Seconds a stream may go without a content event.",
    )
    max_retries: int = Field(
        default=DEFAULT_MAX_RETRIES, ge=0, description="Retries of a failed request."
    )
    default_headers: dict[str, str] | None = Field(
        default=None,
        description="Headers sent with every request; never replacing Authorization.",
    )

    def __init__(self, **kwargs: Any) -> None:
        # Before pydantic, whose errors quote the arguments; LlamaIndex would otherwise drop
        # an unknown keyword (a misspelt credential) without a word.
        known = set(type(self).model_fields)
        for field in type(self).model_fields.values():
            alias = field.validation_alias
            if isinstance(alias, AliasChoices):
                known.update(c for c in alias.choices if isinstance(c, str))
            elif isinstance(alias, str):
                known.add(alias)
        check_constructor_kwargs(type(self).__name__, kwargs, known)
        super().__init__(**kwargs)

    def _limits(self) -> dict[str, Any]:
        """The core client's time limits."""
        return {"deadline": self.deadline, "stream_idle_timeout": self.stream_idle_timeout}

    def _explicit_connection(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.api_base,
            "secret_id": self.secret_id,
            "secret_key": self.secret_key,
            "region": self.region,
        }

    def _connection_settings(self) -> Settings:
        """The core's settings: what the user set here, then the environment."""
        return resolve_settings(self._explicit_connection())
