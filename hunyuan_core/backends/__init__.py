"""Backends: one module per API, each a :class:`~hunyuan_core.backends.base.Backend`.

- :mod:`.openai_compatible`: Tencent's OpenAI-compatible endpoints, resellers, vLLM/SGLang;
- :mod:`.tencentcloud`: Tencent Cloud's native, TC3-signed API (imported only when chosen);
- :mod:`.yuanqi`: published Yuanqi agents.

:func:`backend_for` builds the one that :func:`hunyuan_core.settings.resolve_settings` chose.
"""

from __future__ import annotations

from hunyuan_core.backends.base import Backend, WireRequest, request_id_of
from hunyuan_core.backends.openai_compatible import OpenAICompatibleBackend
from hunyuan_core.settings import Settings


def backend_for(settings: Settings, *, raise_on_tool_fail: bool = False) -> Backend:
    """The backend for resolved settings. The native and Yuanqi modules load only when used."""
    if settings.backend == "tencentcloud":
        from hunyuan_core.backends.tencentcloud import NativeBackend

        return NativeBackend(
            secret_id=settings.secret_id,
            secret_key=settings.secret_key,
            token=settings.session_token,
            region=settings.region,
            endpoint=settings.base_url,
        )
    if settings.backend == "yuanqi":
        from hunyuan_core.backends.yuanqi import YuanqiBackend

        return YuanqiBackend(
            token=settings.api_key,
            assistant_id=settings.assistant_id,
            user_id=settings.user_id,
            base_url=settings.base_url,
            raise_on_tool_fail=raise_on_tool_fail,
        )
    return OpenAICompatibleBackend(api_key=settings.api_key, base_url=settings.base_url)


__all__ = ["Backend", "OpenAICompatibleBackend", "WireRequest", "backend_for", "request_id_of"]
