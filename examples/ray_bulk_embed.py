"""Bulk embedding past one machine: a Ray Data ``map_batches`` job with ``HunyuanEmbeddings``.

Each of ``workers`` actors embeds its share of the rows with its own copy of the model (models
pickle; each process gets fresh connections) and takes its share of the account's quota,
``max_requests_per_second / workers``: the quota is the account's, and limiters cannot be
shared across processes. Within its share, each worker's core still adapts to 429s.

    pip install -e '.[ray]'
    HUNYUAN_API_KEY=... python examples/ray_bulk_embed.py --rps 5 --workers 2 corpus.txt

(``corpus.txt``: one text per line; 5 requests/s is GetEmbedding's documented default.)
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from langchain_hunyuan import HunyuanEmbeddings


class EmbedBatch:
    """A Ray Data actor: one model per worker process, paced at its share of the quota."""

    def __init__(self, embeddings: HunyuanEmbeddings, share: float) -> None:
        self.embeddings = embeddings.model_copy(update={"max_requests_per_second": share})

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        batch["vector"] = self.embeddings.embed_documents([str(t) for t in batch["text"]])
        return batch


def embed_with_ray(
    texts: list[str],
    embeddings: HunyuanEmbeddings,
    *,
    workers: int = 2,
    max_requests_per_second: float = 5.0,
    rows_per_batch: int = 200,
) -> list[list[float]]:
    """One vector per text, in order, computed by ``workers`` Ray actors (Ray must be up)."""
    import ray.data

    rows = ray.data.from_items([{"id": i, "text": t} for i, t in enumerate(texts)])
    embedded = rows.map_batches(
        EmbedBatch,
        fn_constructor_kwargs={
            "embeddings": embeddings,
            "share": max_requests_per_second / workers,
        },
        batch_size=rows_per_batch,
        concurrency=workers,
        num_cpus=0.25,  # waiting on the network, not computing
    )
    done = sorted(embedded.take_all(), key=lambda row: int(row["id"]))
    return [list(map(float, row["vector"])) for row in done]


def main() -> None:
    import ray

    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--rps", type=float, default=5.0, help="the account's quota")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    texts = [line for line in args.corpus.read_text().splitlines() if line.strip()]
    ray.init()
    try:
        vectors = embed_with_ray(
            texts, HunyuanEmbeddings(), workers=args.workers, max_requests_per_second=args.rps
        )
    finally:
        ray.shutdown()
    print(f"{len(vectors)} vectors of {len(vectors[0]) if vectors else 0} dimensions")


if __name__ == "__main__":
    main()
