"""Defaults, endpoints and environment variable names: one home for each, read by the rest."""

from __future__ import annotations

import httpx

#: Seconds to wait for each read of a response (the call's total deadline is separate).
DEFAULT_TIMEOUT = 120.0
#: Seconds to open a connection: a healthy server accepts in well under a second.
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

#: Tencent's OpenAI-compatible Hunyuan endpoint of 2024-25
#: (https://cloud.tencent.com/document/product/1729/111007).
LEGACY_BASE_URL = "https://api.hunyuan.cloud.tencent.com/v1"

# --- environment variables -------------------------------------------------------------------
API_KEY_ENV = "HUNYUAN_API_KEY"
BASE_URL_ENV = "HUNYUAN_BASE_URL"
SECRET_ID_ENV = "TENCENTCLOUD_SECRET_ID"
SECRET_KEY_ENV = "TENCENTCLOUD_SECRET_KEY"
#: langchain-community's ChatHunyuan names, read after the TENCENTCLOUD_* ones.
COMMUNITY_SECRET_ID_ENV = "HUNYUAN_SECRET_ID"
COMMUNITY_SECRET_KEY_ENV = "HUNYUAN_SECRET_KEY"
SESSION_TOKEN_ENV = "TENCENTCLOUD_SESSION_TOKEN"
REGION_ENV = "TENCENTCLOUD_REGION"
NATIVE_ENDPOINT_ENV = "TENCENTCLOUD_HUNYUAN_ENDPOINT"
YUANQI_TOKEN_ENV = "YUANQI_TOKEN"
YUANQI_ASSISTANT_ID_ENV = "YUANQI_ASSISTANT_ID"
YUANQI_USER_ID_ENV = "YUANQI_USER_ID"
YUANQI_BASE_URL_ENV = "YUANQI_BASE_URL"
