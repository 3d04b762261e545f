"""A loopback server that speaks Hunyuan's OpenAI-compatible wire format, as documented.

It is what the synthesised cassettes were recorded from, what the fault-injection suite breaks,
and what the benchmarks hit. Faithful to the documented quirks (Tencent's
OpenAI-compatible API, https://cloud.tencent.com/document/product/1729/111007, and a reseller
gateway's published examples, https://wcode.net/hunyuan-llm-api):

- ``stop`` is inclusive: the reply runs up to and *including* the stop string;
- with ``stream_options.include_usage`` every chunk carries the cumulative usage; a stream
  always ends with a ``choices: []`` usage chunk and ``data: [DONE]``;
- every streamed delta repeats ``"role": "assistant"``, streamed tool calls repeat their ``id``;
- thinking models (``hunyuan-t1*``, ``hunyuan-a13b``) send ``reasoning_content`` before the answer;
- ``/embeddings`` accepts only ``input`` and ``model`` (``hunyuan-embedding``, 1024 dims);
- only ``messages[0]`` may be system and user/assistant alternate, else 400;
- a bad key gets 401 with the published error body.

Replies are deterministic: a canned answer, a tool call whose arguments are generated from the
tool's JSON schema, or JSON generated from ``response_format``'s schema.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

GREETING = "您好!非常高兴与您交流,今天有什么有趣的事情想和我分享呢😄"
# The published stream example splits the greeting into these pieces.
GREETING_PIECES = [
    "您好",
    "!",
    "非常",
    "高兴",
    "与您",
    "交流",
    ",",
    "今天",
    "有什么",
    "有趣",
    "的事情",
    "想",
    "和我",
    "分享",
    "呢",
    "😄",
]
#: What a thinking model (hunyuan-t1, hunyuan-a13b) sends as ``reasoning_content`` first.
THINKING = "用户在打招呼,我应该友好地回应。"
THINKING_MODELS = ("hunyuan-t1", "hunyuan-a13b")
SEED_000_REPLY = "我是一个AI助手可以帮助您在不同方面做出更好的决策，解答您的疑问并提供可靠的信息。"
BAD_KEY = "sk-invalid"
EMBEDDING_DIMENSIONS = 1024
MAX_EMBEDDING_BATCH = 200


def _pieces(text: str, size: int = 2) -> list[str]:
    if text == GREETING:
        return list(GREETING_PIECES)
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _tokens(text: str) -> int:
    return max(1, math.ceil(len(text) / 2))


def fake_vector(text: str) -> list[float]:
    """A deterministic unit vector for ``text``: equal texts embed equally."""
    seed = hashlib.sha256(text.encode()).digest()
    raw = [((seed[i % 32] * (i + 1) * 2654435761) % 2001 - 1000) / 1000 for i in range(1024)]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [round(x / norm, 6) for x in raw]


def value_for_schema(schema: dict[str, Any], name: str = "", quoted: str | None = None) -> Any:
    """A plausible value for a JSON schema: what the emulated model 'decides' to send.

    ``quoted`` is a name the user put in single quotes: a real model copies it into a string
    field called ``...name`` (e.g. ``customer_name``), Unicode intact."""
    if "anyOf" in schema:
        return value_for_schema(
            next(s for s in schema["anyOf"] if s.get("type") != "null"), name, quoted
        )
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = schema.get("required", list(props))
        return {k: value_for_schema(v, k, quoted) for k, v in props.items() if k in required}
    if kind == "integer":
        return 3
    if kind == "number":
        return 3.0
    if kind == "boolean":
        return True
    if kind == "array":
        return [value_for_schema(schema.get("items", {"type": "string"}), name, quoted)]
    if quoted and name.endswith("name"):
        return quoted
    return f"{name or 'value'} from Hunyuan"


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return " ".join(p.get("text", "") for p in content or [] if isinstance(p, dict))


@dataclass
class Reply:
    content: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str = "stop"


Handler = Callable[["Exchange"], Awaitable[None]]


@dataclass
class Exchange:
    """One request, with the means to answer it (used by scripted fault handlers)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    writer: asyncio.StreamWriter
    keep_alive: bool = True

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")

    async def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        head = [f"HTTP/1.1 {status} {'OK' if status < 400 else 'Error'}"]
        hdrs = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        hdrs.update(headers or {})
        head += [f"{k}: {v}" for k, v in hdrs.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()

    async def send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode()
        await self.send(status, body, headers)

    async def start_stream(self, headers: dict[str, str] | None = None) -> None:
        head = ["HTTP/1.1 200 OK", "Content-Type: text/event-stream", "Transfer-Encoding: chunked"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode())

    async def send_event(self, data: str | bytes, *, drain: bool = True) -> None:
        payload = data if isinstance(data, bytes) else f"data: {data}\n\n".encode()
        self.writer.write(b"%x\r\n%s\r\n" % (len(payload), payload))
        if drain:
            await self.writer.drain()

    async def end_stream(self) -> None:
        self.writer.write(b"0\r\n\r\n")
        await self.writer.drain()


class HunyuanEmulator:
    """Run with ``with HunyuanEmulator() as emu: emu.base_url``; a thread owns the loop.

    ``latency`` delays every answer (seconds); ``stream_pieces`` forces a streamed reply to that
    many chunks (benchmarks); ``script`` is a queue of handlers that answer the next requests
    instead of the emulator (fault injection); ``requests`` records every request body.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        stream_pieces: int | None = None,
        ssl: Any = None,
    ) -> None:
        self.latency = latency
        #: A server ``ssl.SSLContext`` to serve HTTPS (see ``tests/support/tls.py``).
        self.ssl = ssl
        #: Connections accepted so far (connection reuse is checked by counting them).
        self.accepted = 0
        self.stream_pieces = stream_pieces
        self.script: deque[Handler] = deque()
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.host = "127.0.0.1"
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0
        #: Connections the server holds open right now (the fault suite checks for leaks).
        self.open_connections = 0

    @property
    def base_url(self) -> str:
        scheme = "https" if self.ssl is not None else "http"
        return f"{scheme}://{self.host}:{self.port}/v1"

    # --- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> HunyuanEmulator:
        ready = threading.Event()

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._server = loop.run_until_complete(
                asyncio.start_server(self._serve, self.host, 0, backlog=1024, ssl=self.ssl)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            self._server.close()
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, name="hunyuan-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("emulator did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._thread is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    # --- HTTP ---------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_connections += 1
        self.accepted += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                line, *rest = head.decode("latin-1").split("\r\n")
                method, target, _ = line.split(" ", 2)
                headers = {}
                for item in rest:
                    if ":" in item:
                        key, value = item.split(":", 1)
                        headers[key.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                body = await reader.readexactly(length) if length else b""
                ex = Exchange(method, target.split("?")[0], headers, body, writer)
                try:
                    parsed = ex.json
                except ValueError:
                    parsed = None
                self.requests.append((ex.path, headers, parsed))
                handler = self.script.popleft() if self.script else self._route
                await handler(ex)
                if not ex.keep_alive:
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            self.open_connections -= 1
            writer.close()

    async def _route(self, ex: Exchange) -> None:
        if self.latency:
            await asyncio.sleep(self.latency)
        auth = ex.headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth == f"Bearer {BAD_KEY}" or len(auth) < 10:
            await ex.send_json(401, _error("Invalid API-KEY"))
            return
        if ex.path.endswith("/chat/completions"):
            await self._chat(ex)
        elif ex.path.endswith("/embeddings"):
            await self._embeddings(ex)
        else:
            await ex.send_json(404, _error(f"no route {ex.path}"))

    # --- /chat/completions --------------------------------------------------------------

    async def _chat(self, ex: Exchange) -> None:
        body = ex.json
        problem = _check_messages(body.get("messages") or [])
        if problem:
            await ex.send_json(400, _error(problem))
            return
        reply = self.reply_for(body)
        prompt = _tokens(json.dumps(body["messages"], ensure_ascii=False))
        self._counter += 1
        ident = hashlib.md5(f"{self._counter}".encode()).hexdigest()
        created = 1737186705 + self._counter
        model = body.get("model", "hunyuan-turbos-latest")
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": reply.content}
            if reply.tool_calls:
                message["tool_calls"] = reply.tool_calls
            if model.startswith(THINKING_MODELS):
                message["reasoning_content"] = THINKING
            completion = _tokens(reply.content + json.dumps(reply.tool_calls))
            await ex.send_json(
                200,
                {
                    "id": ident,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "system_fingerprint": "",
                    "choices": [
                        {"index": 0, "message": message, "finish_reason": reply.finish_reason}
                    ],
                    "usage": _usage(prompt, completion),
                },
            )
            return
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        await ex.start_stream()
        base = {"id": ident, "object": "chat.completion.chunk", "created": created, "model": model}
        completion = 0
        deltas = self._deltas(reply)
        if model.startswith(THINKING_MODELS):
            thinking = [
                {"role": "assistant", "content": "", "reasoning_content": p}
                for p in _pieces(THINKING, 4)
            ]
            deltas = thinking + deltas
        for delta in deltas:
            completion += 1
            chunk: dict[str, Any] = {
                **base,
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}],
            }
            if include_usage:
                chunk["usage"] = _usage(prompt, completion)
            await ex.send_event(json.dumps(chunk, ensure_ascii=False), drain=False)
        final: dict[str, Any] = {
            **base,
            "choices": [
                {
                    "index": 0,
                    "delta": {"role": "assistant", "content": ""},
                    "finish_reason": reply.finish_reason,
                }
            ],
        }
        if include_usage:
            final["usage"] = _usage(prompt, completion)
        await ex.send_event(json.dumps(final, ensure_ascii=False), drain=False)
        await ex.send_event(
            json.dumps(
                {**base, "choices": [], "usage": _usage(prompt, completion)}, ensure_ascii=False
            ),
            drain=False,
        )
        await ex.send_event("[DONE]")
        await ex.end_stream()

    def _deltas(self, reply: Reply) -> list[dict[str, Any]]:
        if reply.tool_calls:
            out = []
            for index, call in enumerate(reply.tool_calls):
                args = call["function"]["arguments"]
                parts = [args[i : i + 8] for i in range(0, len(args), 8)] or [""]
                for n, part in enumerate(parts):
                    fn = (
                        {"name": call["function"]["name"], "arguments": part}
                        if n == 0
                        else {"arguments": part}
                    )
                    out.append(
                        {
                            "role": "assistant",
                            "content": "",
                            "tool_calls": [
                                {
                                    "index": index,
                                    "id": call["id"],
                                    "type": "function",
                                    "function": fn,
                                }
                            ],
                        }
                    )
            return out
        if self.stream_pieces:
            n = self.stream_pieces
            return [{"role": "assistant", "content": f"片段{i} "} for i in range(n)]
        return [{"role": "assistant", "content": p} for p in _pieces(reply.content)]

    def reply_for(self, body: dict[str, Any]) -> Reply:
        """What the emulated model answers to a request body."""
        messages = body["messages"]
        last = messages[-1]
        tools = body.get("tools") or []
        choice = body.get("tool_choice", "auto")
        if tools and choice != "none" and last["role"] != "tool":
            chosen = tools[0]
            if isinstance(choice, dict):
                name = choice["function"]["name"]
                chosen = next(t for t in tools if t["function"]["name"] == name)
            fn = chosen["function"]
            quoted = re.search(r"'([^']+)'", _text(last.get("content")))
            args = value_for_schema(
                fn.get("parameters") or {"type": "object"}, quoted=quoted and quoted.group(1)
            )
            call_id = "call_" + hashlib.md5(json.dumps(body).encode()).hexdigest()[:24]
            return Reply(
                "",
                [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {
                            "name": fn["name"],
                            "arguments": json.dumps(args, ensure_ascii=False),
                        },
                    }
                ],
                "tool_calls",
            )
        if last["role"] == "tool":
            return Reply(f"The tool returned: {_text(last.get('content'))}.")
        fmt = body.get("response_format") or {}
        if fmt.get("type") == "json_schema":
            schema = fmt["json_schema"].get("schema", {})
            return Reply(json.dumps(value_for_schema(schema), ensure_ascii=False))
        if fmt.get("type") == "json_object":
            prompt = _text(last.get("content"))
            # "Return ... JSON with 'setup' and 'punchline' keys": a real model uses those keys.
            keys = re.findall(r"'(\w+)'", prompt) if "key" in prompt.lower() else []
            obj = {k: f"{k} from Hunyuan" for k in keys} if keys else {"answer": prompt}
            return Reply(json.dumps(obj, ensure_ascii=False))
        prompt = _text(last.get("content"))
        text = SEED_000_REPLY if "介绍" in prompt or "who are you" in prompt.lower() else GREETING
        if body.get("max_tokens"):
            text = text[: int(body["max_tokens"]) * 2]
        for stop in body.get("stop") or []:
            at = text.find(stop)
            if at >= 0:  # Hunyuan keeps the stop string (Tencent's docs)
                text = text[: at + len(stop)]
        return Reply(text)

    # --- /embeddings --------------------------------------------------------------------

    #: What ``/embeddings`` accepts: only these two fields (Tencent's docs).
    embedding_fields: frozenset[str] = frozenset({"input", "model"})
    #: The embedding models served: the legacy endpoint's only.
    embedding_models: frozenset[str] = frozenset({"hunyuan-embedding"})

    def vector_json(self, text: str) -> str:
        """The JSON of ``text``'s vector (the benchmark server caches it)."""
        return json.dumps(fake_vector(text))

    async def _embeddings(self, ex: Exchange) -> None:
        body = ex.json
        extra = sorted(set(body) - self.embedding_fields)
        if extra:
            await ex.send_json(400, _error(f"unsupported parameter(s): {', '.join(extra)}"))
            return
        if body.get("model") not in self.embedding_models:
            await ex.send_json(400, _error("model must be hunyuan-embedding"))
            return
        texts = body.get("input")
        texts = [texts] if isinstance(texts, str) else texts
        if not texts or len(texts) > MAX_EMBEDDING_BATCH:
            await ex.send_json(400, _error(f"input must hold 1 to {MAX_EMBEDDING_BATCH} texts"))
            return
        items = ",".join(
            f'{{"object":"embedding","index":{i},"embedding":{self.vector_json(t)}}}'
            for i, t in enumerate(texts)
        )
        tokens = sum(_tokens(t) for t in texts)
        usage = json.dumps({"prompt_tokens": tokens, "total_tokens": tokens})
        payload = (
            f'{{"object":"list","model":"hunyuan-embedding","data":[{items}],"usage":{usage}}}'
        )
        await ex.send(200, payload.encode())


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _error(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _check_messages(messages: list[dict[str, Any]]) -> str | None:
    """Hunyuan's rules (the reseller's published examples), as the server enforces them."""
    if not messages:
        return "messages must not be empty"
    for i, m in enumerate(messages):
        if m.get("role") == "system" and i != 0:
            return "only messages[0] may have role system"
    # A tool round (assistant tool_calls, then tool results) may be followed by an assistant
    # answer: alternation restarts after tool results, as in every tool-calling example.
    prev = None
    for m in messages:
        role = m.get("role")
        if role == "tool":
            prev = None
        elif role in ("user", "assistant"):
            if role == prev:
                return "user and assistant messages must alternate"
            prev = role
    return None


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()
