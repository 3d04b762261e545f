"""A LangChain agent (``langchain.agents.create_agent``) on Tencent Hunyuan, calling a real tool.

    .venv/bin/python examples/langchain_agent.py

The model decides to call ``nth_prime``, the agent runs the Python function, and the model
answers from its result. With ``HUNYUAN_API_KEY`` set it calls the live API; without it, it
replays ``cassettes/test_langchain_example/test_agent_example.yaml`` (synthesised from the
loopback emulator of Hunyuan's wire format, see the README) and says so.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make `examples` importable
from examples._offline import live_or_replay  # noqa: E402

CASSETTE = ROOT / "cassettes" / "test_langchain_example" / "test_agent_example.yaml"
QUESTION = "What is the 3rd prime number? Use the tool."


def nth_prime(n: int) -> int:
    """The n-th prime number (nth_prime(1) == 2)."""
    found, candidate = 0, 1
    while found < n:
        candidate += 1
        if all(candidate % d for d in range(2, int(candidate**0.5) + 1)):
            found += 1
    return candidate


def run(question: str = QUESTION) -> dict[str, object]:
    """Ask the agent; return its answer and the tool calls it made with their results."""
    from langchain.agents import create_agent
    from langchain_core.messages import AIMessage, ToolMessage

    from langchain_hunyuan import ChatHunyuan

    agent = create_agent(
        ChatHunyuan(model="hunyuan-turbos-latest", temperature=0),
        tools=[nth_prime],
        system_prompt="You are a careful assistant. Use the tools for arithmetic.",
    )
    messages = agent.invoke({"messages": [{"role": "user", "content": question}]})["messages"]
    results = {m.tool_call_id: m.content for m in messages if isinstance(m, ToolMessage)}
    calls = [
        (call["name"], call["args"], results.get(call["id"] or ""))
        for m in messages
        if isinstance(m, AIMessage)
        for call in m.tool_calls
    ]
    return {"answer": messages[-1].content, "tool_calls": calls}


def main() -> dict[str, object]:
    results = live_or_replay(CASSETTE, run)
    print(f"\nQ: {QUESTION}")
    for name, args, output in results["tool_calls"]:  # type: ignore[attr-defined]
        print(f"  tool {name}({args}) -> {output}")
    print(f"A: {results['answer']}")
    return results


if __name__ == "__main__":
    main()
