"""The benchmark server: ``tests/support/emulator.py``'s HunyuanEmulator, run in its own process.

A separate process keeps the server's CPU work (JSON encoding, fake vectors) off the client's
GIL, so what the benchmark times is the client. Two differences from the test emulator, both
in the benchmark's favour of *the anchors*, never of ours:

- ``/embeddings`` ignores ``encoding_format``. The OpenAI SDK always sends it (``base64`` unless
  told otherwise) and the test emulator, like Hunyuan's documentation, rejects it; here it is
  ignored and floats come back, as Hunyuan sends them, so ``OpenAIEmbeddings`` and LlamaIndex's
  ``OpenAIEmbedding`` can run at all. The SDK leaves float lists as they are.
- Vectors are computed once per distinct text and cached as JSON, so the single-threaded
  emulator does not become the bottleneck that hides client-side concurrency.

Run: ``python benchmarks/server.py [--latency S] [--stream-pieces N]``; it prints its base URL on
one line and serves until stdin closes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.emulator import HunyuanEmulator


class BenchEmulator(HunyuanEmulator):
    """The emulator with a tolerant, cached ``/embeddings`` (see the module docstring)."""

    embedding_fields = HunyuanEmulator.embedding_fields | {"encoding_format"}

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._vector_json: dict[str, str] = {}

    def vector_json(self, text: str) -> str:
        cached = self._vector_json.get(text)
        if cached is None:
            cached = self._vector_json[text] = super().vector_json(text)
        return cached


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--stream-pieces", type=int, default=None)
    args = parser.parse_args()
    with BenchEmulator(latency=args.latency, stream_pieces=args.stream_pieces) as emu:
        print(emu.base_url, flush=True)
        sys.stdin.read()  # serve until the parent closes our stdin


if __name__ == "__main__":
    main()
