"""The smaller commands (policy show, plugins, schema) and what every command shares: --help
with an example, --version, exit status 2 for usage errors."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from kamcore.policy import load_policy
from kamcore.policy._toml import tomllib

from .conftest import ACME, expect, kam

COMMANDS = [
    ["validate"],
    ["evaluate"],
    ["explain"],
    ["test"],
    ["policy"],
    ["policy", "show"],
    ["init"],
    ["plugins"],
    ["schema"],
    ["sample"],
]


def test_version_is_fast_and_light() -> None:
    from kamcore import __version__

    start = time.perf_counter()
    result = expect(kam("--version"))
    elapsed = time.perf_counter() - start
    assert result.out.strip() == f"kam (kamcore) {__version__}"
    assert elapsed < 5  # generous for loaded CI machines; typically about 0.1 s
    # the command line module imports neither pydantic nor jsonschema for --version
    probe = (
        "import sys\nfrom kamcore.cli import main\ntry:\n    main(['--version'])\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('pydantic', 'jsonschema')]\n"
        "assert not heavy, heavy\n"
    )
    import subprocess
    import sys

    subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(command: list[str]) -> None:
    result = expect(kam(*command, "--help"))
    assert "example:" in result.out
    example = result.out.split("example:", 1)[1]
    assert "  kam " in example


def test_the_exit_statuses_are_listed() -> None:
    epilog = expect(kam("--help")).out.split("exit status:", 1)[1]
    for status in ("0 ok", "1 findings", "2 usage error", "130 interrupted", "143 terminated"):
        assert status in epilog


def test_no_command_and_unknown_options_are_usage_errors() -> None:
    assert kam().status == 2
    assert kam("evaluate", "--nope").status == 2
    assert kam("frobnicate").status == 2


def test_policy_show_round_trips(tmp_path: Path) -> None:
    result = expect(kam("policy", "show", ACME))
    assert result.lines[0].startswith("# layers, base first: ")
    assert tomllib.loads(result.out) == load_policy(ACME).data


def test_policy_show_effective_names_the_layer_of_each_value() -> None:
    result = expect(kam("policy", "show", "--effective", ACME))
    lines = result.lines
    version = next(line for line in lines if line.startswith("policy.version = "))
    assert version.endswith(f"# {ACME}:9:1")
    label = next(line for line in lines if line.startswith("alerts[order-lapse].label = "))
    assert "base/generic.toml:" in label  # inherited from the base


def test_plugins_lists_what_each_registers() -> None:
    result = kam("plugins", "--all", "--format", "json")
    assert result.status in (0, 1)  # 1 only when an installed plugin fails to load
    records = {r["name"]: r for r in json.loads(result.out)}
    facts = records["kamcore.default_plugins.facts"]
    assert facts["builtin"] is True
    assert "revenue_12m" in facts["registers"]["facts"]
    assert "percentile" in records["kamcore.default_plugins.portfolio"]["registers"]["functions"]
    assert all(r["error"] or r["registers"] is not None for r in records.values())
    text = kam("plugins", "--all").out
    assert "kamcore.default_plugins.facts" in text
    assert "(built-in)" in text


def test_a_plugin_that_fails_to_import_is_listed_not_a_crash(tmp_path: Path) -> None:
    """A fake distribution whose entry point names a module that does not exist."""
    import os
    import subprocess

    from .conftest import KAM

    dist = tmp_path / "broken_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[kamcore]\nbroken = kamcore_no_such_module\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([KAM, "plugins"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert "broken 1.0 (distribution broken-plugin" in done.stdout
    assert "ModuleNotFoundError" in done.stdout
    assert "Traceback" not in done.stderr


def test_schema_lists_and_prints() -> None:
    listing = expect(kam("schema")).out
    for name in ("policy", "account", "evaluation"):
        assert name in listing
    schema = json.loads(expect(kam("schema", "policy")).out)
    assert "tables" in schema["properties"]
    unknown = expect(kam("schema", "polcy"), 2)
    assert "did you mean `policy`" in unknown.err
