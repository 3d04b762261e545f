"""What this integration adds to LangSmith traces, besides LangChain's own ``ls_*`` params.

langchain-core sets ``ls_integration`` itself (``"langchain_chat_model"``, whatever the model
returns), so the distribution and its version go in two keys of their own, which LangSmith
shows with the run's metadata: which release produced a trace is then visible in it.
"""

from __future__ import annotations

from importlib import metadata

#: The distribution that ships ``langchain_hunyuan``.
DISTRIBUTION = "hunyuan-integrations"


def _version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


VERSION = _version()

#: Added to every chat model's LangSmith params.
LS_EXTRAS = {"ls_integration_package": DISTRIBUTION, "ls_integration_version": VERSION}
