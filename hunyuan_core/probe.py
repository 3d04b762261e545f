"""Check this package's assumptions about the wire against a live Hunyuan endpoint.

    TOKENHUB_API_KEY=sk-... python -m hunyuan_core.probe [--base-url URL] [--json] [--record]

Each check sends a few small requests and compares what the server did with what the package
assumes for that kind of endpoint (:data:`EXPECTED`). Raw ``httpx`` reads the wire where the
core would hide the answer (is ``stop`` inclusive, is stream usage cumulative); the public
:class:`~hunyuan_core.HunyuanClient` gives the package's own view (typed errors, trimmed
replies, assembled tool calls). Exit status: 0 when every check passes or is skipped, 1 when
one fails (for a scheduled CI job), 2 when it cannot run. No key or signature is printed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import httpx
from pydantic import SecretStr

from hunyuan_core import DEFAULT_BASE_URL, resolve_settings
from hunyuan_core.client import HunyuanClient
from hunyuan_core.errors import BadRequestError, HunyuanError
from hunyuan_core.settings import endpoint_kind
from hunyuan_core.sse import DONE, iter_sse_data
from hunyuan_core.types import ChatRequest

KINDS = ("legacy", "tokenhub", "native", "openai")
#: Deliberately wrong credentials for the bad-key checks (never the caller's).
BAD_KEY = "sk-invalid"
BAD_SECRET_ID = "AKIDprobeInvalid000000000000000000"
BAD_SECRET_KEY = "probe-invalid-secret-key"

#: What the package assumes, per endpoint kind (columns in :data:`KINDS` order). ``None``: not
#: assumed there, so the check is skipped. Sources: legacy, Tencent's list of differences from
#: OpenAI (https://cloud.tencent.com/document/product/1729/111007); TokenHub, its parameter and
#: error pages (https://intl.cloud.tencent.com/document/product/1300/78942,
#: https://cloud.tencent.com/document/product/1823/131208); native, Tencent's SDK
#: (tencentcloud/hunyuan/v20230901/models.py, examples/hunyuan/v20230901/chat_completions.py).
EXPECTED: dict[str, tuple[str | None, str | None, str | None, str | None]] = {
    #                          legacy        tokenhub      native        openai-compatible
    "stop_inclusive": ("inclusive", "exclusive", "inclusive", "exclusive"),
    "stream_usage": ("cumulative", "final", "cumulative", "final"),
    "usage_chunk": ("yes", "yes", "no", "yes"),
    "done_marker": ("yes", "yes", "no", "yes"),
    "tool_delta_index": ("yes", "yes", "yes", "yes"),
    "tool_delta_id_repeated": ("yes", "no", None, "no"),
    "tool_delta_name_repeated": ("no", "no", None, "no"),
    "embed_batch_max": (">= 200", ">= 200", ">= 50", ">= 200"),
    "tool_choice_required": ("accepted", "accepted", None, "accepted"),
    "json_object": ("accepted", "accepted", None, "accepted"),
    "json_schema": (None, "accepted", None, "accepted"),
    "bad_key_error": ("AuthenticationError",) * 4,
    "bad_key_body": (
        "401 error{code,message,type}",
        "401 error{code,message,request_id,type}",
        "200 Response.Error{Code,Message}",
        "401 error{message}",
    ),
    "thinking": (None, "reasoning_content+reasoning_tokens", None, None),
    "reasoning_effort": (None, "reasoning_content+reasoning_tokens", None, None),
}

#: What each check asks, for the table and ``docs/probe.md``.
QUESTIONS: dict[str, str] = {
    "stop_inclusive": "reply keeps the stop string?",
    "stream_usage": "streamed usage: on every chunk or once at the end?",
    "usage_chunk": "a closing choices: [] chunk carries usage?",
    "done_marker": "stream ends with data: [DONE]?",
    "tool_delta_index": "streamed tool-call deltas carry index?",
    "tool_delta_id_repeated": "tool-call id repeated on every delta?",
    "tool_delta_name_repeated": "function name repeated on every delta?",
    "embed_batch_max": "largest /embeddings batch accepted",
    "tool_choice_required": 'tool_choice="required" accepted?',
    "json_object": 'response_format {"type": "json_object"} accepted?',
    "json_schema": 'response_format {"type": "json_schema"} accepted?',
    "bad_key_error": "typed error for a wrong key",
    "bad_key_body": "status and error body for a wrong key",
    "thinking": 'thinking {"type": "enabled"} gives reasoning?',
    "reasoning_effort": 'reasoning_effort "high" gives reasoning?',
}

DEFAULT_MODELS: dict[str, tuple[str, str]] = {
    "legacy": ("hunyuan-turbos-latest", "hunyuan-embedding"),
    "tokenhub": ("hy3", "kinfra-text-embedding-0.6b"),
    "native": ("hunyuan-turbos-latest", "hunyuan-embedding"),
    "openai": ("hunyuan-turbos-latest", "hunyuan-embedding"),
}

#: The tests whose cassettes ``--record`` re-records (API-key credentials; the native replay
#: tests pin the native emulator's secrets in a fixture, so they cannot be recorded live).
RECORD_TESTS = [
    "tests/core/test_wire_replay.py",
    "tests/langchain/test_chat_models_standard.py",
    "tests/langchain/test_embeddings_standard.py",
    "tests/llama_index/test_llama_index_wire.py",
]
ROOT = Path(__file__).resolve().parents[1]

REPEAT_PROMPT = (
    "Repeat this sentence exactly and say nothing else: "
    "The quick brown fox jumps over the lazy dog."
)
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string", "description": "the city"}},
            "required": ["city"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "The current time in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
CITY_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}


# --- the report -----------------------------------------------------------------------------


@dataclass
class Row:
    check: str
    expected: str
    observed: str
    status: str  # PASS, FAIL or SKIP
    detail: str = ""


class ProbeFailure(Exception):
    """A check could not get its answer (an unexpected error); the row FAILs with it."""


class Redactor:
    """Removes secrets (exact values, and anything shaped like a key or signature) from text."""

    PATTERNS = (
        (re.compile(r"(Bearer\s+)\S+"), r"\1***"),
        (re.compile(r"(Signature=)[0-9A-Za-z]+"), r"\1***"),
        (re.compile(r"(Credential=)[^/,\s]+"), r"\1***"),
        (re.compile(r"sk-[A-Za-z0-9_\-]{6,}"), "sk-***"),
        (re.compile(r"AKID[A-Za-z0-9]{8,}"), "AKID***"),
    )

    def __init__(self, secrets: Sequence[str]) -> None:
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        for pattern, repl in self.PATTERNS:
            text = pattern.sub(repl, text)
        return text


# --- reading the wire -----------------------------------------------------------------------


def _pascal(key: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in key.split("_"))


def field_of(obj: Any, name: str) -> Any:
    """``obj[name]``, or its native PascalCase spelling (``tool_calls`` -> ``ToolCalls``)."""
    if not isinstance(obj, Mapping):
        return None
    value = obj.get(name)
    return obj.get(_pascal(name)) if value is None else value


@dataclass
class RawReply:
    status: int
    body: Any  # parsed JSON (native replies unwrapped from "Response"), or the text
    error: HunyuanError | None = None

    @property
    def message(self) -> Mapping[str, Any]:
        choices = field_of(self.body, "choices") or [{}]
        return field_of(choices[0], "message") or {}

    @property
    def content(self) -> str:
        return str(field_of(self.message, "content") or "")


@dataclass
class RawStream:
    events: list[Any] = field(default_factory=list)
    done: bool = False

    def deltas(self) -> Iterator[Mapping[str, Any]]:
        for event in self.events:
            for choice in field_of(event, "choices") or ():
                yield field_of(choice, "delta") or {}


class Probe:
    """Runs the checks for one endpoint. ``client`` holds the caller's credentials; raw
    requests are built by its backend (so native ones are translated and signed) and sent with
    ``http``."""

    def __init__(
        self,
        client: HunyuanClient,
        bad_client: HunyuanClient,
        *,
        kind: str,
        model: str,
        embedding_model: str,
        http: httpx.Client,
        embed_ceiling: int = 2048,
        max_embed_calls: int = 10,
    ) -> None:
        self.client = client
        self.bad_client = bad_client
        self.kind = kind
        self.model = model
        self.embedding_model = embedding_model
        self.http = http
        self.embed_ceiling = embed_ceiling
        self.max_embed_calls = max_embed_calls

    # raw requests

    def _body(self, content: str, **params: Any) -> dict[str, Any]:
        return {"model": self.model, "messages": [{"role": "user", "content": content}], **params}

    def raw_chat(self, body: dict[str, Any], backend: Any = None) -> RawReply:
        backend = backend or self.client.backend
        url, headers, content = backend.chat_request(body)
        response = self.http.post(url, headers=headers, content=content)
        raw = response.content
        try:
            parsed: Any = json.loads(raw)
        except ValueError:
            parsed = raw.decode("utf-8", "replace")[:500]
        error = None
        if response.status_code >= 400 or backend.is_error_body(raw):
            error = backend.error_from_response(response, raw)
        elif isinstance(parsed, dict) and isinstance(parsed.get("Response"), dict):
            parsed = parsed["Response"]
        return RawReply(response.status_code, parsed, error)

    def raw_stream(self, body: dict[str, Any], max_events: int = 5000) -> RawStream:
        url, headers, content = self.client.backend.chat_request({**body, "stream": True})
        out = RawStream()
        with self.http.stream("POST", url, headers=headers, content=content) as response:
            if response.status_code >= 400:
                raw = response.read()
                raise self.client.backend.error_from_response(response, raw)
            for data in iter_sse_data(response.iter_lines()):
                if data == DONE:
                    out.done = True
                    continue
                out.events.append(json.loads(data))
                if len(out.events) >= max_events:
                    break
        return out

    def _ok(self, reply: RawReply) -> RawReply:
        if reply.error is not None:
            raise reply.error
        return reply

    # checks: each returns (observed, detail, package_ok)

    def stop_inclusive(self) -> tuple[str, str, bool]:
        base = self._ok(self.raw_chat(self._body(REPEAT_PROMPT, temperature=0))).content
        stop = pick_stop(base)
        if stop is None:
            return "undetermined", f"reply too short to pick a stop string: {base!r}", True
        reply = self._ok(self.raw_chat(self._body(REPEAT_PROMPT, temperature=0, stop=[stop])))
        text = reply.content.rstrip()
        if text.endswith(stop):
            observed = "inclusive"
        elif stop in text:
            observed = "ignored"
        elif text:
            observed = "exclusive"
        else:
            observed = "undetermined"
        request = ChatRequest(
            model=self.model,
            messages=[{"role": "user", "content": REPEAT_PROMPT}],
            temperature=0,
            stop=[stop],
        )
        whole = self.client.chat(request).choices[0].message.content or ""
        streamed = "".join(
            c.choices[0].delta.content or "" for c in self.client.stream_chat(request) if c.choices
        )
        trimmed = stop not in whole and stop not in streamed
        detail = f"stop {stop!r}: wire {text[-40:]!r}; package {'trims' if trimmed else 'KEEPS'} it"
        return observed, detail, trimmed

    def stream(self) -> RawStream:
        body = self._body(REPEAT_PROMPT, stream_options={"include_usage": True})
        return self.raw_stream(body)

    def package_usage(self) -> list[int]:
        request = ChatRequest(
            model=self.model,
            messages=[{"role": "user", "content": REPEAT_PROMPT}],
            stream_options={"include_usage": True},
        )
        return [c.usage.total_tokens for c in self.client.stream_chat(request) if c.usage]

    def tool_stream(self) -> RawStream:
        choice = {"type": "function", "function": {"name": "get_weather"}}
        body = self._body(
            "What is the weather in Shenzhen? Call get_weather.",
            tools=[WEATHER_TOOL],
            tool_choice=choice,
        )
        return self.raw_stream(body)

    def package_tool_call(self) -> str:
        """The tool call as the core assembles it from a stream: ``name(arguments)``."""
        request = ChatRequest(
            model=self.model,
            messages=[
                {"role": "user", "content": "What is the weather in Shenzhen? Call get_weather."}
            ],
            tools=[WEATHER_TOOL],
            tool_choice={"type": "function", "function": {"name": "get_weather"}},
        )
        calls: dict[int, dict[str, str]] = {}
        for chunk in self.client.stream_chat(request):
            for choice in chunk.choices:
                for call in choice.delta.tool_calls or ():
                    slot = calls.setdefault(call.index or 0, {"id": "", "name": "", "args": ""})
                    slot["id"] += call.id or ""
                    if call.function is not None:
                        slot["name"] += call.function.name or ""
                        slot["args"] += call.function.arguments or ""
        return "; ".join(f"{c['name']}({c['args']}) id {c['id']}" for c in calls.values())

    def embed_accepts(self, n: int) -> bool:
        texts = [f"probe text {i}" for i in range(n)]
        backend = self.client.backend
        url, headers, content = backend.embed_request(texts, self.embedding_model)
        response = self.http.post(url, headers=headers, content=content)
        if response.status_code < 400 and not backend.is_error_body(response.content):
            got = len(backend.parse_embeddings(response.content, response.headers).data)
            if got != n:
                raise ProbeFailure(f"{n} texts sent, {got} vectors returned")
            return True
        err = backend.error_from_response(response, response.content)
        if isinstance(err, BadRequestError) or err.status_code == 413:
            return False
        raise err

    def embed_batch_max(self) -> tuple[str, str]:
        """Bisect the largest batch: the package's cap first, then one more, then the ceiling."""
        assumed = self.client.backend.max_embed_batch
        tried: list[str] = []

        def ok(n: int) -> bool:
            result = self.embed_accepts(n)
            tried.append(f"{n}{'+' if result else '-'}")
            return result

        hi: int | None
        if ok(assumed):
            lo, hi = assumed, assumed + 1
            if ok(hi):
                lo, hi = hi, self.embed_ceiling
                if ok(hi):
                    lo, hi = hi, None
        else:
            hi = assumed
            lo = 1 if ok(1) else 0
        while hi is not None and hi - lo > 1 and lo > 0 and len(tried) < self.max_embed_calls:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if ok(mid) else (lo, mid)
        if hi is None:
            observed = f">= {lo}"
        elif hi - lo == 1 or lo == 0:
            observed = str(lo)
        else:
            observed = f"{lo}..{hi - 1}"
        return observed, "batches tried (+ accepted, - rejected): " + " ".join(tried)

    def accepted(self, reply: RawReply, judge: Callable[[RawReply], str]) -> tuple[str, str]:
        if reply.error is not None:
            if isinstance(reply.error, BadRequestError):
                return "rejected", f"{type(reply.error).__name__}: {reply.error}"
            raise reply.error
        return judge(reply), reply.content[:80]

    def tool_choice_required(self) -> tuple[str, str]:
        body = self._body(
            "What is the weather in Shenzhen?",
            tools=[WEATHER_TOOL, TIME_TOOL],
            tool_choice="required",
        )

        def judge(reply: RawReply) -> str:
            calls = field_of(reply.message, "tool_calls")
            return "accepted" if calls else "accepted, no tool call"

        observed, detail = self.accepted(self.raw_chat(body), judge)
        return observed, detail

    def json_format(self, fmt: dict[str, Any]) -> tuple[str, str]:
        body = self._body(
            "Return a JSON object with a 'city' key set to Shenzhen.", response_format=fmt
        )

        def judge(reply: RawReply) -> str:
            # a fenced reply (```json ... ```) still shows the parameter was accepted
            text = re.sub(r"^```(?:json)?\s*|\s*```$", "", reply.content.strip())
            try:
                value = json.loads(text)
            except ValueError:
                return "accepted, not JSON"
            return "accepted" if isinstance(value, dict) else "accepted, not an object"

        return self.accepted(self.raw_chat(body), judge)

    def bad_key_error(self) -> tuple[str, str]:
        request = ChatRequest(model=self.model, messages=[{"role": "user", "content": "hi"}])
        try:
            self.bad_client.chat(request)
        except HunyuanError as err:
            return type(err).__name__, f"code {err.code}: {err.message[:120]}"
        return "no error", "a wrong key was accepted"

    def bad_key_body(self) -> tuple[str, str]:
        reply = self.raw_chat(self._body("hi"), self.bad_client.backend)
        return f"{reply.status} {body_shape(reply.body)}", json.dumps(reply.body)[:160]

    def reasoning(self, **params: Any) -> tuple[str, str]:
        body = self._body("Is 9.11 larger than 9.9? Answer in one word.", **params)
        reply = self._ok(self.raw_chat(body))
        parts = []
        reasoning = field_of(reply.message, "reasoning_content")
        if reasoning:
            parts.append("reasoning_content")
        usage = field_of(reply.body, "usage") or {}
        details = field_of(usage, "completion_tokens_details") or {}
        tokens = field_of(details, "reasoning_tokens") or 0
        if tokens:
            parts.append("reasoning_tokens")
        detail = f"reasoning_tokens {tokens}, reasoning_content {len(str(reasoning or ''))} chars"
        return "+".join(parts) or "none", detail


def pick_stop(text: str) -> str | None:
    """A stop string from the middle of ``text``, whose first occurrence is not at the start:
    a word for spaced text, two characters otherwise."""
    words = text.split()
    candidates = [w.strip(".,!?;:") for w in words[len(words) // 2 :]] if len(words) >= 3 else []
    mid = len(text) // 2
    candidates.append(text[mid : mid + 2])
    for stop in candidates:
        if stop.strip() and text.find(stop) > 0:
            return stop
    return None


def body_shape(body: Any) -> str:
    """``error{code,message,...}`` / ``Response.Error{Code,Message}``: where the error is and
    which keys it has."""
    if isinstance(body, Mapping):
        if isinstance(body.get("error"), Mapping):
            return "error{" + ",".join(sorted(body["error"])) + "}"
        response = body.get("Response")
        if isinstance(response, Mapping) and isinstance(response.get("Error"), Mapping):
            return "Response.Error{" + ",".join(sorted(response["Error"])) + "}"
        return "{" + ",".join(sorted(body)) + "}"
    return "not JSON"


def _shape_parts(text: str) -> tuple[str, set[str]]:
    match = re.fullmatch(r"(.*?)\{(.*)\}", text)
    if not match:
        return text, set()
    return match.group(1), {k for k in match.group(2).split(",") if k}


def matches(check: str, expected: str, observed: str) -> bool:
    if check == "embed_batch_max":
        low = re.match(r">?=?\s*(\d+)", observed)
        return low is not None and int(low.group(1)) >= int(expected.lstrip(">= "))
    if check == "bad_key_body":
        want, want_keys = _shape_parts(expected)
        got, got_keys = _shape_parts(observed)
        return want == got and want_keys <= got_keys
    return expected == observed


# --- analysis of raw streams ----------------------------------------------------------------


def usage_pattern(stream: RawStream) -> tuple[str, str]:
    """``cumulative`` (on several chunks, never decreasing), ``incremental`` (on several chunks,
    decreasing somewhere: per-chunk counts), ``final`` (once, on the last event) or ``none``."""
    seen = [
        (i, field_of(field_of(e, "usage"), "completion_tokens") or 0)
        for i, e in enumerate(stream.events)
        if field_of(e, "usage")
    ]
    counts = [c for _, c in seen]
    detail = f"usage on {len(seen)} of {len(stream.events)} events: completion_tokens {counts[-8:]}"
    if not seen:
        return "none", detail
    if len(seen) == 1:
        return ("final" if seen[0][0] == len(stream.events) - 1 else "once, mid-stream"), detail
    rising = all(a <= b for a, b in itertools.pairwise(counts))
    return ("cumulative" if rising else "incremental"), detail


def has_usage_chunk(stream: RawStream) -> str:
    return (
        "yes"
        if any(not field_of(e, "choices") and field_of(e, "usage") for e in stream.events)
        else "no"
    )


def tool_delta_shape(stream: RawStream) -> dict[str, str]:
    """How streamed tool calls look: ``index`` on every delta; ``id`` and ``name`` on the
    deltas after a call's first (``yes``/``no``/``some``, ``one delta per call`` when there
    are none, ``no tool call`` when the model made none)."""
    groups: list[list[Mapping[str, Any]]] = []
    by_key: dict[Any, int] = {}
    for delta in stream.deltas():
        for call in field_of(delta, "tool_calls") or ():
            index, ident = field_of(call, "index"), field_of(call, "id")
            key = ("index", index) if index is not None else ("id", ident) if ident else None
            if key is None and groups:
                groups[-1].append(call)
                continue
            if key not in by_key:
                by_key[key] = len(groups)
                groups.append([])
            groups[by_key[key]].append(call)
    if not groups:
        none = "no tool call"
        return {"index": none, "id": none, "name": none}
    calls = [c for g in groups for c in g]
    out = {"index": _share(calls, lambda c: field_of(c, "index") is not None)}
    later = [c for g in groups for c in g[1:]]
    if not later:
        out["id"] = out["name"] = "one delta per call"
    else:
        out["id"] = _share(later, lambda c: bool(field_of(c, "id")))
        out["name"] = _share(later, lambda c: bool(field_of(field_of(c, "function"), "name")))
    out["detail"] = f"{len(groups)} call(s) in {len(calls)} deltas"
    return out


def _share(items: Sequence[Any], test: Callable[[Any], bool]) -> str:
    hits = sum(1 for item in items if test(item))
    return "yes" if hits == len(items) else "no" if hits == 0 else "some"


# --- running --------------------------------------------------------------------------------


def run_checks(probe: Probe) -> list[Row]:
    """Every check, in table order; one failing does not stop the others."""
    column = KINDS.index(probe.kind)
    results: dict[str, tuple[str, str, bool]] = {}

    def want(check: str) -> str | None:
        return EXPECTED[check][column]

    def attempt(checks: Sequence[str], run: Callable[[], dict[str, tuple[str, str, bool]]]) -> None:
        if all(want(c) is None for c in checks):
            return
        try:
            results.update(run())
        except (HunyuanError, ProbeFailure, httpx.HTTPError, ValueError) as exc:
            for check in checks:
                results[check] = ("error", f"{type(exc).__name__}: {exc}", True)

    def stop() -> dict[str, tuple[str, str, bool]]:
        return {"stop_inclusive": probe.stop_inclusive()}

    def stream() -> dict[str, tuple[str, str, bool]]:
        raw = probe.stream()
        pattern, detail = usage_pattern(raw)
        totals = probe.package_usage()
        detail += f"; package reports usage {len(totals)} time(s) {totals}"
        return {
            "stream_usage": (pattern, detail, len(totals) == 1),
            "usage_chunk": (has_usage_chunk(raw), "", True),
            "done_marker": ("yes" if raw.done else "no", "", True),
        }

    def tools() -> dict[str, tuple[str, str, bool]]:
        shape = tool_delta_shape(probe.tool_stream())
        assembled = probe.package_tool_call()
        good = assembled.startswith("get_weather({") and ";" not in assembled
        detail = f"{shape.get('detail', '')}; package assembled {assembled or 'nothing'}"
        return {
            "tool_delta_index": (shape["index"], detail, good),
            "tool_delta_id_repeated": (shape["id"], "", True),
            "tool_delta_name_repeated": (shape["name"], "", True),
        }

    def single(check: str, run: Callable[[], tuple[str, str]]) -> Callable[[], Any]:
        def go() -> dict[str, tuple[str, str, bool]]:
            observed, detail = run()
            return {check: (observed, detail, True)}

        return go

    attempt(["stop_inclusive"], stop)
    attempt(["stream_usage", "usage_chunk", "done_marker"], stream)
    attempt(["tool_delta_index", "tool_delta_id_repeated", "tool_delta_name_repeated"], tools)
    attempt(["embed_batch_max"], single("embed_batch_max", probe.embed_batch_max))
    attempt(["tool_choice_required"], single("tool_choice_required", probe.tool_choice_required))
    attempt(
        ["json_object"], single("json_object", lambda: probe.json_format({"type": "json_object"}))
    )
    schema = {"type": "json_schema", "json_schema": {"name": "city", "schema": CITY_SCHEMA}}
    attempt(["json_schema"], single("json_schema", lambda: probe.json_format(schema)))
    attempt(["bad_key_error"], single("bad_key_error", probe.bad_key_error))
    attempt(["bad_key_body"], single("bad_key_body", probe.bad_key_body))
    thinking = {"thinking": {"type": "enabled"}, "max_tokens": 1024}
    attempt(["thinking"], single("thinking", lambda: probe.reasoning(**thinking)))
    effort = {"reasoning_effort": "high", "max_tokens": 1024}
    attempt(["reasoning_effort"], single("reasoning_effort", lambda: probe.reasoning(**effort)))

    rows = []
    for check in EXPECTED:
        expected = want(check)
        if expected is None:
            rows.append(Row(check, "-", f"not assumed on {probe.kind}", "SKIP"))
            continue
        observed, detail, package_ok = results[check]
        if observed in ("one delta per call", "undetermined"):
            status = "SKIP"
        elif matches(check, expected, observed) and package_ok:
            status = "PASS"
        else:
            status = "FAIL"
        rows.append(Row(check, expected, observed, status, detail))
    return rows


def render_table(rows: Sequence[Row]) -> str:
    """A Markdown table, then the details of each row that has some."""
    lines = ["| check | expected | observed | result |", "|---|---|---|---|"]
    lines += [f"| {r.check} | {r.expected} | {r.observed} | {r.status} |" for r in rows]
    notes = [f"- {r.check}: {r.detail}" for r in rows if r.detail]
    return "\n".join(lines + (["", *notes] if notes else [])) + "\n"


@dataclass
class Settings:
    kind: str
    base_url: str | None
    model: str
    embedding_model: str
    api_key: str | None = None
    secret_id: str | None = None
    secret_key: str | None = None

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.api_key, self.secret_id, self.secret_key) if s]


def _plain(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def resolve(args: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    """Credentials and endpoint as the package resolves them
    (:func:`hunyuan_core.resolve_settings`): ``--base-url``, then the environment."""
    core = resolve_settings({"base_url": args.base_url}, env=environ)
    given = args.kind if args.kind != "auto" else None
    if core.backend == "tencentcloud":
        kind, api_key = given or "native", None
    elif core.api_key is None:
        raise SystemExit(
            "no credentials: set TOKENHUB_API_KEY (or TENCENT_TOKENHUB_API_KEY / HUNYUAN_API_KEY) "
            "or TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY"
        )
    else:
        kind, api_key = given or endpoint_kind(core.base_url), _plain(core.api_key)
    model, embedding_model = DEFAULT_MODELS[kind]
    return Settings(
        kind=kind,
        base_url=core.base_url,
        model=args.model or model,
        embedding_model=args.embedding_model or embedding_model,
        api_key=api_key,
        secret_id=None if api_key else _plain(core.secret_id),
        secret_key=None if api_key else _plain(core.secret_key),
    )


def clients(settings: Settings) -> tuple[HunyuanClient, HunyuanClient]:
    """The caller's client and one with deliberately wrong credentials of the same type."""
    if settings.api_key is not None:
        return (
            HunyuanClient(api_key=settings.api_key, base_url=settings.base_url, max_retries=1),
            HunyuanClient(api_key=BAD_KEY, base_url=settings.base_url, max_retries=0),
        )
    return (
        HunyuanClient(
            secret_id=settings.secret_id,
            secret_key=settings.secret_key,
            base_url=settings.base_url,
            max_retries=1,
        ),
        HunyuanClient(
            secret_id=BAD_SECRET_ID,
            secret_key=BAD_SECRET_KEY,
            base_url=settings.base_url,
            max_retries=0,
        ),
    )


def record_command(
    settings: Settings, pytest_args: Sequence[str] = ()
) -> tuple[list[str], dict[str, str]]:
    """The pytest run that re-records the cassettes, and its environment: the key travels in
    the environment (never on the command line, where ``ps`` would show it)."""
    command = [sys.executable, "-m", "pytest", "--record-mode=rewrite", "-m", "vcr"]
    command += ["-p", "no:randomly", *pytest_args, *RECORD_TESTS]
    env = dict(os.environ)
    env["HUNYUAN_API_KEY"] = settings.api_key or ""
    env.pop("HUNYUAN_BASE_URL", None)
    if settings.base_url:
        env["HUNYUAN_BASE_URL"] = settings.base_url
    return command, env


def record(settings: Settings, runner: Callable[..., Any]) -> int:
    """Re-record the cassettes; 0 when pytest passed, 2 when recording is not possible here."""
    if settings.api_key is None:
        print("--record needs an API key: the native cassettes are synthesised", file=sys.stderr)
        return 2
    if not all((ROOT / test).is_file() for test in RECORD_TESTS):
        print(f"--record runs from a source checkout; no tests under {ROOT}", file=sys.stderr)
        return 2
    if (settings.base_url or DEFAULT_BASE_URL).rstrip("/") != DEFAULT_BASE_URL.rstrip("/"):
        print(
            f"note: the replay tests expect {DEFAULT_BASE_URL}; cassettes recorded against "
            "another endpoint will not match in replay",
            file=sys.stderr,
        )
    command, env = record_command(settings)
    print("re-recording: pytest " + " ".join(command[3:]), file=sys.stderr)
    done = runner(command, env=env, cwd=str(ROOT))
    return 1 if getattr(done, "returncode", 1) else 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m hunyuan_core.probe",
        description="Check hunyuan_core's assumptions against a live Hunyuan endpoint.",
    )
    parser.add_argument("--base-url", help="endpoint (default: from the environment/credentials)")
    parser.add_argument(
        "--kind",
        choices=("auto", *KINDS),
        default="auto",
        help="which expectations apply (default: from the base URL's host)",
    )
    parser.add_argument("--model", help="chat model (default per endpoint kind)")
    parser.add_argument("--embedding-model", help="embedding model (default per endpoint kind)")
    parser.add_argument("--embed-ceiling", type=int, default=2048, help="largest batch tried")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--record", action="store_true", help="then re-record the cassettes (pytest, live)"
    )
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    runner: Callable[..., Any] = subprocess.run,
) -> int:
    out = out or sys.stdout
    args = parse_args(argv)
    try:
        settings = resolve(args, os.environ if environ is None else environ)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    redact = Redactor([*settings.secrets, BAD_KEY, BAD_SECRET_ID, BAD_SECRET_KEY])
    client, bad_client = clients(settings)
    with httpx.Client(timeout=httpx.Timeout(120.0, connect=10.0)) as http:
        probe = Probe(
            client,
            bad_client,
            kind=settings.kind,
            model=settings.model,
            embedding_model=settings.embedding_model,
            http=http,
            embed_ceiling=args.embed_ceiling,
        )
        rows = run_checks(probe)
    for row in rows:
        row.observed, row.detail = redact(row.observed), redact(row.detail)
    failed = any(r.status == "FAIL" for r in rows)
    where = redact(client.backend.base_url)
    if args.json:
        report = {
            "base_url": where,
            "kind": settings.kind,
            "model": settings.model,
            "embedding_model": settings.embedding_model,
            "ok": not failed,
            "checks": [asdict(r) for r in rows],
        }
        out.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(f"{where} ({settings.kind}), model {settings.model}, ")
        out.write(f"embeddings {settings.embedding_model}\n\n{render_table(rows)}")
    code = 1 if failed else 0
    if args.record:
        code = max(code, record(settings, runner))
    return code


if __name__ == "__main__":
    sys.exit(main())
