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


# --- relative links in the documentation ------------------------------------------------------

LINKED = [ROOT / "README.md", ROOT / "BENCHMARKS.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def relative_links(text: str) -> list[str]:
    """The targets of the inline links outside code that point into the repository."""
    prose = _CODE_SPAN.sub("", _FENCE.sub("", text))
    return [t for t in _LINK.findall(prose) if not re.match(r"[a-z][a-z0-9+.-]*:", t, re.I)]


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as
    hyphens, repeats numbered."""
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", _FENCE.sub("", text), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


def broken_links(page: Path) -> list[str]:
    """Links of ``page`` whose file is missing, or whose anchor no heading of that file has."""
    broken = []
    for target in relative_links(page.read_text(encoding="utf-8")):
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked.read_text("utf-8")):
            broken.append(target)
    return broken


def test_the_link_check_sees_links_and_catches_a_broken_one(tmp_path: Path) -> None:
    assert {p.name for p in LINKED} >= {"README.md", "testing.md", "transport.md"}
    (tmp_path / "there.md").write_text("# Thinking (Hy3)\n## Set up: twice\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md) [ok](there.md#thinking-hy3) [ok](<there.md#set-up-twice>)\n"
        "[web](https://example.com/x.md) [self](#a-heading) ![img](missing.png)\n"
        "[gone](gone.md) [bad anchor](there.md#nowhere) `[code](nope.md)`\n"
        "```\n[fenced](nope.md)\n```\n# A heading\n",
        encoding="utf-8",
    )
    assert broken_links(page) == ["missing.png", "gone.md", "there.md#nowhere"]


@pytest.mark.parametrize("page", LINKED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_in_the_docs_points_to_an_existing_file(page: Path) -> None:
    assert broken_links(page) == []
