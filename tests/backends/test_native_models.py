"""The legacy/native model table: every row says where its figures come from, and the rows
issue 13 found wrong match Tencent's model list as LobeHub transcribed it
(https://github.com/lobehub/lobe-chat/blob/9acb63ae576ccbf2c75dc229b5403ccb4b8ebb0e/packages/model-bank/src/aiModels/hunyuan.ts)
and the SDK's ChatCompletionsRequest.Tools (tools only for hunyuan-turbos, hunyuan-t1,
hunyuan-functioncall)."""

from __future__ import annotations

import re

import pytest

from hunyuan_core.models import MODELS, ModelInfo, model_info

#: Rows of the legacy platform's model list (TokenHub's rows cite product 1823 / intl 1300).
LEGACY = [n for n in MODELS if "/document/product/1729/" in MODELS[n].source]


def test_the_legacy_rows_are_the_hunyuan_models_not_on_tokenhub() -> None:
    assert "hunyuan-turbos-latest" in LEGACY and "hy3" not in LEGACY and len(LEGACY) >= 15


@pytest.mark.parametrize("name", sorted(MODELS))
def test_each_row_names_a_public_source_and_the_date_read(name: str) -> None:
    source = MODELS[name].source
    assert re.search(
        r"https://(intl\.)?cloud\.tencent\.com/document/product/(1729|1823|1300)/", source
    )
    assert re.search(r"read 20\d\d-\d\d-\d\d", source)
    assert 0 < MODELS[name].max_output_tokens < MODELS[name].context_window


@pytest.mark.parametrize(
    ("name", "window", "output", "tools"),
    [
        ("hunyuan-t1-latest", 96_000, 64_000, True),  # 32k in + 64k out; t1 takes Tools
        ("hunyuan-vision", 32_000, 16_000, False),
        ("hunyuan-turbos-latest", 44_000, 16_000, True),  # 28k in + 16k out
        ("hunyuan-a13b", 256_000, 32_000, False),
        ("hunyuan-large", 32_000, 4_000, False),  # not among the models Tools works for
    ],
)
def test_the_disputed_rows_follow_the_sources(
    name: str, window: int, output: int, tools: bool
) -> None:
    info = MODELS[name]
    assert (info.context_window, info.max_output_tokens, info.function_calling) == (
        window,
        output,
        tools,
    )


def test_a_dated_version_takes_its_family_row_and_source_defaults_to_empty() -> None:
    assert model_info("hunyuan-t1-vision-20250916") is MODELS["hunyuan-t1-vision"]
    assert ModelInfo(1, 1).source == ""
