"""Fixtures for the plugin-contract tests: a clean environment, the built-in registry, and fake
installed distributions for real entry-point discovery."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from kamcore.plugins import ENV_BLOCK, ENV_LOAD, ENV_RAISE, ENV_TRACE, PluginHost
from kamcore.registry import Registry

FAKE_MODULES = ("fakeplug_mod", "fakebroken_mod")


@pytest.fixture(autouse=True)
def clean_plugin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own KAMCORE_* switches must not change what these tests see."""
    for name in (ENV_LOAD, ENV_BLOCK, ENV_TRACE, ENV_RAISE):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def builtins() -> Registry:
    """The registry of the built-in plugins alone (built once: it is never mutated)."""
    return PluginHost(environ={}).build_registry({})


def _write_distribution(root: Path, name: str, module: str, source: str) -> None:
    (root / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = root / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(f"[kamcore]\n{name} = {module}\n", encoding="utf-8")


@pytest.fixture
def fake_dists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Two installed distributions on ``sys.path``, found through the ``kamcore`` entry-point
    group exactly as a pip-installed plugin would be: ``fakeplug`` (works) and ``fakebroken``
    (its module fails to import)."""
    _write_distribution(
        tmp_path,
        "fakeplug",
        "fakeplug_mod",
        """
        from kamcore.hookspecs import hookimpl
        from kamcore.registry import Fact


        @hookimpl
        def kamcore_register_facts(register):
            register(Fact("fakeplug.signal", "integer", doc="Registered by fakeplug."))
        """,
    )
    _write_distribution(
        tmp_path,
        "fakebroken",
        "fakebroken_mod",
        """
        import kamcore_module_that_does_not_exist  # noqa: F401
        """,
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for module in FAKE_MODULES:
        sys.modules.pop(module, None)
