"""The examples use only the public API: a user with ``.[langchain]`` alone can run them live."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cassettes import ROOT

EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_imports_nothing_from_tests(path: Path) -> None:
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    assert imported, path  # the walk saw the imports
    assert not {name for name in imported if name.split(".")[0] == "tests"}


def test_offline_replay_without_vcrpy_says_which_extra_to_install(tmp_path: Path) -> None:
    blocker = tmp_path / "vcr"
    blocker.mkdir()
    (blocker / "__init__.py").write_text("raise ImportError('vcrpy is not installed')\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT), "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "examples/quickstart.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Offline replay needs vcrpy: pip install -e '.[examples]'" in done.stderr
    assert "HUNYUAN_API_KEY" in done.stderr
