"""Shared HTTP core for Tencent Hunyuan: auth, typed wire objects, SSE, retries, typed errors
and the normalisation of Hunyuan's quirks. Imports neither LangChain nor LlamaIndex."""

from hunyuan_core.backend import DEFAULT_BASE_URL, OpenAICompatibleBackend
from hunyuan_core.client import HunyuanClient
from hunyuan_core.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContentModerationError,
    HunyuanError,
    HunyuanInputError,
    InternalServerError,
    PartialEmbeddingError,
    PermissionDeniedError,
    RateLimitError,
    StreamError,
)
from hunyuan_core.models import (
    DEFAULT_CHAT_MODEL,
    EMBEDDING_DIMENSIONS,
    EMBEDDING_MODEL,
    MAX_EMBEDDING_BATCH,
    ModelInfo,
    model_info,
)
from hunyuan_core.retry import RetryPolicy
from hunyuan_core.types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    Choice,
    ChunkChoice,
    Delta,
    EmbeddingResponse,
    FunctionCall,
    ResponseMessage,
    ToolCall,
    Usage,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CHAT_MODEL",
    "EMBEDDING_DIMENSIONS",
    "EMBEDDING_MODEL",
    "MAX_EMBEDDING_BATCH",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatRequest",
    "Choice",
    "ChunkChoice",
    "ContentModerationError",
    "Delta",
    "EmbeddingResponse",
    "FunctionCall",
    "HunyuanClient",
    "HunyuanError",
    "HunyuanInputError",
    "InternalServerError",
    "ModelInfo",
    "OpenAICompatibleBackend",
    "PartialEmbeddingError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseMessage",
    "RetryPolicy",
    "StreamError",
    "ToolCall",
    "Usage",
    "model_info",
]
