"""The shipped policies, the sample data and the docs page of kamcore_ict."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from kamcore_ict.config import CONFIG_SCHEMA
from kamcore_ict.sample import AS_OF, COLUMNS, generate, write_csv

from kamcore.testing import PolicyTests, RegistryFactory

from .support import BASE, DOC, EXAMPLE, PLUGIN, SAMPLE, by_id, ict_engine, overlay


@pytest.fixture(scope="module")
def sample_rows() -> list[dict[str, Any]]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("path", [BASE, EXAMPLE], ids=lambda p: p.name)
def test_shipped_policy_builds_and_passes_its_cases(
    path: Path, kamcore_policy_tests: PolicyTests
) -> None:
    assert len(kamcore_policy_tests(ict_engine(path))) == 5


def test_the_example_extends_the_base_and_uses_normal_na() -> None:
    engine = ict_engine(EXAMPLE)
    assert engine.document.data["policy"]["extends"] == ["kamcore:ict/base.toml"]
    assert engine.document.data["config"]["kamcore_ict"]["na_meaning"] == "normal"
    assert engine.registry.classifiers["ict_account_class"].labels == ("KA", "NA")


def test_the_example_under_the_named_meaning() -> None:
    engine = ict_engine(EXAMPLE)
    accounts = [case["account"] for case in engine.policy.tests]
    named = overlay(
        "kamcore:ict/example-south-china.toml",
        '[config.kamcore_ict]\nna_meaning = "named"\n',
    )
    tiers = {k: v["tier"] for k, v in by_id(named, accounts, "2026-09-30").items()}
    # Profit E1 26M, E2 0.2M, E3 1.5M, E4 24M, E5 30M: sum 81.7M over 5, average 16.34M.
    # E1, E5 invest -> KA; E4 selective with index 24 * 5 / 81.7 = 1.47 >= 1 -> NA;
    # E3 selective with 1.5 * 5 / 81.7 = 0.09 -> other; E2 harvest -> other.
    assert tiers == {"E1": "KA", "E2": "other", "E3": "other", "E4": "NA", "E5": "KA"}


def test_sample_csv_is_the_generator_output(tmp_path: Path) -> None:
    again = tmp_path / "sample.csv"
    write_csv(again)
    assert again.read_bytes() == SAMPLE.read_bytes()
    assert generate(5, seed=1) == generate(5, seed=1)
    assert generate(5, seed=1) != generate(5, seed=2)
    # every row has every column, and the roles figure is a share of the 5 default roles
    rows = generate()
    assert all(set(row) == set(COLUMNS) for row in rows)
    covered = {row["ict.roles_covered"] for row in rows}
    assert covered <= {None, 0.2, 0.4, 0.6, 0.8, 1.0}
    assert None in covered
    assert len(covered) > 3


def test_sample_is_a_few_hundred_accounts_with_realistic_skew(
    sample_rows: list[dict[str, Any]],
) -> None:
    assert len(sample_rows) == 300
    assert len({row["id"] for row in sample_rows}) == 300
    wallets = sorted(float(row["wallet_estimate"]) for row in sample_rows)
    # a long tail: the top tenth of the accounts holds more than half of the wallet
    assert sum(wallets[-30:]) > 0.5 * sum(wallets)


@pytest.mark.parametrize(("path", "cap"), [(BASE, 30), (EXAMPLE, 20)], ids=["base", "example"])
def test_the_sample_evaluates_without_rejected_rows(
    path: Path, cap: int, sample_rows: list[dict[str, Any]]
) -> None:
    result = ict_engine(path).evaluate_portfolio(sample_rows, as_of=AS_OF)
    assert result.errors == []
    assert len(result) == 300
    tiers = Counter(e["tier"] for e in result)
    # the sample has more invest-zone accounts than either cap: the cap bites
    assert tiers["KA"] == cap
    capped = [e for e in result if any(f["kind"] == "cap" for f in e["fired"])]
    assert capped
    assert all(e["tier"] == "NA" and "grid-invest" in e["segments"] for e in capped)
    # the segment ka-overflow is exactly the accounts the cap moved
    overflow = [e for e in result if "ka-overflow" in e["segments"]]
    assert [e["account_id"] for e in overflow] == [e["account_id"] for e in capped]
    assert {e["stage"]["value"] for e in result} == {
        "contact",
        "trust",
        "partnership",
        "strategic_alliance",
        "at_risk",
    }
    alerts = Counter(a["id"] for e in result for a in e["alerts"])
    for alert in ("key-dm-left", "sow-falling", "payment-overdue", "pipeline-drying"):
        assert 0 < alerts[alert] < 100, alert


def test_under_named_the_cap_makes_nas_whatever_their_profit(
    sample_rows: list[dict[str, Any]],
) -> None:
    # What docs/packs/ict.md states about the base policy (na_meaning = "named") on the
    # shipped sample: 48 NAs, of which 41 are invest-zone accounts over the KA cap, 31 of those
    # with a profit index below na_min_profit_index (1.0); only the other 7 are value
    # accounts of the selective zone.
    result = ict_engine(BASE).evaluate_portfolio(sample_rows, as_of=AS_OF)
    nas = [e for e in result if e["tier"] == "NA"]
    overflow = [e for e in nas if "ka-overflow" in e["segments"]]
    below = [e for e in overflow if (e["metrics"]["ict.profit_index"] or 0) < 1.0]
    named = [e for e in nas if "ka-overflow" not in e["segments"]]
    assert (len(nas), len(overflow), len(below), len(named)) == (48, 41, 31, 7)
    assert all("grid-selective" in e["segments"] for e in named)
    assert all(e["metrics"]["ict.profit_index"] >= 1.0 for e in named)


def test_the_sample_exercises_coverage_and_support(sample_rows: list[dict[str, Any]]) -> None:
    result = ict_engine(BASE).evaluate_portfolio(sample_rows, as_of=AS_OF)
    covered = Counter(e["metrics"]["ict.decision_roles_covered"] for e in result)
    assert min(covered[None], covered[0.2], covered[1.0]) > 0
    gaps = [e for e in result if "chain-gap" in [a["id"] for a in e["alerts"]]]
    assert gaps
    assert all(e["metrics"]["ict.decision_roles_covered"] < 0.6 for e in gaps)


def test_the_sample_evaluation_is_deterministic(sample_rows: list[dict[str, Any]]) -> None:
    first = ict_engine(BASE).evaluate_portfolio(sample_rows[:60], as_of=AS_OF)
    second = ict_engine(BASE).evaluate_portfolio(sample_rows[:60], as_of=AS_OF)
    assert first.to_jsonl() == second.to_jsonl()


# -- docs/packs/ict.md -------------------------------------------------------------------------

TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```toml\n(.*?)```", TEXT, re.S)


def test_the_docs_page_has_examples() -> None:
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("block", EXAMPLES)
def test_every_toml_example_compiles(block: str) -> None:
    engine = ict_engine(block, name="docs/packs/ict.md")
    assert PLUGIN in engine.plugins()


def test_every_registered_name_and_config_key_is_documented(
    kamcore_registry: RegistryFactory,
) -> None:
    registry = kamcore_registry(installed=[PLUGIN])
    mine = registry.by_plugin()[PLUGIN]
    names = [n for kind in ("metrics", "classifiers", "tactics") for n in mine[kind]]
    names += [n for n in mine["facts"] if not n.startswith("ict.profit_")]
    names += ["ict.profit_<line>", *registry.stage_models["ict_relationship"].stages]
    names += list(CONFIG_SCHEMA["properties"])
    undocumented = [n for n in names if f"`{n}`" not in TEXT and f"({n})" not in TEXT]
    assert undocumented == []
