"""RAG with LlamaIndex on Tencent Hunyuan: a VectorStoreIndex over a few documents.

    .venv/bin/python examples/llama_index_rag.py

``Settings.llm = Hunyuan()`` answers and ``Settings.embed_model = HunyuanEmbedding()`` embeds.
With ``HUNYUAN_API_KEY`` set it calls the live API; without it, it replays
``cassettes/test_llama_index_examples/test_rag_example.yaml`` (synthesised from the loopback
emulator of Hunyuan's wire format, see the README) and says so. Nothing is downloaded:
llama-index-core ships the NLTK and tiktoken data its splitter and tokenizer use.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "cassettes" / "test_llama_index_examples" / "test_rag_example.yaml"

DOCUMENTS = [
    "腾讯混元 (Tencent Hunyuan) is a family of large language models built by Tencent.",
    "Hunyuan's OpenAI-compatible endpoint is https://api.hunyuan.cloud.tencent.com/v1; "
    "its API key is read from HUNYUAN_API_KEY.",
    "hunyuan-embedding turns up to 200 texts per request into 1024-dimensional vectors.",
    "hunyuan-turbos-latest has a 32k-token context window and calls tools.",
]
QUESTION = "How many dimensions do Hunyuan embeddings have?"


def run() -> dict[str, object]:
    """Index the documents, then answer QUESTION twice: whole, and streamed."""
    from llama_index.core import Document, Settings, VectorStoreIndex

    from llama_index_hunyuan import Hunyuan, HunyuanEmbedding

    Settings.llm = Hunyuan(model="hunyuan-turbos-latest", temperature=0)
    Settings.embed_model = HunyuanEmbedding()
    index = VectorStoreIndex.from_documents([Document(text=t) for t in DOCUMENTS])

    response = index.as_query_engine(similarity_top_k=2).query(QUESTION)
    streamed = index.as_query_engine(similarity_top_k=2, streaming=True).query(QUESTION)
    tokens = list(streamed.response_gen)
    return {
        "answer": str(response),
        "sources": [node.get_content() for node in response.source_nodes],
        "streamed": "".join(tokens),
        "stream_pieces": len(tokens),
    }


@contextmanager
def replaying() -> Iterator[None]:
    """Serve every request from the cassette; anything not in it fails, nothing goes out."""
    sys.path.insert(0, str(ROOT))
    import vcr

    from tests import cassettes_support

    os.environ["HUNYUAN_API_KEY"] = cassettes_support.REPLAY_KEY
    os.environ.pop("HUNYUAN_BASE_URL", None)
    recorder = vcr.VCR(record_mode="none")
    cassettes_support.register(recorder)
    try:
        with recorder.use_cassette(str(CASSETTE), **cassettes_support.vcr_config()):
            yield
    finally:
        os.environ.pop("HUNYUAN_API_KEY", None)


def main() -> dict[str, object]:
    if os.environ.get("HUNYUAN_API_KEY"):
        print("Live: calling the Hunyuan API (HUNYUAN_API_KEY is set).")
        results = run()
    else:
        print(f"Offline: HUNYUAN_API_KEY is not set, replaying {CASSETTE.relative_to(ROOT)}.")
        with replaying():
            results = run()
    print(f"\nQ: {QUESTION}\nA: {results['answer']}")
    print(f"A (streamed in {results['stream_pieces']} pieces): {results['streamed']}")
    for n, source in enumerate(results["sources"], 1):
        print(f"  source {n}: {source}")
    return results


if __name__ == "__main__":
    main()
