"""Cassettes for the native and Yuanqi backends: synthesised from their loopback emulators by
``python -m tests.backends.synthesize``, replayed offline (a missing cassette fails).

The serializer stamps an honest header; the emulators' loopback URLs are rewritten to the live
hosts, and every credential header (Authorization with its TC3 signature, tokens) is dropped.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from tests import cassettes_support
from tests.emulator_native import SECRETS
from tests.emulator_yuanqi import ASSISTANT_ID, TOKEN

#: JSON map {emulator base URL: live base URL}, set while synthesising.
SYNTH_MAP_ENV = "HUNYUAN_BACKENDS_SYNTH_MAP"
NATIVE_URL = "https://hunyuan.tencentcloudapi.com"
YUANQI_URL = "https://open.hunyuan.tencent.com/openapi/v1"
SECRET_ID, SECRET_KEY = next(iter(SECRETS.items()))


class BackendsCassetteSerializer:
    @staticmethod
    def deserialize(cassette_string: str) -> Any:
        return yaml.safe_load(cassette_string)

    @staticmethod
    def serialize(cassette_dict: Any) -> str:
        today = _dt.date.today().isoformat()
        header = (
            f"# Synthesised on {today}: recorded from tests/emulator_native.py (the Tencent Cloud\n"
            "# native API, field names from Tencent's SDK hunyuan/v20230901/models.py, seed 002)\n"
            "# and tests/emulator_yuanqi.py (Yuanqi agents, seed 003), loopback servers of the\n"
            "# documented formats, by `python -m tests.backends.synthesize`. NOT a recording of\n"
            "# the live APIs. Authorization (TC3 signature) and token headers are filtered.\n"
        )
        return header + yaml.safe_dump(cassette_dict, allow_unicode=True, sort_keys=False)


def _rewrite(request: Any) -> Any:
    for emulated, live in json.loads(os.environ.get(SYNTH_MAP_ENV) or "{}").items():
        if request.uri.startswith(emulated):
            request.uri = live + request.uri[len(emulated) :]
            request.headers.pop("host", None)  # the loopback address
            request.headers.pop("x-tc-timestamp", None)  # changes every run; not matched on
    return request


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_serializer("hunyuan-backends-yaml", BackendsCassetteSerializer())


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    config = cassettes_support.vcr_config()
    config.update(serializer="hunyuan-backends-yaml", before_record_request=_rewrite)
    return config


@pytest.fixture
def native_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tencent Cloud credentials instead of an API key: all that changes for the native API."""
    monkeypatch.delenv("HUNYUAN_API_KEY", raising=False)
    # The adapters pass HUNYUAN_BASE_URL on as the endpoint, which the native API would use too.
    monkeypatch.delenv("HUNYUAN_BASE_URL", raising=False)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_ID", SECRET_ID)
    monkeypatch.setenv("TENCENTCLOUD_SECRET_KEY", SECRET_KEY)
    yield


@pytest.fixture
def yuanqi_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Yuanqi agent's token and id."""
    monkeypatch.setenv("YUANQI_TOKEN", TOKEN)
    monkeypatch.setenv("YUANQI_ASSISTANT_ID", ASSISTANT_ID)
    yield
