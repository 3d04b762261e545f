"""``python -m hunyuan_core.probe`` against loopback emulators: all rows pass on the faithful
ones, and each assumption has a variant (tests/support/emulator_variants.py) that makes its row
fail with a non-zero exit. No key or signature reaches the output."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hunyuan_core import DEFAULT_BASE_URL, LEGACY_BASE_URL, probe
from hunyuan_core._constants import TOKENHUB_BASE_URL
from tests.support.emulator import HunyuanEmulator
from tests.support.emulator_native import SECRETS, NativeEmulator
from tests.support.emulator_variants import LEGACY, TOKENHUB, Behaviour, VariantEmulator

pytestmark = pytest.mark.timeout(60)

KEY = "sk-PROBESECRET0123456789abcdefXYZ"
ROOT = Path(__file__).resolve().parents[1]


def run(base_url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    out = io.StringIO()
    code = probe.main(
        ["--base-url", base_url, *args], environ=env or {"HUNYUAN_API_KEY": KEY}, out=out
    )
    return code, out.getvalue()


def run_json(base_url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, Any]:
    code, text = run(base_url, "--json", *args, env=env)
    return code, json.loads(text)


def statuses(report: Any) -> dict[str, str]:
    return {row["check"]: row["status"] for row in report["checks"]}


def failing(report: Any) -> set[str]:
    return {check for check, status in statuses(report).items() if status == "FAIL"}


def test_faithful_emulator_passes_every_legacy_assumption() -> None:
    with HunyuanEmulator() as emu:
        code, report = run_json(emu.base_url, "--kind", "legacy")
    assert code == 0 and report["ok"] is True
    got = statuses(report)
    assert {c for c, s in got.items() if s == "SKIP"} == {
        "json_schema",
        "thinking",
        "reasoning_effort",
    }
    assert set(got.values()) == {"PASS", "SKIP"}
    observed = {row["check"]: row["observed"] for row in report["checks"]}
    assert observed["stop_inclusive"] == "inclusive"
    assert observed["stream_usage"] == "cumulative"
    assert observed["embed_batch_max"] == "200"


def test_tokenhub_variant_passes_every_tokenhub_assumption() -> None:
    with VariantEmulator(TOKENHUB) as emu:
        code, report = run_json(emu.base_url, "--kind", "tokenhub")
    assert code == 0, report
    assert set(statuses(report).values()) == {"PASS"}
    assert report["model"] == "hy3" and report["embedding_model"] == "kinfra-text-embedding-0.6b"


def test_legacy_variant_matches_the_faithful_emulator() -> None:
    with VariantEmulator(LEGACY) as emu:
        code, report = run_json(emu.base_url, "--kind", "legacy")
    assert code == 0 and not failing(report)


def test_native_emulator_passes_with_tencent_cloud_credentials() -> None:
    sid, skey = next(iter(SECRETS.items()))
    env = {"TENCENTCLOUD_SECRET_ID": sid, "TENCENTCLOUD_SECRET_KEY": skey}
    with NativeEmulator() as emu:
        code, report = run_json(emu.base_url, env=env)
    assert report["kind"] == "native"
    assert code == 0, report
    got = statuses(report)
    assert got["done_marker"] == got["usage_chunk"] == got["embed_batch_max"] == "PASS"
    assert got["bad_key_body"] == "PASS"


BREAKS: list[tuple[str, Behaviour, dict[str, Any], set[str]]] = [
    ("legacy", LEGACY, {"stop": "exclusive"}, {"stop_inclusive"}),
    ("legacy", LEGACY, {"stop": "ignored"}, {"stop_inclusive"}),
    ("tokenhub", TOKENHUB, {"stop": "inclusive"}, {"stop_inclusive"}),
    ("legacy", LEGACY, {"usage": "final"}, {"stream_usage"}),
    ("legacy", LEGACY, {"usage": "incremental"}, {"stream_usage"}),
    ("tokenhub", TOKENHUB, {"usage": "cumulative"}, {"stream_usage"}),
    ("legacy", LEGACY, {"usage_chunk": False}, {"usage_chunk"}),
    ("tokenhub", TOKENHUB, {"done": False}, {"done_marker"}),
    ("legacy", LEGACY, {"tool_index": False}, {"tool_delta_index"}),
    ("legacy", LEGACY, {"tool_id_repeated": False}, {"tool_delta_id_repeated"}),
    ("tokenhub", TOKENHUB, {"tool_id_repeated": True}, {"tool_delta_id_repeated"}),
    ("legacy", LEGACY, {"tool_name_repeated": True}, {"tool_delta_name_repeated"}),
    ("legacy", LEGACY, {"embed_cap": 100}, {"embed_batch_max"}),
    ("legacy", LEGACY, {"accept_required": False}, {"tool_choice_required"}),
    ("legacy", LEGACY, {"accept_json_object": False}, {"json_object"}),
    ("tokenhub", TOKENHUB, {"accept_json_schema": False}, {"json_schema"}),
    ("legacy", LEGACY, {"bad_key_status": 403}, {"bad_key_error", "bad_key_body"}),
    ("legacy", LEGACY, {"error_shape": "bare"}, {"bad_key_body"}),
    ("tokenhub", TOKENHUB, {"error_shape": "legacy"}, {"bad_key_body"}),
    ("tokenhub", TOKENHUB, {"reasoning": False}, {"thinking", "reasoning_effort"}),
    ("tokenhub", TOKENHUB, {"reasoning_tokens": False}, {"thinking", "reasoning_effort"}),
]


@pytest.mark.parametrize(
    ("kind", "base", "changes", "rows"),
    BREAKS,
    ids=[f"{kind}-{'-'.join(f'{k}={v}' for k, v in c.items())}" for kind, _, c, _ in BREAKS],
)
def test_a_broken_assumption_fails_its_row(
    kind: str, base: Behaviour, changes: dict[str, Any], rows: set[str]
) -> None:
    with VariantEmulator(dataclasses.replace(base, **changes)) as emu:
        code, report = run_json(emu.base_url, "--kind", kind)
    assert failing(report) == rows
    assert code == 1 and report["ok"] is False


def test_every_row_can_fail() -> None:
    assert set().union(*(rows for *_, rows in BREAKS)) == set(probe.EXPECTED)


@pytest.mark.parametrize(("cap", "found"), [(137, "137"), (50, "50")])
def test_embedding_cap_below_the_assumption_is_found_exactly(cap: int, found: str) -> None:
    with VariantEmulator(dataclasses.replace(LEGACY, embed_cap=cap)) as emu:
        _, report = run_json(emu.base_url, "--kind", "legacy")
        calls = sum(1 for path, *_ in emu.requests if path.endswith("/embeddings"))
    row = next(r for r in report["checks"] if r["check"] == "embed_batch_max")
    assert (row["observed"], row["status"]) == (found, "FAIL")
    assert calls <= 10


def test_embedding_cap_above_the_assumption_is_bracketed_in_few_calls() -> None:
    with VariantEmulator(dataclasses.replace(LEGACY, embed_cap=1000)) as emu:
        _, report = run_json(emu.base_url, "--kind", "legacy")
        calls = sum(1 for path, *_ in emu.requests if path.endswith("/embeddings"))
    row = next(r for r in report["checks"] if r["check"] == "embed_batch_max")
    low, _, high = row["observed"].partition("..")
    assert int(low) <= 1000 <= int(high or low) and row["status"] == "PASS"
    assert calls <= 10


def test_table_output_has_one_row_per_check_and_details() -> None:
    with HunyuanEmulator() as emu:
        code, text = run(emu.base_url, "--kind", "legacy")
    assert code == 0
    lines = text.splitlines()
    start = lines.index("| check | expected | observed | result |")
    assert lines[start + 1] == "|---|---|---|---|"
    table = lines[start + 2 : start + 2 + len(probe.EXPECTED)]
    assert [line.split(" | ")[0].lstrip("| ") for line in table] == list(probe.EXPECTED)
    assert all(line.rstrip(" |").rsplit(" ", 1)[-1] in ("PASS", "SKIP") for line in table)
    assert any(line.startswith("- stop_inclusive: stop ") for line in lines)


def test_json_output_shape() -> None:
    with VariantEmulator(dataclasses.replace(LEGACY, done=False)) as emu:
        code, report = run_json(emu.base_url, "--kind", "legacy")
    assert code == 1
    assert set(report) == {"base_url", "kind", "model", "embedding_model", "ok", "checks"}
    assert [row["check"] for row in report["checks"]] == list(probe.EXPECTED)
    for row in report["checks"]:
        assert set(row) == {"check", "expected", "observed", "status", "detail"}
        assert row["status"] in ("PASS", "FAIL", "SKIP")
    done = next(r for r in report["checks"] if r["check"] == "done_marker")
    assert (done["expected"], done["observed"], done["status"]) == ("yes", "no", "FAIL")


def test_no_key_in_output_when_the_server_echoes_the_authorization_header() -> None:
    """A real process, a server that puts the Authorization header into every error body, and
    requests it rejects with the caller's key (json_object) and with the wrong one."""
    echo = dataclasses.replace(LEGACY, echo_auth=True, accept_json_object=False)
    env = {k: v for k, v in os.environ.items() if not k.endswith("API_KEY")}
    env.update(HUNYUAN_API_KEY=KEY, PYTHONPATH=str(ROOT))
    for mode in ([], ["--json"]):
        with VariantEmulator(echo) as emu:
            done = subprocess.run(
                [sys.executable, "-m", "hunyuan_core.probe", "--base-url", emu.base_url, *mode],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        output = done.stdout + done.stderr
        assert done.returncode == 1, output  # json_object rejected
        assert "Authorization: Bearer ***" in output  # the echo happened and was redacted
        assert KEY not in output and KEY[3:20] not in output
        assert probe.BAD_KEY not in output


def test_redactor_removes_keys_and_signatures() -> None:
    redact = probe.Redactor(["my-secret-value"])
    text = (
        "TC3-HMAC-SHA256 Credential=AKIDabcdefghijklmnop/2025-01-01/hunyuan/tc3_request, "
        "SignedHeaders=content-type;host, Signature=0123456789abcdef0123 my-secret-value "
        "Bearer sk-abcdefghij"
    )
    clean = redact(text)
    for secret in ("AKIDabcdefghijklmnop", "0123456789abcdef0123", "my-secret-value", "sk-abc"):
        assert secret not in clean
    assert "Signature=***" in clean and "Credential=***" in clean


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://api.hunyuan.cloud.tencent.com/v1", "legacy"),
        ("https://hunyuan.cloud.tencent.com/openai/v1", "legacy"),
        ("https://tokenhub.tencentmaas.com/v1", "tokenhub"),
        ("https://tokenhub-intl.tencentcloudmaas.com/v1", "tokenhub"),
        ("https://tokenhub-intl.tencentmaas.com/v1", "tokenhub"),
        ("https://tokenhub.tencentcloudmaas.com/v1", "tokenhub"),
        ("https://hunyuan.tencentcloudapi.com", "native"),
        ("https://openrouter.ai/api/v1", "openai"),
        ("http://127.0.0.1:8000/v1", "openai"),
        ("https://tokenhub.example.com/v1", "openai"),
    ],
)
def test_endpoint_kind(url: str | None, kind: str) -> None:
    assert probe.endpoint_kind(url) == kind


def test_no_base_url_is_the_package_default() -> None:
    assert probe.endpoint_kind(None) == probe.endpoint_kind(DEFAULT_BASE_URL)


def settings(*argv: str, **env: str) -> probe.Settings:
    return probe.resolve(probe.parse_args(list(argv)), env)


def test_credentials_pick_the_endpoint() -> None:
    tokenhub = settings(TOKENHUB_API_KEY="sk-t")
    assert (tokenhub.kind, tokenhub.base_url, tokenhub.model) == (
        "tokenhub",
        TOKENHUB_BASE_URL,
        "hy3",
    )
    assert settings(TENCENT_TOKENHUB_API_KEY="sk-t").api_key == "sk-t"
    legacy = settings(
        "--base-url", LEGACY_BASE_URL, HUNYUAN_API_KEY="sk-h", TOKENHUB_API_KEY="sk-t"
    )
    assert (legacy.kind, legacy.api_key) == ("legacy", "sk-h")
    default = settings(HUNYUAN_API_KEY="sk-h")
    assert (default.base_url, default.api_key) == (DEFAULT_BASE_URL, "sk-h")
    on_tokenhub = settings(
        "--base-url", "https://tokenhub-intl.tencentcloudmaas.com/v1",
        HUNYUAN_API_KEY="sk-h", TOKENHUB_API_KEY="sk-t",
    )  # fmt: skip
    assert (on_tokenhub.kind, on_tokenhub.api_key) == ("tokenhub", "sk-t")
    native = settings(TENCENTCLOUD_SECRET_ID="AKIDx", TENCENTCLOUD_SECRET_KEY="k")
    assert (native.kind, native.api_key, native.secret_id) == ("native", None, "AKIDx")
    assert settings("--kind", "openai", "--model", "m", HUNYUAN_API_KEY="k").model == "m"


def test_no_credentials_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert probe.main([], environ={}) == 2
    assert "no credentials" in capsys.readouterr().err


class FakeRunner:
    def __init__(self, returncode: int) -> None:
        self.returncode = returncode
        self.calls: list[tuple[list[str], dict[str, str]]] = []

    def __call__(self, command: list[str], *, env: dict[str, str], cwd: str) -> Any:
        self.calls.append((command, env))
        return subprocess.CompletedProcess(command, self.returncode)


@pytest.mark.parametrize("returncode", [0, 1])
def test_record_reruns_the_replay_tests_with_the_key_in_the_environment(returncode: int) -> None:
    runner = FakeRunner(returncode)
    with HunyuanEmulator() as emu:
        code = probe.main(
            ["--base-url", emu.base_url, "--kind", "legacy", "--record"],
            environ={"HUNYUAN_API_KEY": KEY},
            out=io.StringIO(),
            runner=runner,
        )
    assert code == returncode
    [(command, env)] = runner.calls
    assert command[1:5] == ["-m", "pytest", "--record-mode=rewrite", "-m"]
    assert command[-len(probe.RECORD_TESTS) :] == probe.RECORD_TESTS
    assert all((ROOT / test).is_file() for test in probe.RECORD_TESTS)
    assert KEY not in " ".join(command)
    assert env["HUNYUAN_API_KEY"] == KEY and env["HUNYUAN_BASE_URL"] == emu.base_url


def test_record_refuses_native_credentials() -> None:
    native = settings(TENCENTCLOUD_SECRET_ID="AKIDx", TENCENTCLOUD_SECRET_KEY="k")
    runner = FakeRunner(0)
    assert probe.record(native, runner) == 2 and runner.calls == []
