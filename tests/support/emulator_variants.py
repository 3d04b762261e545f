"""Emulator variants that behave like each endpoint kind, or break one assumption at a time.

:class:`VariantEmulator` answers as :class:`~tests.support.emulator.HunyuanEmulator` does, except
where its :class:`Behaviour` says otherwise. :data:`LEGACY` is the faithful emulator's own
behaviour (the legacy endpoint, as documented); :data:`TOKENHUB` is TokenHub's as its pages and
published captures show it (https://intl.cloud.tencent.com/document/product/1300/78942,
https://cloud.tencent.com/document/product/1823/131208): exclusive ``stop``, usage once in a
closing ``choices: []`` chunk, OpenAI-shaped tool deltas, its error body, ``reasoning_content``
with ``reasoning_tokens`` when thinking is on. ``dataclasses.replace(LEGACY, stop="exclusive")``
is a legacy endpoint whose ``stop`` is not inclusive: the probe's tests flip each field so that
every row of ``python -m hunyuan_core.probe`` can fail.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from tests.support.emulator import (
    BAD_KEY,
    THINKING,
    Exchange,
    HunyuanEmulator,
    Reply,
    _check_messages,
    _tokens,
    fake_vector,
)


@dataclass(frozen=True)
class Behaviour:
    #: ``inclusive`` (legacy), ``exclusive`` (OpenAI) or ``ignored`` (stop not honoured).
    stop: str = "inclusive"
    #: With ``include_usage``: ``cumulative`` on every chunk, ``final`` only at the end,
    #: ``incremental`` (each chunk's own count) or ``none``.
    usage: str = "cumulative"
    #: A closing ``choices: []`` chunk carries the usage (else a final usage rides on the
    #: finishing chunk).
    usage_chunk: bool = True
    done: bool = True
    tool_index: bool = True
    tool_id_repeated: bool = True
    tool_name_repeated: bool = False
    embed_cap: int = 200
    embedding_models: frozenset[str] = frozenset({"hunyuan-embedding"})
    accept_required: bool = True
    accept_json_object: bool = True
    accept_json_schema: bool = True
    bad_key_status: int = 401
    #: ``legacy``, ``tokenhub`` or ``bare`` (a top-level ``{"message"}``, no ``error`` object).
    error_shape: str = "legacy"
    #: Thinking (``thinking`` enabled, or a ``reasoning_effort`` other than ``none``) gives
    #: ``reasoning_content``, and ``reasoning_tokens`` in the usage.
    reasoning: bool = False
    reasoning_tokens: bool = True
    #: Error messages repeat the request's ``Authorization`` header (some gateways do).
    echo_auth: bool = False


LEGACY = Behaviour()
TOKENHUB = Behaviour(
    stop="exclusive",
    usage="final",
    tool_id_repeated=False,
    embedding_models=frozenset({"kinfra-text-embedding-0.6b", "kinfra-text-embedding-4b"}),
    error_shape="tokenhub",
    reasoning=True,
)


class VariantEmulator(HunyuanEmulator):
    """``with VariantEmulator(replace(TOKENHUB, done=False)) as emu: ...``"""

    def __init__(self, behaviour: Behaviour = LEGACY, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.behaviour = behaviour

    # errors

    def error(self, ex: Exchange, message: str, code: str, kind: str) -> dict[str, Any]:
        b = self.behaviour
        if b.echo_auth:
            message += f" (Authorization: {ex.headers.get('authorization', '')})"
        if b.error_shape == "bare":
            return {"message": message}
        if b.error_shape == "tokenhub":
            rid = hashlib.md5(ex.body).hexdigest()
            return {
                "error": {
                    "message": message,
                    "message_zh": message,
                    "code": code,
                    "type": kind,
                    "source": "gateway",
                    "request_id": f"{rid[:8]}-{rid[8:12]}-{rid[12:16]}-{rid[16:20]}-{rid[20:32]}",
                }
            }
        return {"error": {"message": message, "type": kind, "param": None, "code": None}}

    async def reject(self, ex: Exchange, message: str, code: str = "400001") -> None:
        await ex.send_json(400, self.error(ex, message, code, "invalid_request_error"))

    async def _route(self, ex: Exchange) -> None:
        auth = ex.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth == f"Bearer {BAD_KEY}" or len(auth) < 10:
            body = self.error(ex, "API Key does not exist", "401002", "authentication_error")
            await ex.send_json(self.behaviour.bad_key_status, body)
        elif ex.path.endswith("/chat/completions"):
            await self._chat(ex)
        elif ex.path.endswith("/embeddings"):
            await self._embeddings(ex)
        else:
            await ex.send_json(404, self.error(ex, f"no route {ex.path}", "404", "not_found"))

    # chat

    def reply_for(self, body: dict[str, Any]) -> Reply:
        stops = body.get("stop") or []
        reply = super().reply_for({**body, "stop": None})
        for stop in stops:
            at = reply.content.find(stop)
            if at >= 0 and self.behaviour.stop != "ignored":
                keep = len(stop) if self.behaviour.stop == "inclusive" else 0
                reply.content = reply.content[: at + keep]
        return reply

    def _thinks(self, body: dict[str, Any]) -> bool:
        effort = body.get("reasoning_effort")
        enabled = (body.get("thinking") or {}).get("type") == "enabled"
        return self.behaviour.reasoning and (enabled or effort not in (None, "none"))

    def _usage(self, prompt: int, completion: int, thinking: bool) -> dict[str, Any]:
        usage: dict[str, Any] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        if thinking and self.behaviour.reasoning_tokens:
            usage["completion_tokens_details"] = {"reasoning_tokens": _tokens(THINKING)}
        return usage

    async def _chat(self, ex: Exchange) -> None:
        body = ex.json
        b = self.behaviour
        problem = _check_messages(body.get("messages") or [])
        fmt = (body.get("response_format") or {}).get("type")
        if problem:
            await self.reject(ex, problem)
        elif body.get("tool_choice") == "required" and not b.accept_required:
            await self.reject(ex, "tool_choice must be none, auto or a named tool")
        elif fmt == "json_object" and not b.accept_json_object:
            await self.reject(ex, "response_format json_object is not supported", "400006")
        elif fmt == "json_schema" and not b.accept_json_schema:
            await self.reject(ex, "response_format json_schema is not supported", "400006")
        elif body.get("stream"):
            await self._stream(ex, body)
        else:
            await self._whole(ex, body)

    def _head(self, body: dict[str, Any]) -> tuple[Reply, int, dict[str, Any], bool]:
        self._counter += 1
        ident = hashlib.md5(f"variant-{self._counter}".encode()).hexdigest()
        base = {
            "id": ident,
            "created": 1737186705 + self._counter,
            "model": body.get("model", "hunyuan-turbos-latest"),
        }
        prompt = _tokens(json.dumps(body["messages"], ensure_ascii=False))
        return self.reply_for(body), prompt, base, self._thinks(body)

    async def _whole(self, ex: Exchange, body: dict[str, Any]) -> None:
        reply, prompt, base, thinking = self._head(body)
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.tool_calls:
            message["tool_calls"] = reply.tool_calls
        if thinking:
            message["reasoning_content"] = THINKING
        completion = _tokens(reply.content + json.dumps(reply.tool_calls))
        choice = {"index": 0, "message": message, "finish_reason": reply.finish_reason}
        obj = {**base, "object": "chat.completion", "choices": [choice]}
        await ex.send_json(200, {**obj, "usage": self._usage(prompt, completion, thinking)})

    def _stream_deltas(self, reply: Reply) -> list[dict[str, Any]]:
        b = self.behaviour
        deltas = self._deltas(reply)
        seen: set[int] = set()
        for delta in deltas:
            for call in delta.get("tool_calls") or ():
                index = call["index"]
                if index in seen and not b.tool_id_repeated:
                    call.pop("id", None)
                    call.pop("type", None)
                seen.add(index)
                if b.tool_name_repeated:
                    call["function"]["name"] = reply.tool_calls[index]["function"]["name"]
                if not b.tool_index:
                    del call["index"]
        return deltas

    async def _stream(self, ex: Exchange, body: dict[str, Any]) -> None:
        b = self.behaviour
        reply, prompt, base, thinking = self._head(body)
        include = bool((body.get("stream_options") or {}).get("include_usage"))
        base = {**base, "object": "chat.completion.chunk"}
        deltas = self._stream_deltas(reply)
        if thinking:
            deltas = [{"role": "assistant", "reasoning_content": THINKING}, *deltas]
        await ex.start_stream()
        for n, delta in enumerate(deltas, 1):
            chunk: dict[str, Any] = {
                **base,
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
            }
            if include and b.usage == "cumulative":
                chunk["usage"] = self._usage(prompt, n, thinking)
            elif include and b.usage == "incremental":
                chunk["usage"] = self._usage(prompt, 1 + n % 2, thinking)
            await ex.send_event(json.dumps(chunk, ensure_ascii=False), drain=False)
        final: dict[str, Any] = {
            **base,
            "choices": [
                {"index": 0, "delta": {"content": ""}, "finish_reason": reply.finish_reason}
            ],
        }
        usage = self._usage(prompt, len(deltas), thinking)
        if include and b.usage == "incremental":
            usage = self._usage(prompt, 0, thinking)
        send_usage = include and b.usage != "none"
        if send_usage and (b.usage == "cumulative" or not b.usage_chunk):
            final["usage"] = usage
        await ex.send_event(json.dumps(final, ensure_ascii=False), drain=False)
        if send_usage and b.usage_chunk:
            closing = {**base, "choices": [], "usage": usage}
            await ex.send_event(json.dumps(closing, ensure_ascii=False), drain=False)
        if b.done:
            await ex.send_event("[DONE]")
        await ex.end_stream()

    # embeddings

    async def _embeddings(self, ex: Exchange) -> None:
        body = ex.json
        b = self.behaviour
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if set(body) - self.embedding_fields:
            await self.reject(ex, "only input and model are accepted")
        elif body.get("model") not in b.embedding_models:
            await self.reject(ex, f"unknown model {body.get('model')}", "400004")
        elif not texts or len(texts) > b.embed_cap:
            await self.reject(ex, f"input must hold 1 to {b.embed_cap} texts")
        else:
            data = [
                {"object": "embedding", "index": i, "embedding": fake_vector(t)}
                for i, t in enumerate(texts)
            ]
            tokens = sum(_tokens(t) for t in texts)
            usage = {"prompt_tokens": tokens, "total_tokens": tokens}
            payload = {"object": "list", "model": body["model"], "data": data, "usage": usage}
            await ex.send_json(200, payload)
