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

_TOKENHUB = "https://cloud.tencent.com/document/product/1823/132252 (read 2026-11-25)"
_TOKENHUB_INTL = "https://intl.cloud.tencent.com/document/product/1300/80695 (read 2026-11-25)"
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
    #: Where the figures come from (a public URL) and when it was read.
    source: str = ""


# Legacy (api.hunyuan.cloud.tencent.com / native API) rows. Tencent's model list,
# https://cloud.tencent.com/document/product/1729/104753 , gives each model's input and output
# length; its text was not reachable from here, so the figures are LobeHub's transcription of it
# (each file names that page), context = input + output. Function calling follows the SDK's
# ChatCompletionsRequest.Tools: "仅对 hunyuan-turbos、hunyuan-t1、hunyuan-functioncall 模型生效"
# (older SDK texts and LobeHub add hunyuan-pro and hunyuan-turbo).
_READ = "read 2026-11-25"
_LOBE = (
    "https://cloud.tencent.com/document/product/1729/104753 as transcribed in "
    "https://github.com/lobehub/lobe-chat/blob/9acb63ae576ccbf2c75dc229b5403ccb4b8ebb0e/"
    f"packages/model-bank/src/aiModels/hunyuan.ts ({_READ})"
)
_LOBE_EARLIER = (
    "https://cloud.tencent.com/document/product/1729/104753 as transcribed in "
    "https://github.com/lobehub/lobe-chat/blob/634d771e820a53f0bff249b463270964eb9fc896/"
    f"src/config/aiModels/hunyuan.ts ({_READ})"
)
_LOBE_PROVIDER = (
    "https://cloud.tencent.com/document/product/1729/104753 as transcribed in "
    "https://app.unpkg.com/@lobehub/chat@1.143.3/files/src/config/modelProviders/hunyuan.ts "
    f"({_READ})"
)
_SDK_TOOLS = (
    "; tools: https://github.com/TencentCloud/tencentcloud-sdk-python/blob/master/"
    f"tencentcloud/hunyuan/v20230901/models.py ChatCompletionsRequest.Tools ({_READ})"
)

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
    "hunyuan-turbos-latest": ModelInfo(44_000, 16_000, source=_LOBE + _SDK_TOOLS),
    "hunyuan-turbos-longtext-128k-20250325": ModelInfo(134_000, 6_000, source=_LOBE + _SDK_TOOLS),
    "hunyuan-turbo-latest": ModelInfo(32_000, 4_000, source=_LOBE),
    "hunyuan-turbo": ModelInfo(32_000, 4_000, source=_LOBE_PROVIDER),
    "hunyuan-large": ModelInfo(32_000, 4_000, function_calling=False, source=_LOBE + _SDK_TOOLS),
    "hunyuan-large-longcontext": ModelInfo(
        134_000, 6_000, function_calling=False, source=_LOBE + _SDK_TOOLS
    ),
    "hunyuan-pro": ModelInfo(32_000, 4_000, source=_LOBE_PROVIDER),
    "hunyuan-functioncall": ModelInfo(32_000, 4_000, source=_LOBE + _SDK_TOOLS),
    "hunyuan-standard": ModelInfo(32_000, 2_000, function_calling=False, source=_LOBE),
    "hunyuan-standard-256K": ModelInfo(256_000, 6_000, function_calling=False, source=_LOBE),
    "hunyuan-lite": ModelInfo(256_000, 6_000, function_calling=False, source=_LOBE),
    "hunyuan-role": ModelInfo(32_000, 4_000, function_calling=False, source=_LOBE),
    "hunyuan-code": ModelInfo(8_000, 4_000, function_calling=False, source=_LOBE),
    "hunyuan-vision": ModelInfo(32_000, 16_000, function_calling=False, vision=True, source=_LOBE),
    "hunyuan-turbos-vision": ModelInfo(
        32_000, 24_000, function_calling=False, vision=True, source=_LOBE
    ),
    "hunyuan-t1-latest": ModelInfo(96_000, 64_000, reasoning=True, source=_LOBE + _SDK_TOOLS),
    "hunyuan-t1-vision": ModelInfo(
        32_768, 8_192, function_calling=False, vision=True, reasoning=True, source=_LOBE_EARLIER
    ),
    "hunyuan-a13b": ModelInfo(
        256_000, 32_000, function_calling=False, reasoning=True, source=_LOBE + _SDK_TOOLS
    ),
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
