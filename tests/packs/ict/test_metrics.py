"""The pack's metric functions on their own, with the edge cases worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest
from kamcore_ict.config import IctConfig
from kamcore_ict.grid import CELLS, account_class, grid_cell, grid_zone
from kamcore_ict.market import share_change, share_change_points, strategic_industry
from kamcore_ict.payments import oldest_overdue_days, overdue_total
from kamcore_ict.pipeline import (
    closed_counts,
    decided_opportunities,
    open_pipeline,
    pipeline_coverage,
    previous_win_rate,
    win_rate,
)
from kamcore_ict.profit import (
    profit_concentration,
    profit_contribution,
    profit_index,
    profit_lines_active,
)
from kamcore_ict.relationship import (
    chain_size,
    chain_support,
    in_post,
    key_dm_left,
    key_dm_left_days_ago,
    roles_covered,
    strongest_opponent,
)
from kamcore_ict.team import roles_missing, roles_staffed, team_complete

AS_OF = date(2026, 6, 30)
ROLES = frozenset({"decision_maker", "economic_buyer", "technical_buyer", "influencer"})
KEY = frozenset({"decision_maker", "economic_buyer"})


def test_profit_prefers_the_exported_total() -> None:
    assert profit_contribution(5.0, 1.0, 2.0) == 5.0
    assert profit_contribution(None, 1.0, None, 2.0) == 3.0  # the lines present
    assert profit_contribution(None, None, None) is None
    # a loss-making line counts in the sum, not among the profitable lines
    assert profit_contribution(None, 4.0, -1.0) == 3.0
    assert profit_lines_active(4.0, -1.0, None, 0.0) == 1
    assert profit_lines_active(None, None) is None
    # concentration: 6 / (6 + 2) over the profitable lines only
    assert profit_concentration(6.0, 2.0, -3.0) == 0.75
    assert profit_concentration(-1.0, None) is None


def test_profit_index_is_a_multiple_of_the_average() -> None:
    # 30, 10, 20 (and one missing): average 20 -> 1.5, 0.5, 1.0
    assert profit_index([30, 10, None, 20]) == [1.5, 0.5, None, 1.0]
    # exactly average is exactly 1.0 despite 1/3 not being a binary fraction
    assert profit_index([0.1, 0.2, 0.3]) == [0.5, 1.0, 1.5]
    # an average loss: no index for anyone
    assert profit_index([-5, 2]) == [None, None]
    assert profit_index([None]) == [None]


def test_strategic_industry_flag_overrides_the_list() -> None:
    strategic = frozenset({"telecom", "finance"})
    assert strategic_industry(None, " Telecom ", strategic) is True
    assert strategic_industry(None, "retail", strategic) is False
    assert strategic_industry(True, "retail", strategic) is True
    assert strategic_industry(False, "telecom", strategic) is False
    assert strategic_industry(None, None, strategic) is None


def test_share_change_is_in_points_and_rounded() -> None:
    # 0.25 - 0.3 is -0.04999999999999999 in floats; the metric says -0.05
    assert share_change(0.25, 0.3) == -0.05
    assert share_change(0.25, None) is None
    # in points for reason texts: -0.07 * 100 is -7.000000000000001 in floats
    assert share_change_points(-0.07) == -7.0
    assert f"{share_change_points(share_change(0.25, 0.32)):+.0f} points" == "-7 points"
    assert share_change_points(None) is None


@pytest.mark.parametrize(("now", "before"), [(3, 0.3), (0.3, 1.2), (-0.1, 0.3), (0.3, -0.2)])
def test_a_share_outside_0_to_1_gives_no_change(now: float, before: float) -> None:
    # a share of 3 (a percentage exported as a ratio, or revenue over a stale wallet estimate)
    # is a data error: 3 - 0.3 = +2.7 would read as 270 points gained
    assert share_change(now, before) is None
    assert share_change(1, 0) == 1  # the bounds themselves are shares


def _opp(close: str | None, won: bool | None, amount: float = 1.0) -> dict[str, object]:
    return {"id": "x", "stage": "s", "amount": amount, "close_date": close, "won": won}


def test_win_rate_windows() -> None:
    opps = [
        _opp("2026-06-30", True),  # as_of: in
        _opp("2025-07-01", False),  # 364 days before: in
        _opp("2025-06-30", True),  # 365 days before: previous window
        _opp("2024-07-01", False),  # 729 days before: previous window, its first day
        _opp("2024-06-30", False),  # 730 days: in no window
        _opp("2026-07-01", True),  # after as_of: not decided yet
        _opp(None, True),  # no close date: unusable
        "not an item",
    ]
    assert closed_counts(opps, AS_OF) == (1, 1)
    assert closed_counts(opps, AS_OF, start_days=365) == (1, 1)
    assert win_rate(None, None, opps, AS_OF) == 0.5
    assert previous_win_rate(None, opps, AS_OF) == 0.5
    # exported counts win when both are given; one alone falls back to the stream
    assert win_rate(3, 1, opps, AS_OF) == 0.75
    assert win_rate(3, None, opps, AS_OF) == 0.5
    assert decided_opportunities(3, 1, None, AS_OF) == 4
    # nothing decided: no rate; no data: missing
    assert win_rate(0, 0, None, AS_OF) is None
    assert win_rate(None, None, None, AS_OF) is None
    assert decided_opportunities(None, None, [], AS_OF) == 0
    assert previous_win_rate(0.4, opps, AS_OF) == 0.4


def test_open_pipeline_counts_what_was_open_on_as_of() -> None:
    opps = [
        _opp(None, None, 5.0),  # open
        _opp("2026-09-01", None, 4.0),  # open, closes later
        _opp("2026-08-01", False, 3.0),  # lost after as_of: open on as_of
        _opp("2026-06-01", True, 100.0),  # decided: not pipeline
        {"id": "y", "stage": "s", "close_date": None, "won": None},  # no amount
    ]
    assert open_pipeline(None, opps, AS_OF) == 12.0
    assert open_pipeline(7.0, opps, AS_OF) == 7.0
    assert open_pipeline(None, None, AS_OF) is None
    assert pipeline_coverage(30.0, 60.0) == 0.5
    assert pipeline_coverage(30.0, 0.0) is None


def test_overdue_milestones() -> None:
    payments = [
        {"due": "2026-06-29", "paid_on": None, "amount": 2.0},  # 1 day overdue
        {"due": "2026-01-01", "paid_on": "2026-07-15", "amount": 3.0},  # paid later: 180 days
        {"due": "2026-01-01", "paid_on": "2026-06-30", "amount": 50.0},  # paid on as_of
        {"due": "2026-06-30", "paid_on": None, "amount": 7.0},  # due today: not yet overdue
        {"due": None, "amount": 9.0},  # unusable
    ]
    assert overdue_total(None, payments, AS_OF) == 5.0
    assert oldest_overdue_days(None, payments, AS_OF) == 180
    assert oldest_overdue_days(None, [], AS_OF) == 0
    assert oldest_overdue_days(None, None, AS_OF) is None
    assert (overdue_total(1.5, None, AS_OF), oldest_overdue_days(12, None, AS_OF)) == (1.5, 12)


def _contact(role: str, influence: int, attitude: str, **extra: object) -> dict[str, object]:
    return {"name": "n", "buying_role": role, "influence": influence, "attitude": attitude, **extra}


def test_decision_chain_support_is_influence_weighted() -> None:
    contacts = [
        _contact("decision_maker", 5, "supporter"),
        _contact("economic_buyer", 4, "opponent"),
        _contact("influencer", 1, "supporter"),
        _contact("user", 5, "supporter"),  # not in the chain
        _contact("technical_buyer", 5, "supporter", active=False),  # gone, date unknown
        _contact("technical_buyer", 5, "supporter", left_on="2026-07-01"),  # leaves later
    ]
    # chain: 5 (s) + 4 (o) + 1 (s) + 5 (s, still in post on as_of) = 15; supporters 11
    assert chain_support(None, contacts, AS_OF, ROLES) == pytest.approx(11 / 15)
    assert chain_support(0.3, contacts, AS_OF, ROLES) == 0.3
    assert chain_support(None, [], AS_OF, ROLES) is None
    assert chain_support(None, None, AS_OF, ROLES) is None
    assert in_post({"active": False, "left_on": "2026-07-01"}, AS_OF) is True


def test_coverage_counts_the_roles_reached_not_the_supporters() -> None:
    # ROLES has 4 roles. One friendly decision maker mapped alone: support is a perfect 1.0,
    # but only 1 of the 4 roles is reached
    alone = [_contact("decision_maker", 5, "supporter")]
    assert chain_support(None, alone, AS_OF, ROLES) == 1.0
    assert roles_covered(None, alone, AS_OF, ROLES) == 0.25
    # any attitude and any rating counts as reached; a second person in a role adds nothing;
    # a contact who left, or outside the chain's roles, does not count
    contacts = [
        *alone,
        _contact("decision_maker", 3, "opponent"),
        _contact("economic_buyer", 4, "opponent"),
        {"name": "n", "buying_role": "influencer", "attitude": "neutral"},  # not rated
        _contact("technical_buyer", 5, "supporter", left_on="2026-06-30"),  # left on as_of
        _contact("user", 2, "supporter"),  # not a decision role
    ]
    # reached: decision_maker, economic_buyer, influencer -> 3 of 4
    assert roles_covered(None, contacts, AS_OF, ROLES) == 0.75
    assert roles_covered(None, [], AS_OF, ROLES) == 0.0  # nobody reached
    assert roles_covered(None, None, AS_OF, ROLES) is None  # unknown
    assert roles_covered(0.4, contacts, AS_OF, ROLES) == 0.4  # the exported figure wins
    # 1 of 3 roles: rounded, so 1/3 is not 0.33333333333333331
    assert roles_covered(None, alone, AS_OF, KEY | {"champion"}) == round(1 / 3, 12)


@pytest.mark.parametrize("bad", [1.7, -0.1, "0.5", True])
def test_an_exported_share_outside_0_to_1_is_not_trusted(bad: object) -> None:
    # supporter_coverage = 1.7 would score above a perfect chain; it counts as not given: the
    # stream decides, and without one the metric is missing
    stream = [_contact("decision_maker", 4, "supporter"), _contact("influencer", 4, "neutral")]
    assert chain_support(bad, None, AS_OF, ROLES) is None
    assert chain_support(bad, stream, AS_OF, ROLES) == 0.5
    assert roles_covered(bad, None, AS_OF, ROLES) is None
    assert roles_covered(bad, stream, AS_OF, ROLES) == 0.5
    assert chain_support(1, None, AS_OF, ROLES) == 1  # the bounds are valid
    assert chain_support(0, None, AS_OF, ROLES) == 0


def test_influence_off_the_1_to_5_scale_is_not_counted() -> None:
    contacts = [
        _contact("decision_maker", 9, "opponent"),  # off the scale: no weight
        _contact("economic_buyer", 0, "opponent"),  # 0 is not a rating either
        _contact("influencer", 2, "supporter"),
        _contact("technical_buyer", 2, "neutral"),
    ]
    # weighted over the two rated people only: 2 / (2 + 2)
    assert chain_support(None, contacts, AS_OF, ROLES) == 0.5
    assert chain_size(None, contacts, AS_OF, ROLES) == 2
    # the opponents are off the scale: no opponent counted
    assert strongest_opponent(None, contacts, AS_OF) == 0
    # but they are people in post in those roles: all four roles reached
    assert roles_covered(None, contacts, AS_OF, ROLES) == 1.0


@pytest.mark.parametrize("bad", [9, 6, -1])
def test_an_exported_opponent_influence_off_the_scale_is_not_trusted(bad: object) -> None:
    assert strongest_opponent(bad, None, AS_OF) is None
    assert strongest_opponent(bad, [_contact("user", 3, "opponent")], AS_OF) == 3
    assert strongest_opponent(0, None, AS_OF) == 0  # 0: no opponent, a valid figure
    assert strongest_opponent(5, None, AS_OF) == 5


def test_an_exported_chain_size_must_be_a_count() -> None:
    stream = [_contact("decision_maker", 4, "supporter")]
    assert chain_size(3, None, AS_OF, ROLES) == 3
    assert chain_size(-2, stream, AS_OF, ROLES) == 1
    assert chain_size(2.5, None, AS_OF, ROLES) is None


def test_strongest_opponent_in_any_role() -> None:
    contacts = [
        _contact("gatekeeper", 2, "opponent"),
        _contact("user", 3, "opponent"),
        _contact("decision_maker", 5, "opponent", left_on="2026-01-01"),  # gone
    ]
    assert strongest_opponent(None, contacts, AS_OF) == 3
    assert strongest_opponent(None, [_contact("user", 3, "neutral")], AS_OF) == 0
    assert strongest_opponent(None, [], AS_OF) is None
    assert strongest_opponent(4, None, AS_OF) == 4


def test_key_decision_maker_left_within_the_window() -> None:
    def left(days_ago: int, role: str = "decision_maker", influence: int = 4) -> bool | None:
        when = date.fromordinal(AS_OF.toordinal() - days_ago).isoformat()
        contact = _contact(role, influence, "supporter", left_on=when, active=False)
        return key_dm_left(None, [contact], AS_OF, KEY, 4, 90)

    assert left(0) is True
    assert left(90) is True
    assert left(91) is False
    assert left(-1) is False  # leaves tomorrow
    assert left(10, influence=3) is False  # not key: influence below 4
    assert left(10, role="technical_buyer") is False  # not a key role
    assert key_dm_left("2026-04-01", None, AS_OF, KEY, 4, 90) is True  # 90 days
    assert key_dm_left("2026-07-01", None, AS_OF, KEY, 4, 90) is False  # leaves tomorrow
    assert key_dm_left(None, [], AS_OF, KEY, 4, 90) is False
    assert key_dm_left(None, None, AS_OF, KEY, 4, 90) is None


def test_days_since_the_latest_key_departure() -> None:
    contacts = [
        _contact("decision_maker", 5, "supporter", left_on="2026-01-01"),  # 180 days
        _contact("economic_buyer", 4, "neutral", left_on="2026-05-01"),  # 60 days: the latest
        _contact("decision_maker", 3, "supporter", left_on="2026-06-20"),  # not key: influence 3
        _contact("technical_buyer", 5, "supporter", left_on="2026-06-25"),  # not a key role
        _contact("decision_maker", 5, "supporter", left_on="2026-07-10"),  # after as_of
    ]
    assert key_dm_left_days_ago(None, contacts, AS_OF, KEY, 4) == 60
    assert key_dm_left_days_ago("2026-05-01", None, AS_OF, KEY, 4) == 60  # exported
    assert key_dm_left_days_ago("2026-06-30", None, AS_OF, KEY, 4) == 0
    assert key_dm_left_days_ago("2026-07-10", None, AS_OF, KEY, 4) is None  # not yet
    assert key_dm_left_days_ago(None, [], AS_OF, KEY, 4) is None
    assert key_dm_left_days_ago(None, None, AS_OF, KEY, 4) is None
    # the window decides "recently"; the days are the same whatever the window
    assert key_dm_left(None, contacts, AS_OF, KEY, 4, 59) is False
    assert key_dm_left(None, contacts, AS_OF, KEY, 4, 60) is True


def test_team_roles_from_columns_and_owners() -> None:
    aliases = IctConfig().team_roles
    owners = [
        {"role": "Delivery_Manager", "name": "王"},
        {"role": "account_manager", "name": " "},  # nobody named
    ]
    assert roles_staffed("陈", None, None, owners, aliases) == ["account", "fulfilment"]
    assert roles_staffed(None, "", None, [], aliases) == []
    assert roles_staffed(None, None, None, None, aliases) is None
    assert roles_missing(["account"]) == ["solution", "fulfilment"]
    assert team_complete(["fulfilment", "account", "solution"]) is True


def test_grid_zones_and_cells() -> None:
    # levels: >= 70 high, >= 40 medium
    assert [grid_zone(a, s, 40, 70) for a, s in ((70, 40), (40, 70), (69.9, 69.9))] == [
        "invest",
        "invest",
        "selective",
    ]
    assert [grid_zone(a, s, 40, 70) for a, s in ((80, 10), (10, 80), (50, 39.9), (0, 0))] == [
        "selective",
        "selective",
        "harvest",
        "harvest",
    ]
    assert grid_cell(75, 45, 40, 70) == "high-medium"
    assert len(set(CELLS)) == 9


def test_account_class_follows_na_meaning() -> None:
    named, normal = IctConfig(na_meaning="named"), IctConfig(na_meaning="normal")
    cases = [
        # (attractiveness, strength, profit index) -> (named, normal)
        ((80, 75, 0.1), ("KA", "KA")),  # invest
        ((50, 50, 1.0), ("NA", "NA")),  # selective, exactly average profit
        ((50, 50, 0.99), ("other", "NA")),  # selective, below average
        ((10, 10, 5.0), ("other", "NA")),  # harvest, however profitable
    ]
    for (a, s, index), expected in cases:
        assert (account_class(a, s, index, named), account_class(a, s, index, normal)) == expected
