"""langchain-tests' standard integration suite for HunyuanEmbeddings, replayed from cassettes
(``cassettes/test_embeddings_standard/``, synthesised from tests/support/emulator.py)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from langchain_hunyuan import HunyuanEmbeddings

pytestmark = pytest.mark.vcr


class TestHunyuanEmbeddingsStandard(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[HunyuanEmbeddings]:
        return HunyuanEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "kinfra-text-embedding-0.6b"}
