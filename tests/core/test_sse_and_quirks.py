"""SSE parsing and Hunyuan quirk normalisation, without a network."""

from __future__ import annotations

import pytest

from hunyuan_core import ChatCompletionChunk, HunyuanInputError
from hunyuan_core.quirks import StopTrimmer, StreamNormalizer, prepare_messages, trim_at_stop
from hunyuan_core.sse import DONE, iter_sse_data


def test_sse_reader_skips_keepalives_comments_and_fields() -> None:
    lines = [
        ": keep-alive",
        "",
        "event: message",
        'data: {"a":1}',
        "",
        "id: 7",
        "retry: 10",
        'data:{"b":2}',
        'data: {"c":3}\r',
        "data: [DONE]",
    ]
    assert list(iter_sse_data(lines)) == ['{"a":1}', '{"b":2}', '{"c":3}', DONE]


def test_sse_reader_back_to_back_data_lines_are_separate_events() -> None:
    # a reseller gateway's published examples show data: lines with no blank line between them
    assert list(iter_sse_data(['data: {"x":1}', 'data: {"x":2}'])) == ['{"x":1}', '{"x":2}']


@pytest.mark.parametrize(
    ("text", "stops", "expected"),
    [
        ("我是一个AI助手可以帮助您", ["助手"], ("我是一个AI", True)),
        ("no stop here", ["助手"], ("no stop here", False)),
        ("a STOP b END", ["END", "STOP"], ("a ", True)),
    ],
)
def test_trim_at_stop_cuts_before_earliest(text: str, stops: list[str], expected: tuple) -> None:
    assert trim_at_stop(text, stops) == expected


def _run_trimmer(pieces: list[str], stops: list[str]) -> tuple[list[str], str]:
    trimmer = StopTrimmer(stops)
    emitted = [trimmer.feed(p) for p in pieces]
    return emitted, "".join(emitted) + trimmer.flush()


def test_stop_split_over_two_chunks_is_cut_and_not_leaked() -> None:
    emitted, total = _run_trimmer(["我是一个AI助", "手可以帮助"], ["助手"])
    assert total == "我是一个AI"
    assert emitted == ["我是一个AI", ""]  # "助" was held back, never emitted


def test_stop_split_over_many_chunks() -> None:
    emitted, total = _run_trimmer(["hello <", "|e", "n", "d|> tail"], ["<|end|>"])
    assert total == "hello "
    assert "<" not in "".join(emitted)


def test_held_back_prefix_released_when_it_is_not_a_stop() -> None:
    emitted, total = _run_trimmer(["AI助", "理"], ["助手"])
    assert emitted == ["AI", "助理"]
    assert total == "AI助理"


def test_held_back_prefix_released_at_end_of_stream() -> None:
    _, total = _run_trimmer(["我是助"], ["助手"])
    assert total == "我是助"


def test_text_after_stop_is_dropped() -> None:
    _, total = _run_trimmer(["ab", "STOP", "cd"], ["STOP"])
    assert total == "ab"


def _chunk(
    content: str | None = None,
    *,
    finish: str | None = None,
    usage: tuple | None = None,
    choices: bool = True,
    tool_calls: list | None = None,
) -> ChatCompletionChunk:
    raw: dict = {"id": "c1", "model": "hunyuan-standard", "choices": []}
    if choices:
        delta: dict = {"role": "assistant", "content": content}
        if tool_calls is not None:
            delta["tool_calls"] = tool_calls
        raw["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}]
    if usage:
        raw["usage"] = dict(
            zip(("prompt_tokens", "completion_tokens", "total_tokens"), usage, strict=True)
        )
    return ChatCompletionChunk.model_validate(raw)


def _normalise(chunks: list[ChatCompletionChunk], **kw) -> list[ChatCompletionChunk]:
    norm = StreamNormalizer(**kw)
    out = [c for c in (norm.process(c) for c in chunks) if c is not None]
    return out + norm.finish()


def test_cumulative_usage_reported_once_with_the_final_figure() -> None:
    # Tencent's OpenAI-compatible API docs: with include_usage, every chunk carries the usage so far
    chunks = [
        _chunk("您好", usage=(11, 1, 12)),
        _chunk("!", usage=(11, 2, 13)),
        _chunk("", finish="stop", usage=(11, 18, 29)),
        _chunk(choices=False, usage=(11, 18, 29)),
    ]
    out = _normalise(chunks)
    with_usage = [c for c in out if c.usage is not None]
    assert len(with_usage) == 1
    assert with_usage[0].usage.model_dump() == {
        "prompt_tokens": 11,
        "completion_tokens": 18,
        "total_tokens": 29,
    }
    assert with_usage[0] is out[-1] and with_usage[0].choices == []
    assert sum(c.usage.prompt_tokens for c in with_usage) == 11  # summing no longer overcounts


def test_stream_stop_trimmed_across_chunks_with_tail_flushed_into_finish_chunk() -> None:
    out = _normalise(
        [_chunk("我是一个AI助"), _chunk("理"), _chunk("", finish="stop")], stops=["助手"]
    )
    assert "".join(c.choices[0].delta.content or "" for c in out if c.choices) == "我是一个AI助理"
    out = _normalise(
        [_chunk("我是一个AI助"), _chunk("手"), _chunk("", finish="stop")], stops=["助手"]
    )
    assert "".join(c.choices[0].delta.content or "" for c in out if c.choices) == "我是一个AI"


def test_tool_call_deltas_get_index_and_ids_are_not_repeated() -> None:
    def call(id_: str | None, name: str | None, args: str, index: int | None = None) -> dict:
        fn = {"arguments": args} | ({"name": name} if name else {})
        return {"id": id_, "type": "function", "function": fn} | (
            {"index": index} if index is not None else {}
        )

    chunks = [
        _chunk("", tool_calls=[call("call_a", "get_weather", '{"city":')]),
        _chunk("", tool_calls=[call("call_a", "get_weather", '"Paris"}')]),  # id+name repeated
        _chunk("", tool_calls=[call("call_b", "get_time", "{}")]),
        _chunk("", finish="tool_calls"),
    ]
    out = _normalise(chunks)
    calls = [tc for c in out if c.choices for tc in c.choices[0].delta.tool_calls or []]
    assert [tc.index for tc in calls] == [0, 0, 1]
    assert [tc.id for tc in calls] == ["call_a", None, "call_b"]
    assert [tc.function.name for tc in calls] == ["get_weather", None, "get_time"]


def test_several_tool_calls_in_one_chunk_keep_their_positions() -> None:
    chunk = _chunk(
        "",
        tool_calls=[
            {"id": "a", "function": {"name": "f", "arguments": "{}"}},
            {"id": "b", "function": {"name": "g", "arguments": "{}"}},
        ],
    )
    out = _normalise([chunk, _chunk("", finish="tool_calls")])
    assert [tc.index for tc in out[0].choices[0].delta.tool_calls] == [0, 1]


def test_unknown_fields_are_kept() -> None:
    chunk = ChatCompletionChunk.model_validate_json(
        '{"id":"x","choices":[],"search_info":{"search_results":[{"index":1}]},"note":"AI"}'
    )
    assert chunk.model_extra == {"search_info": {"search_results": [{"index": 1}]}, "note": "AI"}


def test_prepare_messages_merges_same_role_runs() -> None:
    out = prepare_messages(
        [
            {"role": "system", "content": "a"},
            {"role": "system", "content": "b"},
            {"role": "user", "content": "u1"},
            {"role": "user", "content": [{"type": "text", "text": "u2"}]},
            {"role": "assistant", "content": "x"},
            {"role": "user", "content": "q"},
        ]
    )
    assert [m["role"] for m in out] == ["system", "user", "assistant", "user"]
    assert out[0]["content"] == "a\n\nb"
    assert out[1]["content"] == [{"type": "text", "text": "u1"}, {"type": "text", "text": "u2"}]


@pytest.mark.parametrize(
    ("messages", "needle"),
    [
        ([], "empty"),
        ([{"role": "bot", "content": "x"}], "role 'bot'"),
        ([{"role": "user", "content": "x"}, {"role": "system", "content": "y"}], "system message"),
        (
            [
                {"role": "user", "content": "x"},
                {"role": "tool", "tool_call_id": "c9", "content": "1"},
            ],
            "no earlier assistant message",
        ),
    ],
)
def test_prepare_messages_rejects_what_it_cannot_fix(messages: list, needle: str) -> None:
    with pytest.raises(HunyuanInputError, match=needle):
        prepare_messages(messages)


def test_parallel_tool_results_are_not_merged() -> None:
    out = prepare_messages(
        [
            {"role": "user", "content": "q"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                    {"id": "b", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                ],
            },
            {"role": "tool", "tool_call_id": "a", "content": "1"},
            {"role": "tool", "tool_call_id": "b", "content": "2"},
        ]
    )
    assert [m["role"] for m in out] == ["user", "assistant", "tool", "tool"]
