"""What each Hunyuan model can do, for adapters that must say so (LlamaIndex metadata, LangChain
profiles). Context is input + output tokens, as Tencent quotes it; a name not listed gets
:data:`DEFAULT_MODEL_INFO`, and any name is still sent as it is. Each row names its source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Tencent's flagship on TokenHub, generally available since July 2026
#: (https://cloud.tencent.com/document/product/1823/132252).
DEFAULT_CHAT_MODEL = "hy3"
#: TokenHub's 1024-dimension text embedding model (TokenHub serves no ``hunyuan-embedding``).
EMBEDDING_MODEL = "kinfra-text-embedding-0.6b"
#: The legacy endpoint's and the native API's embedding model.
LEGACY_EMBEDDING_MODEL = "hunyuan-embedding"
EMBEDDING_DIMENSIONS = 1024
#: Vector length per embedding model; a model not listed is assumed to give 1024.
EMBEDDING_MODEL_DIMENSIONS = {
    "kinfra-text-embedding-0.6b": 1024,
    "kinfra-text-embedding-4b": 2560,
    "hunyuan-embedding": 1024,
}
#: Texts per ``/embeddings`` request on the OpenAI-compatible API. Tencent publishes no cap for
#: that endpoint (the native GetEmbedding documents 50); lower ``embed_batch_size`` if a gateway
#: rejects 200 (``python -m hunyuan_core.probe`` measures it with a key).
MAX_EMBEDDING_BATCH = 200
#: GetEmbedding embeds the first 1024 tokens of a text and silently drops the rest.
EMBEDDING_MAX_TOKENS = 1024

_TOKENHUB = "https://cloud.tencent.com/document/product/1823/132252 (read 2026-11)"
_TOKENHUB_INTL = "https://intl.cloud.tencent.com/document/product/1300/80695 (read 2026-11)"
_LEGACY = "https://cloud.tencent.com/document/product/1729/104753 (read 2026-11)"
_HY3: dict[str, Any] = {"max_input": 192_000, "source": _TOKENHUB}


@dataclass(frozen=True)
class ModelInfo:
    context_window: int
    max_output_tokens: int
    function_calling: bool = True
    vision: bool = False
    reasoning: bool = False
    #: ``response_format`` ``json_schema`` (structured output) is documented for the model.
    json_schema: bool = False
    #: The longest input, where Tencent gives one; else what the output leaves of the context.
    max_input: int = 0
    #: Where the figures come from, and when they were read.
    source: str = ""


MODELS: dict[str, ModelInfo] = {
    # TokenHub (today's platform)
    "hy3": ModelInfo(256_000, 128_000, reasoning=True, json_schema=True, **_HY3),
    "hy3-preview": ModelInfo(256_000, 128_000, reasoning=True, json_schema=True, **_HY3),
    "hunyuan-2.0-thinking-20251109": ModelInfo(192_000, 64_000, reasoning=True, source=_TOKENHUB),
    "hunyuan-2.0-instruct-20251111": ModelInfo(144_000, 16_384, source=_TOKENHUB),
    "hunyuan-role-latest": ModelInfo(32_000, 4_000, function_calling=False, source=_TOKENHUB),
    "hy-mt2-pro": ModelInfo(8_000, 4_000, function_calling=False, source=_TOKENHUB),
    "hy-mt2-plus": ModelInfo(8_000, 4_000, function_calling=False, source=_TOKENHUB_INTL),
    "hy-mt2-lite": ModelInfo(8_000, 4_000, function_calling=False, source=_TOKENHUB_INTL),
    # The legacy endpoint and the native API
    "hunyuan-turbos-latest": ModelInfo(32_000, 16_000, source=_LEGACY),
    "hunyuan-turbos-longtext-128k-20250325": ModelInfo(128_000, 8_000, source=_LEGACY),
    "hunyuan-turbo-latest": ModelInfo(32_000, 4_000, source=_LEGACY),
    "hunyuan-turbo": ModelInfo(32_000, 4_000, source=_LEGACY),
    "hunyuan-large": ModelInfo(32_000, 4_000, source=_LEGACY),
    "hunyuan-large-longcontext": ModelInfo(128_000, 6_000, function_calling=False, source=_LEGACY),
    "hunyuan-pro": ModelInfo(32_000, 4_000, source=_LEGACY),
    "hunyuan-functioncall": ModelInfo(32_000, 4_000, source=_LEGACY),
    "hunyuan-standard": ModelInfo(32_000, 2_000, function_calling=False, source=_LEGACY),
    "hunyuan-standard-256K": ModelInfo(256_000, 6_000, function_calling=False, source=_LEGACY),
    "hunyuan-lite": ModelInfo(256_000, 6_000, function_calling=False, source=_LEGACY),
    "hunyuan-role": ModelInfo(32_000, 4_000, function_calling=False, source=_LEGACY),
    "hunyuan-code": ModelInfo(8_000, 4_000, function_calling=False, source=_LEGACY),
    "hunyuan-vision": ModelInfo(8_000, 2_000, function_calling=False, vision=True, source=_LEGACY),
    "hunyuan-turbos-vision": ModelInfo(
        8_000, 2_000, function_calling=False, vision=True, source=_LEGACY
    ),
    "hunyuan-t1-latest": ModelInfo(64_000, 32_000, reasoning=True, source=_LEGACY),
    "hunyuan-t1-vision": ModelInfo(
        28_000, 8_000, function_calling=False, vision=True, reasoning=True, source=_LEGACY
    ),
    "hunyuan-a13b": ModelInfo(224_000, 32_000, reasoning=True, source=_LEGACY),
}

DEFAULT_MODEL_INFO = ModelInfo(32_000, 4_000)


def model_info(model: str) -> ModelInfo:
    """The table entry for ``model``, else the longest listed prefix, else the default."""
    if model in MODELS:
        return MODELS[model]
    prefixes = [name for name in MODELS if model.startswith(name)]
    return MODELS[max(prefixes, key=len)] if prefixes else DEFAULT_MODEL_INFO


def max_input_tokens(info: ModelInfo) -> int:
    """The longest input ``info`` allows."""
    return info.max_input or info.context_window - info.max_output_tokens


def embedding_dimensions(model: str) -> int:
    """The length of ``model``'s vectors."""
    return EMBEDDING_MODEL_DIMENSIONS.get(model, EMBEDDING_DIMENSIONS)
