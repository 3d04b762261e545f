"""Fail unless each named requirement is installed at exactly its floor in pyproject.toml.

Usage: check_floors.py FREEZE_FILE NAME...  A floor .ci/run never installs is a floor not tested.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_floors() -> dict[str, str]:
    """``name -> floor`` for every ``name>=floor`` requirement in pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs.extend(extra)
    floors = {}
    for req in reqs:
        match = re.match(r"([A-Za-z0-9_.-]+)\s*>=\s*([^,;\s]+)", req)
        if match:
            floors[_norm(match[1])] = match[2]
    return floors


def installed(freeze: str) -> dict[str, str]:
    pins = (line.split("==", 1) for line in freeze.splitlines() if "==" in line)
    return {_norm(name): version.strip() for name, version in pins}


def main(freeze_file: str, *names: str) -> int:
    floors, have = declared_floors(), installed(Path(freeze_file).read_text())
    bad = [
        f"{n}: floor {floors[_norm(n)]}, installed {have.get(_norm(n))}"
        for n in names
        if Version(have.get(_norm(n), "0.dev0")) != Version(floors[_norm(n)])
    ]
    for line in bad:
        print(f"CI: declared floor not tested: {line}", file=sys.stderr)
    if not bad:
        print("floors installed:", ", ".join(f"{n}=={floors[_norm(n)]}" for n in names))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
