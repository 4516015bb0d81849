"""Shared fixtures of the retail pack's tests: the two shipped policies, built once, and
kamcore's opt-in pytest plugin (:mod:`kamcore.testing`).

The tests take the path a third-party plugin's tests take: engines are built through
``kamcore.testing`` with only ``kamcore_retail`` visible (``installed=[...]``), so another
plugin installed in the environment, or a developer's ``KAMCORE_*`` switches, cannot change a
verdict here.

``kamcore.testing`` is activated from :func:`pytest_configure` rather than with
``pytest_plugins = [...]``: pytest refuses ``pytest_plugins`` in a conftest below the rootdir
once collection has started (``pytest tests``, as CI runs it), while this hook works both then
and when only ``tests/packs/retail`` is run. The module is registered as it is (another test
module may have imported it already, too late for pytest to rewrite its asserts, which it would
report as an error), and only if nothing else has activated it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import kamcore.testing
from kamcore import Engine
from kamcore.testing import build_engine

ROOT = Path(__file__).resolve().parents[3]
RETAIL = ROOT / "policies" / "retail"
BASE = RETAIL / "base.toml"
CLIENT = RETAIL / "example-jade-spring.toml"
SAMPLE = RETAIL / "sample.csv"
DOC = ROOT / "docs" / "packs" / "retail.md"

#: The entry-point name of the pack: the one installed plugin these tests let engines load.
PLUGIN = "kamcore_retail"


def pytest_configure(config: pytest.Config) -> None:
    """Activate ``kamcore.testing`` (its fixtures and markers) for these tests."""
    if not config.pluginmanager.has_plugin("kamcore.testing"):
        config.pluginmanager.register(kamcore.testing, "kamcore.testing")


def retail_engine(policy: str | Path, *, name: str = "client.toml") -> Engine:
    """An isolated engine for policy text (named ``name`` in error locations) or a policy
    file, with the pack installed; ``extends`` of policy text resolves against the repository."""
    return build_engine(policy, installed=[PLUGIN], base_dir=ROOT, name=name)


@pytest.fixture(scope="package")
def base() -> Engine:
    """The retail base policy."""
    return retail_engine(BASE)


@pytest.fixture(scope="package")
def client() -> Engine:
    """Jade Spring Beverages' policy (extends the base; has portfolio rules)."""
    return retail_engine(CLIENT)
