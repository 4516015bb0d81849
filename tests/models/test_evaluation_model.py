"""The Evaluation shape and its canonical JSON text."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from kamcore.errors import AccountError
from kamcore.models import AccountErrorRecord, Evaluation, evaluation_json
from kamcore.resources import read_schema

#: The key order docs/architecture.md pins for an evaluation.
DOCUMENTED_ORDER = [
    "account_id", "policy", "as_of", "input_digest", "metrics", "scores", "tier", "segments",
    "outputs", "stage", "alerts", "risk", "tactics", "fired", "warnings", "state",
]  # fmt: skip


def sample_evaluation() -> dict[str, Any]:
    """An evaluation dict as the runtime builds it: plain values, dates as ``date`` objects."""
    return {
        "account_id": "K001",
        "policy": {"id": "acme-industrial", "version": "1.2.0", "hash": "sha256:" + "ab" * 32},
        "as_of": dt.date(2026, 3, 31),
        "input_digest": "sha256:" + "cd" * 32,
        "metrics": {"revenue_growth": 0.1 + 0.2, "last_order": dt.date(2026, 3, 1), "x": None},
        "scores": {
            "health": {
                "value": 72.5,
                "band": "green",
                "direction": "higher_is_healthier",
                "measures": [
                    {
                        "id": "nps",
                        "metric": "nps",
                        "raw": 9,
                        "normalised": 0.9,
                        "weight": 0.5,
                        "points": 45.0,
                        "missing": None,
                    },
                    {
                        "id": "usage",
                        "metric": "licence_utilisation",
                        "raw": None,
                        "normalised": None,
                        "weight": 0.0,
                        "points": None,
                        "missing": "exclude",
                    },
                ],
            }
        },
        "tier": "KA",
        "segments": ["华东", "retail"],
        "outputs": {"service_level": "gold"},
        "stage": {
            "value": "adoption",
            "previous": "onboarding",
            "changed": True,
            "since": dt.date(2026, 3, 31),
        },
        "alerts": [
            {"id": "order-lapse", "severity": "warning", "points": 20.0, "reason": "no order"}
        ],
        "risk": {"score": 20.0, "band": "medium"},
        "tactics": [
            {
                "id": "exec-sponsor",
                "dimension": "strategic",
                "priority": 1,
                "reason": "decision chain thin",
                "owner_role": "executive",
                "due_in_days": 14,
                "rule": "tactics.rules[thin-chain]",
            }
        ],
        "fired": [
            {
                "rule": "tables.tier.rules[ka-large]",
                "kind": "table_row",
                "inputs": {"revenue_12m": 1234567.8},
                "note": None,
            }
        ],
        "warnings": ["inputs.nps: default used"],
        "state": {
            "tier": {"pending": None, "count": 0},
            "lifecycle": {"pending": None, "count": 0},
        },
    }


def test_model_fields_follow_the_documented_order() -> None:
    assert list(Evaluation.model_fields) == DOCUMENTED_ORDER
    assert list(sample_evaluation()) == DOCUMENTED_ORDER


def test_canonical_json_is_byte_identical_for_equal_input() -> None:
    a, b = sample_evaluation(), sample_evaluation()
    assert a is not b
    assert evaluation_json(a) == evaluation_json(b)
    assert evaluation_json(a).encode("utf-8") == evaluation_json(b).encode("utf-8")


def test_canonical_json_form() -> None:
    text = evaluation_json(sample_evaluation())
    assert text.startswith('{"account_id":"K001","policy":{"id":"acme-industrial",')
    assert '"as_of":"2026-03-31"' in text  # dates as ISO strings
    assert '"last_order":"2026-03-01"' in text
    assert '"revenue_growth":0.30000000000000004' in text  # floats by repr, never rounded
    assert '"segments":["华东","retail"]' in text  # UTF-8, not \\u escapes
    # compact separators: re-serialising the parsed text compactly gives it back unchanged
    assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    assert "\n" not in text
    # keys keep the built order: not sorted
    keys = list(json.loads(text))
    assert keys == DOCUMENTED_ORDER
    assert keys != sorted(keys)


def test_canonical_json_changes_with_any_value() -> None:
    a, b = sample_evaluation(), sample_evaluation()
    b["scores"]["health"]["measures"][0]["weight"] = 0.5000000000000001
    assert evaluation_json(a) != evaluation_json(b)


def test_canonical_json_refuses_nan_naming_where() -> None:
    d = sample_evaluation()
    d["scores"]["health"]["measures"][0]["points"] = float("nan")
    with pytest.raises(ValueError, match=r"account 'K001': scores\.health\.measures\[0\]\.points"):
        evaluation_json(d)


def test_canonical_json_refuses_values_without_a_json_form() -> None:
    d = sample_evaluation()
    d["metrics"]["odd"] = object()
    with pytest.raises(TypeError, match="object is not allowed in an evaluation"):
        evaluation_json(d)


def test_sample_validates_against_schema_and_model() -> None:
    data = json.loads(evaluation_json(sample_evaluation()))
    validator = Draft202012Validator(
        read_schema("evaluation"), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert [e.message for e in validator.iter_errors(data)] == []
    model = Evaluation.model_validate(data)
    assert model.as_of == dt.date(2026, 3, 31)
    assert model.scores["health"].measures[1].missing == "exclude"
    assert model.stage is not None
    assert model.stage.changed
    # the model writes back exactly the canonical text it was read from
    assert evaluation_json(model.model_dump(mode="json")) == evaluation_json(data)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d.pop("warnings"),
        lambda d: d.update(extra=1),
        lambda d: d["alerts"][0].update(severity="urgent"),
        lambda d: d["tactics"][0].update(dimension="financial"),
        lambda d: d["scores"]["health"].update(direction="up"),
        lambda d: d["scores"]["health"]["measures"][0].update(missing="error"),
        lambda d: d.update(as_of="31/03/2026"),
        lambda d: d["policy"].pop("hash"),
    ],
)
def test_schema_and_model_refuse_the_same_breakage(breakage: Any) -> None:
    data = json.loads(evaluation_json(sample_evaluation()))
    breakage(data)
    validator = Draft202012Validator(
        read_schema("evaluation"), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert list(validator.iter_errors(data))
    with pytest.raises(ValidationError):
        Evaluation.model_validate(data)


def test_nullable_parts_are_still_present() -> None:
    data = json.loads(evaluation_json(sample_evaluation()))
    data.update(tier=None, stage=None, risk=None)
    Evaluation.model_validate(data)
    assert not list(Draft202012Validator(read_schema("evaluation")).iter_errors(data))


def test_account_error_record_holds_an_account_error() -> None:
    err = AccountError("K001", "inputs.revenue_12m (column '营业收入', row 3)", "cannot read 'x'")
    record = AccountErrorRecord.model_validate({**err.to_dict(), "row": 3})
    assert record.where.startswith("inputs.revenue_12m")
    assert AccountErrorRecord(account_id=None, where="inputs.id", reason="r", row=None)
