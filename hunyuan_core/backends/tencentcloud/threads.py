"""Thread runs (``RunThread``): the run object and the events of a streamed run.

Documented at https://cloud.tencent.com/document/api/1729/112207 (RunThread).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
from pydantic import ConfigDict, Field

from hunyuan_core.backends.base import request_id_of
from hunyuan_core.backends.tencentcloud.backend import NativeBackend
from hunyuan_core.backends.tencentcloud.convert import chat_params
from hunyuan_core.errors import StreamError
from hunyuan_core.sse import iter_sse_data
from hunyuan_core.types import _Wire


class ThreadRun(_Wire):
    """A ``thread.run`` object from ``RunThread``; fields not named here stay in ``model_extra``
    under their wire names (``ExpiresAt``, ``TruncationStrategy``, ...)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    id: str = Field("", alias="ID")
    object: str = Field("thread.run", alias="Object")
    created_at: int = Field(0, alias="CreatedAt")
    thread_id: str = Field("", alias="ThreadID")
    assistant_id: str = Field("", alias="AssistantID")
    status: str = Field("", alias="Status")
    model: str = Field("", alias="Model")
    usage: dict[str, Any] | None = Field(None, alias="Usage")
    last_error: Any = Field(None, alias="LastError")
    required_action: Any = Field(None, alias="RequiredAction")
    #: The other events of a streamed run (messages, deltas), in order.
    events: list[dict[str, Any]] = Field(default_factory=list)
    request_id: str | None = None


def _run_events(response: httpx.Response) -> Iterator[dict[str, Any]]:
    if "json" in response.headers.get("content-type", ""):
        raw = json.loads(response.read())
        yield raw.get("Response", raw) if isinstance(raw, dict) else {}
        return
    for data in iter_sse_data(response.iter_lines()):
        if data == "[DONE]":
            return
        event = json.loads(data)
        if isinstance(event, dict):
            yield event


def run_body(
    thread_id: str,
    messages: list[dict[str, Any]] | None,
    model: str | None,
    assistant_id: str | None,
    params: dict[str, Any],
) -> dict[str, Any]:
    """``RunThread``'s parameters. ``messages`` (OpenAI-shaped) become ``AdditionalMessages``;
    other parameters are translated as for chat. The API allows only ``Stream: true``."""
    body: dict[str, Any] = {"ThreadID": thread_id, "Stream": True, **chat_params(params)}
    if model:
        body["Model"] = model
    if assistant_id:
        body["AssistantID"] = assistant_id
    if messages:
        body["AdditionalMessages"] = [
            {"Role": m["role"], "Content": m.get("content") or ""} for m in messages
        ]
    return body


def collect_run(response: httpx.Response, backend: NativeBackend) -> ThreadRun:
    """The run as it last reported itself; its other events (messages, deltas) in ``events``."""
    request_id = request_id_of(response.headers)
    run: dict[str, Any] = {}
    events: list[dict[str, Any]] = []
    try:
        for event in _run_events(response):
            if isinstance(event.get("Error"), dict):
                raise backend.native_error(event, None, request_id)
            kind = str(event.get("Object", ""))
            if kind.startswith("thread.run") and ".step" not in kind:
                run = event
            else:
                events.append(event)
    except ValueError as exc:
        raise StreamError("malformed RunThread event", request_id=request_id) from exc
    if not run:
        raise StreamError("RunThread ended without a thread.run object", request_id=request_id)
    result = ThreadRun.model_validate(run)
    result.events = events
    result.request_id = request_id
    return result
