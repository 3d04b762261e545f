"""Token counts: Hunyuan's own (native ``GetTokenCount``) with Tencent Cloud credentials, else an
estimate that errs high; never ``transformers``."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator

import pytest
from langchain_core import exceptions as lc
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from hunyuan_core import HunyuanClient
from hunyuan_core.errors import AuthenticationError, HunyuanInputError
from langchain_hunyuan import ChatHunyuan, ChatYuanqi
from langchain_hunyuan._tokens import PER_MESSAGE, PER_REPLY, estimate_tokens, message_text
from tests.support.emulator import HunyuanEmulator
from tests.support.emulator_native import SECRETS, NativeEmulator, token_pieces

SID, SKEY = next(iter(SECRETS.items()))
KEY = "sk-tokens-0123456789abcdef"

ENGLISH = (
    "LangChain trims a conversation to fit the model's context window by counting the tokens "
    "of every message; an estimate that is too low lets an oversized prompt through."
)
CHINESE = (
    "腾讯混元大模型是由腾讯研发的大语言模型，具备强大的中文创作能力和复杂语境下的逻辑推理能力。"
)


@pytest.fixture
def native() -> Iterator[NativeEmulator]:
    with NativeEmulator() as emu:
        yield emu


def counts(emu: NativeEmulator) -> list[str]:
    return [body["Prompt"] for _, h, body in emu.requests if h["x-tc-action"] == "GetTokenCount"]


def test_core_counts_with_get_token_count(native: NativeEmulator) -> None:
    client = HunyuanClient(secret_id=SID, secret_key=SKEY, base_url=native.base_url)
    assert client.count_tokens("你是谁") == 2  # the documented example's count
    assert client.count_tokens("") == 0 and counts(native) == ["你是谁"]


def test_core_count_needs_the_native_api() -> None:
    with pytest.raises(HunyuanInputError, match="secret_id/secret_key"):
        HunyuanClient(api_key=KEY).count_tokens("你好")


def test_native_count_errors_are_typed(native: NativeEmulator) -> None:
    model = ChatHunyuan(secret_id=SID, secret_key="wrong", base_url=native.base_url)
    with pytest.raises(AuthenticationError) as info:
        model.get_num_tokens("你好")
    assert isinstance(info.value, lc.ModelAuthenticationError)


def test_chat_model_uses_the_native_count_once_per_text(native: NativeEmulator) -> None:
    model = ChatHunyuan(secret_id=SID, secret_key=SKEY, base_url=native.base_url)
    assert model.get_num_tokens(CHINESE) == len(token_pieces(CHINESE))
    assert model.get_num_tokens(CHINESE) == len(token_pieces(CHINESE))
    assert counts(native) == [CHINESE]  # cached
    messages = [SystemMessage("你是助手"), HumanMessage(CHINESE), AIMessage("好的")]
    expected = PER_REPLY + sum(len(token_pieces(message_text(m))) + PER_MESSAGE for m in messages)
    assert model.get_num_tokens_from_messages(messages) == expected
    assert len(counts(native)) == 4  # one per distinct message text
    assert model.get_num_tokens_from_messages(messages) == expected
    assert len(counts(native)) == 4


def test_no_transformers_and_no_request_without_native_credentials(
    emulator: HunyuanEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # import fails
    model = ChatHunyuan(api_key=KEY, base_url=emulator.base_url)
    assert model.get_num_tokens(ENGLISH) == estimate_tokens(ENGLISH)
    messages = [HumanMessage(ENGLISH), AIMessage(CHINESE)]
    assert model.get_num_tokens_from_messages(messages) > estimate_tokens(ENGLISH + CHINESE)
    agent = ChatYuanqi(token="t", assistant_id="a", user_id="u")
    assert agent.get_num_tokens(CHINESE) == estimate_tokens(CHINESE)
    assert emulator.requests == []


def test_tools_and_tool_messages_are_counted() -> None:
    @tool
    def weather(city: str) -> str:
        """The weather in a city."""
        return "晴"

    model = ChatHunyuan(api_key=KEY)
    call = AIMessage("", tool_calls=[{"name": "weather", "args": {"city": "北京"}, "id": "c1"}])
    history = [HumanMessage("北京天气"), call, ToolMessage("晴", tool_call_id="c1")]
    bare = model.get_num_tokens_from_messages(history)
    assert model.get_num_tokens_from_messages(history, tools=[weather]) > bare + 10
    assert estimate_tokens(message_text(call)) > estimate_tokens("北京")  # the call's JSON


def test_custom_get_token_ids_wins() -> None:
    model = ChatHunyuan(api_key=KEY, custom_get_token_ids=lambda text: [0] * len(text))
    assert model.get_num_tokens("abcdef") == 6


# --- the estimate errs high ----------------------------------------------------------------


def test_estimate_on_the_documented_example() -> None:
    assert estimate_tokens("你是谁") >= 2  # GetTokenCount's documented answer


def test_estimate_bounds_chinese_text() -> None:
    # Hunyuan's vocabulary holds common characters and words: at most one token a character.
    hanzi = sum(1 for ch in CHINESE if "\u4e00" <= ch <= "\u9fff")
    assert estimate_tokens(CHINESE) >= hanzi
    assert estimate_tokens(CHINESE) >= len(CHINESE)  # punctuation counted too


def test_estimate_bounds_english_text() -> None:
    words = ENGLISH.split()
    # every word is at least one token, and English averages about 4 characters a token
    assert estimate_tokens(ENGLISH) >= len(words)
    assert estimate_tokens(ENGLISH) >= math.ceil(len(ENGLISH) / 4)
    assert estimate_tokens(ENGLISH) <= len(ENGLISH)  # but not absurdly (1 per character)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("hello", 2),  # ceil(5 / 2.5)
        ("hello world", 2 + 0 + 2),  # a single space costs nothing
        ("a\n\n\nb", 1 + 1 + 1),  # a run of 3 whitespace characters: 1
        ("2026-11-30", 10),  # digits and punctuation one each
        ("你好😀", 1 + 1 + 4),  # an emoji may be split into its 4 UTF-8 bytes
    ],
)
def test_estimate_rules(text: str, expected: int) -> None:
    assert estimate_tokens(text) == expected
