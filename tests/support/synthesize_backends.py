"""Re-make the native and Yuanqi cassettes from their loopback emulators.

    python -m tests.support.synthesize_backends [pytest args, default: the replay tests]

Requests go to tests/support/emulator_native.py and tests/support/emulator_yuanqi.py and are
written as if sent to hunyuan.tencentcloudapi.com and open.hunyuan.tencent.com,
with a header saying so.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from hunyuan_core._constants import TOKENHUB_BASE_URL
from tests.backends.conftest import NATIVE_URL, SYNTH_MAP_ENV, YUANQI_URL
from tests.support.cassettes import CASSETTE_DIR, SYNTH_ENV
from tests.support.emulator_native import NativeEmulator
from tests.support.emulator_tokenhub import TokenHubEmulator
from tests.support.emulator_yuanqi import YuanqiEmulator

REPLAY_TESTS = [
    "tests/backends/test_native_replay.py",
    "tests/backends/test_yuanqi_replay.py",
    "tests/backends/test_backend_swap.py",
]


def main(argv: list[str]) -> int:
    with NativeEmulator() as native, YuanqiEmulator() as yuanqi, TokenHubEmulator() as compat:
        os.environ[SYNTH_ENV] = compat.base_url  # the API-key backend, for embeddings
        os.environ["HUNYUAN_BASE_URL"] = compat.base_url
        os.environ["HUNYUAN_API_KEY"] = "sk-emulator"
        os.environ["TENCENTCLOUD_HUNYUAN_ENDPOINT"] = native.base_url
        os.environ["YUANQI_BASE_URL"] = yuanqi.base_url
        os.environ[SYNTH_MAP_ENV] = json.dumps(
            {
                native.base_url: NATIVE_URL,
                yuanqi.base_url: YUANQI_URL,
                compat.base_url: TOKENHUB_BASE_URL,
            }
        )
        if not argv:  # a full run starts clean: "rewrite" would keep stale interactions
            for test in REPLAY_TESTS:
                for old in (CASSETTE_DIR / Path(test).stem).glob("*.yaml"):
                    old.unlink()
        args = ["--record-mode=rewrite", "-m", "vcr", "-p", "no:randomly", *(argv or REPLAY_TESTS)]
        return int(pytest.main(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
