"""The distribution's own files: one version, LlamaIndex's import paths, a wheel that holds them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest

import hunyuan_core
import langchain_hunyuan
import llama_index_hunyuan
from tests.support.cassettes import ROOT

NAMESPACES = ("llama_index", "llama_index/llms", "llama_index/embeddings")
LEAVES = ("llama_index/llms/hunyuan/__init__.py", "llama_index/embeddings/hunyuan/__init__.py")


def _declared_version() -> str:
    match = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M)
    assert match
    return match[1]


def test_every_package_reports_the_distributions_version() -> None:
    from llama_index.embeddings import hunyuan as li_embeddings
    from llama_index.llms import hunyuan as li_llms

    expected = _declared_version()
    assert version("hunyuan-integrations") == expected
    for module in (hunyuan_core, langchain_hunyuan, llama_index_hunyuan, li_llms, li_embeddings):
        assert module.__version__ == expected, module.__name__


def test_llama_index_import_paths_give_the_same_classes() -> None:
    from llama_index.embeddings.hunyuan import HunyuanEmbedding
    from llama_index.llms.hunyuan import Hunyuan, Yuanqi

    assert Hunyuan is llama_index_hunyuan.Hunyuan
    assert Yuanqi is llama_index_hunyuan.Yuanqi
    assert HunyuanEmbedding is llama_index_hunyuan.HunyuanEmbedding
    # llama-index-core's own namespace packages still import beside ours
    from llama_index.core.llms.function_calling import FunctionCallingLLM

    assert issubclass(Hunyuan, FunctionCallingLLM)


def test_llama_index_namespaces_stay_implicit() -> None:
    """An ``__init__.py`` in ``llama_index/`` would hide llama-index-core once installed."""
    for namespace in NAMESPACES:
        assert not (ROOT / namespace / "__init__.py").exists(), namespace


@pytest.mark.packaging
@pytest.mark.timeout(120)
def test_wheel_holds_the_llama_index_paths_and_no_namespace_init(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    for package in ("hunyuan_core", "langchain_hunyuan", "llama_index_hunyuan", "llama_index"):
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "dist"
    build = "import sys; from setuptools import build_meta as b; print(b.build_wheel(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(out)],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = set(zipfile.ZipFile(out / done.stdout.split()[-1]).namelist())
    assert set(LEAVES) <= names
    assert {f"{ns}/__init__.py" for ns in NAMESPACES}.isdisjoint(names)
    assert {"hunyuan_core/__init__.py", "hunyuan_core/py.typed"} <= names
    assert any(n.endswith(".dist-info/LICENSE") or "/licenses/LICENSE" in n for n in names)
