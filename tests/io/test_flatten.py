"""The flat form of an evaluation: a fixed column order, lists joined, sections optional."""

from __future__ import annotations

from typing import Any

from kamcore import Engine
from kamcore.io import HEAD_COLUMNS, flatten

from ..conftest import POLICIES, make_accounts


def evaluation() -> dict[str, Any]:
    return {
        "account_id": "A1",
        "policy": {"id": "p", "version": "1.0", "hash": "sha256:ab"},
        "as_of": "2026-06-30",
        "input_digest": "sha256:cd",
        "metrics": {"zeta": 1, "alpha": 2.5, "flags": ["x", "y"], "missing": None},
        "scores": {
            "value": {"value": 61.5, "band": "mid", "direction": "higher_is_healthier"},
            "health": {"value": None, "band": None, "direction": "higher_is_healthier"},
        },
        "tier": "key",
        "segments": ["north", "vip"],
        "outputs": {"service": "gold", "channels": ["web", "direct"]},
        "stage": {"value": "growing", "previous": "new", "changed": True, "since": "2026-06-30"},
        "alerts": [{"id": "lapse", "points": 20}, {"id": "nps", "points": 12.5}],
        "risk": {"score": 32.5, "band": "medium"},
        "tactics": [{"id": "visit"}, {"id": "call"}],
        "fired": [{"rule": "r"}],
        "warnings": ["first warning", "second | with a bar"],
        "state": {},
    }


def test_column_order_is_fixed_then_policy_order() -> None:
    row = flatten(evaluation())
    assert list(row) == [
        *HEAD_COLUMNS,
        "metric.zeta",
        "metric.alpha",
        "metric.flags",
        "metric.missing",
        "score.value",
        "score.health",
        "band.value",
        "band.health",
        "output.service",
        "output.channels",
        "warnings",
    ]
    assert HEAD_COLUMNS[:4] == ("account_id", "policy_id", "policy_version", "policy_hash")


def test_values() -> None:
    row = flatten(evaluation())
    assert row["policy_version"] == "1.0"
    assert row["segments"] == "north|vip"
    assert (row["stage"], row["stage_previous"], row["stage_changed"]) == ("growing", "new", True)
    assert row["alerts"] == "lapse|nps"
    assert row["alert_points"] == 32.5
    assert row["tactics"] == "visit|call"
    assert row["metric.zeta"] == 1
    assert row["metric.flags"] == "x|y"
    assert row["metric.missing"] is None
    assert (row["score.value"], row["band.value"]) == (61.5, "mid")
    assert row["output.channels"] == "web|direct"
    assert row["warnings"] == "first warning | second | with a bar"


def test_policy_without_lifecycle_or_risk_gives_empty_cells() -> None:
    ev = evaluation() | {"stage": None, "risk": None, "alerts": [], "segments": []}
    row = flatten(ev)
    assert row["stage"] is None
    assert row["stage_changed"] is None
    assert row["risk_score"] is None
    assert (row["alerts"], row["alert_points"], row["segments"]) == ("", 0, "")
    assert list(row)[: len(HEAD_COLUMNS)] == list(HEAD_COLUMNS)


def test_engine_evaluations_share_their_columns() -> None:
    engine = Engine.from_policy(POLICIES / "examples" / "acme-industrial.toml")
    result = engine.evaluate_portfolio(make_accounts(200), as_of="2026-06-30")
    columns = {tuple(flatten(e)) for e in result.evaluations}
    assert len(columns) == 1
    (names,) = columns
    assert names[-1] == "warnings"
    assert any(n.startswith("metric.") for n in names)
    assert any(n.startswith("score.") for n in names)
    assert any(n.startswith("band.") for n in names)
