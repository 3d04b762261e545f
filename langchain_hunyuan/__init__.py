"""Tencent Hunyuan for LangChain: ``ChatHunyuan``, ``HunyuanEmbeddings`` and ``ChatYuanqi`` (Yuanqi
agents), on ``hunyuan_core``."""

from hunyuan_core import __version__
from langchain_hunyuan.chat_models import ChatHunyuan
from langchain_hunyuan.embeddings import HunyuanEmbeddings
from langchain_hunyuan.yuanqi import ChatYuanqi

__all__ = ["ChatHunyuan", "ChatYuanqi", "HunyuanEmbeddings", "__version__"]
