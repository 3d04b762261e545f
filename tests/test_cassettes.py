"""The cassettes themselves: no secrets, each says how it was made, a missing one fails."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr
from vcr.errors import CannotOverwriteExistingCassetteException

from tests.support import cassettes as cassettes_support
from tests.support.emulator import HunyuanEmulator

CASSETTES = sorted(cassettes_support.CASSETTE_DIR.rglob("*.yaml"))
REAL_LOOKING_KEY = "sk-" + "A1b2C3d4" * 4
URL = cassettes_support.LIVE_BASE_URL + "/chat/completions"


def test_there_are_cassettes() -> None:
    assert len(CASSETTES) >= 5


@pytest.mark.parametrize("path", CASSETTES, ids=lambda p: str(p.relative_to(p.parents[1])))
def test_cassette_holds_no_secret_and_says_how_it_was_made(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert cassettes_support.find_secrets(text) == []
    data = cassettes_support.CassetteSerializer.deserialize(text)
    for interaction in data["interactions"]:
        names = {n.lower() for n in interaction["request"]["headers"]}
        assert names.isdisjoint(cassettes_support.SECRET_HEADERS)
    first = text.splitlines()[0]
    assert first.startswith(("# Synthesised", "# Recorded live", "# Transcribed by hand")), first


def test_secret_finder_catches_what_it_must() -> None:
    assert cassettes_support.find_secrets(f"Authorization: Bearer {REAL_LOOKING_KEY}")
    assert cassettes_support.find_secrets("TC3-HMAC-SHA256 Credential=AKIDabc/2024")
    assert cassettes_support.find_secrets("nothing here") == []


def _cassette(record_mode: str, tmp_path: Path, name: str) -> Any:
    recorder = vcr.VCR(cassette_library_dir=str(tmp_path), record_mode=record_mode)
    cassettes_support.register(recorder)
    return recorder.use_cassette(name, **cassettes_support.vcr_config())


def test_recording_filters_the_key_and_stamps_a_header(tmp_path: Path) -> None:
    with HunyuanEmulator() as emu, _cassette("all", tmp_path, "rec"):
        response = httpx.post(
            f"{emu.base_url}/embeddings",
            json={"input": ["x"], "model": "hunyuan-embedding"},
            headers={"Authorization": f"Bearer {REAL_LOOKING_KEY}"},
        )
        assert response.status_code == 200
    text = (tmp_path / "rec.yaml").read_text()
    assert REAL_LOOKING_KEY not in text and "Bearer" not in text
    assert text.startswith("# Recorded live")


def test_missing_cassette_fails_instead_of_reaching_the_network(tmp_path: Path) -> None:
    assert "record_mode" not in cassettes_support.vcr_config()  # --record-mode decides
    with HunyuanEmulator() as emu:
        with (
            _cassette("none", tmp_path, "absent"),
            pytest.raises(CannotOverwriteExistingCassetteException),
        ):
            httpx.get(emu.base_url)
        assert emu.requests == []


def _tool_body(description: str) -> bytes:
    tool = {"type": "function", "function": {"name": "add", "description": description}}
    return json.dumps({"model": "hunyuan-lite", "tools": [tool]}).encode()


# One docstring as each Python hands it to LangChain: 3.11 keeps the source indentation, 3.13
# strips it when compiling.
DOC_PY311 = "Add two numbers.\n\n    Args:\n        a: first\n        b: second\n    "
DOC_PY313 = "Add two numbers.\n\nArgs:\n    a: first\n    b: second\n"


def test_tool_descriptions_match_across_python_docstring_styles() -> None:
    def add(a: int, b: int) -> int:
        """Add two numbers.

        Args:
            a: first
            b: second
        """
        return a + b

    # the running Python's own docstring is one of the two styles
    assert inspect.cleandoc(add.__doc__ or "") == inspect.cleandoc(DOC_PY313)
    recorded = vcr.request.Request("POST", URL, _tool_body(DOC_PY311), {})
    sent = vcr.request.Request("POST", URL, _tool_body(DOC_PY313), {})
    cassettes_support.json_body(sent, recorded)  # raises if they do not match


def test_a_different_tool_description_still_does_not_match() -> None:
    recorded = vcr.request.Request("POST", URL, _tool_body(DOC_PY311), {})
    sent = vcr.request.Request("POST", URL, _tool_body(DOC_PY313.replace("first", "one")), {})
    with pytest.raises(AssertionError, match="JSON bodies differ"):
        cassettes_support.json_body(sent, recorded)
