"""Start-up cost, checked as behaviour: what ``kam --version``, ``kam --help`` and ``import
kamcore`` load.

The speed target (``kam --version`` in 200 ms or less) is measured by
``benchmarks/compile_times.py``; a timed test would fail on a loaded machine and pass on a slow
change. What makes the command fast is what it does *not* import, and that is checked here, in
a fresh interpreter each time (this test process has imported everything already).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Third-party packages and kamcore parts that only building an engine needs.
HEAVY = (
    "pydantic",
    "jsonschema",
    "referencing",
    "pluggy",
    "tomllib",
    "tomli",
    "kamcore.engine",
    "kamcore.expr",
    "kamcore.hookspecs",
    "kamcore.models",
    "kamcore.plugins",
    "kamcore.policy",
    "kamcore.registry",
    "kamcore.runtime",
)

_PROBE = """
import contextlib, io, json, sys
{code}
print(json.dumps(sorted(sys.modules)))
"""


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(code=code)],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def run_kam(*args: str) -> str:
    """The code path of the ``kam`` console script with ``args``, its output swallowed."""
    return (
        "from kamcore.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        f"    main({list(args)!r})"
    )


def test_kam_version_loads_nothing_heavy() -> None:
    modules = loaded_after(run_kam("--version"))
    assert heavy_in(modules) == []
    # --version is answered before the parser is built: no command module is imported
    assert sorted(m for m in modules if m.startswith("kamcore.cli.")) == []


def test_kam_help_loads_nothing_heavy() -> None:
    assert heavy_in(loaded_after(run_kam("--help"))) == []


def test_import_kamcore_loads_only_the_version() -> None:
    modules = loaded_after("import kamcore")
    assert sorted(m for m in modules if m.startswith("kamcore")) == ["kamcore", "kamcore._version"]
    assert heavy_in(modules) == []


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("Engine", "kamcore.engine"),
        ("hookimpl", "kamcore.hookspecs"),
        ("Fact", "kamcore.registry"),
        ("Type", "kamcore.types"),
        ("PolicyError", "kamcore.errors"),
        ("load_policy", "kamcore.policy"),
    ],
)
def test_the_public_names_load_on_first_use(name: str, module: str) -> None:
    import kamcore

    value = getattr(kamcore, name)
    assert value is getattr(sys.modules[module], name)
    assert name in dir(kamcore)


def test_every_public_name_resolves() -> None:
    import kamcore

    missing = [name for name in kamcore.__all__ if not hasattr(kamcore, name)]
    assert missing == []
