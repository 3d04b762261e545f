"""Test configuration: cassettes replay offline (record mode ``none``: a missing cassette fails),
``--record-mode=rewrite`` with a real ``HUNYUAN_API_KEY`` re-records against the live API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pydantic.warnings
import pytest

from tests.support import cassettes as cassettes_support
from tests.support.emulator import HunyuanEmulator
from tests.support.emulator_tokenhub import TokenHubEmulator


def pytest_configure(config: pytest.Config) -> None:
    # llama-index-workflows runs inspect.getmembers() over agents (pydantic models), touching
    # pydantic's deprecated attributes; only warnings attributed to the inspect module are hidden.
    # Here rather than in pyproject.toml: PydanticDeprecatedSince211 is new in pydantic 2.11 and
    # .ci/run tests the core on pydantic 2.7, where naming it would stop pytest.
    for name in ("PydanticDeprecatedSince20", "PydanticDeprecatedSince211"):
        if hasattr(pydantic.warnings, name):
            config.addinivalue_line("filterwarnings", f"ignore::pydantic.warnings.{name}:inspect")
    record_mode = config.getoption("--record-mode") or "none"
    if record_mode == "none" and not os.environ.get(cassettes_support.SYNTH_ENV):
        # Replaying: requests must look as recorded, to Tencent's endpoint, with any key.
        for name in ("HUNYUAN_BASE_URL", "TOKENHUB_BASE_URL", "TOKENHUB_API_KEY"):
            os.environ.pop(name, None)
        os.environ.pop("TENCENT_TOKENHUB_API_KEY", None)
        os.environ["HUNYUAN_API_KEY"] = cassettes_support.REPLAY_KEY


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    cassettes_support.register(vcr)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return cassettes_support.vcr_config()


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """``cassettes/<test module>/`` at the repository root."""
    return str(cassettes_support.CASSETTE_DIR / request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture
def emulator() -> Iterator[HunyuanEmulator]:
    """A fresh loopback Hunyuan for tests that need a live socket (faults, concurrency)."""
    with HunyuanEmulator() as emu:
        yield emu


@pytest.fixture(autouse=True)
def _fresh_quota_limiters() -> Iterator[None]:
    """Each test starts with no learned quota: a 429 one test provoked must not pace the next."""
    from hunyuan_core import concurrency

    concurrency.reset()
    yield
    concurrency.reset()


@pytest.fixture
def tokenhub() -> Iterator[TokenHubEmulator]:
    """A fresh loopback TokenHub (the default endpoint): hy3 and its embedding model."""
    with TokenHubEmulator() as emu:
        yield emu
