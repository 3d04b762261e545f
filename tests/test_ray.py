"""Bulk embedding as a Ray Data job on a local Ray cluster, against the quota server.

Ray is an optional extra; run with ``pip install -e '.[all,dev,ray]' && pytest tests/test_ray.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.emulator import fake_vector
from tests.support.quota_server import QuotaServer

ray: Any = pytest.importorskip(
    "ray", reason="Ray is optional: pip install -e '.[all,dev,ray]' to run this test"
)
pytest.importorskip("ray.data", reason="Ray Data is missing: pip install 'ray[data]'")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": path}},
    )
    yield
    ray.shutdown()


@pytest.mark.timeout(300)
def test_ray_data_map_batches_embeds_everything_within_the_quota(local_ray: None) -> None:
    from examples.ray_bulk_embed import embed_with_ray
    from langchain_hunyuan import HunyuanEmbeddings

    texts = [f"段落 {i % 40} text {i % 40}" for i in range(600)]
    with QuotaServer(rps=40, concurrent=4, latency=0.001, whole_seconds=False) as server:
        embeddings = HunyuanEmbeddings(
            api_key="sk-ray-test", base_url=server.base_url, embed_batch_size=10, max_retries=0
        )
        vectors = embed_with_ray(
            texts, embeddings, workers=2, max_requests_per_second=40, rows_per_batch=50
        )
    assert vectors == [fake_vector(t) for t in texts]  # no text lost, in order
    # Ray cuts rows into batches of its own (not always a multiple of 10), so a few requests
    # carry fewer than 10 texts; none was lost or sent twice after succeeding.
    assert 60 <= server.admitted <= 90
    assert server.rejected <= 10
