"""The README's examples run: its Python blocks execute, its TOML policy compiles."""

from __future__ import annotations

import re

import pytest

from kamcore import Engine

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


@pytest.mark.parametrize("index", range(len(_blocks("python"))))
def test_readme_python_example_runs(
    index: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(_blocks("python")[index], f"README.md:python[{index}]", "exec"), {})
    assert capsys.readouterr().out.strip()


def test_readme_policy_compiles_and_tiers() -> None:
    (policy,) = _blocks("toml")
    engine = Engine.from_text(policy, name="README.md", base_dir=ROOT)
    evaluation = engine.evaluate_dict(
        {"id": "H1", "revenue_12m": 6e6, "gross_margin": 0.25}, as_of="2026-06-30"
    )
    assert evaluation["tier"] == "KA"
