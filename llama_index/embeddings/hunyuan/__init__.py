"""``from llama_index.embeddings.hunyuan import HunyuanEmbedding``: LlamaIndex's import path for
this distribution's embeddings, the same class as ``llama_index_hunyuan``."""

from llama_index_hunyuan import HunyuanEmbedding, __version__

__all__ = ["HunyuanEmbedding", "__version__"]
