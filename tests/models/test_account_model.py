"""The Account model: the documented input shape, strict about typos, described field by field."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import pytest
from pydantic import BaseModel, ValidationError

from kamcore.models import (
    STREAM_MODELS,
    Account,
    AccountErrorRecord,
    Contact,
    Evaluation,
    Transaction,
)
from kamcore.models import __all__ as models_all


def full_account() -> dict[str, Any]:
    return {
        "id": "ACME",
        "name": "Acme",
        "parent_id": "ACME-GROUP",
        "kind": "partner",
        "industry": "retail",
        "region": "cn-east",
        "country": "CN",
        "currency": "CNY",
        "external_ids": {"crm": "0015g00000"},
        "owners": [{"role": "account_manager", "name": "Wang", "email": "wang@example.com"}],
        "team": ["Wang"],
        "attributes": {"retail": {"weighted_distribution": 0.7}},
        "facts": {"revenue_12m": 1_200_000},
        "transactions": [{"date": "2026-01-15", "amount": 10, "quantity": 2, "product": "p"}],
        "contracts": [{"id": "C1", "start": "2025-01-01", "value": 5e5, "status": "active"}],
        "opportunities": [
            {"id": "O1", "stage": "proposal", "amount": 1e5, "probability": 0.4, "won": None}
        ],
        "contacts": [
            {"name": "Zhao", "buying_role": "decision_maker", "influence": 5, "attitude": "neutral"}
        ],
        "interactions": [{"date": "2026-02-01", "channel": "visit", "kind": "QBR"}],
        "survey_responses": [{"date": "2026-02-02", "kind": "nps", "score": 9}],
        "support_tickets": [
            {
                "id": "T1",
                "opened": "2026-02-03",
                "closed": "2026-02-04",
                "priority": "p2",
                "status": "closed",
            }
        ],
        "usage": [{"date": "2026-02-01", "metric": "active_users", "value": 120}],
        "payments": [{"invoice": "INV-1", "due": "2026-02-28", "amount": 10, "currency": "CNY"}],
        "wallet_estimates": [{"date": "2026-01-01", "amount": 2e6}],
    }


def test_a_full_account_validates_with_typed_streams() -> None:
    account = Account.model_validate(full_account())
    assert account.kind == "partner"
    assert account.transactions[0].date == dt.date(2026, 1, 15)
    assert account.contacts[0].active is True
    assert account.contacts[0].left_on is None
    assert account.attributes["retail"]["weighted_distribution"] == 0.7


def test_minimal_account_defaults() -> None:
    account = Account(id="A1")
    assert account.kind == "customer"
    assert account.facts == {}
    assert account.transactions == []
    assert account.owners == []


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"id": ""}, "id"),
        ({"kind": "client"}, "kind"),
        ({"currency": "yuan"}, "currency"),
        ({"nickname": "x"}, "nickname"),
        ({"attributes": {"retail": 0.7}}, "attributes"),
        ({"contacts": [{"name": "Z", "buying_role": "user", "influence": 0}]}, "contacts"),
        ({"contacts": [{"name": "Z", "buying_role": "boss", "influence": 1}]}, "contacts"),
        (
            {"opportunities": [{"id": "O", "stage": "s", "amount": 1, "probability": 2}]},
            "opportunities",
        ),
        (
            {
                "support_tickets": [
                    {"id": "T", "opened": "2026-01-01", "priority": "P1", "status": "o"}
                ]
            },
            "support_tickets",
        ),
        (
            {"survey_responses": [{"date": "2026-01-01", "kind": "ces2", "score": 1}]},
            "survey_responses",
        ),
        ({"transactions": [{"date": "2026-01-01", "amount": 1, "qty": 1}]}, "transactions"),
    ],
)
def test_invalid_accounts_are_refused(patch: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Account.model_validate({"id": "A1", **patch})
    assert info.value.errors()[0]["loc"][0] == field


def test_stream_models_are_the_list_fields_of_account() -> None:
    lists = {
        name
        for name, info in Account.model_fields.items()
        if str(info.annotation).startswith("list[") and name not in ("owners", "team")
    }
    assert set(STREAM_MODELS) == lists
    for name, model in STREAM_MODELS.items():
        assert get_args(Account.model_fields[name].annotation) == (model,)
    assert STREAM_MODELS["transactions"] is Transaction
    assert STREAM_MODELS["contacts"] is Contact


def _models(root: type[BaseModel]) -> set[type[BaseModel]]:
    """Every model reachable from ``root`` through its field annotations."""
    seen: set[type[BaseModel]] = set()
    todo = [root]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for info in model.model_fields.values():
            stack = [info.annotation]
            while stack:
                t = stack.pop()
                if isinstance(t, type) and issubclass(t, BaseModel):
                    todo.append(t)
                stack.extend(get_args(t))
    return seen


@pytest.mark.parametrize("root", [Account, Evaluation, AccountErrorRecord])
def test_every_model_and_field_is_described_and_strict(root: type[BaseModel]) -> None:
    for model in _models(root):
        assert model.__doc__, model.__name__
        assert model.model_config.get("extra") == "forbid", model.__name__
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no description"


def test_public_names_are_sorted() -> None:
    # isort style, as ruff's RUF022 checks it: CONSTANTS, then Classes, then functions
    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert models_all == sorted(models_all, key=key)
