"""A loopback server speaking the Tencent Cloud native Hunyuan API (Version 2023-09-01).

Built from the documented format, not from recordings: field names from Tencent's Python SDK
(``tencentcloud/hunyuan/v20230901/models.py``), the error envelope and ``X-TC-RequestId`` from the
SDK's ``abstract_client.py``, RunThread's run object from Tencent's RunThread page
(https://cloud.tencent.com/document/api/1729/112207). It:

- checks the TC3-HMAC-SHA256 ``Authorization`` against :data:`SECRETS` and the ``X-TC-*``
  headers, answering failures as the API does: HTTP 200 with ``{"Response": {"Error": ...}}``;
- answers ``ChatCompletions`` (JSON, or SSE ``data:`` events with cumulative ``Usage`` and no
  ``[DONE]``), ``GetEmbedding`` (``InputList`` of at most 50) and ``RunThread`` (streamed);
- decides replies like :class:`tests.support.emulator.HunyuanEmulator` (same canned text, tool calls
  from the tool's schema, inclusive ``Stop``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hunyuan_core.backends.tencentcloud import tc3
from tests.support.emulator import (
    THINKING,
    THINKING_MODELS,
    Exchange,
    Handler,
    HunyuanEmulator,
    _check_messages,
    _pieces,
    _tokens,
    fake_vector,
)

#: secret id -> secret key the emulator accepts.
SECRETS = {"test-secret-id": "test-secret-key", "test-temp-id": "test-temp-key"}
#: Temporary (STS) secret ids -> the session token they need in ``X-TC-Token``.
TOKENS = {"test-temp-id": "test-session-token"}
NOTE = "以上内容为AI生成，不代表开发者立场，请勿删除或修改本标记"
MAX_INPUT_LIST = 50


def error_body(code: str, message: str, request_id: str) -> dict[str, Any]:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}


def native_error(code: str, message: str = "") -> Handler:
    """A scripted handler answering the next request with a native error (HTTP 200)."""

    async def handler(ex: Exchange) -> None:
        rid = "err-" + hashlib.md5(ex.body).hexdigest()[:12]
        await ex.send_json(200, error_body(code, message or code, rid), {"X-TC-RequestId": rid})

    return handler


def _openai_content(msg: dict[str, Any]) -> Any:
    if "Contents" in msg:
        return [
            {"type": "text", "text": p.get("Text", "")}
            if p.get("Type") == "text"
            else {"type": "image_url", "image_url": {"url": p["ImageUrl"]["Url"]}}
            for p in msg["Contents"]
        ]
    return msg.get("Content")


def openai_body(params: dict[str, Any]) -> dict[str, Any]:
    """The native parameters read back in OpenAI shape, to reuse the base emulator's replies."""
    messages = []
    for m in params.get("Messages") or []:
        out: dict[str, Any] = {"role": m["Role"], "content": _openai_content(m)}
        if m.get("ToolCallId"):
            out["tool_call_id"] = m["ToolCallId"]
        if m.get("ToolCalls"):
            out["tool_calls"] = [{"id": c["Id"]} for c in m["ToolCalls"]]
        messages.append(out)
    tools = [
        {
            "type": "function",
            "function": {
                "name": t["Function"]["Name"],
                "parameters": json.loads(t["Function"].get("Parameters") or "{}"),
            },
        }
        for t in params.get("Tools") or []
    ]
    choice: Any = params.get("ToolChoice", "auto")
    if choice == "custom":
        choice = {
            "type": "function",
            "function": {"name": params["CustomTool"]["Function"]["Name"]},
        }
    return {"messages": messages, "tools": tools, "tool_choice": choice, "stop": params.get("Stop")}


def _message_problem(messages: list[dict[str, Any]]) -> str | None:
    """The SDK's rules for ``Messages`` the base emulator does not check: Content must not be
    empty, and ``ReasoningContent`` must not be sent back (models.py, ``Message``)."""
    for i, m in enumerate(messages):
        if "ReasoningContent" in m:
            return f"Messages[{i}] contains ReasoningContent, which must not be sent back"
        if not m.get("Content") and not m.get("Contents"):
            return f"Messages[{i}].Content must not be empty"
    return None


class NativeEmulator(HunyuanEmulator):
    """``with NativeEmulator() as emu:`` then point ``NativeBackend(endpoint=emu.base_url)``.

    ``cached_tokens`` (a string, as the SDK types it) adds ``Usage.PromptTokensDetails``.
    """

    cached_tokens: str | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _request_id(self) -> str:
        self._counter += 1
        return hashlib.md5(f"native-{self._counter}".encode()).hexdigest()

    def _auth_problem(self, ex: Exchange) -> tuple[str, str] | None:
        h = ex.headers
        if h.get("x-tc-version") != "2023-09-01":
            return "InvalidParameter", "X-TC-Version must be 2023-09-01"
        auth = h.get("authorization", "")
        try:
            credential = auth.split("Credential=", 1)[1].split("/", 1)[0]
            secret_key = SECRETS[credential]
        except (IndexError, KeyError):
            return "AuthFailure.SecretIdNotFound", "The SecretId is not found"
        expected = tc3.authorization(
            secret_id=credential,
            secret_key=secret_key,
            service="hunyuan",
            host=h.get("host", ""),
            payload=ex.body,
            timestamp=int(h.get("x-tc-timestamp", "0")),
            content_type=h.get("content-type", ""),
        )
        if auth != expected:
            return "AuthFailure.SignatureFailure", "The provided credentials could not be validated"
        if credential in TOKENS and h.get("x-tc-token") != TOKENS[credential]:
            return "AuthFailure.TokenFailure", "token error"
        return None

    async def _route(self, ex: Exchange) -> None:
        rid = self._request_id()
        problem = self._auth_problem(ex)
        if problem:
            await ex.send_json(200, error_body(*problem, rid), {"X-TC-RequestId": rid})
            return
        action = ex.headers.get("x-tc-action")
        if action == "ChatCompletions":
            await self._chat_native(ex, rid)
        elif action == "GetEmbedding":
            await self._embed_native(ex, rid)
        elif action == "RunThread":
            await self._run_thread(ex, rid)
        else:
            await ex.send_json(
                200,
                error_body("InvalidAction", f"no action {action}", rid),
                {"X-TC-RequestId": rid},
            )

    async def _chat_native(self, ex: Exchange, rid: str) -> None:
        params = ex.json
        body = openai_body(params)
        problem = _message_problem(params.get("Messages") or []) or _check_messages(
            body["messages"]
        )
        if problem:
            await ex.send_json(200, error_body("InvalidParameter", problem, rid))
            return
        reply = self.reply_for(body)
        prompt = _tokens(json.dumps(params["Messages"], ensure_ascii=False))
        created = 1737186705 + self._counter
        calls = [
            {
                "Id": c["id"],
                "Type": "function",
                "Function": {
                    "Name": c["function"]["name"],
                    "Arguments": c["function"]["arguments"],
                },
                "Index": i,
            }
            for i, c in enumerate(reply.tool_calls)
        ]
        if not params.get("Stream"):
            message: dict[str, Any] = {"Role": "assistant", "Content": reply.content}
            if calls:
                message["ToolCalls"] = calls
            if params.get("Model", "").startswith(THINKING_MODELS):
                message["ReasoningContent"] = THINKING
            completion = _tokens(reply.content + json.dumps(calls))
            response = {
                "Created": created,
                "Usage": self._usage(prompt, completion),
                "Note": NOTE,
                "Id": rid,
                "Choices": [{"Index": 0, "Message": message, "FinishReason": reply.finish_reason}],
                "RequestId": rid,
            }
            await ex.send_json(200, {"Response": response})
            return
        await ex.start_stream({"X-TC-RequestId": rid})
        deltas: list[dict[str, Any]] = []
        if calls:
            deltas = [{"Role": "assistant", "Content": "", "ToolCalls": [c]} for c in calls]
        else:
            deltas = [{"Role": "assistant", "Content": p} for p in _pieces(reply.content)]
        for n, delta in enumerate(deltas, 1):
            await ex.send_event(self._event(rid, created, delta, "", prompt, n), drain=False)
        final = {"Role": "assistant", "Content": ""}
        await ex.send_event(
            self._event(rid, created, final, reply.finish_reason, prompt, len(deltas))
        )
        await ex.end_stream()  # the native stream has no [DONE]

    def _usage(self, prompt: int, completion: int) -> dict[str, Any]:
        usage: dict[str, Any] = _usage(prompt, completion)
        if self.cached_tokens is not None:
            usage["PromptTokensDetails"] = {"CachedTokens": self.cached_tokens}
        return usage

    def _event(
        self, rid: str, created: int, delta: dict[str, Any], finish: str, prompt: int, n: int
    ) -> str:
        return json.dumps(
            {
                "Note": NOTE,
                "Choices": [{"Index": 0, "Delta": delta, "FinishReason": finish}],
                "Created": created,
                "Id": rid,
                "Usage": self._usage(prompt, n),
            },
            ensure_ascii=False,
        )

    async def _embed_native(self, ex: Exchange, rid: str) -> None:
        params = ex.json
        texts = params.get("InputList") or ([params["Input"]] if params.get("Input") else [])
        if not texts or len(texts) > MAX_INPUT_LIST:
            await ex.send_json(
                200,
                error_body("InvalidParameter", f"InputList must hold 1 to {MAX_INPUT_LIST}", rid),
            )
            return
        tokens = sum(_tokens(t) for t in texts)
        data = [
            {"Embedding": fake_vector(t), "Index": i, "Object": "embedding"}
            for i, t in enumerate(texts)
        ]
        await ex.send_json(
            200,
            {
                "Response": {
                    "Data": data,
                    "Usage": {"PromptTokens": tokens, "TotalTokens": tokens},
                    "RequestId": rid,
                }
            },
        )

    async def _run_thread(self, ex: Exchange, rid: str) -> None:
        """Streamed run events: the run object (the documented fields) as its status changes, with
        the reply as thread.message.delta events between them (event shape inferred)."""
        params = ex.json
        run = {
            "ID": "run_" + rid[:24],
            "Object": "thread.run",
            "CreatedAt": 1727355339,
            "ThreadID": params["ThreadID"],
            "AssistantID": params.get("AssistantID", ""),
            "Status": "created",
            "RequiredAction": None,
            "LastError": None,
            "Model": params.get("Model", "hunyuan"),
            "Instructions": "",
            "Tools": [],
            "Metadata": {},
            "Usage": None,
            "TruncationStrategy": {"Type": "", "LastMessages": None},
            "ParallelToolCalls": False,
        }
        await ex.start_stream({"X-TC-RequestId": rid})
        await ex.send_event(json.dumps(run, ensure_ascii=False), drain=False)
        await ex.send_event(json.dumps({**run, "Status": "in_progress"}), drain=False)
        text = self.reply_for(openai_body({"Messages": params.get("AdditionalMessages")})).content
        for piece in _pieces(text):
            delta = {"ID": "msg_" + rid[:8], "Object": "thread.message.delta", "Delta": piece}
            await ex.send_event(json.dumps(delta, ensure_ascii=False), drain=False)
        done = {**run, "Status": "completed", "Usage": _usage(10, _tokens(text))}
        await ex.send_event(json.dumps(done, ensure_ascii=False))
        await ex.end_stream()


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "PromptTokens": prompt,
        "CompletionTokens": completion,
        "TotalTokens": prompt + completion,
    }
