"""``from llama_index.llms.hunyuan import Hunyuan``: LlamaIndex's import path for this
distribution's LLMs, the same classes as ``llama_index_hunyuan``."""

from llama_index_hunyuan import Hunyuan, Yuanqi, __version__

__all__ = ["Hunyuan", "Yuanqi", "__version__"]
