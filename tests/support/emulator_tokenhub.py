"""A loopback server that speaks Tencent TokenHub's OpenAI-compatible wire format.

Shaped after the live captures published in the ``Tencent-Hunyuan/Hy3`` repository's docs pull
requests #49 and #144 (https://github.com/Tencent-Hunyuan/Hy3/pull/144) and Tencent's guides
(https://cloud.tencent.com/document/product/1823/132252, /131208 thinking, /130930 interleaved
thinking). Where it differs from the legacy endpoint (:class:`HunyuanEmulator`):

- ``stop`` is exclusive (the reply ends before it), at most 4 strings;
- a stream's first chunk carries ``{"role": "assistant"}`` alone; usage comes once, in a last
  ``choices: []`` chunk, and only with ``stream_options.include_usage``; then ``[DONE]``;
- ids are UUIDs, tool-call ids ``chatcmpl-tool-<32 hex>``; usage has
  ``prompt_tokens_details.cached_tokens`` and ``completion_tokens_details.reasoning_tokens``;
- thinking (``thinking: {"type": "enabled"}``, or any ``reasoning_effort`` but ``none``; always
  on for ``hunyuan-2.0-thinking-*``) sends ``reasoning_content`` first; with thinking and tools,
  ``tool_choice`` must be ``auto``; a tool loop's assistant turn may carry its
  ``reasoning_content`` back (recorded in :attr:`TokenHubEmulator.reasoning_sent_back`);
- errors are ``{"error": {message, message_zh, code, type, source, request_id}}`` with six-digit
  codes (401002 bad key, 400001 bad parameter, 400004 unknown model, 400003 too long);
- ``/embeddings`` serves ``kinfra-text-embedding-0.6b`` (1024) and ``-4b`` (2560) and takes
  only ``input`` and ``model``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from tests.support.emulator import (
    BAD_KEY,
    Exchange,
    HunyuanEmulator,
    Reply,
    _check_messages,
    _pieces,
    _tokens,
    fake_vector,
)

HY3_THINKING = "用户在打招呼，我应该友好地回应。"
CHAT_MODELS = frozenset(
    {
        "hy3",
        "hy3-preview",
        "hunyuan-2.0-thinking-20251109",
        "hunyuan-2.0-instruct-20251111",
        "hunyuan-role-latest",
    }
)
EMBEDDING_MODELS = {"kinfra-text-embedding-0.6b": 1024, "kinfra-text-embedding-4b": 2560}
#: The longest prompt (in the emulator's token count) before 400003.
CONTEXT_TOKENS = 200_000


def _uuid(seed: str) -> str:
    return str(uuid.UUID(hashlib.md5(seed.encode()).hexdigest()))


def error_body(code: str, message: str, kind: str, request_id: str) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "message_zh": message,
            "code": code,
            "type": kind,
            "source": "gateway",
            "request_id": request_id,
        }
    }


def thinks(body: dict[str, Any]) -> bool:
    if str(body.get("model", "")).startswith("hunyuan-2.0-thinking"):
        return True
    if (body.get("thinking") or {}).get("type") == "enabled":
        return True
    effort = body.get("reasoning_effort")
    return effort is not None and effort != "none"


class TokenHubEmulator(HunyuanEmulator):
    """``with TokenHubEmulator() as emu: emu.base_url``; see the module docstring."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        #: For each tool-loop request: whether its assistant tool-call turn carried reasoning.
        self.reasoning_sent_back: list[bool] = []
        self._prefixes: set[str] = set()

    def _request_id(self) -> str:
        self._counter += 1
        return _uuid(f"request-{self._counter}")

    async def _fail(self, ex: Exchange, status: int, code: str, message: str, kind: str) -> None:
        await ex.send_json(status, error_body(code, message, kind, self._request_id()))

    async def _route(self, ex: Exchange) -> None:
        auth = ex.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth == f"Bearer {BAD_KEY}" or len(auth) < 10:
            message = "API Key does not exist or signature verification failed"
            await self._fail(ex, 401, "401002", message, "gateway_error")
        elif ex.path.endswith("/chat/completions"):
            await self._chat(ex)
        elif ex.path.endswith("/embeddings"):
            await self._embeddings(ex)
        else:
            await self._fail(ex, 404, "404001", f"no route {ex.path}", "invalid_request_error")

    # --- /chat/completions --------------------------------------------------------------

    def _problem(self, body: dict[str, Any]) -> tuple[str, str] | None:
        if body.get("model") not in CHAT_MODELS:
            return "400004", f"model {body.get('model')!r} does not exist or is not available"
        if len(body.get("stop") or []) > 4:
            return "400001", "stop accepts at most 4 sequences"
        if body.get("tools") and thinks(body) and body.get("tool_choice", "auto") != "auto":
            return "400002", "in thinking mode tool_choice supports auto only"
        problem = _check_messages(body.get("messages") or [])
        return ("400001", problem) if problem else None

    def reply_for(self, body: dict[str, Any]) -> Reply:
        stops = body.get("stop") or []
        reply = self._next_tool(body) or super().reply_for({**body, "stop": []})
        for stop in stops:
            at = reply.content.find(stop)
            if at >= 0:  # TokenHub leaves the stop string out, as OpenAI does
                reply.content = reply.content[:at]
        for n, call in enumerate(reply.tool_calls):
            digest = hashlib.md5(f"{call['id']}-{n}".encode()).hexdigest()
            call["id"] = f"chatcmpl-tool-{digest}"
        return reply

    def _next_tool(self, body: dict[str, Any]) -> Reply | None:
        """An agent turn: after a tool result, call the next bound tool not yet called since
        the last user message (several tools, several turns), then answer."""
        messages, tools = body["messages"], body.get("tools") or []
        if not tools or messages[-1].get("role") != "tool" or body.get("tool_choice") == "none":
            return None
        last_user = max(i for i, m in enumerate(messages) if m.get("role") == "user")
        called = {
            call["function"]["name"]
            for m in messages[last_user:]
            for call in m.get("tool_calls") or ()
        }
        pending = [t for t in tools if t["function"]["name"] not in called]
        if not pending:
            return None
        forced = {**body, "tools": pending, "messages": messages[: last_user + 1]}
        return super().reply_for({**forced, "stop": []})

    def _usage(self, body: dict[str, Any], completion: int, reasoning: int) -> dict[str, Any]:
        messages = body["messages"]
        prompt = _tokens(json.dumps(messages, ensure_ascii=False))
        # The implicit cache: the longest leading run of messages an earlier request sent.
        prefixes = [json.dumps(messages[:k], ensure_ascii=False) for k in range(1, len(messages))]
        seen = [p for p in prefixes if p in self._prefixes]
        cached = _tokens(seen[-1]) if seen else 0
        self._prefixes.update(prefixes)
        self._prefixes.add(json.dumps(messages, ensure_ascii=False))
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": cached},
            "completion_tokens_details": {"reasoning_tokens": reasoning},
        }

    def _record_reasoning_round_trip(self, messages: list[dict[str, Any]]) -> None:
        if not messages or messages[-1].get("role") != "tool":
            return
        turn = next((m for m in reversed(messages) if m.get("tool_calls")), {})
        self.reasoning_sent_back.append(bool(turn.get("reasoning_content")))

    async def _chat(self, ex: Exchange) -> None:
        body = ex.json
        problem = self._problem(body)
        if problem:
            await self._fail(ex, 400, *problem, "invalid_request_error")
            return
        if _tokens(json.dumps(body["messages"], ensure_ascii=False)) > CONTEXT_TOKENS:
            message = "the input exceeds the model's context window"
            await self._fail(ex, 400, "400003", message, "invalid_request_error")
            return
        self._record_reasoning_round_trip(body["messages"])
        reply = self.reply_for(body)
        thinking = HY3_THINKING if thinks(body) else ""
        reasoning = _tokens(thinking) if thinking else 0
        completion = _tokens(reply.content + json.dumps(reply.tool_calls)) + reasoning
        usage = self._usage(body, completion, reasoning)
        ident = _uuid(json.dumps(body, sort_keys=True, ensure_ascii=False))
        base = {"id": ident, "created": 1784000000, "model": body["model"]}
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": reply.content}
            if thinking:
                message["reasoning_content"] = thinking
            if reply.tool_calls:
                message["tool_calls"] = reply.tool_calls
            choice = {"index": 0, "message": message, "finish_reason": reply.finish_reason}
            payload = {**base, "object": "chat.completion", "choices": [choice], "usage": usage}
            await ex.send_json(200, payload)
            return
        await ex.start_stream()
        chunk = {**base, "object": "chat.completion.chunk"}
        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
        deltas += [{"reasoning_content": p} for p in _pieces(thinking, 4)] if thinking else []
        deltas += self._tokenhub_deltas(reply)
        for n, delta in enumerate(deltas):
            last = n == len(deltas) - 1
            choice = {
                "index": 0,
                "delta": delta,
                "finish_reason": reply.finish_reason if last else None,
            }
            await ex.send_event(
                json.dumps({**chunk, "choices": [choice]}, ensure_ascii=False), drain=False
            )
        if (body.get("stream_options") or {}).get("include_usage"):
            await ex.send_event(json.dumps({**chunk, "choices": [], "usage": usage}), drain=False)
        await ex.send_event("[DONE]")
        await ex.end_stream()

    def _tokenhub_deltas(self, reply: Reply) -> list[dict[str, Any]]:
        """Content pieces, or tool calls: id, type and name once, then argument pieces."""
        if not reply.tool_calls:
            return [{"content": p} for p in _pieces(reply.content)] or [{"content": ""}]
        out: list[dict[str, Any]] = []
        for index, call in enumerate(reply.tool_calls):
            fn = call["function"]
            head = {"index": index, "id": call["id"], "type": "function"}
            out.append(
                {"tool_calls": [{**head, "function": {"name": fn["name"], "arguments": ""}}]}
            )
            args = fn["arguments"]
            for i in range(0, len(args), 8):
                part = {"index": index, "function": {"arguments": args[i : i + 8]}}
                out.append({"tool_calls": [part]})
        return out

    # --- /embeddings --------------------------------------------------------------------

    async def _embeddings(self, ex: Exchange) -> None:
        body = ex.json
        extra = sorted(set(body) - self.embedding_fields)
        if extra:
            message = f"unsupported parameter(s): {', '.join(extra)}"
            await self._fail(ex, 400, "400001", message, "invalid_request_error")
            return
        model = body.get("model")
        if model not in EMBEDDING_MODELS:
            message = f"model {model!r} does not exist or is not available"
            await self._fail(ex, 400, "400004", message, "invalid_request_error")
            return
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts or []
        size = EMBEDDING_MODELS[model]
        data = [
            {"object": "embedding", "index": i, "embedding": (fake_vector(t) * 3)[:size]}
            for i, t in enumerate(texts)
        ]
        tokens = sum(_tokens(t) for t in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        await ex.send_json(200, {"object": "list", "model": model, "data": data, "usage": usage})
