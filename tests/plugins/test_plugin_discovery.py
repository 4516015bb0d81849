"""Real entry-point discovery: distributions on ``sys.path`` declaring ``[kamcore]`` entry
points are listed without being imported, loaded only when activated, and filtered by the
environment switches."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kamcore.errors import PluginError
from kamcore.plugins import ENV_BLOCK, ENV_LOAD, ENV_RAISE, PluginHost, installed_plugins


def test_an_installed_plugin_is_listed_with_its_version(fake_dists: Path) -> None:
    found = installed_plugins()
    assert {"fakeplug", "fakebroken"} <= set(found)
    plugin = found["fakeplug"]
    assert (plugin.distribution, plugin.version, plugin.value) == (
        "fakeplug",
        "1.0",
        "fakeplug_mod",
    )


def test_listing_imports_nothing(fake_dists: Path) -> None:
    installed_plugins()
    assert "fakeplug_mod" not in sys.modules
    assert "fakebroken_mod" not in sys.modules  # a broken plugin does not break the listing


def test_activate_loads_the_plugin_and_its_registrations(fake_dists: Path) -> None:
    host = PluginHost()
    assert "fakeplug_mod" not in sys.modules  # nothing loads until a policy asks
    host.activate(["fakeplug"])
    assert host.external == ["fakeplug"]
    registry = host.build_registry({})
    assert registry.facts["fakeplug.signal"].plugin == "fakeplug"
    assert host.plugin_versions()["fakeplug"] == "1.0"


def test_activating_twice_is_harmless(fake_dists: Path) -> None:
    host = PluginHost()
    host.activate(["fakeplug", "fakeplug"])
    host.activate(["fakeplug"])
    assert host.external == ["fakeplug"]


def test_load_plugins_empty_hides_every_external_plugin(
    fake_dists: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_LOAD, "")
    assert installed_plugins() == {}
    host = PluginHost()
    with pytest.raises(PluginError, match="not installed; installed plugins: none") as info:
        host.activate(["fakeplug"])
    assert "KAMCORE_LOAD_PLUGINS is set to ''" in str(info.value)
    assert "growth" in host.build_registry({}).metrics  # built-ins still load


def test_load_plugins_names_the_only_visible_ones(
    fake_dists: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_LOAD, "fakeplug")
    assert list(installed_plugins()) == ["fakeplug"]


def test_block_plugins_hides_and_refuses_it(
    fake_dists: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_BLOCK, "fakeplug")
    assert "fakeplug" not in installed_plugins()
    assert "fakebroken" in installed_plugins()
    with pytest.raises(PluginError, match="the policy needs it but KAMCORE_BLOCK_PLUGINS blocks"):
        PluginHost().activate(["fakeplug"])
    assert "fakeplug_mod" not in sys.modules


def test_a_plugin_that_fails_to_import_is_named(fake_dists: Path) -> None:
    with pytest.raises(PluginError, match='error importing plugin "fakebroken"') as info:
        PluginHost().activate(["fakebroken"])
    assert (info.value.plugin, info.value.hook) == ("fakebroken", "import")
    assert "kamcore_module_that_does_not_exist" in str(info.value)
    assert isinstance(info.value.__cause__, ModuleNotFoundError)  # the traceback is kept


def test_an_import_error_is_raised_as_is_when_asked(
    fake_dists: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_RAISE, "1")
    with pytest.raises(ModuleNotFoundError):
        PluginHost().activate(["fakebroken"])


def test_activating_a_plugin_that_is_not_installed_lists_the_installed_ones(
    fake_dists: Path,
) -> None:
    with pytest.raises(PluginError, match=r"not installed; installed plugins: .*fakeplug") as info:
        PluginHost().activate(["fakeplgu"])
    assert (info.value.plugin, info.value.hook) == ("fakeplgu", "load")
    assert "fakebroken" in str(info.value)
