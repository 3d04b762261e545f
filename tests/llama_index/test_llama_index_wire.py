"""``Hunyuan`` / ``HunyuanEmbedding`` over recorded HTTP (cassettes, replayed offline).

Models are built as a user would, from ``HUNYUAN_API_KEY`` with Tencent's endpoint. Re-make the
cassettes with
``python -m tests.support.synthesize_cassettes tests/llama_index/test_llama_index_wire.py``
or re-record live with ``HUNYUAN_API_KEY=... pytest --record-mode=rewrite <this file>``.
"""

from __future__ import annotations

import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, MessageRole
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from llama_index_hunyuan import Hunyuan, HunyuanEmbedding

pytestmark = pytest.mark.vcr

MESSAGES = [
    ChatMessage(role=MessageRole.SYSTEM, content="You are a helpful assistant."),
    ChatMessage(role=MessageRole.USER, content="你好"),
]


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str


def test_chat() -> None:
    response = Hunyuan(model="hy3").chat(MESSAGES)
    assert response.message.role == MessageRole.ASSISTANT
    assert response.message.content
    usage = response.additional_kwargs
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"] > 0


def test_stream_chat_usage_once() -> None:
    responses = list(Hunyuan(model="hy3").stream_chat(MESSAGES))
    assert "".join(r.delta or "" for r in responses) == responses[-1].message.content
    assert [r for r in responses if "total_tokens" in r.additional_kwargs] == [responses[-1]]


async def test_astream_complete_with_stop() -> None:
    llm = Hunyuan(model="hy3")
    responses = [r async for r in await llm.astream_complete("请介绍一下你自己", stop=["助手"])]
    assert responses[-1].text and "助手" not in responses[-1].text


def test_predict_and_call() -> None:
    result = Hunyuan(model="hy3").predict_and_call(
        [FunctionTool.from_defaults(multiply)], "What is 3 times 3?"
    )
    assert result.sources[0].tool_name == "multiply"
    assert result.response == str(multiply(**result.sources[0].raw_input["kwargs"]))


def test_structured_predict() -> None:
    city = Hunyuan(model="hy3").structured_predict(
        City, PromptTemplate("Name a famous city in {country}."), country="China"
    )
    assert isinstance(city, City) and city.name


async def test_function_agent_streaming() -> None:
    agent = FunctionAgent(tools=[multiply], llm=Hunyuan(model="hy3"))
    handler = agent.run("What is 3 times 3?")
    tool_results = []
    async for event in handler.stream_events():
        if type(event).__name__ == "ToolCallResult":
            tool_results.append(event)
    result = await handler
    assert [r.tool_name for r in tool_results] == ["multiply"]
    assert str(tool_results[0].tool_output.content) in str(result)


def test_embeddings_batch() -> None:
    model = HunyuanEmbedding(embed_batch_size=2)
    vectors = model.get_text_embedding_batch(["腾讯混元", "大模型", "向量"])
    assert [len(v) for v in vectors] == [1024] * 3
    assert vectors[0] != vectors[1]


async def test_embeddings_async_query() -> None:
    vector = await HunyuanEmbedding().aget_query_embedding("混元是什么?")
    assert len(vector) == 1024
