"""The LlamaIndex examples work, offline, as a user runs them.

The ``vcr`` tests make (and replay) the cassettes the examples replay when no key is set; the
others run each example's ``main()`` with no key, under ``--block-network``: nothing may be
downloaded (NLTK data, tiktoken files) and every request must come from the cassette.
"""

from __future__ import annotations

import pytest

from examples import llama_index_agent, llama_index_rag
from tests.support.cassettes import run_example_script


@pytest.mark.vcr
def test_rag_example() -> None:
    results = llama_index_rag.run()
    assert results["answer"]
    assert results["streamed"] == results["answer"]  # the same question, streamed
    assert results["stream_pieces"] > 1
    sources = results["sources"]
    assert len(sources) == 2 and set(sources) <= set(llama_index_rag.DOCUMENTS)


@pytest.mark.vcr
def test_agent_example() -> None:
    results = llama_index_agent.run()
    ((name, kwargs, output),) = results["tool_calls"]
    assert name == "compound_interest"
    assert output == llama_index_agent.compound_interest(**kwargs)  # really called
    assert str(output) in str(results["answer"])


@pytest.mark.parametrize("example", [llama_index_rag, llama_index_agent])
def test_example_main_replays_offline_without_a_key(
    example: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("HUNYUAN_API_KEY", raising=False)
    results = example.main()
    out = capsys.readouterr().out
    assert out.startswith("Offline: no API key is set, replaying cassettes/")
    assert str(results["answer"]) in out


@pytest.mark.parametrize("script", ["examples/llama_index_rag.py", "examples/llama_index_agent.py"])
def test_example_script_runs_from_a_fresh_shell(script: str) -> None:
    done = run_example_script(script)
    assert done.returncode == 0, done.stderr
    assert "Offline:" in done.stdout and "\nA: " in done.stdout
    assert "NLTK download error" not in done.stdout + done.stderr
