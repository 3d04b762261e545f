"""The README's quickstart runs offline: its cassette is this module's, replayed."""

from __future__ import annotations

import pytest

from examples import quickstart
from tests.support.cassettes import run_example_script
from tests.support.emulator import GREETING, SEED_000_REPLY


@pytest.mark.vcr
def test_quickstart() -> None:
    results = quickstart.run()
    assert results["langchain"] == SEED_000_REPLY  # the emulated model's answer, verbatim
    assert results["llama_index"] == GREETING
    assert results["llama_index_sources"] == 2


def test_quickstart_script_replays_offline_without_a_key() -> None:
    done = run_example_script("examples/quickstart.py")
    assert done.returncode == 0, done.stderr
    assert "Offline: no API key is set, replaying cassettes/test_quickstart/" in done.stdout
    assert SEED_000_REPLY in done.stdout
