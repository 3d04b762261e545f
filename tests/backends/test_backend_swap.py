"""Done-when of issue 5: the README's LangChain chain and LlamaIndex query, on each backend.

Native API: the quickstart's own functions, unchanged; only the credentials differ (Tencent
Cloud SecretId/SecretKey in the environment instead of HUNYUAN_API_KEY). Yuanqi: the same chain
and query with the agent in the model's place (``ChatYuanqi`` / ``Yuanqi``, credentials from
``YUANQI_TOKEN``/``YUANQI_ASSISTANT_ID``); a Yuanqi agent has no embeddings, so the index is
still embedded by ``HunyuanEmbedding`` with the API key.
"""

from __future__ import annotations

from typing import Any

import pytest

from examples import quickstart
from tests.support.emulator import GREETING, SEED_000_REPLY
from tests.support.emulator_yuanqi import WEATHER_ANSWER

pytestmark = pytest.mark.vcr


def _hosts(cassette: Any) -> set[str]:
    return {request.host for request in cassette.requests}


@pytest.mark.usefixtures("native_credentials")
def test_quickstart_runs_unchanged_on_the_native_api(vcr: Any) -> None:
    results = quickstart.run()
    assert results["langchain"] == SEED_000_REPLY
    assert results["llama_index"] == GREETING
    assert results["llama_index_sources"] == 2
    assert _hosts(vcr) == {"hunyuan.tencentcloudapi.com"}


@pytest.mark.usefixtures("yuanqi_credentials")
def test_the_chain_and_the_query_run_on_a_yuanqi_agent(vcr: Any) -> None:
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from llama_index.core import Document, Settings, VectorStoreIndex

    from langchain_hunyuan.yuanqi import ChatYuanqi
    from llama_index_hunyuan import HunyuanEmbedding
    from llama_index_hunyuan.yuanqi import Yuanqi

    prompt = ChatPromptTemplate.from_messages(
        [("system", "You are a concise assistant."), ("user", "{question}")]
    )
    chain = prompt | ChatYuanqi() | StrOutputParser()
    assert chain.invoke({"question": "请介绍一下你自己"}) == SEED_000_REPLY

    Settings.llm = Yuanqi()
    Settings.embed_model = HunyuanEmbedding()
    index = VectorStoreIndex.from_documents([Document(text=t) for t in quickstart.DOCUMENTS])
    response = index.as_query_engine(similarity_top_k=2).query("How many dimensions?")
    assert str(response) == GREETING and len(response.source_nodes) == 2
    assert _hosts(vcr) == {"open.hunyuan.tencent.com", "tokenhub.tencentmaas.com"}


@pytest.mark.usefixtures("yuanqi_credentials")
def test_yuanqi_steps_reach_langchain_and_llama_index_metadata() -> None:
    from llama_index.core.llms import ChatMessage

    from langchain_hunyuan.yuanqi import ChatYuanqi
    from llama_index_hunyuan.yuanqi import Yuanqi

    agent = ChatYuanqi()
    reply = agent.invoke("北京天气怎么样")
    assert reply.content == WEATHER_ANSWER and reply.tool_calls == []
    assert reply.response_metadata["steps"][1]["role"] == "tool"
    streamed = None
    for chunk in agent.stream("北京天气怎么样"):
        streamed = chunk if streamed is None else streamed + chunk
    assert streamed is not None and streamed.content == WEATHER_ANSWER
    steps = streamed.response_metadata["steps"]
    assert steps[0]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert steps[1]["role"] == "tool"

    answer = Yuanqi().chat([ChatMessage(role="user", content="北京天气怎么样")])
    assert answer.message.content == WEATHER_ANSWER
    assert answer.message.additional_kwargs["steps"][0]["tool_calls"]
    with pytest.raises(NotImplementedError):
        agent.bind_tools([])


@pytest.mark.usefixtures("native_credentials")
def test_tool_calling_and_embeddings_through_the_adapters_on_the_native_api() -> None:
    from langchain_core.tools import tool
    from llama_index.core.tools import FunctionTool

    from langchain_hunyuan import ChatHunyuan, HunyuanEmbeddings
    from llama_index_hunyuan import Hunyuan

    @tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return "晴"

    reply = ChatHunyuan().bind_tools([get_weather], tool_choice="any").invoke("北京天气?")
    assert [c["name"] for c in reply.tool_calls] == ["get_weather"]
    assert reply.tool_calls[0]["args"] == {"city": "city from Hunyuan"}

    llm = Hunyuan()
    response = llm.chat_with_tools([FunctionTool.from_defaults(fn=get_weather.func)], "北京天气?")
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=True)
    assert calls[0].tool_name == "get_weather"

    vectors = HunyuanEmbeddings().embed_documents([f"文档 {i}" for i in range(60)])
    assert len(vectors) == 60 and len(vectors[0]) == 1024
