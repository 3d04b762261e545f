"""A LlamaIndex FunctionAgent on Tencent Hunyuan, calling a real Python tool.

    .venv/bin/python examples/llama_index_agent.py

The agent streams (its default): tool calls arrive as deltas and ``Hunyuan`` assembles them.
With ``HUNYUAN_API_KEY`` set it calls the live API; without it, it replays
``cassettes/test_llama_index_examples/test_agent_example.yaml`` (synthesised from the loopback
emulator of Hunyuan's wire format, see the README) and says so.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `examples` importable
from examples._offline import live_or_replay  # noqa: E402

CASSETTE = ROOT / "cassettes" / "test_llama_index_examples" / "test_agent_example.yaml"
QUESTION = "I deposit 1000 yuan at 3% a year for 3 years. How much do I have at the end?"


def compound_interest(principal: float, rate_percent: float, years: int) -> float:
    """The balance after `years` years of `rate_percent`% interest compounded yearly."""
    return round(principal * (1 + rate_percent / 100) ** years, 2)


async def ask(question: str) -> dict[str, object]:
    from llama_index.core.agent.workflow import AgentStream, FunctionAgent, ToolCallResult

    from llama_index_hunyuan import Hunyuan

    agent = FunctionAgent(
        tools=[compound_interest],
        llm=Hunyuan(model="hunyuan-turbos-latest", temperature=0),
        system_prompt="You are a careful assistant. Use the tools for arithmetic.",
    )
    handler = agent.run(question)
    calls: list[tuple[str, dict[str, object], object]] = []
    deltas: list[str] = []
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            calls.append((event.tool_name, event.tool_kwargs, event.tool_output.raw_output))
        elif isinstance(event, AgentStream) and event.delta:
            deltas.append(event.delta)
    output = await handler
    return {"answer": str(output), "tool_calls": calls, "streamed": "".join(deltas)}


def run() -> dict[str, object]:
    return asyncio.run(ask(QUESTION))


def main() -> dict[str, object]:
    results = live_or_replay(CASSETTE, run)
    print(f"\nQ: {QUESTION}")
    for name, kwargs, output in results["tool_calls"]:
        print(f"  tool {name}({kwargs}) -> {output}")
    print(f"A: {results['answer']}")
    return results


if __name__ == "__main__":
    main()
