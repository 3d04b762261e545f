"""Quickstart: a LangChain chain and a LlamaIndex RAG query on Tencent Hunyuan.

    .venv/bin/python examples/quickstart.py

With ``HUNYUAN_API_KEY`` set it calls the live API. Without it, it replays the cassette
``cassettes/test_quickstart/test_quickstart.yaml`` (synthesised from the loopback emulator of
Hunyuan's documented wire format; see the README) and says so.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `examples` importable
from examples._offline import live_or_replay  # noqa: E402

CASSETTE = ROOT / "cassettes" / "test_quickstart" / "test_quickstart.yaml"

DOCUMENTS = [
    "混元 (Hunyuan) is Tencent's family of large language models.",
    "Hunyuan's OpenAI-compatible endpoint is https://api.hunyuan.cloud.tencent.com/v1.",
    "hunyuan-embedding turns text into 1024-dimensional vectors.",
]


def langchain_chain() -> str:
    """prompt | ChatHunyuan | parser: the LangChain way."""
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate

    from langchain_hunyuan import ChatHunyuan

    prompt = ChatPromptTemplate.from_messages(
        [("system", "You are a concise assistant."), ("user", "{question}")]
    )
    chain = prompt | ChatHunyuan(model="hunyuan-turbos-latest", temperature=0) | StrOutputParser()
    return chain.invoke({"question": "请介绍一下你自己"})


def llama_index_query() -> tuple[str, int]:
    """A VectorStoreIndex over a few documents, answered by Hunyuan: the LlamaIndex way."""
    from llama_index.core import Document, Settings, VectorStoreIndex

    from llama_index_hunyuan import Hunyuan, HunyuanEmbedding

    Settings.llm = Hunyuan(model="hunyuan-turbos-latest", temperature=0)
    Settings.embed_model = HunyuanEmbedding()
    index = VectorStoreIndex.from_documents([Document(text=t) for t in DOCUMENTS])
    response = index.as_query_engine(similarity_top_k=2).query("How many dimensions?")
    return str(response), len(response.source_nodes)


def run() -> dict[str, object]:
    answer = langchain_chain()
    reply, sources = llama_index_query()
    return {"langchain": answer, "llama_index": reply, "llama_index_sources": sources}


def main() -> dict[str, object]:
    results = live_or_replay(CASSETTE, run)
    print(f"\nLangChain chain  -> {results['langchain']}")
    print(
        f"LlamaIndex query -> {results['llama_index']} "
        f"({results['llama_index_sources']} source nodes)"
    )
    return results


if __name__ == "__main__":
    main()
