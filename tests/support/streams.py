"""Scripted Hunyuan streams for the emulator (``emu.script.append(stream_of(...))``).

Each builds the SSE body a Hunyuan server sends: ``chunks`` are the ``choices[0].delta`` dicts
(or whole choice dicts with ``finish_reason``), every chunk carries the cumulative usage as
Hunyuan does with ``stream_options.include_usage``, then the ``choices: []`` usage chunk and
``[DONE]``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tests.support.emulator import Exchange, Handler

WEATHER_AND_TIME = [
    # Two calls start in the same chunk, each with its id, and Hunyuan repeats the ids later.
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "index": 0,
                "id": "call_weather",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Bei'},
            },
            {
                "index": 1,
                "id": "call_time",
                "type": "function",
                "function": {"name": "get_time", "arguments": '{"tz": "Asia/'},
            },
        ],
    },
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "index": 0,
                "id": "call_weather",
                "type": "function",
                "function": {"name": "get_weather", "arguments": 'jing"}'},
            },
            {
                "index": 1,
                "id": "call_time",
                "type": "function",
                "function": {"arguments": 'Shanghai"}'},
            },
        ],
    },
]


def _usage(completion: int) -> dict[str, int]:
    return {"prompt_tokens": 11, "completion_tokens": completion, "total_tokens": 11 + completion}


def stream_of(
    deltas: Sequence[dict[str, Any]], finish_reason: str = "stop", *, model: str = "hunyuan-turbo"
) -> Handler:
    """A handler answering one streamed request with these deltas, Hunyuan style."""

    async def handler(ex: Exchange) -> None:
        base = {"id": "scripted", "object": "chat.completion.chunk", "created": 1, "model": model}
        await ex.start_stream()
        for n, delta in enumerate(deltas, start=1):
            choice = {"index": 0, "delta": delta, "finish_reason": None}
            chunk = {**base, "choices": [choice], "usage": _usage(n)}
            await ex.send_event(json.dumps(chunk, ensure_ascii=False))
        last = {"index": 0, "delta": {"role": "assistant", "content": ""}}
        done = {**base, "choices": [{**last, "finish_reason": finish_reason}]}
        await ex.send_event(json.dumps({**done, "usage": _usage(len(deltas))}))
        await ex.send_event(json.dumps({**base, "choices": [], "usage": _usage(len(deltas))}))
        await ex.send_event("[DONE]")
        await ex.end_stream()

    return handler


def reply_of(message: dict[str, Any], finish_reason: str = "stop") -> Handler:
    """A handler answering one non-streamed request with this message."""

    async def handler(ex: Exchange) -> None:
        await ex.send_json(
            200,
            {
                "id": "scripted",
                "object": "chat.completion",
                "created": 1,
                "model": "hunyuan-turbo",
                "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
                "usage": _usage(7),
            },
        )

    return handler
