"""Token counts for ``get_num_tokens`` / ``get_num_tokens_from_messages`` without
``transformers`` (LangChain's default needs it, and a GPT-2 tokenizer is wrong for Hunyuan).

With Tencent Cloud credentials the count is Hunyuan's own (``GetTokenCount``, through
:meth:`hunyuan_core.HunyuanClient.count_tokens`), one request per distinct text, cached.
Otherwise it is :func:`estimate_tokens`, an estimate that errs high, so that a prompt trimmed
to fit by it does fit.
"""

from __future__ import annotations

import json
import math
import re
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from hunyuan_core import HunyuanClient
from hunyuan_core.backends.tencentcloud import NativeBackend

#: Tokens a message costs beyond its text (role and turn markers of the chat template).
PER_MESSAGE = 5
#: Tokens that open the reply.
PER_REPLY = 3
#: Most distinct texts whose native count is kept.
CACHE_SIZE = 4096

# ASCII letters in a run, one ASCII digit or punctuation mark, a run of whitespace, or one
# other character (CJK, other scripts, emoji).
_PIECES = re.compile(r"[A-Za-z]+|[0-9]|[!-/:-@\[-`{-~]|\s+|.", re.DOTALL)


def estimate_tokens(text: str) -> int:
    """An upper estimate of Hunyuan's token count for ordinary text, with no tokenizer.

    Each CJK (or other non-ASCII) character counts 1 token and one outside the Basic
    Multilingual Plane (emoji) 4, as byte-level tokenizers may split it into its UTF-8 bytes;
    a run of ASCII letters counts one token per 2.5 letters, rounded up (English averages about
    4 characters a token); each digit and punctuation mark 1; a run of whitespace half its
    length, rounded down. Tokenizers merge far more than this, so the estimate is high: the
    documented example, 你是谁, is 2 tokens (https://cloud.tencent.com/document/product/1729/101835)
    and 3 here.
    """
    total = 0
    for match in _PIECES.finditer(text):
        piece = match.group()
        first = piece[0]
        if first.isascii() and first.isalpha():
            total += math.ceil(len(piece) / 2.5)
        elif first.isspace():
            total += len(piece) // 2
        elif ord(first) > 0xFFFF:
            total += 4
        else:
            total += 1
    return total


def message_text(message: BaseMessage) -> str:
    """What of a message the model reads as text: role, name, text, tool calls, call id."""
    parts = [message.type, message.name or "", message.text]
    if isinstance(message, AIMessage) and message.tool_calls:
        parts.append(json.dumps(message.tool_calls, ensure_ascii=False))
    if isinstance(message, ToolMessage):
        parts.append(message.tool_call_id)
    return "\n".join(p for p in parts if p)


def count_messages(
    messages: Sequence[BaseMessage], tools: Sequence[Any] | None, count: Callable[[str], int]
) -> int:
    """Tokens of a request: each message's text plus :data:`PER_MESSAGE`, the tool schemas
    (as the JSON sent), plus :data:`PER_REPLY`. Images are not counted."""
    total = PER_REPLY + sum(count(message_text(m)) + PER_MESSAGE for m in messages)
    if tools:
        schemas = [convert_to_openai_tool(tool) for tool in tools]
        total += count(json.dumps(schemas, ensure_ascii=False))
    return total


_caches: weakref.WeakKeyDictionary[HunyuanClient, dict[str, int]]
_caches = weakref.WeakKeyDictionary()


def native_counter(client: HunyuanClient) -> Callable[[str], int] | None:
    """``client.count_tokens`` with its answers cached per client, when the client is on the
    native API (the only one with a token-count action); else ``None``."""
    if not isinstance(client.backend, NativeBackend):
        return None
    cache = _caches.setdefault(client, {})

    def count(text: str) -> int:
        found = cache.get(text)
        if found is None:
            found = client.count_tokens(text)
            if len(cache) >= CACHE_SIZE:
                cache.pop(next(iter(cache)), None)  # the oldest entry
            cache[text] = found
        return found

    return count


def counter_for(model: Any) -> Callable[[str], int]:
    """How ``model`` (a ``ChatHunyuan``) counts a text: the user's ``custom_get_token_ids``,
    else Hunyuan's own count on the native API, else :func:`estimate_tokens`."""
    custom = model.custom_get_token_ids
    if custom is not None:
        return lambda text: len(custom(text))
    return native_counter(model.client) or estimate_tokens
