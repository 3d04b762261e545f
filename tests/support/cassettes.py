"""Cassette configuration for the tests (the body matcher is the examples' own, so what replays
here replays in ``examples/``).

Cassettes live in ``cassettes/<test module>/<test>.yaml``. Each begins with a comment saying how
it was made: synthesised from the emulator (``python -m tests.support.synthesize_cassettes``)
or recorded live (``HUNYUAN_API_KEY=... pytest --record-mode=rewrite ...``). Keys and signatures are
filtered before anything is written, from headers and from request and response bodies (a
gateway may echo a key): the values of the credential variables, the credentials the recorded
requests carried, and anything shaped like a key. ``tests/test_cassettes.py`` fails if one
gets through.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from vcr import VCR

from examples._offline import REPLAY_KEY as REPLAY_KEY
from examples._offline import json_body
from hunyuan_core._constants import TOKENHUB_BASE_URL

ROOT = Path(__file__).resolve().parents[2]
CASSETTE_DIR = ROOT / "cassettes"
#: Where synthesised requests are written as sent: the package's default endpoint (TokenHub).
LIVE_BASE_URL = TOKENHUB_BASE_URL
#: Set by ``tests/support/synthesize_cassettes.py`` to the emulator's base URL while it records.
SYNTH_ENV = "HUNYUAN_CASSETTE_SYNTH_BASE_URL"

SECRET_HEADERS = [
    "authorization",
    "x-tc-signature",
    "x-tc-token",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
    "openai-organization",
]
#: What a leaked secret looks like in a cassette (the before-stop hook uses the same patterns).
SECRET_PATTERNS = [
    re.compile(r"Bearer [A-Za-z0-9_\-.]{12,}"),
    re.compile(r"sk-[A-Za-z0-9]{20,}"),
    re.compile(r"TC3-HMAC-SHA256 Credential=AKID"),
    re.compile(r"AKID[A-Za-z0-9]{16,}"),
]
_BODY_PATTERNS = [re.compile(p.pattern.encode()) for p in SECRET_PATTERNS]
#: Variables whose values are credentials wherever they appear.
SECRET_ENV = (
    "TOKENHUB_API_KEY",
    "TENCENT_TOKENHUB_API_KEY",
    "HUNYUAN_API_KEY",
    "TENCENTCLOUD_SECRET_ID",
    "TENCENTCLOUD_SECRET_KEY",
    "TENCENTCLOUD_SESSION_TOKEN",
    "HUNYUAN_SECRET_ID",
    "HUNYUAN_SECRET_KEY",
    "YUANQI_TOKEN",
)
REDACTED = b"[REDACTED]"
#: Credentials seen in the headers of recorded requests (a key passed as an argument, not
#: through the environment), so that their echo in a response body is removed too.
_seen_in_requests: set[str] = set()
_CREDENTIAL_IN_HEADER = re.compile(r"(?:Bearer |Credential=)([^\s/,]+)")


def _header() -> str:
    today = _dt.date.today().isoformat()
    synth = os.environ.get(SYNTH_ENV)
    if synth:
        how = (
            f"# Synthesised on {today}: recorded from tests/support/emulator_tokenhub.py,\n"
            "# a loopback server shaped after TokenHub's published captures\n"
            "# (https://github.com/Tencent-Hunyuan/Hy3/pull/144), by\n"
            "# `python -m tests.support.synthesize_cassettes`. NOT a recording of the live API.\n"
        )
    else:
        how = f"# Recorded live against Hunyuan on {today} by `pytest --record-mode=rewrite`.\n"
    return how + (
        "# Re-record live: HUNYUAN_API_KEY=... pytest --record-mode=rewrite <this test>\n"
        "# Authorization and signature headers are filtered before writing.\n"
    )


class CassetteSerializer:
    """YAML with readable Unicode and a header comment saying how the cassette was made."""

    @staticmethod
    def deserialize(cassette_string: str) -> Any:
        return yaml.safe_load(cassette_string)

    @staticmethod
    def serialize(cassette_dict: Any) -> str:
        return _header() + yaml.safe_dump(cassette_dict, allow_unicode=True, sort_keys=False)


def _known_secrets() -> list[bytes]:
    values = {os.environ.get(name) or "" for name in SECRET_ENV} | _seen_in_requests
    # Short values would redact ordinary text; no real credential is that short.
    return sorted((v.encode() for v in values if len(v) >= 8), key=len, reverse=True)


def scrub_bytes(data: bytes) -> bytes:
    """``data`` without known credentials or anything shaped like one."""
    for secret in _known_secrets():
        data = data.replace(secret, REDACTED)
    for pattern in _BODY_PATTERNS:
        data = pattern.sub(REDACTED, data)
    return data


def _scrub_body(body: Any) -> Any:
    if isinstance(body, str):
        return scrub_bytes(body.encode()).decode()
    return scrub_bytes(body) if isinstance(body, bytes) else body


def _scrub_request(request: Any) -> Any:
    """Learn and drop credential headers, scrub the body. Runs before vcr's own filters would,
    so that a key passed as an argument is known when its echo in the response is scrubbed."""
    for name in list(request.headers):
        if name.lower() in SECRET_HEADERS:
            value = str(request.headers[name])
            if name.lower() == "x-tc-token":
                _seen_in_requests.add(value)
            _seen_in_requests.update(_CREDENTIAL_IN_HEADER.findall(value))
            del request.headers[name]
    request.body = _scrub_body(request.body)
    synth = os.environ.get(SYNTH_ENV)
    if synth and request.uri.startswith(synth):
        request.uri = LIVE_BASE_URL + request.uri[len(synth) :]
    return request


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
        else:
            headers[name] = [_scrub_body(v) for v in headers[name]]
    body = response.get("body")
    if isinstance(body, dict) and "string" in body:
        body["string"] = _scrub_body(body["string"])
    return response


def vcr_config() -> dict[str, Any]:
    """Keyword arguments for ``vcr.VCR``. Deliberately no ``record_mode``: pytest-recording's
    default ``none`` makes a missing cassette fail, and ``--record-mode`` stays in charge."""
    return {
        "serializer": "hunyuan-yaml",
        # host: synthesised cassettes would otherwise record the emulator's loopback port;
        # credential headers are dropped by _scrub_request, which learns them first
        "filter_headers": ["host"],
        "match_on": ["method", "scheme", "host", "port", "path", "query", "json_body"],
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
        "allow_playback_repeats": False,
        "path_transformer": VCR.ensure_suffix(".yaml"),
    }


def register(vcr: Any) -> None:
    """Teach a ``vcr.VCR`` our serializer and matcher."""
    vcr.register_serializer("hunyuan-yaml", CassetteSerializer())
    vcr.register_matcher("json_body", json_body)


def find_secrets(text: str) -> list[str]:
    return [m.group(0)[:24] for p in SECRET_PATTERNS for m in p.finditer(text)]


def run_example_script(script: str) -> subprocess.CompletedProcess[str]:
    """Run ``examples/<script>`` as a newcomer would: a bare shell, no key, no PYTHONPATH."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    return subprocess.run(
        [sys.executable, script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
