"""``Yuanqi``: a published Tencent Yuanqi (元器) agent as a LlamaIndex LLM.

It is :class:`~llama_index_hunyuan.Hunyuan` over :class:`hunyuan_core.yuanqi.YuanqiBackend`:
same message conversion, streaming and usage. The agent's ``steps`` (its plugin / knowledge /
workflow calls and their results) are in the reply message's ``additional_kwargs["steps"]``;
streamed, each step is on its chunk's ``raw`` (``raw.model_extra["step"]``). The agent runs its
own tools, so it is not a function-calling model here.
"""

from __future__ import annotations

from llama_index.core.base.llms.types import LLMMetadata
from pydantic import Field, SecretStr

from hunyuan_core import Backend, backend_for
from hunyuan_core.settings import AGENT_FIELDS, agent_settings
from llama_index_hunyuan.llms import Hunyuan


class Yuanqi(Hunyuan):
    """A Yuanqi agent: ``token`` (``YUANQI_TOKEN``), ``assistant_id`` (``YUANQI_ASSISTANT_ID``),
    ``user_id`` (``YUANQI_USER_ID``).

    Example::

        from llama_index.core import Settings
        from llama_index_hunyuan.yuanqi import Yuanqi

        Settings.llm = Yuanqi(assistant_id="I4aVQTHpsJro")  # token from YUANQI_TOKEN

    ``finish_reason`` ``"tool_fail"`` is in ``additional_kwargs`` and logged;
    ``raise_on_tool_fail=True`` raises ``hunyuan_core.yuanqi.AgentToolError``.
    """

    model: str = Field(
        default="yuanqi-agent", description="Only a label: the agent's settings apply."
    )
    token: SecretStr | None = Field(
        default=None, description="The agent's API token; YUANQI_TOKEN if unset.", exclude=True
    )
    assistant_id: str | None = Field(default=None, description="The agent's id.")
    user_id: str | None = Field(default=None, description="Your user's id, for the agent's stats.")
    yuanqi_base_url: str | None = Field(default=None, description="YUANQI_BASE_URL if unset.")
    raise_on_tool_fail: bool = Field(
        default=False, description="Raise AgentToolError on tool_fail."
    )

    def _backend(self) -> Backend:
        fields = {k: getattr(self, k) for k in AGENT_FIELDS if k in self.model_fields_set}
        return backend_for(agent_settings(fields), raise_on_tool_fail=self.raise_on_tool_fail)

    @classmethod
    def class_name(cls) -> str:
        return "Yuanqi"

    @property
    def metadata(self) -> LLMMetadata:
        """Not a function-calling model (the agent runs its own tools); ``context_window``
        and ``max_tokens`` as the user set them, else LlamaIndex's defaults."""
        defaults = LLMMetadata()
        return LLMMetadata(
            context_window=self.context_window or defaults.context_window,
            num_output=self.max_tokens or defaults.num_output,
            is_chat_model=self.is_chat_model,
            is_function_calling_model=False,
            model_name=self.model,
        )
