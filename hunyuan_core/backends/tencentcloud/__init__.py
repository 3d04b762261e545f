"""Tencent Cloud's native Hunyuan API: TC3 signing, conversion to and from its PascalCase
wire format, the backend, and thread runs."""

from hunyuan_core.backends.tencentcloud.backend import (
    DEFAULT_REGION,
    HOST,
    MAX_NATIVE_EMBEDDING_BATCH,
    SERVICE,
    VERSION,
    NativeBackend,
)
from hunyuan_core.backends.tencentcloud.convert import chat_params
from hunyuan_core.backends.tencentcloud.threads import ThreadRun

__all__ = [
    "DEFAULT_REGION",
    "HOST",
    "MAX_NATIVE_EMBEDDING_BATCH",
    "SERVICE",
    "VERSION",
    "NativeBackend",
    "ThreadRun",
    "chat_params",
]
