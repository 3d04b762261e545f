"""A loopback server speaking the Yuanqi agent API as its doc describes it:
https://docs.qq.com/aio/p/scxmsn78nzsuj64?p=unUU8C3HBocfQSOGAh2BYuC

``POST /openapi/v1/agent/chat/completions`` with ``Authorization: Bearer <token>`` and
``X-Source: openapi``; body ``assistant_id``, ``user_id``, ``stream``, ``messages`` (user and
assistant alternating, at most 40, content lists of ``text`` / ``file_url``). Replies carry
``message.steps`` (non-streamed) or step deltas (streamed: the agent's tool call, then a
``role: tool`` delta with the tool's output), ``assistant_id`` and ``usage``. What the doc does
not show is inferred and marked: the error body shape and the closing ``data: [DONE]``.

The emulated agent answers like :class:`tests.support.emulator.HunyuanEmulator`, and: a
question about the weather (天气) makes it call a weather plugin first; "工具失败" makes that
plugin fail (``finish_reason: tool_fail``); "敏感" stops the reply by moderation (``sensitive``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.support.emulator import (
    GREETING,
    SEED_000_REPLY,
    Exchange,
    HunyuanEmulator,
    _pieces,
    _tokens,
)

TOKEN = "yuanqi-test-token"
ASSISTANT_ID = "I4aVQTHpsJro"  # the Yuanqi doc's example id
PATH = "/openapi/v1/agent/chat/completions"
WEATHER_ANSWER = "北京今天晴,气温18到26度。"


def _error(status: int, message: str) -> dict[str, Any]:
    # Inferred: the Yuanqi doc lists only "400 请求参数错误".
    return {"error": {"code": status, "message": message}}


def _text(content: list[dict[str, Any]]) -> str:
    return " ".join(p.get("text", "") for p in content if p.get("type") == "text")


def _problem(body: dict[str, Any]) -> str | None:
    if body.get("assistant_id") != ASSISTANT_ID:
        return "assistant_id not found"
    if not body.get("user_id"):
        return "user_id is required"
    messages = body.get("messages") or []
    if not messages or len(messages) > 40:
        return "messages must hold 1 to 40 items"
    for i, m in enumerate(messages):
        if m.get("role") != ("user" if i % 2 == 0 else "assistant"):
            return "messages must alternate user, assistant, starting with user"
        if not isinstance(m.get("content"), list):
            return "content must be a list"
        for part in m["content"]:
            if part.get("type") not in ("text", "file_url"):
                return f"unknown content type {part.get('type')}"
    return None


class YuanqiEmulator(HunyuanEmulator):
    """``with YuanqiEmulator() as emu:`` then ``YuanqiBackend(base_url=emu.base_url, ...)``."""

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/openapi/v1"

    async def _route(self, ex: Exchange) -> None:
        if ex.headers.get("authorization") != f"Bearer {TOKEN}":
            await ex.send_json(401, _error(401, "invalid token"))
            return
        if ex.path != PATH or ex.headers.get("x-source") != "openapi":
            await ex.send_json(400, _error(400, "bad path or missing X-Source: openapi"))
            return
        body = ex.json
        problem = _problem(body)
        if problem:
            await ex.send_json(400, _error(400, problem))
            return
        self._counter += 1
        ident = hashlib.md5(f"yuanqi-{self._counter}".encode()).hexdigest()
        prompt = _text(body["messages"][-1]["content"])
        steps, answer, finish = self._plan(prompt, ident)
        usage = _usage(_tokens(json.dumps(body["messages"], ensure_ascii=False)), _tokens(answer))
        base = {"id": ident, "created": 1737186705 + self._counter}
        if not body.get("stream"):
            message = {"role": "assistant", "content": answer, "steps": steps}
            choice = {"index": 0, "finish_reason": finish, "message": message}
            await ex.send_json(
                200, {**base, "choices": [choice], "assistant_id": ASSISTANT_ID, "usage": usage}
            )
            return
        await ex.start_stream()
        deltas = [
            {k: v for k, v in step.items() if k != "usage"}
            for step in steps
            if step["role"] == "tool" or step.get("tool_calls")
        ]
        deltas += [{"role": "assistant", "content": p, "time_cost": 12} for p in _pieces(answer)]
        for delta in deltas:
            chunk = {**base, "choices": [{"index": 0, "finish_reason": None, "delta": delta}]}
            await ex.send_event(json.dumps({**chunk, "assistant_id": ASSISTANT_ID}), drain=False)
        last = {"index": 0, "finish_reason": finish, "delta": {"role": "assistant", "content": ""}}
        await ex.send_event(
            json.dumps({**base, "choices": [last], "assistant_id": ASSISTANT_ID, "usage": usage})
        )
        await ex.send_event("[DONE]")  # inferred: the doc shows no stream example
        await ex.end_stream()

    @staticmethod
    def _plan(prompt: str, ident: str) -> tuple[list[dict[str, Any]], str, str]:
        """The agent's steps, its answer and the finish reason."""
        if "敏感" in prompt:
            return [], "这个问题", "sensitive"
        if "天气" not in prompt and "weather" not in prompt.lower():
            text = SEED_000_REPLY if "介绍" in prompt else GREETING
            return (
                [{"role": "assistant", "content": text, "usage": _usage(5, 9), "time_cost": 300}],
                text,
                "stop",
            )
        call_id = "call_" + ident[:20]
        call = {
            "id": call_id,
            "type": "function",
            "function": {
                "name": "get_weather",
                "desc": "查询城市天气",
                "type": "tool",
                "arguments": json.dumps({"city": "北京"}, ensure_ascii=False),
            },
        }
        calling = {
            "role": "assistant",
            "content": "",
            "tool_calls": [call],
            "usage": _usage(20, 8),
            "time_cost": 410,
        }
        if "工具失败" in prompt:
            failed = {"role": "tool", "content": "", "tool_call_id": call_id, "time_cost": 3000}
            return [calling, failed], "", "tool_fail"
        result = {
            "role": "tool",
            "content": '{"weather": "晴", "low": 18, "high": 26}',
            "tool_call_id": call_id,
            "time_cost": 120,
        }
        final = {
            "role": "assistant",
            "content": WEATHER_ANSWER,
            "usage": _usage(40, 12),
            "time_cost": 350,
        }
        return [calling, result, final], WEATHER_ANSWER, "stop"


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
