"""schemas/account.schema.json and schemas/evaluation.schema.json are generated, never edited."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from kamcore.models import Account, Evaluation
from kamcore.models.export import MODELS, SCHEMA_DIALECT, generate, main, render, schema_path

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
REGENERATE = "python -m kamcore.models.export"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_committed_schema_equals_the_generated_one(name: str) -> None:
    path = schema_path(name, SCHEMAS)
    assert path.is_file(), f"{path} is missing; run {REGENERATE}"
    assert path.read_text(encoding="utf-8") == render(name), (
        f"{path.name} is out of date with kamcore.models; run {REGENERATE}"
    )


@pytest.mark.parametrize("name", sorted(MODELS))
def test_generated_schema_form(name: str) -> None:
    text = render(name)
    assert text == render(name)  # deterministic
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")
    data = json.loads(text)
    assert data["$schema"] == SCHEMA_DIALECT
    assert data["$id"] == f"https://kamcore.dev/schemas/{name}.schema.json"
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    Draft202012Validator.check_schema(data)


def test_schemas_come_from_the_models() -> None:
    assert {"account": Account, "evaluation": Evaluation} == MODELS
    account = generate("account")
    assert account["title"] == "Account"
    assert account["required"] == ["id"]
    assert account["additionalProperties"] is False
    assert account["properties"]["kind"]["default"] == "customer"
    assert "retail.weighted_distribution" in account["properties"]["attributes"]["description"]
    evaluation = generate("evaluation")
    assert evaluation["required"] == list(Evaluation.model_fields)


def test_check_passes_on_fresh_files_and_fails_on_stale_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check", "--out-dir", str(tmp_path)]) == 1  # nothing there yet
    assert main(["--out-dir", str(tmp_path)]) == 0
    for name in MODELS:
        assert schema_path(name, tmp_path).read_text(encoding="utf-8") == render(name)
    assert main(["--check", "--out-dir", str(tmp_path)]) == 0
    capsys.readouterr()

    stale = schema_path("evaluation", tmp_path)
    stale.write_text(stale.read_text(encoding="utf-8").replace("2020-12", "2019-09"))
    before = stale.read_bytes()
    assert main(["--check", "--out-dir", str(tmp_path)]) == 1
    assert stale.read_bytes() == before  # --check writes nothing
    err = capsys.readouterr().err
    assert "out of date" in err
    assert "evaluation.schema.json" in err
    assert "account.schema.json" not in err
    assert REGENERATE in err


def test_module_runs_as_a_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kamcore.models.export", "--check"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
