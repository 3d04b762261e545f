"""The TC3-HMAC-SHA256 signer against the worked example Tencent publishes.

Source: Tencent Cloud API documentation, "签名方法 v3" / "Signature v3" (CVM API 3.0, e.g.
https://cloud.tencent.com/document/api/213/30654 and
https://www.tencentcloud.com/document/api/213/30654). The example: POST to
cvm.tencentcloudapi.com, DescribeInstances, Version 2017-03-12, ap-guangzhou, X-TC-Timestamp
1551113065, body {"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name":
"instance-name"}]}, SecretKey "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE" (the document's demo key);
published intermediate values HashedRequestPayload 35e9c5b0..., HashedCanonicalRequest
5ffe6a04... and Signature 72e494ea.... (Read through the search tool's code corpus, where the
English page's text is stored; the same signature appears in several independent SDK tests.)
"""

from __future__ import annotations

import hashlib

from hunyuan_core.backends.tencentcloud import tc3

DOC_SECRET_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
DOC_SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
DOC_HOST = "cvm.tencentcloudapi.com"
DOC_TIMESTAMP = 1551113065
DOC_CONTENT_TYPE = "application/json; charset=utf-8"
DOC_PAYLOAD = (
    b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
)
DOC_HASHED_PAYLOAD = "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
DOC_CANONICAL_REQUEST = (
    "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n"
    "content-type;host\n" + DOC_HASHED_PAYLOAD
)
DOC_HASHED_CANONICAL_REQUEST = "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
DOC_STRING_TO_SIGN = (
    "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n" + DOC_HASHED_CANONICAL_REQUEST
)
DOC_SIGNATURE = "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"


def test_canonical_request_matches_the_published_one() -> None:
    canonical = tc3.canonical_request(DOC_HOST, DOC_CONTENT_TYPE, DOC_PAYLOAD)
    assert canonical == DOC_CANONICAL_REQUEST
    assert hashlib.sha256(canonical.encode()).hexdigest() == DOC_HASHED_CANONICAL_REQUEST


def test_string_to_sign_uses_the_utc_date_of_the_timestamp() -> None:
    # 1551113065 is 2019-02-26 00:44:25 in UTC+8 but 2019-02-25 in UTC, as the document warns.
    assert tc3.string_to_sign(DOC_TIMESTAMP, "cvm", DOC_CANONICAL_REQUEST) == DOC_STRING_TO_SIGN


def test_signature_and_authorization_match_the_published_example() -> None:
    assert tc3.signature(DOC_SECRET_KEY, DOC_TIMESTAMP, "cvm", DOC_STRING_TO_SIGN) == DOC_SIGNATURE
    assert tc3.authorization(
        secret_id=DOC_SECRET_ID,
        secret_key=DOC_SECRET_KEY,
        service="cvm",
        host=DOC_HOST,
        payload=DOC_PAYLOAD,
        timestamp=DOC_TIMESTAMP,
        content_type=DOC_CONTENT_TYPE,
    ) == (
        f"TC3-HMAC-SHA256 Credential={DOC_SECRET_ID}/2019-02-25/cvm/tc3_request, "
        f"SignedHeaders=content-type;host, Signature={DOC_SIGNATURE}"
    )


def test_signed_headers_for_hunyuan() -> None:
    headers = tc3.signed_headers(
        secret_id="id",
        secret_key="key",
        service="hunyuan",
        host="hunyuan.tencentcloudapi.com",
        action="ChatCompletions",
        version="2023-09-01",
        payload=b"{}",
        region="ap-guangzhou",
        timestamp=DOC_TIMESTAMP,
    )
    assert headers["X-TC-Action"] == "ChatCompletions"
    assert headers["X-TC-Version"] == "2023-09-01"
    assert headers["X-TC-Timestamp"] == "1551113065"
    assert headers["X-TC-Region"] == "ap-guangzhou"
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"].startswith(
        "TC3-HMAC-SHA256 Credential=id/2019-02-25/hunyuan/tc3_request, "
    )
    # A different body or key gives a different signature.
    other = tc3.authorization(
        secret_id="id",
        secret_key="key",
        service="hunyuan",
        host="hunyuan.tencentcloudapi.com",
        payload=b"{ }",
        timestamp=DOC_TIMESTAMP,
    )
    assert other != headers["Authorization"]
