"""``ChatYuanqi``: a published Tencent Yuanqi (元器) agent as a LangChain chat model.

It is :class:`~langchain_hunyuan.ChatHunyuan` over :class:`hunyuan_core.yuanqi.YuanqiBackend`:
the same message conversion, streaming, usage and moderation handling, with the agent's
``steps`` (its plugin / knowledge / workflow calls and their results) in
``response_metadata["steps"]``, streamed or not. The agent runs its own tools, so
``bind_tools`` and structured output through tools are not available.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import LanguageModelInput, ModelProfile
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGenerationChunk
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils import from_env, secret_from_env
from pydantic import Field, SecretStr

from hunyuan_core import Backend, ChatCompletionChunk, backend_for
from hunyuan_core.settings import AGENT_FIELDS, agent_settings
from langchain_hunyuan.chat_models import ChatHunyuan, _ChunkConverter


class _StepCollector(_ChunkConverter):
    """The chunk converter that also collects streamed steps, for the finishing chunk."""

    __slots__ = ("steps",)

    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.steps: list[Any] = []

    def convert(self, chunk: ChatCompletionChunk) -> ChatGenerationChunk | None:
        step = (chunk.model_extra or {}).pop("step", None)
        if step is not None:
            self.steps.append(step)
        generation = super().convert(chunk)
        if generation is not None and generation.message.response_metadata.get("finish_reason"):
            generation.message.response_metadata["steps"] = self.steps
        return generation


class ChatYuanqi(ChatHunyuan):
    """A Yuanqi agent: ``token`` (``YUANQI_TOKEN``), ``assistant_id`` (``YUANQI_ASSISTANT_ID``)
    and ``user_id`` (``YUANQI_USER_ID``; your user, for the agent's statistics).

    ```python
    from langchain_hunyuan.yuanqi import ChatYuanqi

    agent = ChatYuanqi(assistant_id="I4aVQTHpsJro")  # token from YUANQI_TOKEN
    reply = agent.invoke("生成去张家口旅行的计划")
    reply.response_metadata["steps"]  # what the agent did
    ```

    ``finish_reason`` ``"tool_fail"`` (a tool of the agent failed) is in ``response_metadata``
    and logged; ``raise_on_tool_fail=True`` raises ``hunyuan_core.yuanqi.AgentToolError``.
    """

    model_name: str = Field(default="yuanqi-agent", alias="model")
    """Only a label: the agent's own model settings apply."""
    token: SecretStr | None = Field(
        default_factory=secret_from_env("YUANQI_TOKEN", default=None), alias="yuanqi_token"
    )
    assistant_id: str | None = Field(default_factory=from_env("YUANQI_ASSISTANT_ID", default=None))
    user_id: str | None = Field(default_factory=from_env("YUANQI_USER_ID", default=None))
    yuanqi_base_url: str | None = Field(default_factory=from_env("YUANQI_BASE_URL", default=None))
    raise_on_tool_fail: bool = False

    @property
    def _llm_type(self) -> str:
        return "yuanqi-chat"

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_hunyuan", "yuanqi"]

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"token": "YUANQI_TOKEN"}

    def _resolve_model_profile(self) -> ModelProfile | None:
        return ModelProfile(
            text_inputs=True, image_url_inputs=True, tool_calling=False, structured_output=False
        )

    def _backend(self) -> Backend:
        fields = {k: getattr(self, k) for k in AGENT_FIELDS if k in self.model_fields_set}
        return backend_for(agent_settings(fields), raise_on_tool_fail=self.raise_on_tool_fail)

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        raise NotImplementedError(
            "a Yuanqi agent runs the plugins, knowledge and workflows configured for it on "
            "Yuanqi; it takes no tools from the caller (use ChatHunyuan for tool calling)"
        )

    def _chunk_converter(self, model: str) -> _StepCollector:
        return _StepCollector(model)
