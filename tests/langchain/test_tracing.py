"""LangSmith metadata: LangChain's ``ls_*`` params plus this integration's name and version."""

from __future__ import annotations

from importlib import metadata
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

from langchain_hunyuan import ChatHunyuan
from tests.support.emulator import HunyuanEmulator

KEY = "sk-tracing-0123456789abcdef"


class Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.metadata: list[dict[str, Any]] = []

    def on_chat_model_start(
        self, serialized: Any, messages: Any, *, run_id: UUID, **kwargs: Any
    ) -> None:
        self.metadata.append(kwargs.get("metadata") or {})


def test_ls_params_name_the_provider_and_this_release() -> None:
    params = ChatHunyuan(model="hunyuan-t1-latest", api_key=KEY, temperature=0.2)._get_ls_params()
    assert params["ls_provider"] == "hunyuan" and params["ls_model_name"] == "hunyuan-t1-latest"
    assert params["ls_model_type"] == "chat" and params["ls_temperature"] == 0.2
    extras: dict[str, Any] = dict(params)
    assert extras["ls_integration_package"] == "hunyuan-integrations"
    assert extras["ls_integration_version"] == metadata.version("hunyuan-integrations")


def test_traces_carry_them(emulator: HunyuanEmulator) -> None:
    recorder = Recorder()
    model = ChatHunyuan(api_key=KEY, base_url=emulator.base_url)
    model.invoke("你好", config={"callbacks": [recorder]})
    list(model.stream("你好", config={"callbacks": [recorder]}))
    assert len(recorder.metadata) == 2
    for meta in recorder.metadata:
        assert meta["ls_provider"] == "hunyuan"
        assert meta["ls_integration"] == "langchain_chat_model"  # langchain-core's own
        assert meta["ls_integration_version"] == metadata.version("hunyuan-integrations")
