"""Meta-tests: every hook is documented in docs/hooks.md with its exact signature and has a
test; nothing is documented that does not exist; every Python example in the page runs."""

from __future__ import annotations

import inspect
import re
import sys
import types
from pathlib import Path

import pytest

from kamcore import hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS_MD = ROOT / "docs" / "hooks.md"
HERE = Path(__file__).resolve().parent

_HEADING = re.compile(r"^### `(kamcore_\w+)\(([^)]*)\)`$", re.MULTILINE)
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_ANY_HEADING = re.compile(r"^#+ (.+)$", re.MULTILINE)


def _documented() -> dict[str, list[str]]:
    text = HOOKS_MD.read_text(encoding="utf-8")
    return {
        name: [arg.strip() for arg in args.split(",") if arg.strip()]
        for name, args in _HEADING.findall(text)
    }


def _examples() -> list[tuple[str, str]]:
    """``(section heading, source)`` of every python block, in page order."""
    text = HOOKS_MD.read_text(encoding="utf-8")
    found = []
    for match in _PYTHON_BLOCK.finditer(text):
        headings = _ANY_HEADING.findall(text, 0, match.start())
        found.append((headings[-1] if headings else "top", match.group(1)))
    return found


@pytest.mark.parametrize("hook", hookspecs.HOOK_NAMES)
def test_hook_is_documented_with_its_exact_signature(hook: str) -> None:
    documented = _documented()
    assert hook in documented, f"docs/hooks.md has no heading ### `{hook}(...)`"
    parameters = list(inspect.signature(getattr(hookspecs, hook)).parameters)
    assert documented[hook] == parameters


def test_no_hook_is_documented_that_does_not_exist() -> None:
    assert set(_documented()) <= set(hookspecs.HOOK_NAMES)


def test_hooks_are_documented_in_call_order() -> None:
    assert list(_documented()) == list(hookspecs.HOOK_NAMES)


@pytest.mark.parametrize("hook", hookspecs.HOOK_NAMES)
def test_hook_has_a_test(hook: str) -> None:
    tests = [p for p in HERE.glob("test_*.py") if p.name != Path(__file__).name]
    assert any(hook in p.read_text(encoding="utf-8") for p in tests), f"no test mentions {hook}"


def test_the_page_has_python_examples() -> None:
    assert len(_examples()) >= len(hookspecs.HOOK_NAMES)


@pytest.mark.parametrize(
    ("section", "source"), _examples(), ids=[f"{i}:{h}" for i, (h, _) in enumerate(_examples())]
)
def test_python_example_runs(section: str, source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each example runs on its own as a fresh module: examples are self-contained, and one may
    register its own module as a plugin."""
    module = types.ModuleType("docs_hooks_example")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(source, f"{HOOKS_MD} ({section})", "exec"), module.__dict__)
