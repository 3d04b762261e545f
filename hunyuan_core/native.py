"""Tencent Cloud's native API, under the import path earlier releases documented.

The code lives in :mod:`hunyuan_core.backends.tencentcloud`; ``run_thread`` is
:meth:`hunyuan_core.HunyuanClient.run_thread`.
"""

from __future__ import annotations

from typing import Any

from hunyuan_core.backends.tencentcloud import (
    HOST,
    SERVICE,
    VERSION,
    NativeBackend,
    ThreadRun,
    chat_params,
)
from hunyuan_core.client import HunyuanClient


def run_thread(client: HunyuanClient, thread_id: str, **kwargs: Any) -> ThreadRun:
    """Same as ``client.run_thread(thread_id, ...)``."""
    run: ThreadRun = client.run_thread(thread_id, **kwargs)
    return run


__all__ = ["HOST", "SERVICE", "VERSION", "NativeBackend", "ThreadRun", "chat_params", "run_thread"]
