"""How Hunyuan differs from OpenAI, and the rules that make every API look OpenAI-like:
requests (:mod:`.requests`, :mod:`.messages`, :mod:`.tools`) and replies (:mod:`.replies`)."""

from hunyuan_core.quirks.inputs import (
    check_constructor_kwargs,
    check_extra_headers,
    check_json,
    check_no_credentials,
    check_text,
    is_credential_name,
)
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
    make_chat_request,
    reasoning_effort_param,
    split_call_options,
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
    "check_constructor_kwargs",
    "check_extra_headers",
    "check_json",
    "check_no_credentials",
    "check_text",
    "check_thinking_with_tools",
    "embedding_batches",
    "estimate_tokens",
    "is_credential_name",
    "keep_current_reasoning",
    "make_chat_request",
    "normalize_completion",
    "prepare_messages",
    "reasoning_effort_param",
    "resolve_tool_choice",
    "split_call_options",
    "thinking_param",
    "thinks",
    "tool_names",
    "trim_at_stop",
]
