"""``HunyuanEmbedding``: ``hunyuan-embedding`` (1024 dimensions) as a LlamaIndex embedding."""

from __future__ import annotations

from typing import Any

import httpx
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import Field, PrivateAttr, SecretStr
from pydantic import AliasChoices

from hunyuan_core import EMBEDDING_DIMENSIONS, EMBEDDING_MODEL, MAX_EMBEDDING_BATCH, HunyuanClient

__all__ = ["HunyuanEmbedding"]


class HunyuanEmbedding(BaseEmbedding):
    """Tencent Hunyuan embeddings for indexes and retrievers.

    ``embed_batch_size`` (texts per request) defaults to Hunyuan's cap of 200 and may not exceed
    it. Requests send only ``input`` and ``model``, as Hunyuan requires; async methods are
    natively async. Inputs over 1024 tokens are truncated by Hunyuan. Credentials and base URL
    work as for :class:`~llama_index_hunyuan.Hunyuan`.
    """

    model_name: str = Field(default=EMBEDDING_MODEL, description="The embedding model.")
    embed_batch_size: int = Field(
        default=MAX_EMBEDDING_BATCH,
        gt=0,
        le=MAX_EMBEDDING_BATCH,
        description=f"Texts per request (Hunyuan accepts at most {MAX_EMBEDDING_BATCH}).",
    )
    api_key: SecretStr | None = Field(
        default=None, description="Hunyuan API key; HUNYUAN_API_KEY if unset.", exclude=True
    )
    api_base: str | None = Field(
        default=None,
        validation_alias=AliasChoices("api_base", "base_url"),
        description="Base URL; HUNYUAN_BASE_URL or Tencent's endpoint if unset.",
    )
    secret_id: SecretStr | None = Field(default=None, exclude=True)
    secret_key: SecretStr | None = Field(default=None, exclude=True)
    region: str | None = Field(default=None)
    timeout: float = Field(default=120.0, ge=0, description="Read timeout in seconds.")
    max_retries: int = Field(default=2, ge=0, description="Retries of a failed request.")
    max_requests_per_second: float | None = Field(
        default=None, gt=0, description="Your quota, if known: requests are paced under it."
    )

    _client: HunyuanClient = PrivateAttr()

    def __init__(
        self,
        *,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._client = HunyuanClient(
            api_key=self.api_key,
            base_url=self.api_base,
            secret_id=self.secret_id,
            secret_key=self.secret_key,
            region=self.region,
            timeout=self.timeout,
            max_retries=self.max_retries,
            embed_batch_size=self.embed_batch_size,
            max_requests_per_second=self.max_requests_per_second,
            http_client=http_client,
            http_async_client=async_http_client,
        )

    @classmethod
    def class_name(cls) -> str:
        return "HunyuanEmbedding"

    @property
    def dimensions(self) -> int:
        """Length of every vector (fixed by Hunyuan)."""
        return EMBEDDING_DIMENSIONS

    @property
    def client(self) -> HunyuanClient:
        return self._client

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._client.embed([query], model=self.model_name)[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return (await self._client.aembed([query], model=self.model_name))[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._client.embed([text], model=self.model_name)[0]

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return (await self._client.aembed([text], model=self.model_name))[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._client.embed(texts, model=self.model_name)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return await self._client.aembed(texts, model=self.model_name)
