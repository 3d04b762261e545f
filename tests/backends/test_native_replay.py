"""The native API from cassettes: chat, stream, embeddings, RunThread and an error, offline."""

from __future__ import annotations

import pytest

from hunyuan_core import AuthenticationError, ChatRequest, HunyuanClient
from hunyuan_core.native import NativeBackend, run_thread
from tests.backends.conftest import SECRET_ID
from tests.support.emulator import GREETING, SEED_000_REPLY, fake_vector

pytestmark = [pytest.mark.vcr, pytest.mark.usefixtures("native_credentials")]

MODEL = "hunyuan-turbos-latest"


def ask(text: str, **kwargs: object) -> ChatRequest:
    return ChatRequest(model=MODEL, messages=[{"role": "user", "content": text}], **kwargs)


def test_credentials_alone_select_the_native_api() -> None:
    client = HunyuanClient()
    assert isinstance(client.backend, NativeBackend)
    reply = client.chat(ask("请介绍一下你自己", stop=["信息"]))
    assert reply.choices[0].message.content == SEED_000_REPLY[: SEED_000_REPLY.index("信息")]
    assert reply.usage is not None and reply.usage.prompt_tokens > 0
    assert reply.request_id and reply.model_extra and reply.model_extra["note"]


async def test_stream_and_async() -> None:
    chunks = [c async for c in HunyuanClient().astream_chat(ask("你好"))]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == GREETING
    assert [c for c in chunks if c.usage is not None] == [chunks[-1]]


def test_embeddings() -> None:
    texts = ["混元", "Hunyuan"]
    assert HunyuanClient().embed(texts) == [fake_vector(t) for t in texts]


def test_run_thread() -> None:
    run = run_thread(
        HunyuanClient(),
        "thread_zqkehzQBog4v4lJxBPQRXtYW",
        messages=[{"role": "user", "content": "你是谁"}],
    )
    assert run.status == "completed" and run.thread_id == "thread_zqkehzQBog4v4lJxBPQRXtYW"
    assert run.events and run.request_id


def test_wrong_secret_key_is_an_authentication_error() -> None:
    client = HunyuanClient(secret_id=SECRET_ID, secret_key="not-the-key", max_retries=0)
    with pytest.raises(AuthenticationError) as info:
        client.chat(ask("你好"))
    assert info.value.code == "AuthFailure.SignatureFailure"
