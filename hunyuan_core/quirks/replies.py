"""Replies made OpenAI-like, whichever way the server behaves.

- ``stop``: Tencent's legacy endpoint and native API keep the stop string in the reply, TokenHub
  and OpenAI-like servers leave it out. Cutting at the first stop string is right for both, so
  it is always done (streaming too, holding back a tail that may begin a stop string).
- Stream usage: the legacy endpoint repeats the *cumulative* usage on every chunk, TokenHub and
  OpenAI-like servers send it once in a final ``choices: []`` chunk. Keeping the last figure
  seen and reporting it once, at the end, is right for both.
- Streamed tool-call deltas may lack ``index`` or repeat ``id``/``name``: made OpenAI-like.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hunyuan_core.errors import ContentModerationError
from hunyuan_core.types import ChatCompletion, ChatCompletionChunk, ChunkChoice, Delta, Usage

SENSITIVE = "sensitive"


# --- stop strings ---------------------------------------------------------------------------


def trim_at_stop(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """Cut ``text`` before the earliest stop string; say whether one was found."""
    cut = -1
    for stop in stops:
        i = text.find(stop)
        if i >= 0 and (cut < 0 or i < cut):
            cut = i
    return (text[:cut], True) if cut >= 0 else (text, False)


class StopTrimmer:
    """Streaming stop trimming: hold back a tail that could still become a stop string."""

    __slots__ = ("_held", "_stops", "stopped")

    def __init__(self, stops: Iterable[str]) -> None:
        self._stops = [s for s in stops if s]
        self._held = ""
        self.stopped = False

    def feed(self, text: str) -> str:
        """Return the part of ``text`` that is safe to emit now."""
        if self.stopped:
            return ""
        buf = self._held + text
        out, hit = trim_at_stop(buf, self._stops)
        if hit:
            self.stopped, self._held = True, ""
            return out
        keep = 0
        for stop in self._stops:
            for k in range(min(len(stop) - 1, len(buf)), keep, -1):
                if buf.endswith(stop[:k]):
                    keep = k
                    break
        self._held = buf[len(buf) - keep :] if keep else ""
        return buf[: len(buf) - keep] if keep else buf

    def flush(self) -> str:
        """At the end of the reply: what was held back and proved not to be a stop string."""
        held, self._held = self._held, ""
        return "" if self.stopped else held


def normalize_completion(
    completion: ChatCompletion, stops: Sequence[str] | None, *, raise_on_sensitive: bool = False
) -> ChatCompletion:
    """Apply stop trimming and the moderation signal to a non-streamed reply (in place)."""
    for choice in completion.choices:
        content = choice.message.content
        if stops and content:
            choice.message.content, _ = trim_at_stop(content, stops)
        if raise_on_sensitive and choice.finish_reason == SENSITIVE:
            raise _moderation_error(choice.message.content or "", completion.request_id)
    return completion


def _moderation_error(partial: str, request_id: str | None) -> ContentModerationError:
    return ContentModerationError(
        "Hunyuan's content moderation stopped the reply (finish_reason 'sensitive')",
        partial_content=partial,
        request_id=request_id,
    )


# --- streams --------------------------------------------------------------------------------


class _ChoiceState:
    __slots__ = ("finished", "ids", "last_index", "names", "next_index", "text", "trimmer")

    def __init__(self, stops: Sequence[str] | None) -> None:
        self.trimmer = StopTrimmer(stops) if stops else None
        self.finished = False
        self.ids: dict[str, int] = {}
        self.names: dict[int, str] = {}
        self.next_index = 0
        self.last_index = 0
        self.text: list[str] = []


class StreamNormalizer:
    """Turns Hunyuan's raw chunks into OpenAI-shaped ones.

    Feed each parsed chunk to :meth:`process` (it returns the chunk to emit, or ``None``), then
    call :meth:`finish` at ``[DONE]`` for the closing chunks: held-back text, then one chunk
    with ``choices == []`` and the final usage. No other chunk carries ``usage``.
    """

    def __init__(self, stops: Sequence[str] | None = None, *, raise_on_sensitive: bool = False):
        self._stops = list(stops) if stops else None
        self._raise_on_sensitive = raise_on_sensitive
        self._choices: dict[int, _ChoiceState] = {}
        self._last: ChatCompletionChunk | None = None
        self.usage: Usage | None = None

    @property
    def all_finished(self) -> bool:
        """Every choice seen has received its ``finish_reason``."""
        return bool(self._choices) and all(s.finished for s in self._choices.values())

    def _state(self, index: int) -> _ChoiceState:
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = _ChoiceState(self._stops)
        return state

    def process(self, chunk: ChatCompletionChunk) -> ChatCompletionChunk | None:
        if chunk.usage is not None:
            self.usage, chunk.usage = chunk.usage, None
        if not chunk.choices:
            return None
        self._last = chunk
        for choice in chunk.choices:
            state = self._state(choice.index)
            delta = choice.delta
            if delta.content:
                if state.trimmer is not None:
                    delta.content = state.trimmer.feed(delta.content)
                if state.finished:  # text after the end of the reply
                    delta.content = ""
            if delta.tool_calls:
                self._fix_tool_calls(state, delta)
            if choice.finish_reason:
                if state.trimmer is not None:
                    delta.content = (delta.content or "") + state.trimmer.flush()
                state.finished = True
                if choice.finish_reason == SENSITIVE and self._raise_on_sensitive:
                    state.text.append(delta.content or "")
                    raise _moderation_error("".join(state.text), chunk.request_id)
            if self._raise_on_sensitive and delta.content:
                state.text.append(delta.content)
        return chunk

    @staticmethod
    def _fix_tool_calls(state: _ChoiceState, delta: Delta) -> None:
        for pos, call in enumerate(delta.tool_calls or ()):
            if call.index is None:
                if call.id and call.id in state.ids:
                    call.index = state.ids[call.id]
                elif call.id:
                    call.index = state.next_index
                else:
                    call.index = state.last_index if state.ids else pos
            index = call.index
            state.last_index = index
            state.next_index = max(state.next_index, index + 1)
            if call.id:
                if state.ids.get(call.id) == index:
                    call.id = None  # repeated id: OpenAI sends it once per call
                else:
                    state.ids[call.id] = index
            fn = call.function
            if fn is not None and fn.name:
                if state.names.get(index) == fn.name:
                    fn.name = None  # repeated name, else it would be concatenated
                else:
                    state.names[index] = fn.name

    def finish(self) -> list[ChatCompletionChunk]:
        """Closing chunks at ``[DONE]``: text still held back, then the usage, once."""
        base = self._last
        out: list[ChatCompletionChunk] = []
        for index, state in self._choices.items():
            tail = state.trimmer.flush() if state.trimmer is not None else ""
            if tail:
                out.append(
                    self._derive(base, [ChunkChoice(index=index, delta=Delta(content=tail))])
                )
        if self.usage is not None:
            last = self._derive(base, [])
            last.usage = self.usage
            out.append(last)
        return out

    @staticmethod
    def _derive(
        base: ChatCompletionChunk | None, choices: list[ChunkChoice]
    ) -> ChatCompletionChunk:
        if base is None:
            return ChatCompletionChunk(choices=choices)
        return ChatCompletionChunk(
            id=base.id,
            created=base.created,
            model=base.model,
            choices=choices,
            request_id=base.request_id,
        )
