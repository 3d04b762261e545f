"""The examples' switch: live when ``HUNYUAN_API_KEY`` is set, else replay their cassette.

Only the public API and vcrpy: a user who installed ``.[langchain]`` runs the examples live, and
offline replay needs vcrpy (``pip install -e '.[examples]'``, also in ``.[dev]``). The test suite
replays cassettes with the same body matcher, so a cassette that replays in the tests replays here.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
#: Cassettes were recorded with this placeholder key against Tencent's endpoint.
REPLAY_KEY = "sk-cassette-replay"
MATCH_ON = ["method", "scheme", "host", "port", "path", "query", "json_body"]
NEEDS_VCRPY = (
    "Offline replay needs vcrpy: pip install -e '.[examples]' (or '.[dev]'),\n"
    "or set HUNYUAN_API_KEY to call the live API instead."
)


def clean_descriptions(value: Any) -> Any:
    """``value`` with every ``description`` string put through ``inspect.cleandoc``.

    Tool descriptions come from docstrings, whose indentation depends on the Python version
    (3.13 strips it at compile time), so the same tool must match whichever Python recorded it.
    """
    if isinstance(value, dict):
        return {
            key: inspect.cleandoc(item)
            if key.lower() == "description" and isinstance(item, str)
            else clean_descriptions(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [clean_descriptions(item) for item in value]
    return value


def json_body(r1: Any, r2: Any) -> None:
    """vcrpy matcher: bodies equal as JSON (key order and docstring indentation in descriptions
    aside), else byte for byte. Raises ``AssertionError`` when they differ."""
    b1, b2 = r1.body or b"", r2.body or b""
    try:
        j1, j2 = json.loads(b1), json.loads(b2)
    except ValueError:
        assert b1 == b2, "request bodies differ"
        return
    j1, j2 = clean_descriptions(j1), clean_descriptions(j2)
    assert j1 == j2, f"JSON bodies differ:\n{j1}\n{j2}"


@contextmanager
def replaying(cassette: Path) -> Iterator[None]:
    """Serve every request from ``cassette``: a request not in it fails, nothing goes out. The
    key is the placeholder and the base URL Tencent's, as recorded."""
    import vcr  # optional: the [examples] extra

    saved = {name: os.environ.get(name) for name in ("HUNYUAN_API_KEY", "HUNYUAN_BASE_URL")}
    os.environ["HUNYUAN_API_KEY"] = REPLAY_KEY
    os.environ.pop("HUNYUAN_BASE_URL", None)
    recorder = vcr.VCR(record_mode="none", match_on=MATCH_ON, decode_compressed_response=True)
    recorder.register_matcher("json_body", json_body)
    try:
        with recorder.use_cassette(str(cassette), allow_playback_repeats=False):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def live_or_replay(cassette: Path, run: Callable[[], T]) -> T:
    """Call ``run`` against the live API if there is a key, else under ``cassette``; say which."""
    if os.environ.get("HUNYUAN_API_KEY"):
        print("Live: calling the Hunyuan API (HUNYUAN_API_KEY is set).")
        return run()
    try:
        import vcr  # noqa: F401
    except ImportError:
        raise SystemExit(NEEDS_VCRPY) from None
    print(f"Offline: HUNYUAN_API_KEY is not set, replaying {cassette.relative_to(ROOT)}.")
    with replaying(cassette):
        return run()
