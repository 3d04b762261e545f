"""The backend parses 2xx bodies in one pydantic-core pass; unusual bodies must still fail the
same way as before (a typed error naming the problem), and good bodies parse identically."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest

from hunyuan_core import APIStatusError, ChatCompletion, EmbeddingResponse
from hunyuan_core.backends.openai_compatible import _VECTORS, OpenAICompatibleBackend

HEADERS = {"x-request-id": "req-1"}
backend = OpenAICompatibleBackend(api_key=None)


def body(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode()


COMPLETION = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1737186705,
    "model": "hunyuan-turbos-latest",
    "note": "kept as an extra field",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "您好"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
}


def test_completion_parses_as_the_python_path_would() -> None:
    parsed = backend.parse_chat(body(COMPLETION), HEADERS)
    expected = ChatCompletion.model_validate(COMPLETION)
    expected.request_id = "req-1"
    assert parsed == expected
    assert parsed.model_extra == {"note": "kept as an extra field"}


def test_embeddings_parse_with_floats_and_request_id() -> None:
    raw = {
        "data": [{"index": 1, "embedding": [0.5, -1]}, {"index": 0, "embedding": [2, 0.25]}],
        "model": "hunyuan-embedding",
    }
    parsed = backend.parse_embeddings(body(raw), HEADERS)
    assert [d.embedding for d in parsed.data] == [[0.5, -1.0], [2.0, 0.25]]
    assert all(isinstance(x, float) for d in parsed.data for x in d.embedding)
    assert parsed.request_id == "req-1"
    assert parsed == EmbeddingResponse.model_validate({**raw, "request_id": "req-1"})


@pytest.mark.parametrize("parse", [backend.parse_chat, backend.parse_embeddings])
def test_error_body_with_200_raises_the_typed_error(parse: Any) -> None:
    error = {"error": {"message": "Invalid API-KEY", "type": "invalid_request_error"}}
    with pytest.raises(APIStatusError, match="Invalid API-KEY") as info:
        parse(body(error), HEADERS)
    assert info.value.request_id == "req-1"


@pytest.mark.parametrize("content", [b"", b"<html>502</html>", b'{"choices": '])
def test_non_json_body_raises_not_json(content: bytes) -> None:
    with pytest.raises(APIStatusError, match="not JSON"):
        backend.parse_chat(content, HEADERS)


def test_wrong_shape_raises_unexpected_shape() -> None:
    with pytest.raises(APIStatusError, match="unexpected response shape"):
        backend.parse_embeddings(body({"data": "nope"}), HEADERS)
    with pytest.raises(APIStatusError, match="unexpected response shape"):
        backend.parse_chat(body(["not", "an", "object"]), HEADERS)


def test_vectors_parse_as_the_embeddings_model_would() -> None:
    raw = {
        "data": [{"index": 1, "embedding": [0.5, -1]}, {"object": "embedding", "embedding": [2]}],
        "model": "hunyuan-embedding",
    }
    indexes, vectors, request_id = backend.parse_vectors(body(raw), HEADERS)
    parsed = backend.parse_embeddings(body(raw), HEADERS)
    assert indexes == [d.index for d in parsed.data] == [1, 0]
    assert vectors == [d.embedding for d in parsed.data] == [[0.5, -1.0], [2.0]]
    assert all(isinstance(x, float) for vector in vectors for x in vector)
    assert request_id == "req-1"


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"error": {"message": "Invalid API-KEY"}}, "Invalid API-KEY"),
        ({"data": [], "error": {"message": "quota", "code": "429001"}}, "quota"),
        ({"data": "nope"}, "unexpected response shape"),
        ({"data": [{"index": 0, "embedding": ["x"]}]}, "unexpected response shape"),
    ],
)
def test_vectors_of_a_bad_body_raise_the_typed_error(raw: Any, match: str) -> None:
    with pytest.raises(APIStatusError, match=match):
        backend.parse_vectors(body(raw), HEADERS)


def tracked_objects(parse: Any, content: bytes) -> int:
    """Objects the garbage collector tracks in what ``parse`` returns: each one counts towards
    the next collection, and those still alive at one are moved towards the full ones."""
    gc.collect()
    gc.disable()
    try:
        before = gc.get_count()[0]
        kept = parse(content)
        tracked: int = gc.get_count()[0] - before
        del kept
        return tracked
    finally:
        gc.enable()


def test_vectors_feed_the_garbage_collector_less_than_half_what_models_do() -> None:
    """A bulk job keeps 100,000 vectors; parsed as models (three tracked objects each besides
    the list) they made three times the young collections and twice the full ones, each full
    one a stall of up to 0.5 s in which no request was sent."""
    content = body({"data": [{"index": i, "embedding": [0.25] * 8} for i in range(2000)]})
    lean = tracked_objects(_VECTORS.validate_json, content)
    models = tracked_objects(EmbeddingResponse.model_validate_json, content)
    assert lean <= 2 * 2000 + 10  # the slotted item and its list
    assert models >= 2 * lean
