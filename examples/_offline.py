"""The examples' switch: live when ``HUNYUAN_API_KEY`` is set, else replay their cassette."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from tests.support.cassettes import ROOT, replaying

T = TypeVar("T")


def live_or_replay(cassette: Path, run: Callable[[], T]) -> T:
    """Call ``run`` against the live API if there is a key, else under ``cassette``; say which."""
    if os.environ.get("HUNYUAN_API_KEY"):
        print("Live: calling the Hunyuan API (HUNYUAN_API_KEY is set).")
        return run()
    print(f"Offline: HUNYUAN_API_KEY is not set, replaying {cassette.relative_to(ROOT)}.")
    with replaying(cassette):
        return run()
