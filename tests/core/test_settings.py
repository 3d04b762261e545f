"""One resolver decides credentials and backend: arguments first, the environment second."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from hunyuan_core import HunyuanInputError, Settings, backend_for, resolve_settings
from hunyuan_core.backends.tencentcloud import NativeBackend
from hunyuan_core.backends.yuanqi import YuanqiBackend

KEY, ENV_KEY = "sk-explicit", "sk-from-env"
NATIVE_ENV = {"TENCENTCLOUD_SECRET_ID": "AKIDenv", "TENCENTCLOUD_SECRET_KEY": "env-secret"}
API_ENV = {"HUNYUAN_API_KEY": ENV_KEY}
NATIVE_ARGS = {"secret_id": "AKIDarg", "secret_key": "s"}


def secret(value: SecretStr | None) -> str | None:
    return None if value is None else value.get_secret_value()


# (explicit arguments, environment) -> (backend, the credential that is used)
CASES: list[tuple[dict[str, Any], dict[str, str], str, str | None]] = [
    ({}, {}, "openai-compatible", None),
    ({}, {"HUNYUAN_API_KEY": ENV_KEY}, "openai-compatible", ENV_KEY),
    ({}, NATIVE_ENV, "tencentcloud", "AKIDenv"),
    ({}, {"HUNYUAN_API_KEY": ENV_KEY, **NATIVE_ENV}, "openai-compatible", ENV_KEY),
    ({"api_key": KEY}, {"HUNYUAN_API_KEY": ENV_KEY}, "openai-compatible", KEY),
    ({"api_key": KEY}, NATIVE_ENV, "openai-compatible", KEY),
    (
        {"secret_id": "AKIDarg", "secret_key": "s"},
        {"HUNYUAN_API_KEY": ENV_KEY},
        "tencentcloud",
        "AKIDarg",
    ),
    (
        {"secret_id": "AKIDarg"},
        {"HUNYUAN_API_KEY": ENV_KEY, **NATIVE_ENV},
        "tencentcloud",
        "AKIDarg",
    ),
    ({"api_key": KEY, "secret_id": "AKIDarg", "secret_key": "s"}, {}, "openai-compatible", KEY),
]


@pytest.mark.parametrize(("explicit", "env", "backend", "credential"), CASES)
def test_precedence_in_the_core(
    explicit: dict[str, Any], env: dict[str, str], backend: str, credential: str | None
) -> None:
    settings = resolve_settings(explicit, env=env)
    assert settings.backend == backend
    used = settings.api_key if backend == "openai-compatible" else settings.secret_id
    assert secret(used) == credential


def test_the_key_variable_follows_the_endpoint() -> None:
    both = {"TOKENHUB_API_KEY": "sk-tokenhub", "HUNYUAN_API_KEY": "sk-legacy"}
    assert secret(resolve_settings({}, env=both).api_key) == "sk-tokenhub"
    legacy = resolve_settings({"base_url": "https://api.hunyuan.cloud.tencent.com/v1"}, env=both)
    assert secret(legacy.api_key) == "sk-legacy"
    intl = resolve_settings({"region": "ap-singapore"}, env=both)
    assert intl.base_url == "https://tokenhub-intl.tencentcloudmaas.com/v1"


def test_base_url_follows_its_backend() -> None:
    env = {"HUNYUAN_BASE_URL": "https://gw.example/v1", **NATIVE_ENV}
    native = resolve_settings({}, env=env)
    assert native.backend == "tencentcloud" and native.base_url is None  # not the gateway
    env["TENCENTCLOUD_HUNYUAN_ENDPOINT"] = "https://proxy.example"
    assert resolve_settings({}, env=env).base_url == "https://proxy.example"
    explicit = resolve_settings({"api_key": KEY, "base_url": "https://mine/v1"}, env=env)
    assert explicit.base_url == "https://mine/v1"


def test_session_token_and_region_reach_the_native_backend() -> None:
    env = {**NATIVE_ENV, "TENCENTCLOUD_SESSION_TOKEN": "sts-token", "TENCENTCLOUD_REGION": "ap-x"}
    backend = backend_for(resolve_settings({}, env=env))
    assert isinstance(backend, NativeBackend)
    assert secret(backend.token) == "sts-token" and backend.region == "ap-x"
    assert "sts-token" in backend.secrets


def test_yuanqi_settings_take_arguments_then_the_environment() -> None:
    env = {"YUANQI_TOKEN": "env-token", "YUANQI_ASSISTANT_ID": "env-agent", "HUNYUAN_API_KEY": "k"}
    settings = resolve_settings({"backend": "yuanqi", "assistant_id": "mine"}, env=env)
    backend = backend_for(settings)
    assert isinstance(backend, YuanqiBackend)
    assert backend.assistant_id == "mine" and secret(backend.api_key) == "env-token"


def test_unknown_settings_and_backends_are_refused() -> None:
    with pytest.raises(HunyuanInputError, match="unknown connection settings"):
        resolve_settings({"api_kye": "x"}, env={})
    with pytest.raises(HunyuanInputError, match="backend"):
        resolve_settings({"backend": "openai"}, env={})


def test_settings_repr_shows_no_secret() -> None:
    settings = Settings(backend="openai-compatible", api_key=SecretStr("sk-very-secret"))
    assert "sk-very-secret" not in repr(settings)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_core_has_no_import_cycle() -> None:
    """Module-level and deferred imports alike: no module of the core reaches itself again."""
    root = Path(__file__).resolve().parents[2] / "hunyuan_core"
    modules = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {
        name: {m for m in _imports(path) if m in modules and m != name}
        for name, path in modules.items()
    }
    # A package's __init__ re-exporting its children is not a cycle of logic: drop parent edges.
    for name, deps in graph.items():
        graph[name] = {d for d in deps if not name.startswith(d + ".")}

    def visit(node: str, stack: list[str]) -> None:
        assert node not in stack, " -> ".join([*stack, node])
        for dep in graph[node]:
            visit(dep, [*stack, node])

    for name in graph:
        visit(name, [])
