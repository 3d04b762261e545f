"""``HunyuanEmbeddings``: LangChain's ``Embeddings`` over :class:`hunyuan_core.HunyuanClient`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from langchain_core.embeddings import Embeddings
from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr
from typing_extensions import Self

from hunyuan_core import EMBEDDING_DIMENSIONS, EMBEDDING_MODEL, MAX_EMBEDDING_BATCH, HunyuanClient
from hunyuan_core.client import DEFAULT_TIMEOUT


class HunyuanEmbeddings(BaseModel, Embeddings):
    """Tencent Hunyuan embeddings: ``hunyuan-embedding``, 1024 dimensions.

    ```python
    from langchain_hunyuan import HunyuanEmbeddings

    embeddings = HunyuanEmbeddings()  # HUNYUAN_API_KEY from the environment
    vectors = embeddings.embed_documents(["你好", "世界"])
    ```

    The core sends only ``input`` and ``model`` (all Hunyuan accepts), in batches of at most
    ``embed_batch_size`` texts (200, the server's cap), as many batches at a time as the
    account's quota allows (learned from 429s; ``embed_concurrency`` caps it), and returns the
    vectors in the order of the texts. Empty strings are rejected with a
    ``HunyuanInputError`` before any request; an empty list returns ``[]`` without one.
    """

    model: str = EMBEDDING_MODEL
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("HUNYUAN_API_KEY", default=None),
        alias="hunyuan_api_key",
    )
    base_url: str | None = Field(
        default_factory=from_env("HUNYUAN_BASE_URL", default=None), alias="hunyuan_base_url"
    )
    secret_id: SecretStr | None = Field(
        default_factory=secret_from_env("TENCENTCLOUD_SECRET_ID", default=None)
    )
    secret_key: SecretStr | None = Field(
        default_factory=secret_from_env("TENCENTCLOUD_SECRET_KEY", default=None)
    )
    region: str | None = None
    timeout: float | None = DEFAULT_TIMEOUT
    max_retries: int = 2
    embed_batch_size: int = Field(default=MAX_EMBEDDING_BATCH, ge=1, le=MAX_EMBEDDING_BATCH)
    embed_concurrency: int | None = Field(default=None, ge=1)
    """Most batches in flight; by default the core adapts to the account's quota."""
    max_requests_per_second: float | None = Field(default=None, gt=0)
    """Your quota, if you know it: requests are paced under it (passed to the core)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    _client: HunyuanClient | None = PrivateAttr(default=None)

    #: Length of every vector (fixed by Hunyuan).
    dimensions: ClassVar[int] = EMBEDDING_DIMENSIONS

    @property
    def client(self) -> HunyuanClient:
        """The core client, built on first use and kept for this instance."""
        if self._client is None:
            self._client = HunyuanClient(
                api_key=self.api_key,
                base_url=self.base_url,
                secret_id=self.secret_id,
                secret_key=self.secret_key,
                region=self.region,
                timeout=self.timeout,
                max_retries=self.max_retries,
                embed_batch_size=self.embed_batch_size,
                embed_concurrency=self.embed_concurrency,
                max_requests_per_second=self.max_requests_per_second,
            )
        return self._client

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.client.embed(texts, model=self.model)

    def embed_query(self, text: str) -> list[float]:
        return self.client.embed([text], model=self.model)[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return await self.client.aembed(texts, model=self.model)

    async def aembed_query(self, text: str) -> list[float]:
        return (await self.client.aembed([text], model=self.model))[0]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy._client = None
        return copy
