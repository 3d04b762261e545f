"""``HunyuanEmbeddings``: LangChain's ``Embeddings`` over :class:`hunyuan_core.HunyuanClient`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.embeddings import Embeddings
from pydantic import ConfigDict, Field, PrivateAttr, model_validator
from typing_extensions import Self

from hunyuan_core import (
    EMBEDDING_MODEL,
    MAX_EMBEDDING_BATCH,
    HunyuanClient,
    backend_for,
)
from hunyuan_core.models import embedding_dimensions
from langchain_hunyuan._connection import HunyuanConnection
from langchain_hunyuan._errors import converts_errors
from langchain_hunyuan._progress import groups, require_tqdm


class HunyuanEmbeddings(HunyuanConnection, Embeddings):
    """Tencent's embeddings: TokenHub's ``kinfra-text-embedding-0.6b`` (1024 dimensions) by
    default; ``model="hunyuan-embedding"`` on the legacy endpoint or the native API.

    ```python
    from langchain_hunyuan import HunyuanEmbeddings

    embeddings = HunyuanEmbeddings()  # TOKENHUB_API_KEY (or HUNYUAN_API_KEY) from the environment
    vectors = embeddings.embed_documents(["你好", "世界"])
    ```

    The core sends only ``input`` and ``model`` (all Hunyuan accepts), in batches of at most
    ``embed_batch_size`` texts (200, the server's cap), as many batches at a time as the
    account's quota allows (learned from 429s; ``embed_concurrency`` caps it), and returns the
    vectors in the order of the texts. Empty strings are rejected with a
    ``HunyuanInputError`` before any request; an empty list returns ``[]`` without one.
    """

    model: str = EMBEDDING_MODEL
    embed_batch_size: int = Field(default=MAX_EMBEDDING_BATCH, ge=1, le=MAX_EMBEDDING_BATCH)
    show_progress_bar: bool = False
    """Show a tqdm progress bar over the texts of ``embed_documents`` (needs ``tqdm``)."""
    embed_concurrency: int | None = Field(default=None, ge=1)
    """Most batches in flight; by default the core adapts to the account's quota."""
    max_requests_per_second: float | None = Field(default=None, gt=0)
    """Your quota, if you know it: requests are paced under it (passed to the core)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    _client: HunyuanClient | None = PrivateAttr(default=None)

    @property
    def dimensions(self) -> int:
        """Length of every vector (fixed by the model: 1024 for the default)."""
        return embedding_dimensions(self.model)

    @property
    def client(self) -> HunyuanClient:
        """The core client, built on first use and kept for this instance."""
        if self._client is None:
            self._client = HunyuanClient(
                backend=backend_for(self._connection_settings()),
                timeout=self.timeout,
                max_retries=self.max_retries,
                **self._limits(),
                embed_batch_size=self.embed_batch_size,
                embed_concurrency=self.embed_concurrency,
                **self._client_options(),
                max_requests_per_second=self.max_requests_per_second,
            )
        return self._client

    @model_validator(mode="after")
    def _check_tqdm(self) -> Self:
        if self.show_progress_bar:
            require_tqdm()  # fail at construction, not halfway through a job
        return self

    def _progress_groups(self, texts: list[str]) -> tuple[Any, list[list[str]]]:
        """A bar over ``texts`` and the groups to send: as many texts as the client sends
        at once (``embed_concurrency`` full batches), so that the batches still overlap."""
        client = self.client
        if not all(isinstance(t, str) and t.strip() for t in texts):
            client.embed(texts, model=self.model)  # raises the core's input error, unsent
        batch = min(client.embed_batch_size, client.backend.max_embed_batch)
        bar = require_tqdm()(total=len(texts), desc="Embedding", unit="text")
        return bar, groups(texts, batch * (client.embed_concurrency or 4))

    @converts_errors
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        if not self.show_progress_bar:
            return self.client.embed(texts, model=self.model)
        bar, parts = self._progress_groups(texts)
        vectors: list[list[float]] = []
        with bar:
            for part in parts:
                vectors += self.client.embed(part, model=self.model)
                bar.update(len(part))
        return vectors

    @converts_errors
    def embed_query(self, text: str) -> list[float]:
        return self.client.embed([text], model=self.model)[0]

    @converts_errors
    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        if not self.show_progress_bar:
            return await self.client.aembed(texts, model=self.model)
        bar, parts = self._progress_groups(texts)
        vectors: list[list[float]] = []
        with bar:
            for part in parts:
                vectors += await self.client.aembed(part, model=self.model)
                bar.update(len(part))
        return vectors

    @converts_errors
    async def aembed_query(self, text: str) -> list[float]:
        return (await self.client.aembed([text], model=self.model))[0]

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copy = super().model_copy(update=update, deep=deep)
        if update:
            copy._client = None
        return copy
