"""Tencent Hunyuan for LangChain: ``ChatHunyuan`` and ``HunyuanEmbeddings`` on ``hunyuan_core``."""

from langchain_hunyuan.chat_models import ChatHunyuan
from langchain_hunyuan.embeddings import HunyuanEmbeddings

__all__ = ["ChatHunyuan", "HunyuanEmbeddings"]

from langchain_hunyuan.yuanqi import ChatYuanqi

__all__ += ["ChatYuanqi"]
