"""RAG with LlamaIndex on Tencent Hunyuan: a VectorStoreIndex over a few documents.

    .venv/bin/python examples/llama_index_rag.py

``Settings.llm = Hunyuan()`` answers and ``Settings.embed_model = HunyuanEmbedding()`` embeds.
With ``HUNYUAN_API_KEY`` set it calls the live API; without it, it replays
``cassettes/test_llama_index_examples/test_rag_example.yaml`` (synthesised from the loopback
emulator of Hunyuan's wire format, see the README) and says so. Nothing is downloaded:
llama-index-core ships the NLTK and tiktoken data its splitter and tokenizer use.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `examples` importable
from examples._offline import live_or_replay  # noqa: E402

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


def main() -> dict[str, object]:
    results = live_or_replay(CASSETTE, run)
    print(f"\nQ: {QUESTION}\nA: {results['answer']}")
    print(f"A (streamed in {results['stream_pieces']} pieces): {results['streamed']}")
    for n, source in enumerate(results["sources"], 1):
        print(f"  source {n}: {source}")
    return results


if __name__ == "__main__":
    main()
