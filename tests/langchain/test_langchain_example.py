"""examples/langchain_agent.py runs offline: its cassette is this module's, replayed."""

from __future__ import annotations

import pytest

from examples import langchain_agent
from tests.support.cassettes import run_example_script


def test_nth_prime() -> None:
    assert [langchain_agent.nth_prime(n) for n in range(1, 7)] == [2, 3, 5, 7, 11, 13]


@pytest.mark.vcr
def test_agent_example() -> None:
    results = langchain_agent.run()
    # The model called the tool, the agent ran the Python function, the answer uses its result.
    assert results["tool_calls"] == [("nth_prime", {"n": 3}, "5")]
    assert "5" in str(results["answer"])


def test_agent_script_replays_offline_without_a_key() -> None:
    done = run_example_script("examples/langchain_agent.py")
    assert done.returncode == 0, done.stderr
    assert "Offline: no API key is set" in done.stdout
    assert "tool nth_prime({'n': 3}) -> 5" in done.stdout
