"""A LangChain agent (``langchain.agents.create_agent``) on Tencent Hunyuan, calling a real tool.

    .venv/bin/python examples/langchain_agent.py

The model decides to call ``nth_prime``, the agent runs the Python function, and the model
answers from its result. With ``HUNYUAN_API_KEY`` set it calls the live API; without it, it
replays ``cassettes/test_langchain_example/test_agent_example.yaml`` (synthesised from the
loopback emulator of Hunyuan's wire format, see the README) and says so.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


@contextmanager
def replaying() -> Iterator[None]:
    """Serve every request from the cassette; anything not in it fails, nothing goes out."""
    sys.path.insert(0, str(ROOT))
    import vcr

    from tests import cassettes_support

    os.environ["HUNYUAN_API_KEY"] = cassettes_support.REPLAY_KEY
    os.environ.pop("HUNYUAN_BASE_URL", None)
    recorder = vcr.VCR(record_mode="none")
    cassettes_support.register(recorder)
    try:
        with recorder.use_cassette(str(CASSETTE), **cassettes_support.vcr_config()):
            yield
    finally:
        os.environ.pop("HUNYUAN_API_KEY", None)


def main() -> dict[str, object]:
    if os.environ.get("HUNYUAN_API_KEY"):
        print("Live: calling the Hunyuan API (HUNYUAN_API_KEY is set).")
        results = run()
    else:
        print(f"Offline: HUNYUAN_API_KEY is not set, replaying {CASSETTE.relative_to(ROOT)}.")
        with replaying():
            results = run()
    print(f"\nQ: {QUESTION}")
    for name, args, output in results["tool_calls"]:  # type: ignore[attr-defined]
        print(f"  tool {name}({args}) -> {output}")
    print(f"A: {results['answer']}")
    return results


if __name__ == "__main__":
    main()
