"""The key never leaves: not in reprs, errors, DEBUG logs, serialised models or cassettes.

A distinctive key is used for a whole cycle (chat, stream, embeddings, a retried 503, a 401 whose
body echoes the key, a broken stream) through the core and both adapters, with every logger
(httpx and httpcore included) at DEBUG; then everything a user or a tracer could print is
searched for it.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, ClassVar

import pytest
import vcr
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from pydantic import SecretStr

from hunyuan_core import ChatRequest, HunyuanClient, HunyuanError
from hunyuan_core.native import NativeBackend
from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from tests.support import cassettes as cassettes_support
from tests.support import faults
from tests.support.emulator import HunyuanEmulator
from tests.support.emulator_native import SECRETS, NativeEmulator, native_error
from tests.support.faults import FakeClock

KEY = "sk-TOPSECRET0123456789abcdefXYZ"


def echo_key_401() -> Any:
    """A server that puts the key it was sent into its error message (some gateways do)."""
    return faults.status(401, faults.error_body(f"Invalid API-KEY {KEY}"))


def leaks(*texts: object) -> list[str]:
    return [str(t)[:80] for t in texts if KEY in str(t)]


class Recorder(BaseCallbackHandler):
    """What LangChain hands to tracers (LangSmith and the like)."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.seen += [serialized, kwargs]

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.seen += [repr(error), kwargs]


class EventRecorder(BaseEventHandler):
    """What LlamaIndex's instrumentation hands to tracers."""

    events: ClassVar[list[str]] = []

    @classmethod
    def class_name(cls) -> str:
        return "EventRecorder"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(event.model_dump_json())


def run_cycle(emu: HunyuanEmulator, call: Any, errors: list[BaseException]) -> None:
    """A 503 (retried), a success, a 401 echoing the key, a reset mid-stream."""
    emu.script.append(faults.status(503))
    call()
    emu.script.append(echo_key_401())
    try:
        call()
    except HunyuanError as err:
        errors.append(err)
    emu.script.append(faults.reset_after(["您好"]))
    try:
        call(stream=True)
    except HunyuanError as err:
        errors.append(err)


def test_key_never_leaks_through_core_or_adapters(
    emulator: HunyuanEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "hunyuan_core", "langchain_core", "llama_index"):
        caplog.set_level(logging.DEBUG, logger=name)
    clock = FakeClock()
    errors: list[BaseException] = []
    texts: list[object] = []

    # the core
    client = HunyuanClient(api_key=KEY, base_url=emulator.base_url, retry_policy=clock.policy())
    request = ChatRequest(
        model="hunyuan-turbos-latest", messages=[{"role": "user", "content": "hi"}]
    )

    def core_call(stream: bool = False) -> None:
        if stream:
            list(client.stream_chat(request))
        else:
            client.chat(request)

    run_cycle(emulator, core_call, errors)
    client.embed(["a", "b"], model="hunyuan-embedding")
    texts += [repr(client), repr(client.backend), vars(client.backend)]

    # LangChain
    recorder = Recorder()
    chat = ChatHunyuan(model="hunyuan-turbos-latest", api_key=KEY, base_url=emulator.base_url)
    chat.client.retry = clock.policy()
    config: Any = {"callbacks": [recorder]}

    def lc_call(stream: bool = False) -> None:
        if stream:
            list(chat.stream("hi", config=config))
        else:
            chat.invoke("hi", config=config)

    run_cycle(emulator, lc_call, errors)
    embeddings = HunyuanEmbeddings(
        api_key=KEY, base_url=emulator.base_url, model="hunyuan-embedding"
    )
    embeddings.embed_documents(["a"])
    texts += [repr(chat), str(chat), dumps(chat), dumpd(chat), chat.model_dump()]
    texts += [chat.model_dump_json(), chat._get_ls_params(), chat._identifying_params]
    texts += [repr(embeddings), embeddings.model_dump(), embeddings.model_dump_json()]
    texts += recorder.seen

    # LlamaIndex
    handler = EventRecorder()
    get_dispatcher().add_event_handler(handler)
    try:
        llm = Hunyuan(model="hunyuan-turbos-latest", api_key=KEY, api_base=emulator.base_url)
        llm.client.retry = clock.policy()
        messages = [ChatMessage(role="user", content="hi")]

        def li_call(stream: bool = False) -> None:
            if stream:
                list(llm.stream_chat(messages))
            else:
                llm.chat(messages)

        run_cycle(emulator, li_call, errors)
        embed_model = HunyuanEmbedding(
            api_key=KEY, api_base=emulator.base_url, model_name="hunyuan-embedding"
        )
        embed_model.get_text_embedding_batch(["a"])
    finally:
        get_dispatcher().event_handlers.remove(handler)
    texts += [repr(llm), str(llm), llm.to_dict(), llm.to_json(), llm.model_dump_json()]
    texts += [repr(embed_model), embed_model.to_dict(), embed_model.to_json()]
    texts += handler.events

    # the key was really used, and the server really echoed it
    assert any(h.get("authorization") == f"Bearer {KEY}" for _, h, _ in emulator.requests)
    assert len(errors) == 6 and len(clock.slept) == 3
    for err in errors:
        texts += [str(err), repr(err), err.args, getattr(err, "body", None)]
        texts += [repr(err.__cause__), repr(err.__context__)]
    texts += [caplog.text] + [repr(r.args) for r in caplog.records]
    assert any("api.hunyuan" in t or "127.0.0.1" in t for t in [caplog.text])  # logs did run
    assert leaks(*texts) == []


def test_key_never_reaches_a_cassette(emulator: HunyuanEmulator, tmp_path: Path) -> None:
    """Record a chat, a stream and embeddings with the project's cassette settings."""
    config = cassettes_support.vcr_config()
    config.pop("allow_playback_repeats")  # a use_cassette option, not a VCR() one
    recorder = vcr.VCR(**config, record_mode="all")
    cassettes_support.register(recorder)
    path = tmp_path / "secret.yaml"
    client = HunyuanClient(api_key=KEY, base_url=emulator.base_url)
    request = ChatRequest(
        model="hunyuan-turbos-latest", messages=[{"role": "user", "content": "hi"}]
    )
    with recorder.use_cassette(str(path)):
        client.chat(request)
        list(client.stream_chat(request))
        client.embed(["a"], model="hunyuan-embedding")
    written = path.read_text()
    assert len(json.dumps(cassettes_support.CassetteSerializer.deserialize(written))) > 1000
    assert KEY not in written and cassettes_support.find_secrets(written) == []


def test_tencent_cloud_secrets_never_leak(caplog: pytest.LogCaptureFixture) -> None:
    """The native backend: SecretKey signs and is never sent; SecretId is in the signed header
    only. A retried transient error, an error echoing both, a stream: neither shows."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "hunyuan_core"):
        caplog.set_level(logging.DEBUG, logger=name)
    (secret_id, secret_key), clock = next(iter(SECRETS.items())), FakeClock()
    errors: list[HunyuanError] = []
    with NativeEmulator() as emu:
        backend = NativeBackend(
            secret_id=SecretStr(secret_id), secret_key=SecretStr(secret_key), endpoint=emu.base_url
        )
        client = HunyuanClient(backend=backend, retry_policy=clock.policy())
        request = ChatRequest(
            model="hunyuan-turbos-latest", messages=[{"role": "user", "content": "hi"}]
        )
        emu.script.append(native_error("RequestLimitExceeded", "slow down"))
        assert client.chat(request).choices
        emu.script.append(native_error("AuthFailure.SecretIdNotFound", f"{secret_id} {secret_key}"))
        with pytest.raises(HunyuanError) as info:
            client.chat(request)
        errors.append(info.value)
        assert list(client.stream_chat(request))
        assert any(secret_id in h.get("authorization", "") for _, h, _ in emu.requests)
    assert clock.slept == [0.5]
    texts: list[object] = [repr(client), caplog.text] + [repr(r.args) for r in caplog.records]
    for err in errors:
        texts += [str(err), repr(err), err.body, err.args]
    for secret in (secret_id, secret_key):
        assert [str(t)[:80] for t in texts if secret in str(t)] == []
