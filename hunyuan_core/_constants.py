"""Defaults, endpoints and environment variable names: one home for each, read by the rest."""

from __future__ import annotations

import httpx

#: Seconds to wait for each read of a response (the call's total deadline is separate).
DEFAULT_TIMEOUT = 120.0
#: Seconds to open a connection: a healthy server accepts in well under a second.
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
#: Seconds a whole call may take, retries and waits included (openai-python's default
#: timeout is also 600 s, though per read).
DEFAULT_DEADLINE = 600.0
#: Seconds a stream may go without a content event (comments and keep-alives do not count).
DEFAULT_STREAM_IDLE_TIMEOUT = 120.0
#: The most bytes a response body may decompress to: a reply is kilobytes, an embeddings
#: batch of 200 texts about 4 MiB; a gzip bomb is not let fill memory.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: The longest server-sent-events line we buffer while waiting for its end.
DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024
#: After a stream's last event, read at most this much (the chunked terminator is 5 bytes)
#: for at most this long, so that the connection goes back to the pool; past either bound
#: the connection is dropped instead.
DRAIN_MAX_BYTES = 16 * 1024
DRAIN_SECONDS = 0.5

#: Tencent TokenHub, where Tencent serves Hunyuan (Hy3) today: Guangzhou, the default
#: (https://cloud.tencent.com/document/product/1823/132252), and Singapore
#: (https://intl.cloud.tencent.com/document/product/1300/80632). A key works in its region only.
TOKENHUB_BASE_URL = "https://tokenhub.tencentmaas.com/v1"
TOKENHUB_INTL_BASE_URL = "https://tokenhub-intl.tencentcloudmaas.com/v1"
#: ``region`` values that choose the Singapore TokenHub.
INTL_REGIONS = frozenset({"ap-singapore", "singapore", "intl"})
#: Tencent's OpenAI-compatible Hunyuan endpoint of 2024-25
#: (https://cloud.tencent.com/document/product/1729/111007), being retired in favour of TokenHub.
LEGACY_BASE_URL = "https://api.hunyuan.cloud.tencent.com/v1"

# --- environment variables -------------------------------------------------------------------
#: Where an API key is looked for, in order: TokenHub's names as other tools use them, then ours.
API_KEY_ENVS = ("TOKENHUB_API_KEY", "TENCENT_TOKENHUB_API_KEY", "HUNYUAN_API_KEY")
API_KEY_ENV = "HUNYUAN_API_KEY"
BASE_URL_ENVS = ("HUNYUAN_BASE_URL", "TOKENHUB_BASE_URL")
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
