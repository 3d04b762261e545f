"""Tencent Hunyuan for LlamaIndex: ``Hunyuan`` (a function-calling LLM) and
``HunyuanEmbedding``, on the shared ``hunyuan_core`` HTTP core."""

from hunyuan_core import __version__
from llama_index_hunyuan.embeddings import HunyuanEmbedding
from llama_index_hunyuan.llms import Hunyuan

__all__ = ["Hunyuan", "HunyuanEmbedding", "__version__"]

from llama_index_hunyuan.yuanqi import Yuanqi

__all__ += ["Yuanqi"]
