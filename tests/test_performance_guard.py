"""Regression guards for the overhead work in BENCHMARKS.md, robust on a loaded 2-core CI box.

Mostly structural (what an import pulls in, how many clients a model builds, that embeddings
go out in full batches), plus one generous ratio: the cost of streaming through ChatHunyuan and
Hunyuan against raw httpx on the same loopback server. The full side-by-side numbers come from
``benchmarks/run.py``, not from here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import hunyuan_core.client
from tests.support.emulator import HunyuanEmulator

KEY = "sk-guard-key"
MODEL = "hunyuan-turbos-latest"


def modules_after_import(module: str) -> set[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


OPENAI_STACK = ("openai", "tiktoken", "langchain_openai")


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("hunyuan_core", (*OPENAI_STACK, "langchain_core", "llama_index", "numpy")),
        ("langchain_hunyuan", (*OPENAI_STACK, "llama_index")),
        (
            "llama_index_hunyuan",
            (
                *OPENAI_STACK,
                "langchain_core",
                "llama_index.llms.openai",
                "llama_index.embeddings.openai",
            ),
        ),
    ],
)
def test_import_pulls_in_no_openai_stack(module: str, forbidden: tuple[str, ...]) -> None:
    """Import time is most of a CLI's start-up: ours must not load the OpenAI SDK, tiktoken,
    LlamaIndex's OpenAI integrations or the other framework just to exist."""
    loaded = modules_after_import(module)
    assert module in loaded
    assert not {m for m in loaded for f in forbidden if m == f or m.startswith(f + ".")}


class Constructions:
    """Counts HunyuanClient, httpx.Client and httpx.AsyncClient constructions."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts = {"HunyuanClient": 0, "httpx.Client": 0, "httpx.AsyncClient": 0}
        for name, cls in (
            ("HunyuanClient", hunyuan_core.client.HunyuanClient),
            ("httpx.Client", httpx.Client),
            ("httpx.AsyncClient", httpx.AsyncClient),
        ):
            monkeypatch.setattr(cls, "__init__", self._counting(name, cls.__init__))

    def _counting(self, name: str, init: Callable[..., None]) -> Callable[..., None]:
        def counted(obj: Any, *args: Any, **kwargs: Any) -> None:
            self.counts[name] += 1
            init(obj, *args, **kwargs)

        return counted


@pytest.fixture
def constructions(monkeypatch: pytest.MonkeyPatch) -> Constructions:
    return Constructions(monkeypatch)


async def test_chat_hunyuan_builds_one_client_for_many_calls(
    emulator: HunyuanEmulator, constructions: Constructions
) -> None:
    from langchain_hunyuan import ChatHunyuan

    model = ChatHunyuan(model=MODEL, base_url=emulator.base_url, api_key=KEY)
    for _ in range(3):
        assert model.invoke("你好").content
        assert list(model.stream("你好"))
        assert (await model.ainvoke("你好")).content
    assert constructions.counts["HunyuanClient"] == 1
    # httpx clients come from the process-wide pool: at most one each, however many calls.
    assert constructions.counts["httpx.Client"] <= 1
    assert constructions.counts["httpx.AsyncClient"] <= 1


async def test_llama_index_hunyuan_builds_one_client_for_many_calls(
    emulator: HunyuanEmulator, constructions: Constructions
) -> None:
    from llama_index.core.llms import ChatMessage

    from llama_index_hunyuan import Hunyuan

    llm = Hunyuan(model=MODEL, base_url=emulator.base_url, api_key=KEY)
    messages = [ChatMessage(role="user", content="你好")]
    for _ in range(3):
        assert llm.chat(messages).message.content
        assert list(llm.stream_chat(messages))
        assert (await llm.achat(messages)).message.content
    assert constructions.counts["HunyuanClient"] == 1
    assert constructions.counts["httpx.Client"] <= 1
    assert constructions.counts["httpx.AsyncClient"] <= 1


def test_bulk_embeddings_go_out_in_full_batches(
    emulator: HunyuanEmulator, constructions: Constructions
) -> None:
    from langchain_hunyuan import HunyuanEmbeddings
    from llama_index_hunyuan import HunyuanEmbedding

    texts = [f"text {i}" for i in range(450)]
    lc = HunyuanEmbeddings(base_url=emulator.base_url, api_key=KEY, model="hunyuan-embedding")
    li = HunyuanEmbedding(base_url=emulator.base_url, api_key=KEY, model_name="hunyuan-embedding")
    assert len(lc.embed_documents(texts)) == len(texts)
    assert len(li.get_text_embedding_batch(texts)) == len(texts)
    sizes = sorted(len(body["input"]) for path, _, body in emulator.requests)
    assert sizes == [50, 50, 200, 200, 200, 200]
    assert constructions.counts["HunyuanClient"] == 2


# --- one generous ratio ---------------------------------------------------------------------


def cpu_seconds(run: Callable[[], object], rounds: int = 5, calls: int = 3) -> float:
    """CPU time of this thread per call, the least of a few rounds.

    Thread CPU time leaves out waiting (for the server, which runs in its own thread, and for
    other processes on a busy machine), so it measures the client's own work."""
    best = float("inf")
    for _ in range(rounds):
        started = time.thread_time()
        for _ in range(calls):
            run()
        best = min(best, (time.thread_time() - started) / calls)
    return best


@pytest.fixture
def streaming_emulator() -> Iterator[HunyuanEmulator]:
    with HunyuanEmulator(stream_pieces=200) as emu:
        yield emu


def test_streaming_overhead_stays_near_raw_httpx(streaming_emulator: HunyuanEmulator) -> None:
    """The client-side CPU of a 200-chunk stream through ChatHunyuan or Hunyuan stays within 5x
    of a bare httpx loop that json-decodes each event. Measured here (2 cores): about 2-2.5x for
    ours, 6-11x for ChatOpenAI and OpenAILike. The bound is loose on purpose: it catches a
    return to per-chunk object churn, not noise."""
    from llama_index.core.llms import ChatMessage

    from langchain_hunyuan import ChatHunyuan
    from llama_index_hunyuan import Hunyuan

    url = f"{streaming_emulator.base_url}/chat/completions"
    body = {"model": MODEL, "messages": [{"role": "user", "content": "你好"}], "stream": True}
    headers = {"Authorization": f"Bearer {KEY}"}
    client = httpx.Client()

    def raw() -> int:
        n = 0
        with client.stream("POST", url, json=body, headers=headers) as response:
            for line in response.iter_lines():
                if line.startswith("data: ") and line != "data: [DONE]":
                    json.loads(line[6:])
                    n += 1
        return n

    chat = ChatHunyuan(model=MODEL, base_url=streaming_emulator.base_url, api_key=KEY)
    llm = Hunyuan(model=MODEL, base_url=streaming_emulator.base_url, api_key=KEY)
    messages = [ChatMessage(role="user", content="你好")]
    runs = {
        "raw": raw,
        "ChatHunyuan": lambda: sum(1 for _ in chat.stream("你好")),
        "Hunyuan": lambda: sum(1 for _ in llm.stream_chat(messages)),
    }
    for run in runs.values():  # warm-up, and a check that each really streamed 200 chunks
        assert run() >= 200
    cpu = {name: cpu_seconds(run) for name, run in runs.items()}
    client.close()
    assert cpu["ChatHunyuan"] < 5 * cpu["raw"], cpu
    assert cpu["Hunyuan"] < 5 * cpu["raw"], cpu
