"""langchain-tests' standard unit suite for HunyuanEmbeddings (no network)."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_hunyuan import HunyuanEmbeddings


class TestHunyuanEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[HunyuanEmbeddings]:
        return HunyuanEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "hunyuan-embedding"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"HUNYUAN_API_KEY": "sk-from-env", "HUNYUAN_BASE_URL": "https://gateway.example/v1"},
            {},
            {"api_key": "sk-from-env", "base_url": "https://gateway.example/v1"},
        )
