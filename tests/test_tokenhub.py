"""Hy3 on TokenHub, the default endpoint, through both frameworks: reasoning streamed before the
answer, agent loops over several tool turns with each turn's reasoning sent back, usage with
reasoning and cached tokens, and TokenHub's embeddings in a LlamaIndex index.

Cassettes are synthesised from tests/support/emulator_tokenhub.py, which is shaped after the
live captures published in https://github.com/Tencent-Hunyuan/Hy3/pull/144 and /pull/49
(``python -m tests.support.synthesize_cassettes tests/test_tokenhub.py``).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, ToolMessage
from langchain_core.tools import tool

from hunyuan_core import HunyuanInputError
from langchain_hunyuan import ChatHunyuan
from llama_index_hunyuan import Hunyuan, HunyuanEmbedding
from tests.support.emulator import GREETING
from tests.support.emulator_tokenhub import HY3_THINKING

QUESTION = "北京现在的天气和时间? 城市 '北京'"


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"{city}: 晴, 25°C"


@tool
def get_time(city: str) -> str:
    """The local time in a city."""
    return f"{city}: 14:00"


def sent_bodies(cassette: Any) -> list[dict[str, Any]]:
    """The JSON bodies the replayed calls sent (they matched the cassette's requests)."""
    return [json.loads(r.body) for r in cassette.requests if r.body]


def assert_reasoning_sent_back_each_turn(bodies: list[dict[str, Any]]) -> None:
    loops = [b for b in bodies if b["messages"][-1]["role"] == "tool"]
    assert len(loops) >= 2  # several tool turns
    for body in loops:
        turns = [m for m in body["messages"] if m.get("tool_calls")]
        assert turns and all(m.get("reasoning_content") == HY3_THINKING for m in turns)


# --- LangChain -------------------------------------------------------------------------------


@pytest.mark.vcr
def test_langchain_streams_reasoning_then_the_answer_with_usage() -> None:
    model = ChatHunyuan(model="hy3", reasoning_effort="high")
    chunks = list(model.stream("你好"))
    reasoning = [i for i, c in enumerate(chunks) if c.additional_kwargs.get("reasoning_content")]
    answer = [i for i, c in enumerate(chunks) if c.content]
    assert reasoning and answer and max(reasoning) < min(answer)  # as it arrives, thinking first
    full = chunks[0]
    for chunk in chunks[1:]:
        full += chunk
    assert isinstance(full, AIMessageChunk)
    assert full.additional_kwargs["reasoning_content"] == HY3_THINKING
    assert full.content == GREETING
    assert full.content_blocks[0] == {"type": "reasoning", "reasoning": HY3_THINKING}
    usage = full.usage_metadata
    assert usage is not None and usage["output_token_details"]["reasoning"] > 0
    assert usage["output_tokens"] > usage["output_token_details"]["reasoning"]
    assert sum(1 for c in chunks if c.usage_metadata) == 1  # reported once


@pytest.mark.vcr
def test_langchain_agent_loop_sends_each_turns_reasoning_back(vcr: Any) -> None:
    from langchain.agents import create_agent

    model = ChatHunyuan(model="hy3", reasoning_effort="high")
    agent = create_agent(model, tools=[get_weather, get_time])
    result = agent.invoke({"messages": [("user", QUESTION)]})
    messages = result["messages"]
    calls = [c["name"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
    assert calls == ["get_weather", "get_time"]
    assert sum(isinstance(m, ToolMessage) for m in messages) == 2
    final = messages[-1]
    assert isinstance(final, AIMessage) and "14:00" in final.content
    assert final.additional_kwargs["reasoning_content"] == HY3_THINKING
    assert final.usage_metadata is not None
    assert final.usage_metadata["input_token_details"]["cache_read"] > 0  # the shared prefix
    assert_reasoning_sent_back_each_turn(sent_bodies(vcr))


def test_langchain_forced_tool_with_thinking_is_refused_before_sending() -> None:
    model = ChatHunyuan(model="hy3", api_key="sk-never-sent", reasoning_effort="high")
    bound = model.bind_tools([get_weather], tool_choice="get_weather")
    with pytest.raises(HunyuanInputError, match="tool_choice 'auto' only"):
        bound.invoke("北京天气?")


# --- LlamaIndex ------------------------------------------------------------------------------


@pytest.mark.vcr
async def test_llama_index_streams_reasoning_then_the_answer_with_usage() -> None:
    from llama_index.core.base.llms.types import ChatMessage, TextBlock, ThinkingBlock

    llm = Hunyuan(model="hy3", reasoning_effort="high")
    responses = [
        r async for r in await llm.astream_chat([ChatMessage(role="user", content="你好")])
    ]
    thinking = [i for i, r in enumerate(responses) if r.additional_kwargs.get("thinking_delta")]
    answer = [i for i, r in enumerate(responses) if r.delta]
    assert thinking and answer and max(thinking) < min(answer)
    last = responses[-1]
    blocks = last.message.blocks
    assert isinstance(blocks[0], ThinkingBlock) and blocks[0].content == HY3_THINKING
    assert blocks[0].num_tokens is not None and blocks[0].num_tokens > 0
    assert isinstance(blocks[1], TextBlock) and blocks[1].text == GREETING
    assert last.additional_kwargs["reasoning_tokens"] == blocks[0].num_tokens


@pytest.mark.vcr
async def test_llama_index_agent_loop_sends_each_turns_reasoning_back(vcr: Any) -> None:
    from llama_index.core.agent.workflow import FunctionAgent
    from llama_index.core.tools import FunctionTool

    tools = [
        FunctionTool.from_defaults(fn=get_weather.func, name="get_weather"),
        FunctionTool.from_defaults(fn=get_time.func, name="get_time"),
    ]
    llm = Hunyuan(model="hy3", reasoning_effort="high")
    agent = FunctionAgent(tools=tools, llm=llm)
    answer = await agent.run(QUESTION)
    assert "14:00" in str(answer)
    assert [c.tool_name for c in answer.tool_calls] == ["get_weather", "get_time"]
    assert_reasoning_sent_back_each_turn(sent_bodies(vcr))


@pytest.mark.vcr
def test_tokenhub_embeddings_in_a_llama_index_index() -> None:
    from llama_index.core import Document, Settings, VectorStoreIndex

    embed = HunyuanEmbedding()  # TokenHub's kinfra-text-embedding-0.6b, 1024 dimensions
    assert embed.model_name == "kinfra-text-embedding-0.6b" and embed.dimensions == 1024
    Settings.llm = Hunyuan(model="hy3")
    texts = ["混元 Hy3 在 TokenHub 上提供服务。", "TokenHub 的向量模型是 kinfra。"]
    index = VectorStoreIndex.from_documents([Document(text=t) for t in texts], embed_model=embed)
    retriever = index.as_retriever(similarity_top_k=1)
    nodes = retriever.retrieve("TokenHub 的向量模型")
    assert len(nodes) == 1 and nodes[0].node.get_content() in texts
    assert len(embed.get_text_embedding("kinfra")) == 1024
