"""Shared HTTP core for Tencent Hunyuan: auth, typed wire objects, SSE, retries, typed errors
and the normalisation of Hunyuan's quirks. Imports neither LangChain nor LlamaIndex."""

from importlib.metadata import PackageNotFoundError as _NotInstalled
from importlib.metadata import version as _dist_version

from hunyuan_core._constants import LEGACY_BASE_URL
from hunyuan_core.backends import Backend, OpenAICompatibleBackend, backend_for
from hunyuan_core.backends.openai_compatible import DEFAULT_BASE_URL
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
from hunyuan_core.settings import Settings, resolve_settings
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

try:  # pyproject.toml's version is the one source; the three packages share it
    __version__ = _dist_version("hunyuan-integrations")
except _NotInstalled:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CHAT_MODEL",
    "EMBEDDING_DIMENSIONS",
    "EMBEDDING_MODEL",
    "LEGACY_BASE_URL",
    "MAX_EMBEDDING_BATCH",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "Backend",
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
    "Settings",
    "StreamError",
    "ToolCall",
    "Usage",
    "__version__",
    "backend_for",
    "model_info",
    "resolve_settings",
]
