"""Bulk work against an enforced quota: ours (adaptive), ours (fixed concurrency), OpenAI's.

The server is ``tests/support/quota_server.py`` in a child process (its CPU off our GIL), one
fresh server per case: at most ``--rps`` requests in any 1 s window and ``--concurrent`` in
flight per key, 429 with ``Retry-After`` (whole seconds) beyond, ``--latency`` per request.

    .venv/bin/python -m benchmarks.quota [--texts 100000] [--calls 5000] [--json out.json]

Figures per case: wall time over the quota's ideal (the least time the requests can take:
the first window's burst, then ``rps`` a second), 429s received, texts or calls failed, and
requests retried (requests the server saw beyond one per batch or call). Needs ``.[bench]``
for the OpenAI anchors (``n/a`` without it).
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
MODEL = "hunyuan-turbos-latest"
EMBED_MODEL = "hunyuan-embedding"
BATCH = 200


class QuotaServerProcess:
    """``python -m tests.support.quota_server`` in a child process."""

    def __init__(self, rps: float, concurrent: int, latency: float, warm: Path | None) -> None:
        args = ["--rps", str(rps), "--concurrent", str(concurrent), "--latency", str(latency)]
        args += ["--warm", str(warm)] if warm else []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.quota_server", "--tolerant", *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()
        if not self.base_url.startswith("http"):
            raise RuntimeError("quota server did not start")

    def stats(self) -> dict[str, int]:
        reply = httpx.get(f"{self.base_url}/quota-stats", timeout=10)
        return dict(reply.json())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)


def ideal_seconds(requests: int, rps: float, concurrent: int, latency: float) -> float:
    by_rate = max(0.0, (requests - rps) / rps)
    return max(by_rate, requests * latency / concurrent) + latency


# --- the cases: each returns how many texts/calls failed, and what it got ---------------------
# (The caller keeps the result until the clock is read: freeing 100,000 vectors of 1,024
# floats takes about 0.9 s, which is the user's time, not the job's.)

Outcome = tuple[int, object]


def embed_ours(base_url: str, key: str, texts: list[str], adaptive: bool) -> Outcome:
    from hunyuan_core import HunyuanClient, PartialEmbeddingError

    client = HunyuanClient(
        api_key=key,
        base_url=base_url,
        adaptive_concurrency=adaptive,
        embed_concurrency=None if adaptive else 4,  # 4: the old fixed default
    )
    try:
        vectors = client.embed(texts, model=EMBED_MODEL)
    except PartialEmbeddingError as err:
        return len(err.failed_indexes), err
    except Exception as err:
        return len(texts), err
    return len(texts) - len(vectors), vectors


def embed_openai(base_url: str, key: str, texts: list[str]) -> Outcome:
    from langchain_openai import OpenAIEmbeddings

    embeddings = OpenAIEmbeddings(
        model=EMBED_MODEL,
        base_url=base_url,
        api_key=key,  # type: ignore[arg-type]
        check_embedding_ctx_length=False,
        chunk_size=BATCH,
    )
    try:
        vectors = embeddings.embed_documents(texts)
    except Exception as err:
        return len(texts), err  # the job fails whole: nothing comes back
    return len(texts) - len(vectors), vectors


def chat_ours(base_url: str, key: str, calls: int, adaptive: bool) -> Outcome:
    from hunyuan_core import HunyuanClient
    from langchain_hunyuan import ChatHunyuan

    model = ChatHunyuan(model=MODEL, api_key=key, base_url=base_url)  # type: ignore[call-arg]
    model._client = HunyuanClient(api_key=key, base_url=base_url, adaptive_concurrency=adaptive)
    replies = model.batch(["你好"] * calls, return_exceptions=True)
    return sum(1 for r in replies if isinstance(r, Exception)), replies


def chat_openai(base_url: str, key: str, calls: int) -> Outcome:
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(model=MODEL, base_url=base_url, api_key=key)  # type: ignore[arg-type]
    replies = model.batch(["你好"] * calls, return_exceptions=True)
    return sum(1 for r in replies if isinstance(r, Exception)), replies


def run_case(
    name: str,
    run: Callable[[str, str], Outcome],
    requests_needed: int,
    args: argparse.Namespace,
    unlimited: bool = False,
) -> dict[str, Any]:
    """One case on a fresh server; ``unlimited`` lifts the quota (the machine's own floor)."""
    rps, concurrent = (1e9, 10**9) if unlimited else (args.rps, args.concurrent)
    server = QuotaServerProcess(rps, concurrent, args.latency, args.warm)
    try:
        started = time.perf_counter()
        try:
            failed, kept = run(server.base_url, f"sk-quota-{name.replace(' ', '-')}")
        except ImportError:
            return {"case": name, "failed": "n/a"}
        wall = time.perf_counter() - started
        del kept
        stats = server.stats()
    finally:
        server.close()
    ideal = ideal_seconds(requests_needed, args.rps, args.concurrent, args.latency)
    row = {
        "case": name,
        "wall_s": round(wall, 1),
        "ideal_s": round(ideal, 1),
        "wall_over_ideal": round(wall / ideal, 3),
        "429s": stats["rejected"],
        "failed": failed,
        "retried": stats["admitted"] + stats["rejected"] - requests_needed,
        "max_in_flight": stats["max_in_flight"],
    }
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def run_cases(texts: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    """The embedding cases over ``texts``, then the chat cases, each on a fresh server."""
    batches = -(-len(texts) // BATCH)
    rows: list[dict[str, Any]] = []
    if args.texts:
        cases: list[tuple[str, Callable[[str, str], Outcome]]] = [
            ("embed ours adaptive", lambda u, k: embed_ours(u, k, texts, True)),
            ("embed ours fixed 4", lambda u, k: embed_ours(u, k, texts, False)),
            ("embed OpenAIEmbeddings", lambda u, k: embed_openai(u, k, texts)),
        ]
        rows += [run_case(name, run, batches, args) for name, run in cases]
        floor = ("embed ours, no quota (machine floor)", cases[0][1])
        rows.append(run_case(*floor, batches, args, unlimited=True))
    if args.calls:
        calls = args.calls
        cases = [
            ("chat ours adaptive", lambda u, k: chat_ours(u, k, calls, True)),
            ("chat ours fixed", lambda u, k: chat_ours(u, k, calls, False)),
            ("chat ChatOpenAI", lambda u, k: chat_openai(u, k, calls)),
        ]
        rows += [run_case(name, run, calls, args) for name, run in cases]
        floor = ("chat ours, no quota (machine floor)", cases[0][1])
        rows.append(run_case(*floor, calls, args, unlimited=True))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--rps", type=float, default=20)
    parser.add_argument("--concurrent", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    texts = [f"第 {i % 1000} 段文本 text {i % 1000}" for i in range(args.texts)]
    with tempfile.TemporaryDirectory() as folder:  # the texts the server embeds ahead
        args.warm = Path(folder) / "texts.json"
        args.warm.write_text(json.dumps(sorted(set(texts)), ensure_ascii=False))
        rows = run_cases(texts, args)
    env = f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    print(f"\n{env}; quota {args.rps:g} rps, {args.concurrent} concurrent, {args.latency} s")
    for row in rows:
        print(row)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
