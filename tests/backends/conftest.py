"""Cassettes for the native and Yuanqi backends: synthesised from their loopback emulators by
``python -m tests.support.synthesize_backends``, replayed offline (a missing cassette fails).

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

from tests.support import cassettes as cassettes_support
from tests.support.emulator_native import SECRETS
from tests.support.emulator_yuanqi import ASSISTANT_ID, TOKEN

#: JSON map {emulator base URL: live base URL}, set while synthesising.
SYNTH_MAP_ENV = "HUNYUAN_BACKENDS_SYNTH_MAP"
NATIVE_URL = "https://hunyuan.tencentcloudapi.com"
YUANQI_URL = "https://open.hunyuan.tencent.com/openapi/v1"
SECRET_ID, SECRET_KEY = next(iter(SECRETS.items()))
NATIVE_DOCS = "https://cloud.tencent.com/document/api/1729/101837"
YUANQI_DOCS = "https://docs.qq.com/aio/p/scxmsn78nzsuj64?p=unUU8C3HBocfQSOGAh2BYuC"


class BackendsCassetteSerializer:
    @staticmethod
    def deserialize(cassette_string: str) -> Any:
        return yaml.safe_load(cassette_string)

    @staticmethod
    def serialize(cassette_dict: Any) -> str:
        today = _dt.date.today().isoformat()
        header = (
            f"# Synthesised on {today}: recorded from tests/support/emulator_native.py (the\n"
            f"# Tencent Cloud native API, {NATIVE_DOCS}, field names from Tencent's SDK\n"
            "# hunyuan/v20230901/models.py) and tests/support/emulator_yuanqi.py (Yuanqi agents,\n"
            f"# {YUANQI_DOCS}), loopback servers of the documented formats, by\n"
            "# `python -m tests.support.synthesize_backends`. NOT a recording of the live APIs.\n"
            "# Authorization (TC3 signature) and token headers are filtered.\n"
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
