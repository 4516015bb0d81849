"""``kam explain``: one account's verdict in plain words, with the rule and the values."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import ACME, AS_OF, SAMPLES, expect, kam

SAMPLE = SAMPLES / "acme-industrial.csv"


def test_the_deciding_row_and_its_values_are_named() -> None:
    result = expect(kam("explain", ACME, SAMPLE, "--account", "A00275", "--as-of", AS_OF))
    text = result.out
    lines = result.lines
    assert lines[0] == f"Account A00275  -  policy acme-industrial 2026.11.0  -  as of {AS_OF}"
    assert "Tier: KA" in lines
    assert "  table `tier` (FIRST): row `ka-large` matched -> tier = KA" in lines
    revenue = next(line for line in lines if line.strip().startswith("revenue_12m "))
    assert "7,503,758.42" in revenue
    assert ">= 5_000_000" in revenue
    # the score breakdown by measure, alerts with their reasons, tactics with owner and due date
    assert any(line.split()[:2] == ["revenue", "revenue_12m"] for line in lines)
    assert "NPS 0: a detractor" in text
    assert "Risk: high (score 55)" in lines
    sponsor = next(line for line in lines if line.strip().startswith("executive_sponsor_visit "))
    assert sponsor.split() == [
        "executive_sponsor_visit",
        "strategic",
        "1",
        "sales_director",
        "14",
        "days",
        "tactics.rules[ka-sponsor]",
    ]
    assert "Stage: onboarding" in text


def test_the_default_tier_is_explained_with_the_values() -> None:
    lines = expect(kam("explain", ACME, SAMPLE, "--account", "A00001", "--as-of", AS_OF)).lines
    assert "Tier: standard" in lines
    assert "  table `tier` (FIRST): no row matched; the default applies (tier = standard)" in lines
    assert any(line.split() == ["revenue_12m", "87,898.06"] for line in lines)


def test_json_format() -> None:
    result = expect(
        kam("explain", ACME, SAMPLE, "--account", "A00275", "--as-of", AS_OF, "--format", "json")
    )
    explanation = json.loads(result.out)
    assert explanation["account_id"] == "A00275"
    decision = explanation["tier"]["decision"]
    assert decision["rows"][0]["rule"] == "tables.tier.rules[ka-large]"
    assert {c["input"]: c["value"] for c in decision["rows"][0]["cells"]}["revenue_12m"] == (
        7503758.42
    )
    assert [a["id"] for a in explanation["alerts"]] == [
        "detractor",
        "ticket-backlog",
        "key-contact-left",
    ]


def test_an_unknown_account_suggests_close_ids() -> None:
    result = expect(kam("explain", ACME, SAMPLE, "--account", "A0275", "--as-of", AS_OF), 2)
    assert "no account 'A0275'" in result.err
    assert "did you mean `A00275`" in result.err


def test_a_repeated_id_explains_the_evaluated_first_row(tmp_path: Path) -> None:
    """The engine evaluates the first row of an id and rejects the repeats; explain must show
    that evaluation, whichever order the engine reports the two in, and mention the repeat."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    account = lines[1].split(",")[0]
    result = expect(kam("explain", ACME, repeated, "--account", account, "--as-of", AS_OF))
    assert result.lines[0].startswith(f"Account {account}  -  policy acme-industrial")
    assert f"account {account} appears again at row {len(lines)}, which was rejected" in result.err
    assert "already appeared at row 1" in result.err
