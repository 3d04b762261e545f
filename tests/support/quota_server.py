"""A loopback Hunyuan that enforces an account quota, for tests and benchmarks.

The wire format is :class:`~tests.support.emulator.HunyuanEmulator`'s (OpenAI-shaped
``/chat/completions`` and ``/embeddings``). In front of it, per API key:

- at most ``rps`` requests admitted in any sliding ``window`` (1 s), and at most ``concurrent``
  in flight; beyond either, 429 with TokenHub's error body (code ``429001`` for the rate,
  ``429004`` for concurrency) and ``Retry-After``: the time until the window frees a slot, in
  whole seconds rounded up as the header allows (``whole_seconds=False``: exact, which keeps
  tests fast);
- every admitted request takes ``latency`` seconds.

Counters (``admitted``, ``rejected``) let a test or benchmark check what the client did; in
another process, ``GET /v1/quota-stats`` returns them.

Run: ``python -m tests.support.quota_server [--rps 20] [--concurrent 5] [--latency 0.02]
[--warm texts.json]``; it prints its base URL on one line and serves until stdin closes.
``--warm`` computes those texts' vectors before serving: computing them on first use blocked
the event loop for about 0.1 s per batch of new texts, and requests then reached the quota
check up to 0.4 s after they were sent, a lag of the emulator, not of the client measured.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from tests.support.emulator import Exchange, HunyuanEmulator


class QuotaServer(HunyuanEmulator):
    """``with QuotaServer(rps=20, concurrent=5, latency=0.02) as q: q.base_url``."""

    def __init__(
        self,
        *,
        rps: float = 20,
        concurrent: int = 5,
        latency: float = 0.02,
        window: float = 1.0,
        tolerant: bool = False,
        whole_seconds: bool = True,
    ) -> None:
        super().__init__(latency=latency)
        self.rps = rps
        self.concurrent = concurrent
        self.window = window
        self.whole_seconds = whole_seconds
        # A quota stands in front of any endpoint: the default model (TokenHub's) is served too.
        self.embedding_models = self.embedding_models | {"kinfra-text-embedding-0.6b"}
        if tolerant:  # the OpenAI SDK sends encoding_format; Hunyuan rejects it (see benchmarks)
            self.embedding_fields = self.embedding_fields | {"encoding_format"}
        self._admitted: dict[str, deque[float]] = defaultdict(deque)
        self._in_flight: dict[str, int] = defaultdict(int)
        self._vectors: dict[str, str] = {}
        self.admitted = 0
        self.rejected = 0
        self.max_in_flight = 0

    def vector_json(self, text: str) -> str:
        cached = self._vectors.get(text)
        if cached is None:
            cached = self._vectors[text] = super().vector_json(text)
        return cached

    def _over_quota(self, key: str, now: float) -> tuple[str, float] | None:
        """``(code, retry_after)`` when this request is over the quota, else ``None``."""
        times = self._admitted[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.rps:
            return "429001", times[0] + self.window - now
        if self._in_flight[key] >= self.concurrent:
            return "429004", self.latency
        return None

    def stats(self) -> dict[str, int]:
        return {
            "admitted": self.admitted,
            "rejected": self.rejected,
            "max_in_flight": self.max_in_flight,
        }

    async def _route(self, ex: Exchange) -> None:
        if ex.path.endswith("/quota-stats"):  # the benchmark reads the counters here
            await ex.send_json(200, self.stats())
            return
        key = ex.headers.get("authorization", "")
        now = time.monotonic()
        over = self._over_quota(key, now)
        if over is not None:
            self.rejected += 1
            code, wait = over
            after = str(max(1, math.ceil(wait))) if self.whole_seconds else f"{wait:.3f}"
            await ex.send_json(429, _rate_limit_body(code), {"Retry-After": after})
            return
        self.admitted += 1
        self._admitted[key].append(now)
        self._in_flight[key] += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight[key])
        try:
            await super()._route(ex)
        finally:
            self._in_flight[key] -= 1

    def ideal_seconds(self, requests: int) -> float:
        """The least time ``requests`` admitted requests can take under this quota."""
        by_rate = max(0.0, (requests - self.rps) / self.rps * self.window)
        by_concurrency = requests * self.latency / self.concurrent
        return max(by_rate, by_concurrency) + self.latency


def _rate_limit_body(code: str) -> dict[str, Any]:
    """TokenHub's 429 body (codes 429001-429005 are quota, 429006 capacity)."""
    return {
        "error": {
            "message": "Request rate limit exceeded for this account and model, retry later.",
            "type": "rate_limit_error",
            "code": code,
            "source": "gateway",
        }
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rps", type=float, default=20)
    parser.add_argument("--concurrent", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--tolerant", action="store_true")
    parser.add_argument("--warm", type=Path, help="a JSON list of texts to embed ahead")
    args = parser.parse_args()
    server = QuotaServer(
        rps=args.rps, concurrent=args.concurrent, latency=args.latency, tolerant=args.tolerant
    )
    for text in json.loads(args.warm.read_text()) if args.warm else []:
        server.vector_json(text)
    with server:
        print(server.base_url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
