"""The pack's docs page: every ```toml policy example compiles against the shipped base."""

from __future__ import annotations

import re

import pytest

from .conftest import DOCS, membership_engine

_BLOCK = re.compile(r"^```toml\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _examples() -> list[str]:
    return _BLOCK.findall(DOCS.read_text(encoding="utf-8"))


def test_the_page_has_policy_examples() -> None:
    assert len(_examples()) >= 3


@pytest.mark.parametrize("number", range(len(_BLOCK.findall(DOCS.read_text(encoding="utf-8")))))
def test_policy_example_compiles(number: int) -> None:
    text = _examples()[number]
    engine = membership_engine(text, name=f"membership.md example {number + 1}")
    assert engine.id
    assert "kamcore_membership" in engine.plugins()


def test_the_tier_example_keeps_its_promise() -> None:
    """The three-tier example replaces the ladder and drops the base's cases."""
    (text,) = [t for t in _examples() if 'id = "three-tier-shop"' in t]
    engine = membership_engine(text, name="three-tier-shop")
    assert engine.registry.classifiers["member_tier"].labels == ("vip", "member", "guest")
    assert not engine.policy.tests
    rows = [
        {"id": "a", "orders_12m": 6, "revenue_12m": 4_500, "days_since_last_order": 10},
        {"id": "b", "orders_12m": 1, "revenue_12m": 600, "days_since_last_order": 40},
        {"id": "c", "orders_12m": 0, "revenue_12m": 0},
    ]
    result = engine.evaluate_portfolio(rows, as_of="2025-06-30")
    assert [e["tier"] for e in result] == ["vip", "member", "guest"]
