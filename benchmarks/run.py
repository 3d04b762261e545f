"""Side-by-side overhead benchmark: raw httpx, the OpenAI-based anchors, and ours.

One process, interleaved rounds: every round runs every case once (``calls`` operations each),
so drift in machine load hits all cases alike; each figure is the median over rounds. The
server is ``tests/support/emulator.py`` in a child process (see ``benchmarks/server.py``):
one instance
streams 200-chunk replies with no latency, a second answers ``/embeddings`` after 20 ms.

    .venv/bin/python benchmarks/run.py [--rounds 5] [--calls 200] [--json out.json]

Cases whose package is not installed are reported as ``n/a``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODEL = "hunyuan-turbos-latest"
KEY = "sk-benchmark-key"
PROMPT = "你好"
STREAM_CHUNKS = 200
CONCURRENCY = 100
EMBED_TEXTS = 5000
EMBED_LATENCY = 0.02
EMBED_GROUPS = ("langchain embed_documents", "llama-index get_text_embedding_batch")


# --- the server --------------------------------------------------------------------------


class Server:
    """``benchmarks/server.py`` in a child process; its base URL once it is up."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "benchmarks" / "server.py"), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise RuntimeError("benchmark server did not start")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


# --- cases -------------------------------------------------------------------------------


@dataclass
class Case:
    group: str
    name: str
    run: Callable[[], object]
    #: operations per round; each figure is the time of one operation
    calls: int
    #: what the warm-up runs (connections, caches, lazy imports); ``run`` if unset
    warm: Callable[[], object] | None = None
    times: list[float] = field(default_factory=list)

    def measure(self) -> None:
        started = time.perf_counter()
        for _ in range(self.calls):
            self.run()
        self.times.append((time.perf_counter() - started) / self.calls)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


LOOP = asyncio.new_event_loop()


def on_loop(make: Callable[[], Any]) -> Callable[[], object]:
    """A sync callable that runs ``make()``'s coroutine on the one shared event loop."""
    return lambda: LOOP.run_until_complete(make())


def gather(one: Callable[[], Any]) -> Callable[[], object]:
    """``CONCURRENCY`` concurrent calls of ``one()``, as one operation."""

    async def many() -> None:
        await asyncio.gather(*(one() for _ in range(CONCURRENCY)))

    return on_loop(many)


def raw_calls(chat_url: str) -> tuple[Any, Any, Any]:
    """The baseline: a chat, a stream and an async chat with bare httpx + json."""
    import httpx

    # httpx's default limits (100 connections, 20 kept alive), as the core uses: more idle
    # connections make httpcore scan them all on every request (see BENCHMARKS.md).
    client = httpx.Client()
    aclient = httpx.AsyncClient()
    headers = {"Authorization": f"Bearer {KEY}"}
    body = {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}]}
    url = f"{chat_url}/chat/completions"

    def invoke() -> str:
        reply = client.post(url, json=body, headers=headers)
        return str(json.loads(reply.content)["choices"][0]["message"]["content"])

    def stream() -> int:
        n = 0
        with client.stream("POST", url, json={**body, "stream": True}, headers=headers) as r:
            for line in r.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    n += 1
        return n

    async def ainvoke() -> str:
        reply = await aclient.post(url, json=body, headers=headers)
        return str(json.loads(reply.content)["choices"][0]["message"]["content"])

    return invoke, stream, ainvoke


def raw_cases(chat_url: str, calls: int, stream_calls: int, conc_calls: int) -> list[Case]:
    invoke, stream, ainvoke = raw_calls(chat_url)
    return [
        Case("langchain invoke", "raw httpx", invoke, calls),
        Case("langchain stream (200 chunks)", "raw httpx", stream, stream_calls),
        Case("langchain 100 concurrent ainvoke", "raw httpx", gather(ainvoke), conc_calls),
    ]


def langchain_cases(chat_url: str, calls: int, stream_calls: int, conc_calls: int) -> list[Case]:
    cases: list[Case] = []
    models: list[tuple[str, Any]] = []
    try:
        from langchain_openai import ChatOpenAI

        models.append(("ChatOpenAI", ChatOpenAI(model=MODEL, base_url=chat_url, api_key=KEY)))
    except ImportError:
        pass
    try:
        from langchain_hunyuan import ChatHunyuan

        models.append(("ChatHunyuan", ChatHunyuan(model=MODEL, base_url=chat_url, api_key=KEY)))
    except ImportError:
        pass
    for name, model in models:
        cases += [
            Case("langchain invoke", name, lambda m=model: m.invoke(PROMPT), calls),
            Case(
                "langchain stream (200 chunks)",
                name,
                lambda m=model: sum(1 for _ in m.stream(PROMPT)),
                stream_calls,
            ),
            Case(
                "langchain 100 concurrent ainvoke",
                name,
                gather(lambda m=model: m.ainvoke(PROMPT)),
                conc_calls,
            ),
        ]
    return cases


def llama_index_cases(chat_url: str, calls: int, stream_calls: int) -> list[Case]:
    raw_chat, raw_stream, _ = raw_calls(chat_url)

    cases = [
        Case("llama-index chat", "raw httpx", raw_chat, calls),
        Case("llama-index stream_chat (200 chunks)", "raw httpx", raw_stream, stream_calls),
    ]
    try:
        from llama_index.core.llms import ChatMessage
    except ImportError:
        return cases
    messages = [ChatMessage(role="user", content=PROMPT)]
    llms: list[tuple[str, Any]] = []
    try:
        from llama_index.llms.openai_like import OpenAILike

        llms.append(
            (
                "OpenAILike",
                OpenAILike(model=MODEL, api_base=chat_url, api_key=KEY, is_chat_model=True),
            )
        )
    except ImportError:
        pass
    try:
        from llama_index_hunyuan import Hunyuan

        llms.append(("Hunyuan", Hunyuan(model=MODEL, base_url=chat_url, api_key=KEY)))
    except ImportError:
        pass
    for name, llm in llms:
        cases += [
            Case("llama-index chat", name, lambda m=llm: m.chat(messages), calls),
            Case(
                "llama-index stream_chat (200 chunks)",
                name,
                lambda m=llm: sum(1 for _ in m.stream_chat(messages)),
                stream_calls,
            ),
        ]
    return cases


def embedding_cases(embed_url: str, texts: list[str]) -> list[Case]:
    import httpx

    client = httpx.Client(timeout=60)
    headers = {"Authorization": f"Bearer {KEY}"}

    def raw_sequential(batch: list[str]) -> int:
        n = 0
        for i in range(0, len(batch), 200):
            body = {"input": batch[i : i + 200], "model": "hunyuan-embedding"}
            reply = client.post(f"{embed_url}/embeddings", json=body, headers=headers)
            n += len(json.loads(reply.content)["data"])
        assert n == len(batch)
        return n

    embedders: list[tuple[str, str, Callable[[list[str]], object]]] = []
    group_lc, group_li = (f"{g} ({EMBED_TEXTS} texts, 20 ms/request)" for g in EMBED_GROUPS)
    embedders.append((group_lc, "raw httpx, sequential", raw_sequential))
    try:
        from langchain_openai import OpenAIEmbeddings

        # No tiktoken (it would download its tables) and Hunyuan's cap of 200 texts a request.
        lc_openai = OpenAIEmbeddings(
            model="hunyuan-embedding",
            base_url=embed_url,
            api_key=KEY,
            check_embedding_ctx_length=False,
            chunk_size=200,
        )
        embedders.append((group_lc, "OpenAIEmbeddings", lc_openai.embed_documents))
    except ImportError:
        pass
    try:
        from langchain_hunyuan import HunyuanEmbeddings

        lc_ours = HunyuanEmbeddings(base_url=embed_url, api_key=KEY)
        embedders.append((group_lc, "HunyuanEmbeddings", lc_ours.embed_documents))
    except ImportError:
        pass
    embedders.append((group_li, "raw httpx, sequential", raw_sequential))
    try:
        from llama_index.embeddings.openai import OpenAIEmbedding

        # model= is an enum of OpenAI's names; model_name= passes any name through, as
        # OpenAILike users do. Full batches of 200 (Hunyuan's cap; the default is 100).
        li_openai = OpenAIEmbedding(
            model_name="hunyuan-embedding", api_base=embed_url, api_key=KEY, embed_batch_size=200
        )
        embedders.append((group_li, "OpenAIEmbedding", li_openai.get_text_embedding_batch))
    except ImportError:
        pass
    try:
        from llama_index_hunyuan import HunyuanEmbedding

        li_ours = HunyuanEmbedding(base_url=embed_url, api_key=KEY)
        embedders.append((group_li, "HunyuanEmbedding", li_ours.get_text_embedding_batch))
    except ImportError:
        pass
    return [
        Case(group, name, lambda f=embed: f(texts), 1, warm=lambda f=embed: f(texts[:400]))
        for group, name, embed in embedders
    ]


# --- import time -------------------------------------------------------------------------

IMPORTS = [
    ("langchain_openai", "langchain_hunyuan"),
    ("llama_index.llms.openai_like", "llama_index_hunyuan"),
]


def import_seconds(module: str) -> float | None:
    code = (
        "import time; t = time.perf_counter(); import "
        + module
        + "; print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        return None
    return float(done.stdout.strip())


def import_times(repeats: int) -> dict[str, float | None]:
    samples: dict[str, list[float]] = {m: [] for pair in IMPORTS for m in pair}
    for _ in range(repeats):  # interleaved, fresh interpreters
        for module in samples:
            seconds = import_seconds(module)
            if seconds is not None:
                samples[module].append(seconds)
    return {m: (statistics.median(s) if s else None) for m, s in samples.items()}


# --- report ------------------------------------------------------------------------------

ANCHOR_OF = {
    "ChatHunyuan": "ChatOpenAI",
    "Hunyuan": "OpenAILike",
    "HunyuanEmbeddings": "OpenAIEmbeddings",
    "HunyuanEmbedding": "OpenAIEmbedding",
}


def fmt_time(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def report(cases: list[Case], imports: dict[str, float | None]) -> str:
    by_key = {(c.group, c.name): c for c in cases}
    lines = [
        "| operation | implementation | median time | vs raw httpx | ours / anchor |",
        "|---|---|---:|---:|---:|",
    ]
    for case in cases:
        raw = by_key.get((case.group, "raw httpx")) or by_key.get(
            (case.group, "raw httpx, sequential")
        )
        vs_raw = f"{case.median / raw.median:.2f}x" if raw else ""
        ratio = ""
        anchor = by_key.get((case.group, ANCHOR_OF.get(case.name, "")))
        if anchor:
            ratio = f"**{case.median / anchor.median:.2f}x**"
        lines.append(
            f"| {case.group} | {case.name} | {fmt_time(case.median)} | {vs_raw} | {ratio} |"
        )
    lines += [
        "",
        "| import (fresh interpreter, median) | time | ours / anchor |",
        "|---|---:|---:|",
    ]
    for anchor_mod, ours_mod in IMPORTS:
        a, o = imports.get(anchor_mod), imports.get(ours_mod)
        lines.append(f"| `import {anchor_mod}` | {fmt_time(a) if a else 'n/a'} | |")
        ratio = f"**{o / a:.2f}x**" if a and o else ""
        lines.append(f"| `import {ours_mod}` | {fmt_time(o) if o else 'n/a'} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200, help="non-streaming calls per round")
    parser.add_argument("--streams", type=int, default=20, help="streams per round")
    parser.add_argument("--concurrent", type=int, default=3, help="bursts of 100 per round")
    parser.add_argument(
        "--embed-rounds", type=int, default=3, help="rounds that include the bulk embeddings"
    )
    parser.add_argument("--imports", type=int, default=7, help="fresh interpreters per module")
    parser.add_argument("--json", help="also write the medians to this file")
    args = parser.parse_args()

    chat_server = Server("--stream-pieces", str(STREAM_CHUNKS))
    embed_server = Server("--latency", str(EMBED_LATENCY))
    texts = [
        f"第{i}段文本: Hunyuan embedding benchmark text number {i}." for i in range(EMBED_TEXTS)
    ]
    try:
        cases = (
            raw_cases(chat_server.base_url, args.calls, args.streams, args.concurrent)
            + langchain_cases(chat_server.base_url, args.calls, args.streams, args.concurrent)
            + llama_index_cases(chat_server.base_url, args.calls, args.streams)
            + embedding_cases(embed_server.base_url, texts)
        )
        if args.embed_rounds < 1:  # no bulk embeddings at all: neither warmed up nor reported
            cases = [c for c in cases if not c.group.startswith(EMBED_GROUPS)]
        # Sort so that each group's rows sit together in the table, raw first.
        order = {g: i for i, g in enumerate(dict.fromkeys(c.group for c in cases))}
        cases.sort(key=lambda c: order[c.group])
        for case in cases:
            (case.warm or case.run)()
        started = time.perf_counter()
        for n in range(args.rounds):
            for case in cases:
                if n < args.embed_rounds or not case.group.startswith(EMBED_GROUPS):
                    case.measure()
            print(f"round {n + 1}/{args.rounds} done", file=sys.stderr, flush=True)
        elapsed = time.perf_counter() - started
    finally:
        chat_server.close()
        embed_server.close()
    imports = import_times(args.imports)
    print(
        f"\n{platform.python_implementation()} {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{args.rounds} interleaved rounds in {elapsed:.0f} s; "
        f"per round: {args.calls} calls, {args.streams} streams of {STREAM_CHUNKS} chunks, "
        f"{args.concurrent} bursts of {CONCURRENCY} concurrent calls; "
        f"bulk embeddings in the first {min(args.embed_rounds, args.rounds)} rounds.\n"
    )
    print(report(cases, imports))
    if args.json:
        medians = {f"{c.group} | {c.name}": c.median for c in cases}
        Path(args.json).write_text(json.dumps({"cases": medians, "imports": imports}, indent=2))


if __name__ == "__main__":
    main()
