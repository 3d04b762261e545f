"""Every reference in the repository can be followed by someone who cloned it: documents that
live outside it (the project's private notes, its numbered source documents) are cited by public
URL instead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.cassettes import ROOT

PRIVATE = re.compile(r"shared/(seeds|NOTES)|\bseeds? ?0\d\d\b", re.IGNORECASE)
CHECKED = ["README.md", "BENCHMARKS.md", "docs", "examples", "cassettes", "tests"]


def _files() -> list[Path]:
    found: list[Path] = []
    for name in CHECKED:
        path = ROOT / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        found += [p for p in candidates if p.suffix in {".md", ".py", ".yaml"}]
    return found


def test_the_check_sees_the_files_and_catches_a_private_reference() -> None:
    names = {p.name for p in _files()}
    assert {"README.md", "quickstart.py", "test_quickstart.yaml"} <= names
    for text in ("see shared/seeds/000", "(seed 003)", "Seeds 000 and 001", "shared/NOTES.md"):
        assert PRIVATE.search(text), text
    assert not PRIVATE.search("seed=7, SEED_000_REPLY, seeded")


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_reference_to_documents_outside_the_repository(path: Path) -> None:
    if path == Path(__file__):
        return  # this file spells the patterns out
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if PRIVATE.search(line)] == []
