"""Tencent Cloud API signature v3 (``TC3-HMAC-SHA256``) for JSON POST requests.

Follows Tencent's "签名方法 v3" / "Signature v3" document (https://cloud.tencent.com/document/api/213/30654):
sign ``content-type`` and ``host``, an empty query string, the SHA-256 of the body, and a key
derived from the secret key, the UTC date of the timestamp and the service name.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timezone

ALGORITHM = "TC3-HMAC-SHA256"
JSON_CONTENT_TYPE = "application/json"


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_request(host: str, content_type: str, payload: bytes) -> str:
    return "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            _sha256_hex(payload),
        ]
    )


def string_to_sign(timestamp: int, service: str, canonical: str) -> str:
    return "\n".join(
        [ALGORITHM, str(timestamp), _scope(timestamp, service), _sha256_hex(canonical.encode())]
    )


def _scope(timestamp: int, service: str) -> str:
    date = datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")
    return f"{date}/{service}/tc3_request"


def signature(secret_key: str, timestamp: int, service: str, to_sign: str) -> str:
    date = _scope(timestamp, service).split("/", 1)[0]
    key = _hmac(f"TC3{secret_key}".encode(), date)
    key = _hmac(key, service)
    key = _hmac(key, "tc3_request")
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    payload: bytes,
    timestamp: int,
    content_type: str = JSON_CONTENT_TYPE,
) -> str:
    """The ``Authorization`` header value for a JSON POST to ``https://{host}/``."""
    to_sign = string_to_sign(timestamp, service, canonical_request(host, content_type, payload))
    sig = signature(secret_key, timestamp, service, to_sign)
    return (
        f"{ALGORITHM} Credential={secret_id}/{_scope(timestamp, service)}, "
        f"SignedHeaders=content-type;host, Signature={sig}"
    )


def signed_headers(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    action: str,
    version: str,
    payload: bytes,
    region: str | None = None,
    timestamp: int | None = None,
    token: str | None = None,
) -> dict[str, str]:
    """Every header a Tencent Cloud API 3.0 JSON POST needs, signed now (or at ``timestamp``).

    ``token`` is the session token of temporary (STS) credentials: it travels as
    ``X-TC-Token`` and is not signed (only ``content-type;host`` are), as in the SDK's
    ``tencentcloud/common/abstract_client.py``.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    headers = {
        "Authorization": authorization(
            secret_id=secret_id,
            secret_key=secret_key,
            service=service,
            host=host,
            payload=payload,
            timestamp=ts,
        ),
        "Content-Type": JSON_CONTENT_TYPE,
        "Host": host,
        "X-TC-Action": action,
        "X-TC-Version": version,
        "X-TC-Timestamp": str(ts),
    }
    if region:
        headers["X-TC-Region"] = region
    if token:
        headers["X-TC-Token"] = token
    return headers
