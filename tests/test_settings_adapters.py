"""The one resolver decides through every adapter too: arguments first, the environment second."""

from __future__ import annotations

from typing import Any

import pytest

from hunyuan_core.backends.tencentcloud import NativeBackend
from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from tests.core.test_settings import CASES, NATIVE_ENV, secret

ADAPTERS = {
    "ChatHunyuan": lambda **kw: ChatHunyuan(**kw).client.backend,
    "HunyuanEmbeddings": lambda **kw: HunyuanEmbeddings(**kw).client.backend,
    "Hunyuan": lambda **kw: Hunyuan(**kw).client.backend,
    "HunyuanEmbedding": lambda **kw: HunyuanEmbedding(**kw).client.backend,
}


@pytest.mark.parametrize("adapter", sorted(ADAPTERS))
@pytest.mark.parametrize(("explicit", "env", "backend", "credential"), CASES)
def test_precedence_through_every_adapter(
    adapter: str,
    explicit: dict[str, Any],
    env: dict[str, str],
    backend: str,
    credential: str | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HUNYUAN_API_KEY", "HUNYUAN_BASE_URL", *NATIVE_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    built = ADAPTERS[adapter](**explicit)
    if backend == "tencentcloud":
        assert isinstance(built, NativeBackend)
        assert secret(built.secret_id) == credential
    else:
        assert built.name == "openai-compatible"
        assert secret(getattr(built, "api_key", None)) == credential
