"""What each Hunyuan model can do, for adapters that must say so (LlamaIndex metadata, LangChain
profiles). Figures are from Tencent's product overview (context = input + output tokens); a
name not listed gets :data:`DEFAULT_MODEL_INFO`, and any name is still sent as it is."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_CHAT_MODEL = "hunyuan-turbos-latest"
EMBEDDING_MODEL = "hunyuan-embedding"
EMBEDDING_DIMENSIONS = 1024
#: Texts per ``/embeddings`` request on the OpenAI-compatible API. Tencent publishes no cap for
#: that endpoint (the native GetEmbedding documents 50, see native.py); lower ``embed_batch_size``
#: if a gateway rejects 200.
MAX_EMBEDDING_BATCH = 200
#: GetEmbedding embeds the first 1024 tokens of a text and silently drops the rest.
EMBEDDING_MAX_TOKENS = 1024


@dataclass(frozen=True)
class ModelInfo:
    context_window: int
    max_output_tokens: int
    function_calling: bool = True
    vision: bool = False
    reasoning: bool = False


MODELS: dict[str, ModelInfo] = {
    "hunyuan-turbos-latest": ModelInfo(32_000, 16_000),
    "hunyuan-turbos-longtext-128k-20250325": ModelInfo(128_000, 8_000),
    "hunyuan-turbo-latest": ModelInfo(32_000, 4_000),
    "hunyuan-turbo": ModelInfo(32_000, 4_000),
    "hunyuan-large": ModelInfo(32_000, 4_000),
    "hunyuan-large-longcontext": ModelInfo(128_000, 6_000, function_calling=False),
    "hunyuan-pro": ModelInfo(32_000, 4_000),
    "hunyuan-functioncall": ModelInfo(32_000, 4_000),
    "hunyuan-standard": ModelInfo(32_000, 2_000, function_calling=False),
    "hunyuan-standard-256K": ModelInfo(256_000, 6_000, function_calling=False),
    "hunyuan-lite": ModelInfo(256_000, 6_000, function_calling=False),
    "hunyuan-role": ModelInfo(32_000, 4_000, function_calling=False),
    "hunyuan-code": ModelInfo(8_000, 4_000, function_calling=False),
    "hunyuan-vision": ModelInfo(8_000, 2_000, function_calling=False, vision=True),
    "hunyuan-turbos-vision": ModelInfo(8_000, 2_000, function_calling=False, vision=True),
    "hunyuan-t1-latest": ModelInfo(64_000, 32_000, reasoning=True),
    "hunyuan-t1-vision": ModelInfo(
        28_000, 8_000, function_calling=False, vision=True, reasoning=True
    ),
    "hunyuan-a13b": ModelInfo(224_000, 32_000, reasoning=True),
}

DEFAULT_MODEL_INFO = ModelInfo(32_000, 4_000)


def model_info(model: str) -> ModelInfo:
    """The table entry for ``model``, else the longest listed prefix, else the default."""
    if model in MODELS:
        return MODELS[model]
    prefixes = [name for name in MODELS if model.startswith(name)]
    return MODELS[max(prefixes, key=len)] if prefixes else DEFAULT_MODEL_INFO
