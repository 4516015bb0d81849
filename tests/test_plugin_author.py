"""The plugin author's path: docs/plugins.md runs as written, ``kamcore.testing`` behaves as
documented, and the separately packaged example plugin, once installed, is discovered through
its entry point, listed by ``kam plugins`` and usable from a policy.

The fixtures' wiring (markers, per-test plugins, opt-in activation) is checked by running pytest
in a subprocess on small test files, because that is the only way to see a pytest plugin the way
its users do. Their logic is checked here directly through the plain functions and classes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from kamcore import Engine, Fact, Metric, PluginError, PolicyError, hookimpl
from kamcore.plugins import ENV_BLOCK, ENV_LOAD, ENV_RAISE, ENV_TRACE, installed_plugins
from kamcore.policy._toml import tomllib
from kamcore.testing import (
    AS_OF,
    AccountFactory,
    Evaluator,
    PluginSet,
    assert_policy_tests,
    build_engine,
    isolated_environ,
    make_account,
)

from .conftest import ROOT

GUIDE = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "examples" / "kamcore-plugin-example"
EXAMPLE_NAME = "kamcore_plugin_example"
EXAMPLE_DIST = "kamcore-plugin-example"
EXAMPLE_VERSION = "0.1.0"
SWITCHES = (ENV_LOAD, ENV_BLOCK, ENV_TRACE, ENV_RAISE)

_FENCE = re.compile(r"^```(?P<lang>\w+)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
_NAMED = re.compile(r"^# (?P<path>[\w./-]+\.(?:py|toml))\n")


def _blocks(language: str) -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    return [m["body"] for m in _FENCE.finditer(text) if m["lang"] == language]


def _name(block: str) -> str | None:
    """The file a block says it is (``# tests/conftest.py`` on its first line), if any."""
    match = _NAMED.match(block)
    return match["path"] if match else None


def _is_test_module(block: str) -> bool:
    name = _name(block) or ""
    return Path(name).name.startswith("test_") or Path(name).name == "conftest.py"


def _example_installed() -> bool:
    return EXAMPLE_NAME in installed_plugins(environ={})


def _write_distribution(root: Path, name: str, version: str, entry_points: str) -> None:
    """A ``*.dist-info`` on ``root`` declaring ``[kamcore]`` entry points, as pip would write."""
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(f"[kamcore]\n{entry_points}\n", encoding="utf-8")


def _example_paths(tmp_path: Path) -> list[str]:
    """``sys.path`` entries that make the example plugin importable and discoverable when it is
    not pip-installed (a plain checkout), so the guide's examples run either way."""
    if _example_installed():
        return []
    dists = tmp_path / "example-dist"
    _write_distribution(dists, EXAMPLE_DIST, EXAMPLE_VERSION, f"{EXAMPLE_NAME} = {EXAMPLE_NAME}")
    return [str(EXAMPLE), str(dists)]


@pytest.fixture(autouse=True)
def clean_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own KAMCORE_* switches must not change what these tests see."""
    for name in SWITCHES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """The example plugin's module, importable and found through its entry point."""
    for entry in reversed(_example_paths(tmp_path)):
        monkeypatch.syspath_prepend(entry)
    loaded_before = EXAMPLE_NAME in sys.modules
    import kamcore_plugin_example

    yield kamcore_plugin_example
    if not loaded_before:
        sys.modules.pop(EXAMPLE_NAME, None)


def _subprocess_env(extra_paths: list[str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SWITCHES and k != "PYTEST_ADDOPTS"}
    if extra_paths:
        env["PYTHONPATH"] = os.pathsep.join([*extra_paths, env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        )
    return env


def _pytest(
    folder: Path, *args: str, extra_paths: list[str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run pytest on ``folder`` (given its own pytest.ini) in a fresh interpreter."""
    (folder / "pytest.ini").write_text(
        "[pytest]\naddopts = -ra --strict-markers -p no:cacheprovider\nfilterwarnings = error\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *args, str(folder)],
        cwd=cwd or folder,
        env=_subprocess_env(extra_paths),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# -- docs/plugins.md ---------------------------------------------------------------------------


_RUN_BLOCKS = [b for b in _blocks("python") if not _is_test_module(b)]


@pytest.mark.parametrize(
    "source", _RUN_BLOCKS, ids=[_name(b) or f"python[{i}]" for i, b in enumerate(_RUN_BLOCKS)]
)
def test_guide_python_example_runs(
    source: str, example: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each block runs on its own as a fresh module: examples are self-contained."""
    module = types.ModuleType("docs_plugins_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(source, f"{GUIDE} ({_name(source) or 'example'})", "exec"), module.__dict__)


def test_guide_test_modules_pass_under_pytest(tmp_path: Path) -> None:
    """The guide's test files, with its conftest.py, pass when pytest runs them."""
    tests = tmp_path / "project" / "tests"
    tests.mkdir(parents=True)
    written = 0
    for block in _blocks("python"):
        name = _name(block)
        if name is not None and _is_test_module(block):
            (tests / Path(name).name).write_text(block, encoding="utf-8")
            written += 1
    assert (tests / "conftest.py").is_file(), "the guide shows no tests/conftest.py"
    expected = sum(
        len(re.findall(r"^def test_", path.read_text(encoding="utf-8"), re.MULTILINE))
        for path in tests.glob("test_*.py")
    )
    assert written >= 3
    assert expected >= 5
    outcome = _pytest(tests.parent, extra_paths=_example_paths(tmp_path))
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert f"{expected} passed" in outcome.stdout, outcome.stdout


_TOML_BLOCKS = _blocks("toml")


@pytest.mark.parametrize(
    "source", _TOML_BLOCKS, ids=[_name(b) or f"toml[{i}]" for i, b in enumerate(_TOML_BLOCKS)]
)
def test_guide_toml_example(source: str, example: types.ModuleType) -> None:
    """A policy compiles (with the example plugin available) and its [[tests]] pass; a
    pyproject.toml excerpt says only what the example's real pyproject.toml says."""
    data = tomllib.loads(source)
    if _name(source) == "pyproject.toml":
        real = tomllib.loads((EXAMPLE / "pyproject.toml").read_text(encoding="utf-8"))
        _assert_subset(data, real, "pyproject.toml")
        return
    assert "policy" in data, "a TOML block must be a policy or the example's pyproject.toml"
    engine = build_engine(source, plugins={EXAMPLE_NAME: example}, base_dir=ROOT)
    if engine.policy.tests:  # its own cases, or inherited through extends
        assert_policy_tests(engine)


def _assert_subset(part: Any, whole: Any, where: str) -> None:
    if isinstance(part, dict):
        assert isinstance(whole, dict), where
        for key, value in part.items():
            assert key in whole, f"{where}.{key} is not in the example's pyproject.toml"
            _assert_subset(value, whole[key], f"{where}.{key}")
    else:
        assert part == whole, f"{where}: the guide says {part!r}, the example has {whole!r}"


def test_guide_blocks_naming_an_example_file_show_it_exactly() -> None:
    """The tutorial cannot drift from the example package: a block headed with the path of one
    of its files (``# kamcore_plugin_example/__init__.py``) is that file, verbatim."""
    checked = []
    for block in _blocks("python") + _blocks("toml"):
        name = _name(block)
        if name is None or name == "pyproject.toml" or not (EXAMPLE / name).is_file():
            continue
        body = _NAMED.sub("", block, count=1)
        assert body == (EXAMPLE / name).read_text(encoding="utf-8"), f"{name} differs"
        checked.append(name)
    assert {
        "kamcore_plugin_example/__init__.py",
        "kamcore_plugin_example/policies/events.toml",
        "tests/conftest.py",
    } <= set(checked)


def test_guide_covers_every_switch_and_links_the_hook_reference() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    for switch in SWITCHES:
        assert f"`{switch}`" in text
    assert "](hooks.md)" in text


# -- kamcore.testing, used directly ----------------------------------------------------------


@pytest.fixture
def stray(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An installed plugin ``kamcore_stray`` that no test asked for."""
    root = tmp_path / "stray"
    root.mkdir()
    (root / "kamcore_stray_mod.py").write_text(_STRAY_MODULE, encoding="utf-8")
    _write_distribution(root, "kamcore-stray", "1.0", "kamcore_stray = kamcore_stray_mod")
    monkeypatch.syspath_prepend(str(root))
    yield root
    sys.modules.pop("kamcore_stray_mod", None)


_STRAY_MODULE = """\
from kamcore import Fact, hookimpl


@hookimpl
def kamcore_register_facts(register):
    register(Fact("stray.signal", "integer"))
"""
_STRAY_POLICY = '[policy]\nid = "s"\nversion = "1"\nplugins = ["kamcore_stray"]\n'


def test_isolated_environ_keeps_only_the_trace_switch() -> None:
    developer = {ENV_LOAD: "x", ENV_BLOCK: "y", ENV_RAISE: "1", ENV_TRACE: "1", "HOME": "/h"}
    assert isolated_environ(["a", "b", "a"], source=developer) == {
        ENV_LOAD: "a,b",
        ENV_TRACE: "1",
    }
    assert isolated_environ(source={}) == {ENV_LOAD: ""}


@pytest.mark.usefixtures("stray")
def test_build_engine_hides_installed_plugins_unless_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(PluginError, match="KAMCORE_LOAD_PLUGINS is set to ''"):
        build_engine(_STRAY_POLICY)
    monkeypatch.setenv(ENV_BLOCK, "kamcore_stray")  # a developer's switch: ignored when isolated
    engine = build_engine(_STRAY_POLICY, installed=["kamcore_stray"])
    assert engine.registry.facts["stray.signal"].plugin == "kamcore_stray"
    with pytest.raises(PluginError, match="KAMCORE_BLOCK_PLUGINS blocks it"):
        build_engine(_STRAY_POLICY, isolate=False)
    monkeypatch.delenv(ENV_BLOCK)
    assert "stray.signal" in build_engine(_STRAY_POLICY, isolate=False).registry.facts


def test_build_engine_reads_text_files_and_packaged_policies(tmp_path: Path) -> None:
    text = """
        [policy]
        id = "indented"
        version = "1"
        extends = ["kamcore:base/generic.toml"]
    """
    engine = build_engine(text)
    assert (engine.id, len(engine.policy.alerts.alerts)) == ("indented", 4)
    (tmp_path / "p.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    assert build_engine(tmp_path / "p.toml").id == "indented"
    assert build_engine("p.toml", base_dir=tmp_path).id == "indented"
    assert build_engine("kamcore:base/generic.toml").id == "kamcore-generic-base"


def test_build_engine_names_policy_text_in_errors() -> None:
    with pytest.raises(PolicyError, match=r"^<policy in mine>:3:"):
        build_engine('[policy]\nid = "x"\nversion = 1\n', name="<policy in mine>")


class _Signal:
    @hookimpl
    def kamcore_register_facts(self, register: Any) -> None:
        register(Fact("signal.value", "integer"))


def test_plugin_set_names_and_refuses_a_second_object_under_one_name() -> None:
    plugins = PluginSet()
    plugin = _Signal()
    assert plugins.add(plugin) == "_Signal"
    assert plugins.add(plugin) == "_Signal"  # the same object again is harmless
    with pytest.raises(ValueError, match="already registered as '_Signal'"):
        plugins.add(_Signal())
    assert plugins.add(_Signal(), name="other") == "other"
    assert plugins.add(types.ModuleType("kamcore_mod")) == "kamcore_mod"
    assert (list(plugins), len(plugins), "other" in plugins) == (
        ["_Signal", "other", "kamcore_mod"],
        3,
        True,
    )
    plugins.remove("other")
    assert plugins.names == ("_Signal", "kamcore_mod")


def test_accounts_get_fresh_ids_defaults_and_dotted_facts() -> None:
    account = AccountFactory()
    account.defaults["industry"] = "retail"
    made = [account(id="A2"), account(), account({"saas.arr": 5}, nps=9), account()]
    assert [a["id"] for a in made] == ["A2", "A1", "A3", "A4"]
    assert made[2] == {
        "id": "A3",
        "name": "Account A3",
        "industry": "retail",
        "saas.arr": 5,
        "nps": 9,
    }
    assert make_account(revenue_12m=1) == {"id": "A1", "name": "Account A1", "revenue_12m": 1}


_ONE_ALERT = """
[policy]
id = "one-alert"
version = "1"

[[alerts]]
id = "big"
when = "revenue_12m >= 1_000"
points = 1
"""


def test_evaluator_uses_a_fixed_date_and_keys_a_portfolio_by_id() -> None:
    engine = build_engine(_ONE_ALERT)
    evaluate = Evaluator()
    assert evaluate(engine, make_account(revenue_12m=5))["as_of"] == AS_OF.isoformat()
    assert evaluate(engine, make_account(revenue_12m=5), as_of="2025-01-31")["as_of"] == (
        "2025-01-31"
    )
    verdicts = evaluate.portfolio(
        engine, [make_account(id="S", revenue_12m=5), make_account(id="L", revenue_12m=5_000)]
    )
    assert {i: len(e["alerts"]) for i, e in verdicts.items()} == {"S": 0, "L": 1}


def test_evaluator_fails_on_rejected_accounts_and_repeated_ids() -> None:
    engine = build_engine(_ONE_ALERT)
    evaluate = Evaluator()
    with pytest.raises(pytest.fail.Exception, match=r"1 of 2 accounts were rejected:\n  B:"):
        evaluate.portfolio(
            engine, [make_account(id="G", revenue_12m=1), make_account(id="B", revenue_12m="x")]
        )
    with pytest.raises(pytest.fail.Exception, match="accounts share an id: A1"):
        evaluate.portfolio(engine, [make_account(), make_account()])


class _DecimalMetric:
    @hookimpl
    def kamcore_register_metrics(self, register: Any) -> None:
        register(Metric("exact", lambda revenue: Decimal(revenue), inputs=("revenue_12m",)))


def test_evaluator_fails_on_a_value_json_cannot_carry() -> None:
    engine = build_engine(
        '[policy]\nid = "d"\nversion = "1"\n\n[[alerts]]\nid = "a"\nwhen = "exact > 1"\n'
        "points = 1\n",
        plugins={"decimal": _DecimalMetric()},
    )
    with pytest.raises(pytest.fail.Exception, match="cannot be written as JSON: Decimal"):
        Evaluator()(engine, make_account(revenue_12m=2))


def test_assert_policy_tests_reports_every_mismatch_and_refuses_no_cases() -> None:
    passing = _ONE_ALERT + (
        '\n[[tests]]\nid = "large"\naccount = { id = "T", revenue_12m = 2_000 }\n'
        'expect = { alerts = ["big"] }\n'
    )
    assert [r.id for r in assert_policy_tests(build_engine(passing))] == ["large"]
    failing = passing.replace("2_000", "20")
    with pytest.raises(pytest.fail.Exception) as info:
        assert_policy_tests(build_engine(failing))
    assert "case 'large':\n    alerts: expected ['big'], got []" in str(info.value)
    with pytest.raises(pytest.fail.Exception, match="has no \\[\\[tests\\]\\] cases"):
        assert_policy_tests(build_engine(_ONE_ALERT))


# -- kamcore.testing, as a pytest plugin -------------------------------------------------------


def test_kamcore_testing_is_opt_in(tmp_path: Path) -> None:
    """No pytest11 entry point loads it; without activation its fixtures do not exist."""
    for ep in metadata.entry_points(group="pytest11"):
        assert not ep.value.startswith("kamcore"), ep
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_no_plugin.py").write_text(
        "def test_x(kamcore_engine):\n    pass\n", encoding="utf-8"
    )
    outcome = _pytest(tests, extra_paths=[])
    assert outcome.returncode != 0
    assert "fixture 'kamcore_engine' not found" in outcome.stdout


_WIRING_TESTS = '''\
import pytest

from kamcore import Fact, PluginError, PolicyError, hookimpl

STRAY = '[policy]\\nid = "s"\\nversion = "1"\\nplugins = ["kamcore_stray"]\\n'


class Leaky:
    @hookimpl
    def kamcore_register_facts(self, register):
        register(Fact("leaky.signal", "integer"))


def test_1_a_plugin_registered_for_one_test(kamcore_plugins, kamcore_registry):
    kamcore_plugins.add(Leaky())
    assert kamcore_registry().facts["leaky.signal"].plugin == "Leaky"


def test_2_does_not_leak_into_the_next(kamcore_plugins, kamcore_registry):
    assert len(kamcore_plugins) == 0
    assert "leaky.signal" not in kamcore_registry().facts


def test_installed_plugins_are_invisible_by_default(kamcore_engine):
    assert kamcore_engine.environ() == {"KAMCORE_LOAD_PLUGINS": ""}
    with pytest.raises(PluginError, match="KAMCORE_LOAD_PLUGINS is set to ''"):
        kamcore_engine(STRAY)


@pytest.mark.kamcore_installed("kamcore_stray")
def test_the_marker_makes_an_installed_plugin_visible(kamcore_engine, kamcore_registry):
    assert "stray.signal" in kamcore_engine(STRAY).registry.facts
    assert "stray.signal" in kamcore_registry().facts


def test_the_argument_makes_an_installed_plugin_visible(kamcore_engine):
    assert "stray.signal" in kamcore_engine(STRAY, installed=["kamcore_stray"]).registry.facts


@pytest.mark.kamcore_real_environ
def test_real_environ_sees_every_installed_plugin(kamcore_engine):
    assert "stray.signal" in kamcore_engine(STRAY).registry.facts


def test_a_registered_object_stands_in_for_the_installed_plugin(kamcore_plugins, kamcore_engine):
    kamcore_plugins.add(Leaky(), name="kamcore_stray")
    facts = kamcore_engine(STRAY).registry.facts
    assert facts["leaky.signal"].plugin == "kamcore_stray"
    assert "stray.signal" not in facts


def test_policies_are_found_next_to_the_test(kamcore_engine):
    assert kamcore_engine("policy.toml").id == "next-to-the-test"
    child = kamcore_engine(
        """
        [policy]
        id = "child"
        version = "1"
        extends = ["policy.toml"]
        """
    )
    assert child.id == "child"


def test_policy_text_is_named_after_the_test(kamcore_engine):
    with pytest.raises(PolicyError, match="<policy in test_policy_text_is_named_after_the_test>:3"):
        kamcore_engine('[policy]\\nid = "x"\\nversion = 1\\n')


def test_the_other_fixtures(
    kamcore_account, kamcore_evaluate, kamcore_policy_tests, kamcore_engine
):
    engine = kamcore_engine("policy.toml")
    assert kamcore_evaluate(engine, kamcore_account())["as_of"] == "2026-06-30"
    assert len(kamcore_policy_tests(engine)) == 1
'''

_WIRING_POLICY = """\
[policy]
id = "next-to-the-test"
version = "1"

[[tests]]
id = "empty"
account = { id = "T" }
expect = { alerts = [] }
"""


def test_fixtures_work_as_a_pytest_plugin(tmp_path: Path, stray: Path) -> None:
    """Activated with ``-p``, run from another directory, next to an installed stray plugin."""
    tests = tmp_path / "project" / "tests"
    tests.mkdir(parents=True)
    (tests / "test_wiring.py").write_text(_WIRING_TESTS, encoding="utf-8")
    (tests / "policy.toml").write_text(_WIRING_POLICY, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outcome = _pytest(
        tests.parent, "-p", "kamcore.testing", extra_paths=[str(stray)], cwd=elsewhere
    )
    assert outcome.returncode == 0, outcome.stdout + outcome.stderr
    assert "10 passed" in outcome.stdout, outcome.stdout


# -- the example plugin, installed -------------------------------------------------------------


@pytest.fixture
def installed_example() -> None:
    if not _example_installed():
        pytest.skip(
            "examples/kamcore-plugin-example is not installed in this environment; "
            "`pip install -e examples/kamcore-plugin-example` (scripts/test.sh does)"
        )


@pytest.mark.usefixtures("installed_example")
def test_the_example_is_discovered_through_its_entry_point() -> None:
    found = installed_plugins(environ={})[EXAMPLE_NAME]
    assert (found.distribution, found.version, found.value) == (
        EXAMPLE_DIST,
        EXAMPLE_VERSION,
        EXAMPLE_NAME,
    )


@pytest.mark.usefixtures("installed_example")
def test_kam_plugins_lists_the_example_with_what_it_registers() -> None:
    kam = Path(sys.executable).with_name("kam")
    if not kam.is_file():
        pytest.skip(f"the kam command is not installed next to {sys.executable}")
    outcome = subprocess.run(
        [str(kam), "plugins"],
        env=_subprocess_env([]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = outcome.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(EXAMPLE_NAME + " "))
    section = lines[start : start + 1 + _indented_run(lines[start + 1 :])]
    text = "\n".join(section)
    assert f"{EXAMPLE_NAME} {EXAMPLE_VERSION} (distribution {EXAMPLE_DIST}" in text
    for name in ("events_attended_12m", "events_invited_12m", "event_engagement"):
        assert name in text
    assert "vip_event_invitation" in text
    assert f"[config.{EXAMPLE_NAME}]" in text
    assert "error" not in text


def _indented_run(lines: list[str]) -> int:
    count = 0
    for line in lines:
        if not line.startswith(" "):
            break
        count += 1
    return count


@pytest.mark.usefixtures("installed_example")
def test_a_policy_using_the_installed_example_evaluates() -> None:
    engine = Engine.from_text(
        f"""
[policy]
id = "uses-the-example"
version = "1"
plugins = ["{EXAMPLE_NAME}"]

[config.{EXAMPLE_NAME}]
min_events = 4

[[tactics.rules]]
id = "vip"
when = "coalesce(event_engagement, 1) < 0.5"
tactic = "vip_event_invitation"
""",
        environ={ENV_LOAD: EXAMPLE_NAME},
    )
    assert engine.plugins()[EXAMPLE_NAME] == EXAMPLE_VERSION
    evaluations = engine.evaluate_portfolio(
        [
            {"id": "few", "events_invited_12m": 3, "events_attended_12m": 0},
            {"id": "quiet", "events_invited_12m": 4, "events_attended_12m": 1},
        ],
        as_of="2026-06-30",
    ).by_id()
    assert evaluations["few"]["metrics"]["event_engagement"] is None
    assert [t["id"] for t in evaluations["quiet"]["tactics"]] == ["vip_event_invitation"]
    assert evaluations["quiet"]["tactics"][0]["dimension"] == "emotional"
