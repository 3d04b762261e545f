"""Yuanqi agents, under the import path earlier releases documented; the code lives in
:mod:`hunyuan_core.backends.yuanqi`."""

from hunyuan_core.backends.yuanqi import (
    TOOL_FAIL,
    YUANQI_BASE_URL,
    AgentToolError,
    YuanqiBackend,
    yuanqi_messages,
)

__all__ = ["TOOL_FAIL", "YUANQI_BASE_URL", "AgentToolError", "YuanqiBackend", "yuanqi_messages"]
