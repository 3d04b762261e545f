"""Credentials go where they belong and nowhere else.

- langchain-community's names (``hunyuan_secret_id``/``hunyuan_secret_key``, env
  ``HUNYUAN_SECRET_ID``/``HUNYUAN_SECRET_KEY``) are aliases; an explicit argument beats the
  environment; any other credential-like keyword is refused, never sent in a body;
- a key a server echoes (nested error fields, headers, chained exceptions) is scrubbed, and no
  frame on an error path holds it in a local (tracebacks that print locals);
- a base URL with userinfo is refused without showing it; ``http://`` to a remote host warns;
- a cassette recorded against a server that echoes the key holds no key.
"""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path
from typing import Any

import pytest
import vcr
from langchain_core.load import dumps
from llama_index.core.base.llms.types import ChatMessage

from hunyuan_core import ChatRequest, HunyuanClient, HunyuanError, HunyuanInputError
from hunyuan_core import settings as settings_module
from hunyuan_core.native import NativeBackend
from hunyuan_core.quirks import is_credential_name
from hunyuan_core.settings import resolve_settings
from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from tests.support import cassettes as cassettes_support
from tests.support import faults
from tests.support.emulator import HunyuanEmulator
from tests.support.emulator_native import SECRETS, NativeEmulator, native_error
from tests.support.faults import FakeClock

KEY = "sk-CREDENTIALS0123456789abcdefXYZ"
ENV_KEY = "sk-from-the-environment-0123456789"
(SECRET_ID, SECRET_KEY) = next(iter(SECRETS.items()))
MODEL = "hunyuan-turbos-latest"
PASSWORD = "pw-Sup3rSecret"


def chain(err: BaseException) -> list[BaseException]:
    """The error and every exception chained to it."""
    out, todo = [], [err]
    while todo and len(out) < 20:
        e = todo.pop()
        if e in out:
            continue
        out.append(e)
        todo += [x for x in (e.__cause__, e.__context__) if x is not None]
    return out


def everything_shown(err: BaseException, with_locals: bool = True) -> str:
    """What a user, a logger or an error tracker can see of an error, every frame's locals
    included (not for errors about the caller's own arguments: its frames hold them)."""
    shown = []
    for e in chain(err):
        shown += [str(e), repr(e), repr(e.args), repr(getattr(e, "body", None))]
        shown.append(repr(getattr(e, "headers", None)))
    tb = traceback.TracebackException.from_exception(err, capture_locals=with_locals)
    return "\n".join(shown + list(tb.format()))


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (
        "HUNYUAN_API_KEY",
        "HUNYUAN_BASE_URL",
        "TENCENTCLOUD_SECRET_ID",
        "TENCENTCLOUD_SECRET_KEY",
        "HUNYUAN_SECRET_ID",
        "HUNYUAN_SECRET_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --- community aliases, explicit over environment ---------------------------------------------


def test_community_names_are_aliases_in_langchain(no_env: pytest.MonkeyPatch) -> None:
    """``ChatHunyuan(hunyuan_secret_key=...)`` used to go into ``model_kwargs`` and be sent in
    the request body, while the API key from the environment was used."""
    no_env.setenv("HUNYUAN_API_KEY", ENV_KEY)
    with NativeEmulator() as emu:
        chat = ChatHunyuan(
            model=MODEL,
            hunyuan_secret_id=SECRET_ID,
            hunyuan_secret_key=SECRET_KEY,
            base_url=emu.base_url,
        )
        assert chat.model_kwargs == {}
        assert chat.invoke("hi").content
        embeddings = HunyuanEmbeddings(
            hunyuan_secret_id=SECRET_ID, hunyuan_secret_key=SECRET_KEY, base_url=emu.base_url
        )
        assert len(embeddings.embed_query("hi")) == 1024
        sent = json.dumps([body for _, _, body in emu.requests])
        assert len(emu.requests) == 2
    assert SECRET_KEY not in sent and SECRET_ID not in sent and ENV_KEY not in sent
    for model in (chat, embeddings):
        assert isinstance(model.client.backend, NativeBackend)
    assert SECRET_KEY not in dumps(chat) and SECRET_KEY not in repr(chat)


def test_community_names_are_aliases_in_llama_index(no_env: pytest.MonkeyPatch) -> None:
    """LlamaIndex used to drop them silently and use the environment's API key."""
    no_env.setenv("HUNYUAN_API_KEY", ENV_KEY)
    with NativeEmulator() as emu:
        llm = Hunyuan(
            model=MODEL,
            hunyuan_secret_id=SECRET_ID,
            hunyuan_secret_key=SECRET_KEY,
            api_base=emu.base_url,
        )
        assert llm.complete("hi").text
        embed_model = HunyuanEmbedding(
            hunyuan_secret_id=SECRET_ID, hunyuan_secret_key=SECRET_KEY, api_base=emu.base_url
        )
        assert len(embed_model.get_query_embedding("hi")) == 1024
        assert len(emu.requests) == 2
    for model in (llm, embed_model):
        assert isinstance(model.client.backend, NativeBackend)
        assert SECRET_KEY not in model.to_json()


def test_community_environment_variables_are_read_after_tencentcloud_ones() -> None:
    env = {"HUNYUAN_SECRET_ID": "community-id", "HUNYUAN_SECRET_KEY": "community-key"}
    settings = resolve_settings({}, env=env)
    assert settings.backend == "tencentcloud"
    assert settings.secret_id is not None and settings.secret_key is not None
    assert settings.secret_id.get_secret_value() == "community-id"
    both = {**env, "TENCENTCLOUD_SECRET_ID": "tc-id", "TENCENTCLOUD_SECRET_KEY": "tc-key"}
    settings = resolve_settings({}, env=both)
    assert settings.secret_id is not None and settings.secret_id.get_secret_value() == "tc-id"
    # an explicit API key still wins over any of them
    assert resolve_settings({"api_key": KEY}, env=both).backend == "openai-compatible"


@pytest.mark.parametrize(
    ("name", "credential"),
    [
        ("api_key", True),
        ("hunyuan_secret_key", True),
        ("secret_id", True),
        ("app_id", True),
        ("appId", True),
        ("hunyuan_app_id", True),
        ("access_token", True),
        ("session_token", True),
        ("X-Api-Key", True),
        ("password", True),
        ("authorization", True),
        ("token", True),
        ("max_tokens", False),
        ("max_completion_tokens", False),
        ("prompt_cache_key", False),
        ("stop_token_ids", False),
        ("skip_special_tokens", False),
        ("enable_enhancement", False),
        ("user_id", False),
        ("monkey", False),
    ],
)
def test_credential_names_are_told_from_body_parameters(name: str, credential: bool) -> None:
    assert is_credential_name(name) is credential


LANGCHAIN_REFUSED: list[tuple[str, Any]] = [
    ("community-app-id", lambda u: ChatHunyuan(hunyuan_app_id=1, api_key=KEY, base_url=u)),
    ("unknown-kwarg", lambda u: ChatHunyuan(api_secret=KEY, api_key=KEY, base_url=u)),
    (
        "model-kwargs",
        lambda u: ChatHunyuan(model_kwargs={"access_token": KEY}, api_key=KEY, base_url=u),
    ),
    ("extra-body", lambda u: ChatHunyuan(extra_body={"app_id": KEY}, api_key=KEY, base_url=u)),
    ("call-kwarg", lambda u: ChatHunyuan(api_key=KEY, base_url=u).invoke("hi", secret_key=KEY)),
    ("bound", lambda u: ChatHunyuan(api_key=KEY, base_url=u).bind(api_key=KEY).invoke("hi")),
    ("embeddings", lambda u: HunyuanEmbeddings(hunyuan_token=KEY, api_key=KEY, base_url=u)),
]
LLAMA_INDEX_REFUSED: list[tuple[str, Any]] = [
    ("community-app-id", lambda u: Hunyuan(hunyuan_app_id=1, api_key=KEY, api_base=u)),
    ("unknown-kwarg", lambda u: Hunyuan(access_token=KEY, api_key=KEY, api_base=u)),
    (
        "additional-kwargs",
        lambda u: Hunyuan(additional_kwargs={"secret": KEY}, api_key=KEY, api_base=u),
    ),
    ("call-kwarg", lambda u: Hunyuan(api_key=KEY, api_base=u).complete("hi", api_key=KEY)),
    (
        "chat-kwarg",
        lambda u: Hunyuan(api_key=KEY, api_base=u).chat(
            [ChatMessage(role="user", content="hi")], hunyuan_secret_key=KEY
        ),
    ),
    ("embedding", lambda u: HunyuanEmbedding(app_key=KEY, api_key=KEY, api_base=u)),
]


@pytest.mark.parametrize(
    "make",
    [m for _, m in LANGCHAIN_REFUSED + LLAMA_INDEX_REFUSED],
    ids=[f"langchain-{n}" for n, _ in LANGCHAIN_REFUSED]
    + [f"llama-index-{n}" for n, _ in LLAMA_INDEX_REFUSED],
)
def test_credential_keywords_are_refused_never_sent(emulator: HunyuanEmulator, make: Any) -> None:
    with pytest.raises(HunyuanInputError, match=r"credential|app id") as info:
        make(emulator.base_url)
    assert KEY not in str(info.value)
    assert emulator.requests == []


# --- deep scrubbing -------------------------------------------------------------------------


def client_for(emu: HunyuanEmulator) -> HunyuanClient:
    return HunyuanClient(api_key=KEY, base_url=emu.base_url, retry_policy=FakeClock().policy())


def request() -> ChatRequest:
    return ChatRequest(model=MODEL, messages=[{"role": "user", "content": "hi"}])


def echo_nested() -> Any:
    body = {"error": {"message": "bad key", "code": "401002", "details": {"echo": [f"k={KEY}"]}}}
    return faults.status(401, body, {"X-Echo": f"Bearer {KEY}"})


def malformed_event(position: str) -> Any:
    """An event pydantic cannot read, echoing the key (the test's own frame must not hold it:
    its locals are part of the traceback searched)."""
    bad = json.dumps({"choices": 5, "echo": KEY})
    return faults.events(bad) if position == "first" else faults.events(faults.chunk("你"), bad)


def test_key_echoed_in_nested_body_and_headers_is_scrubbed(emulator: HunyuanEmulator) -> None:
    emulator.script.append(echo_nested())
    with pytest.raises(HunyuanError) as info:
        client_for(emulator).chat(request())
    err = info.value
    assert err.body["details"]["echo"] == ["k=***"]
    assert err.headers["x-echo"] == "Bearer ***"
    assert KEY not in everything_shown(err)


@pytest.mark.parametrize("position", ["first", "later"])
def test_key_echoed_in_a_malformed_event_is_scrubbed_from_the_chain(
    emulator: HunyuanEmulator, position: str
) -> None:
    """pydantic's error quotes the event; it is chained to the StreamError."""
    emulator.script.append(malformed_event(position))
    with pytest.raises(HunyuanError) as info:
        list(client_for(emulator).stream_chat(request()))
    assert "malformed" in str(info.value)
    assert KEY not in everything_shown(info.value)


@pytest.mark.parametrize(
    "fault",
    [
        lambda: faults.status(401, faults.error_body("Invalid API-KEY")),
        lambda: faults.status(503),
        faults.reset_before_response,
    ],
    ids=["401", "503-retried", "reset"],
)
@pytest.mark.parametrize("through", ["core", "langchain", "llama-index"])
def test_no_frame_on_an_error_path_holds_the_key(
    emulator: HunyuanEmulator, fault: Any, through: str
) -> None:
    """pytest -l, rich and Sentry print every frame's locals: the send loop used to keep the
    Authorization header in one."""
    for _ in range(3):
        emulator.script.append(fault())
    try:
        if through == "core":
            client_for(emulator).chat(request())
        elif through == "langchain":
            chat = ChatHunyuan(model=MODEL, api_key=KEY, base_url=emulator.base_url)
            chat.client.retry = FakeClock().policy()
            chat.invoke("hi")
        else:
            llm = Hunyuan(model=MODEL, api_key=KEY, api_base=emulator.base_url)
            llm.client.retry = FakeClock().policy()
            llm.complete("hi")
    except HunyuanError as err:
        shown = everything_shown(err)
    else:
        pytest.fail("no error")
    assert "Traceback" in shown or "File " in shown
    assert KEY not in shown


def test_no_frame_holds_tencent_cloud_secrets() -> None:
    with NativeEmulator() as emu:
        emu.script.append(native_error("AuthFailure.SignatureFailure", f"{SECRET_ID} bad"))
        client = HunyuanClient(
            secret_id=SECRET_ID, secret_key=SECRET_KEY, base_url=emu.base_url, max_retries=0
        )
        try:
            client.chat(request())
        except HunyuanError as err:
            shown = everything_shown(err)
        else:
            pytest.fail("no error")
    assert SECRET_ID not in shown and SECRET_KEY not in shown


# --- base URLs --------------------------------------------------------------------------------

USERINFO_URL = f"https://user:{PASSWORD}@gateway.example/v1"
USERINFO_MAKERS: list[Any] = [
    lambda: HunyuanClient(api_key=KEY, base_url=USERINFO_URL),
    lambda: ChatHunyuan(api_key=KEY, base_url=USERINFO_URL),
    lambda: ChatHunyuan(api_key=KEY, hunyuan_base_url=USERINFO_URL),
    lambda: HunyuanEmbeddings(api_key=KEY, base_url=USERINFO_URL),
    lambda: Hunyuan(api_key=KEY, api_base=USERINFO_URL),
    lambda: Hunyuan(api_key=KEY, base_url=USERINFO_URL),
    lambda: HunyuanEmbedding(api_key=KEY, api_base=USERINFO_URL),
]


@pytest.mark.parametrize("make", USERINFO_MAKERS)
def test_base_url_with_userinfo_is_refused_without_showing_it(make: Any) -> None:
    """httpx would send it as Basic auth, replacing the key; pydantic would quote it."""
    with pytest.raises(HunyuanInputError, match=r"user name or password \(https://\*\*\*@") as e:
        make()
    assert PASSWORD not in everything_shown(e.value, with_locals=False)


def test_base_url_with_userinfo_from_the_environment(no_env: pytest.MonkeyPatch) -> None:
    no_env.setenv("HUNYUAN_BASE_URL", USERINFO_URL)
    chat = ChatHunyuan(api_key=KEY)
    for shown in (repr(chat), str(chat), dumps(chat), chat.model_dump_json()):
        assert PASSWORD not in shown
    with pytest.raises(HunyuanInputError, match="HUNYUAN_BASE_URL contains a user name") as info:
        chat.invoke("hi")
    assert PASSWORD not in everything_shown(info.value, with_locals=False)
    with pytest.raises(HunyuanInputError) as info:
        Hunyuan(api_key=KEY)
    assert PASSWORD not in everything_shown(info.value, with_locals=False)


def test_clear_text_base_url_warns_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings_module, "_warned_clear_text", set())
    caplog.set_level(logging.WARNING, logger="hunyuan_core")
    for _ in range(3):
        resolve_settings({"api_key": KEY, "base_url": "http://gateway.example:8080/v1"}, env={})
    ChatHunyuan(api_key=KEY, base_url="http://gateway.example:8080/v1").client  # noqa: B018
    for quiet in ("http://127.0.0.1:9/v1", "http://localhost:8000/v1", "http://[::1]:1/v1"):
        resolve_settings({"api_key": KEY, "base_url": quiet}, env={})
    resolve_settings({"api_key": KEY, "base_url": "https://gateway.example/v1"}, env={})
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "gateway.example" in warnings[0] and "clear text" in warnings[0]


# --- cassettes ------------------------------------------------------------------------------


def test_cassette_bodies_are_scrubbed_before_writing(
    emulator: HunyuanEmulator, tmp_path: Path, no_env: pytest.MonkeyPatch
) -> None:
    """A gateway echoing the key in its body (and a key-shaped string in a prompt): none of it
    is written. Keys here are not shaped like ``sk-...``: they are known from the environment
    or from the recorded request's headers."""
    env_key, arg_key, in_prompt = "plain-env-credential-42", "plain-arg-credential-42", KEY
    no_env.setenv("HUNYUAN_API_KEY", env_key)
    config = cassettes_support.vcr_config()
    config.pop("allow_playback_repeats")
    recorder = vcr.VCR(**config, record_mode="all")
    cassettes_support.register(recorder)
    path = tmp_path / "echo.yaml"
    prompt = ChatRequest(model=MODEL, messages=[{"role": "user", "content": f"is {in_prompt} ok"}])
    with recorder.use_cassette(str(path)):
        for key in (env_key, arg_key):
            client = HunyuanClient(
                api_key=key if key == arg_key else None, base_url=emulator.base_url, max_retries=0
            )
            echo = faults.error_body(f"Invalid API-KEY {key}")
            emulator.script.append(faults.status(401, echo, {"X-Echo": key}))
            with pytest.raises(HunyuanError):
                client.chat(prompt)
            client.chat(prompt)
    written = path.read_text()
    assert written.count("[REDACTED]") >= 6
    for secret in (env_key, arg_key, in_prompt):
        assert secret not in written
    assert cassettes_support.find_secrets(written) == []
    assert "authorization:" not in written.lower()
