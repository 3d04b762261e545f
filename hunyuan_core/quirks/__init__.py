"""How Hunyuan differs from OpenAI, and the rules that make every API look OpenAI-like:
requests (:mod:`.requests`, :mod:`.messages`, :mod:`.tools`) and replies (:mod:`.replies`)."""

from hunyuan_core.quirks.messages import ROLES, prepare_messages
from hunyuan_core.quirks.replies import (
    SENSITIVE,
    StopTrimmer,
    StreamNormalizer,
    normalize_completion,
    trim_at_stop,
)
from hunyuan_core.quirks.requests import (
    REASONING_EFFORTS,
    chat_body,
    check_thinking_with_tools,
    embedding_batches,
    estimate_tokens,
    keep_current_reasoning,
    reasoning_effort_param,
    thinking_param,
    thinks,
)
from hunyuan_core.quirks.tools import resolve_tool_choice, tool_names

__all__ = [
    "REASONING_EFFORTS",
    "ROLES",
    "SENSITIVE",
    "StopTrimmer",
    "StreamNormalizer",
    "chat_body",
    "check_thinking_with_tools",
    "embedding_batches",
    "estimate_tokens",
    "keep_current_reasoning",
    "normalize_completion",
    "prepare_messages",
    "reasoning_effort_param",
    "resolve_tool_choice",
    "thinking_param",
    "thinks",
    "tool_names",
    "trim_at_stop",
]
