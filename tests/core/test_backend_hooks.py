"""Client hooks a backend can use: errors hidden in a 200 body, a smaller embedding batch."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from hunyuan_core import ChatCompletion, ChatRequest, HunyuanClient, RateLimitError, RetryPolicy
from hunyuan_core.backends.openai_compatible import OpenAICompatibleBackend


class ErrorIn200(OpenAICompatibleBackend):
    """Answers errors with HTTP 200 and ``{"failed": code}``, batches embeddings by 3."""

    max_embed_batch = 3

    def is_error_body(self, content: bytes) -> bool:
        return b'"failed"' in content

    def parse_chat(self, content: bytes, headers: Mapping[str, str]) -> ChatCompletion:
        if self.is_error_body(content):  # the client reads the error through here
            raise RateLimitError("busy", code=json.loads(content)["failed"])
        return super().parse_chat(content, headers)


def _client(handler: Any, waits: list[float]) -> HunyuanClient:
    from pydantic import SecretStr

    backend = ErrorIn200(api_key=SecretStr("sk-test"), base_url="http://hunyuan.test/v1")
    return HunyuanClient(
        backend=backend,
        retry_policy=RetryPolicy(sleep=waits.append),
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )


def test_an_error_in_a_200_body_is_raised_and_retried_when_its_code_is_transient() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(200, json={"failed": "RequestLimitExceeded"})
        return httpx.Response(200, json={"choices": [{"message": {"content": "ok"}}]})

    waits: list[float] = []
    reply = _client(handler, waits).chat(
        ChatRequest(model="m", messages=[{"role": "user", "content": "x"}])
    )
    assert reply.choices[0].message.content == "ok"
    assert len(calls) == 2 and len(waits) == 1


def test_the_backend_caps_the_embedding_batch() -> None:
    sizes: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        texts = json.loads(request.content)["input"]
        sizes.append(len(texts))
        data = [{"index": i, "embedding": [float(i)]} for i in range(len(texts))]
        return httpx.Response(200, json={"data": data})

    client = _client(handler, [])
    client.embed_concurrency = 1
    assert len(client.embed([f"t{i}" for i in range(7)])) == 7
    assert sizes == [3, 3, 1]
