"""langchain-tests' standard integration suite for ChatHunyuan, replayed from cassettes.

Cassettes are in ``cassettes/test_chat_models_standard/``, synthesised from
tests/support/emulator.py
(``python -m tests.support.synthesize_cassettes tests/langchain/test_chat_models_standard.py``);
re-record live with ``HUNYUAN_API_KEY=... pytest --record-mode=rewrite <this file>``.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest
from langchain_core.utils import function_calling
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_hunyuan import ChatHunyuan
from tests.support import cassettes as cassettes_support

pytestmark = pytest.mark.vcr


@pytest.fixture
def vcr_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Ours, except that test_stream_time's benchmark may replay its one stream many times."""
    config = cassettes_support.vcr_config()
    if request.node.originalname == "test_stream_time":
        config["allow_playback_repeats"] = True
    return config


@pytest.fixture(autouse=True)
def _fixed_example_tool_call_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """``tool_example_to_messages`` invents tool-call ids with uuid4, so the request body (which
    cassettes match on) would differ on every run: number them instead, in this module only."""
    counter = itertools.count(1)

    class _Uuid:
        UUID = uuid.UUID

        @staticmethod
        def uuid4() -> uuid.UUID:
            return uuid.UUID(int=next(counter))

    monkeypatch.setattr(function_calling, "uuid", _Uuid)


class TestChatHunyuanStandard(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatHunyuan]:
        return ChatHunyuan

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "hy3", "temperature": 0}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "hy3-preview"

    @property
    def enable_vcr_tests(self) -> bool:
        return True
