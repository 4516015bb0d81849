"""``kam init``: a client policy and a test file that validate and pass as written."""

from __future__ import annotations

from pathlib import Path

from ..conftest import ROOT
from .conftest import expect, kam


def test_the_scaffold_validates_and_its_test_passes(tmp_path: Path) -> None:
    result = expect(
        kam(
            "init",
            "hua-mart",
            "--from",
            "kamcore:base/generic.toml",
            "--dir",
            "clients",
            cwd=tmp_path,
        )
    )
    assert result.lines[:3] == [
        "created clients/hua-mart.toml",
        "created clients/hua-mart.test.toml",
        "created clients/policy.schema.json (for editors: completion and checks while typing)",
    ]
    policy = (tmp_path / "clients" / "hua-mart.toml").read_text(encoding="utf-8")
    assert policy.splitlines()[0] == "#:schema ./policy.schema.json"
    schema = (tmp_path / "clients" / "policy.schema.json").read_text(encoding="utf-8")
    assert schema == (ROOT / "schemas" / "policy.schema.json").read_text(encoding="utf-8")
    assert 'id = "hua-mart"' in policy
    assert 'extends = ["kamcore:base/generic.toml"]' in policy
    assert "zh = " in policy
    assert "currency = " in policy
    expect(kam("validate", "clients/hua-mart.toml", cwd=tmp_path))
    tested = expect(kam("test", "clients", cwd=tmp_path))
    assert "  PASS  example-account" in tested.lines


def test_a_base_given_by_path_is_referenced_relative_to_the_new_file(workdir: Path) -> None:
    expect(
        kam(
            "init",
            "acme-east",
            "--from",
            "policies/examples/acme-industrial.toml",
            "--dir",
            "clients",
            cwd=workdir,
        )
    )
    policy = (workdir / "clients" / "acme-east.toml").read_text(encoding="utf-8")
    assert 'extends = ["../policies/examples/acme-industrial.toml"]' in policy
    assert 'currency = "CNY"' in policy
    tested = expect(kam("test", "clients/acme-east.test.toml", cwd=workdir))
    assert "  PASS  example-account" in tested.lines
    assert "  PASS  large-profitable-account-is-ka" in tested.lines  # inherited cases run too


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "hua-mart.test.toml").write_text("# mine\n", encoding="utf-8")
    result = expect(kam("init", "hua-mart", "--from", "kamcore:base/generic.toml", cwd=tmp_path), 1)
    assert "already exists" in result.err
    assert not (tmp_path / "hua-mart.toml").exists()
    assert (tmp_path / "hua-mart.test.toml").read_text(encoding="utf-8") == "# mine\n"


def test_a_bad_client_id_is_a_usage_error(tmp_path: Path) -> None:
    result = expect(kam("init", "Hua Mart", "--from", "kamcore:base/generic.toml", cwd=tmp_path), 2)
    assert "lower-case id" in result.err


def test_an_existing_schema_copy_is_kept(tmp_path: Path) -> None:
    (tmp_path / "policy.schema.json").write_text("{}\n", encoding="utf-8")
    result = expect(kam("init", "hua-mart", "--from", "kamcore:base/generic.toml", cwd=tmp_path))
    assert not any("policy.schema.json" in line for line in result.lines)
    assert (tmp_path / "policy.schema.json").read_text(encoding="utf-8") == "{}\n"
    first = (tmp_path / "hua-mart.toml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "#:schema ./policy.schema.json"


def test_a_currency_not_in_capitals_is_a_usage_error(tmp_path: Path) -> None:
    result = expect(
        kam("init", "x", "--from", "kamcore:base/generic.toml", "--currency", "usd", cwd=tmp_path),
        2,
    )
    assert "did you mean USD?" in result.err
    assert not any(tmp_path.iterdir())
