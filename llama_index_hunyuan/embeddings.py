"""``HunyuanEmbedding``: Tencent's embeddings (TokenHub's ``kinfra-text-embedding-0.6b``, 1024
dimensions, by default) as a LlamaIndex embedding."""

from __future__ import annotations

from typing import Any

import httpx
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import Field, PrivateAttr

from hunyuan_core import (
    EMBEDDING_MODEL,
    MAX_EMBEDDING_BATCH,
    HunyuanClient,
    backend_for,
)
from hunyuan_core.models import embedding_dimensions
from llama_index_hunyuan._connection import HunyuanConnection

__all__ = ["HunyuanEmbedding"]


class HunyuanEmbedding(HunyuanConnection, BaseEmbedding):
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
            backend=backend_for(self._connection_settings()),
            timeout=self.timeout,
            max_retries=self.max_retries,
            **self._limits(),
            embed_batch_size=self.embed_batch_size,
            max_requests_per_second=self.max_requests_per_second,
            http_client=http_client,
            http_async_client=async_http_client,
            default_headers=self.default_headers,
        )

    @classmethod
    def class_name(cls) -> str:
        return "HunyuanEmbedding"

    @property
    def dimensions(self) -> int:
        """Length of every vector (fixed by Hunyuan)."""
        return embedding_dimensions(self.model_name)

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
