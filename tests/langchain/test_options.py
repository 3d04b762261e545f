"""LangChain conventions: ``profile`` overrides, caller-owned httpx clients, default headers and
the embeddings progress bar."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import httpx
import pytest

from hunyuan_core import model_info
from hunyuan_core.models import DEFAULT_MODEL_INFO
from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
from langchain_hunyuan._progress import MISSING_TQDM
from tests.support.emulator import GREETING, HunyuanEmulator
from tests.support.emulator_native import SECRETS, NativeEmulator

KEY = "sk-options-0123456789abcdef"
#: The emulator's model (the legacy API's).
LEGACY_EMBEDDING = "hunyuan-embedding"
COMPLETION = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1737186705,
    "model": "hunyuan-turbos-latest",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}
EMBEDDING = {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": [0.5]}]}


# --- profile ------------------------------------------------------------------------------


def test_profile_comes_from_the_model_table() -> None:
    profile = ChatHunyuan(model="hunyuan-t1-latest", api_key=KEY).profile
    info = model_info("hunyuan-t1-latest")
    assert profile is not None and profile["reasoning_output"] is True
    assert profile["max_input_tokens"] == info.context_window - info.max_output_tokens
    unknown = ChatHunyuan(model="my-finetune", api_key=KEY).profile
    assert (
        unknown is not None and unknown["max_output_tokens"] == DEFAULT_MODEL_INFO.max_output_tokens
    )


def test_a_given_profile_wins_over_the_table() -> None:
    given = {"max_input_tokens": 200_000, "tool_calling": False, "image_inputs": True}
    model = ChatHunyuan(model="my-finetune", api_key=KEY, profile=given)
    assert model.profile == given
    # and it survives a copy (bind, with_config and the like copy the model)
    assert model.model_copy(update={"temperature": 0.5}).profile == given


# --- caller-owned httpx clients and default headers ---------------------------------------


class Recorder:
    """An httpx MockTransport handler answering like Hunyuan and keeping every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = EMBEDDING if request.url.path.endswith("/embeddings") else COMPLETION
        return httpx.Response(200, json=body)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    yield Recorder()


HEADERS = {"X-Trace-Id": "trace-1", "authorization": "Bearer not-the-key"}


def _check_headers(request: httpx.Request) -> None:
    assert request.headers["x-trace-id"] == "trace-1"
    # a default header never replaces the credentials, and is never sent twice
    assert request.headers.get_list("authorization") == [f"Bearer {KEY}"]


async def test_chat_uses_the_callers_clients_and_headers(recorder: Recorder) -> None:
    sync_client = httpx.Client(transport=httpx.MockTransport(recorder))
    async_client = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    model = ChatHunyuan(
        api_key=KEY,
        base_url="http://proxy.test/v1",
        http_client=sync_client,
        http_async_client=async_client,
        default_headers=HEADERS,
    )
    assert model.invoke("你好").content == "ok"
    assert (await model.ainvoke("你好")).content == "ok"
    assert len(recorder.requests) == 2
    for request in recorder.requests:
        assert str(request.url) == "http://proxy.test/v1/chat/completions"
        _check_headers(request)
    # the clients stay out of serialisation
    assert "http_client" not in model.model_dump()
    sync_client.close()
    await async_client.aclose()


async def test_embeddings_use_the_callers_clients_and_headers(recorder: Recorder) -> None:
    embeddings = HunyuanEmbeddings(
        api_key=KEY,
        base_url="http://proxy.test/v1",
        http_client=httpx.Client(transport=httpx.MockTransport(recorder)),
        http_async_client=httpx.AsyncClient(transport=httpx.MockTransport(recorder)),
        default_headers=HEADERS,
    )
    assert embeddings.embed_query("a") == [0.5]
    assert await embeddings.aembed_query("a") == [0.5]
    assert len(recorder.requests) == 2
    for request in recorder.requests:
        _check_headers(request)


def test_default_headers_reach_the_emulator(emulator: HunyuanEmulator) -> None:
    model = ChatHunyuan(api_key=KEY, base_url=emulator.base_url, default_headers=HEADERS)
    list(model.stream("你好"))
    headers = emulator.requests[-1][1]
    assert headers["x-trace-id"] == "trace-1" and headers["authorization"] == f"Bearer {KEY}"


def test_default_headers_keep_native_signatures_valid() -> None:
    """Unsigned extra headers leave the TC3 signature valid (the emulator checks it)."""
    secret_id, secret_key = next(iter(SECRETS.items()))
    with NativeEmulator() as emu:
        model = ChatHunyuan(
            secret_id=secret_id,
            secret_key=secret_key,
            base_url=emu.base_url,
            default_headers={"X-Trace-Id": "trace-1", "X-TC-Action": "GetEmbedding"},
        )
        assert model.invoke("你好").content == GREETING
        headers = emu.requests[-1][1]
    assert headers["x-trace-id"] == "trace-1" and headers["x-tc-action"] == "ChatCompletions"


# --- progress bar -------------------------------------------------------------------------


def test_progress_bar_counts_every_text(
    emulator: HunyuanEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = [f"文本 {i}" for i in range(450)]
    plain = HunyuanEmbeddings(
        api_key=KEY, base_url=emulator.base_url, model=LEGACY_EMBEDDING, embed_batch_size=100
    )
    expected = plain.embed_documents(texts)
    sent = len(emulator.requests)
    with_bar = HunyuanEmbeddings(
        api_key=KEY,
        base_url=emulator.base_url,
        model=LEGACY_EMBEDDING,
        embed_batch_size=100,
        embed_concurrency=2,
        show_progress_bar=True,
    )
    assert with_bar.embed_documents(texts) == expected
    assert len(emulator.requests) - sent == 5  # still batches of 100
    assert "450/450" in capsys.readouterr().err


def test_progress_bar_advances_per_group_of_concurrent_batches(
    emulator: HunyuanEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    updates: list[int] = []

    class Bar:
        def __init__(self, total: int, **kwargs: object) -> None:
            assert total == 450

        def __enter__(self) -> Bar:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def update(self, n: int) -> None:
            updates.append(n)

    monkeypatch.setattr("langchain_hunyuan.embeddings.require_tqdm", lambda: Bar)
    embeddings = HunyuanEmbeddings(
        api_key=KEY,
        base_url=emulator.base_url,
        model=LEGACY_EMBEDDING,
        embed_batch_size=100,
        embed_concurrency=2,
        show_progress_bar=True,
    )
    assert len(embeddings.embed_documents([f"t{i}" for i in range(450)])) == 450
    assert updates == [200, 200, 50]


async def test_async_progress_bar(
    emulator: HunyuanEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    embeddings = HunyuanEmbeddings(
        api_key=KEY,
        base_url=emulator.base_url,
        model=LEGACY_EMBEDDING,
        embed_batch_size=2,
        show_progress_bar=True,
    )
    vectors = await embeddings.aembed_documents(["a", "b", "c"])
    assert len(vectors) == 3 and vectors[0] == (await embeddings.aembed_query("a"))
    assert "3/3" in capsys.readouterr().err


def test_progress_bar_checks_input_before_sending(emulator: HunyuanEmulator) -> None:
    embeddings = HunyuanEmbeddings(
        api_key=KEY,
        base_url=emulator.base_url,
        model=LEGACY_EMBEDDING,
        embed_batch_size=1,
        show_progress_bar=True,
    )
    with pytest.raises(ValueError, match=r"texts\[2\] is empty"):
        embeddings.embed_documents(["a", "b", " "])
    assert emulator.requests == []


def test_progress_bar_without_tqdm_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError, match="pip install tqdm") as info:
        HunyuanEmbeddings(api_key=KEY, show_progress_bar=True)
    assert str(info.value) == MISSING_TQDM
    # without the option nothing needs tqdm
    assert HunyuanEmbeddings(api_key=KEY).show_progress_bar is False


def test_options_are_plain_fields() -> None:
    model = ChatHunyuan(api_key=KEY, default_headers={"X-A": "1"})
    assert json.loads(model.model_dump_json(include={"default_headers"})) == {
        "default_headers": {"X-A": "1"}
    }
    assert model.client._sender.default_headers == {"X-A": "1"}
