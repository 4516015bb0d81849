"""Golden accounts for the kamcore_saas pack: every expected verdict below is worked out by hand
in the comments (from the base policy's thresholds and weights), not copied from the engine.

The health scorecard of ``kamcore:saas/base.toml`` has six measures whose weights sum to 100,
so a measure's points are its weight times its normalised value:

=============  ======  ===============================================================
measure        weight  normalised
=============  ======  ===============================================================
utilisation    25      [0, 0.4) -> 0; [0.4, 0.7) -> 0.5; >= 0.7 -> 1
usage trend    20      <= -0.2 -> 0; (-0.2, 0) -> 0.5; >= 0 -> 1
NPS            20      0-6 -> 0; 7-8 -> 0.5; 9-10 -> 1
support load   15      [0, 2] -> 1; (2, 6] -> 0.5; > 6 -> 0
GRR            10      linear from 0.8 (0) to 1.0 (1), clamped
CSM sentiment  10      linear from 1 (0) to 5 (1)
=============  ======  ===============================================================

A missing measure scores the neutral 0.5. Bands: red < 40 <= amber < 70 <= green.
Alert points: detractor 20, ticket-backlog 10, usage-drop 25, p1-aging 30, renewal-at-risk 40,
lapsed-renewal 50, arr-contraction 20, shelfware 10. Risk: low < 30 <= medium < 60 <= high.
Tactic rules in policy order (priority): detractor (2), ticket-backlog (3), p1-escalation (1),
renewal-ebr (1), renewal-incentive (2), dedicated-engineer (3), health-check (4),
adoption-workshop (3), late-onboarding (3), success-plan (4), multi-year (4), rightsizing (4),
admin-training (5), csm-check-in (5), strategic-ebr (6), expansion-plan (6), advocacy (7); at
most 3, by priority then policy order.
"""

from __future__ import annotations

from typing import Any

import pytest

from kamcore import Engine
from kamcore.testing import Evaluator

from .conftest import saas_engine

# Every evaluation is as of 2026-06-30 (the `evaluate` fixture's date) unless it says otherwise.


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def test_strategic_account_expanding_with_a_promoter(base: Engine, evaluate: Evaluator) -> None:
    account = {
        "id": "G1",
        "saas.arr": 1_800_000,
        "saas.starting_arr": 1_500_000,
        "saas.expansion_arr": 400_000,
        "saas.contraction_arr": 50_000,
        "saas.churned_arr": 50_000,
        "saas.licences": 2000,
        "saas.active_users": 1700,
        "saas.usage": 1200,
        "saas.usage_prev": 1100,
        "nps": 9,
        "open_tickets": 2,
        "saas.open_p1_tickets": 0,
        "saas.csm_sentiment": 5,
        "saas.contract_start_date": "2021-03-31",
        "saas.go_live_date": "2021-06-01",
        "saas.renewal_date": "2027-03-31",
        "saas.reference_account": True,
    }
    e = evaluate(base, account)
    m = e["metrics"]
    # NRR = (1 500 000 + 400 000 - 50 000 - 50 000) / 1 500 000 = 1 800 000 / 1 500 000 = 1.2
    assert m["saas.nrr"] == pytest.approx(1.2)
    # GRR = (1 500 000 - 50 000 - 50 000) / 1 500 000 = 1 400 000 / 1 500 000 = 0.9333...
    assert m["saas.grr"] == pytest.approx(14 / 15)
    # utilisation 1700 / 2000 = 0.85; usage trend (1200 - 1100) / 1100 = 0.0909...
    assert m["saas.licence_utilisation"] == pytest.approx(0.85)
    assert m["saas.usage_trend"] == pytest.approx(1 / 11)
    # support load: 0 P1 x 5 + 2 other tickets x 1 = 2
    assert m["saas.support_load"] == pytest.approx(2.0)
    # 2026-06-30 -> 2026-12-31 is 184 days; + Jan 31 + Feb 28 + Mar 31 = 274
    assert m["saas.days_to_renewal"] == 274
    assert m["saas.in_renewal_window"] is False
    # health: 25 + 20 + 20 (NPS 9) + 15 (load 2) + 10 x (0.9333 - 0.8) / 0.2 = 6.667 + 10 (CSM 5)
    #       = 96.667 -> 96.7, green
    assert e["scores"]["health"]["value"] == pytest.approx(96.7)
    assert e["scores"]["health"]["band"] == "green"
    # ARR 1 800 000 >= 1 000 000 -> strategic; >= 250 000 -> key account
    assert e["tier"] == "strategic"
    assert e["segments"] == ["key-account"]
    # placed: live -> adoption; 0.85 >= 0.7 and +9 % > -20 % -> value_realisation;
    # NRR 1.2 >= 1.1 -> expansion_advocacy
    assert e["stage"]["value"] == "expansion_advocacy"
    # no alert: NPS 9, no P1, GRR 0.93 >= 0.85, 274 days to renewal, 2 tickets
    assert e["alerts"] == []
    assert e["risk"] == {"score": 0, "band": "low"}
    # strategic-ebr (6), expansion-plan (6, after it in policy order), advocacy (7, NPS 9)
    assert ids(e["tactics"]) == [
        "saas.executive_business_review",
        "saas.expansion_plan",
        "saas.advocacy_invitation",
    ]
    assert [t["dimension"] for t in e["tactics"]] == ["strategic", "strategic", "emotional"]


def test_enterprise_renewal_with_red_health_and_an_aged_p1(
    base: Engine, evaluate: Evaluator
) -> None:
    account = {
        "id": "G2",
        "saas.mrr": 30_000,
        "saas.arr_prev_12m": 400_000,
        "saas.licences": 500,
        "saas.active_users": 150,
        "saas.usage": 80,
        "saas.usage_prev": 100,
        "nps": 4,
        "open_tickets": 4,
        "saas.open_p1_tickets": 1,
        "saas.oldest_p1_days": 20,
        "saas.contract_start_date": "2023-08-29",
        "saas.renewal_date": "2026-08-29",
    }
    e = evaluate(base, account)
    m = e["metrics"]
    # ARR = 12 x 30 000 = 360 000 -> enterprise (250 000 <= ARR < 1 000 000), key account
    assert m["saas.current_arr"] == pytest.approx(360_000)
    assert e["tier"] == "enterprise"
    assert e["segments"] == ["key-account"]
    # no movements: NRR = 360 000 / 400 000 = 0.9; GRR = min(360 000, 400 000) / 400 000 = 0.9
    assert m["saas.nrr"] == pytest.approx(0.9)
    assert m["saas.grr"] == pytest.approx(0.9)
    # usage (80 - 100) / 100 = -0.2 exactly: on the usage-drop boundary (<= -0.2 fires)
    assert m["saas.usage_trend"] == -0.2
    # support load: 1 P1 x 5 + (4 - 1) others x 1 = 8
    assert m["saas.support_load"] == pytest.approx(8.0)
    # Jun 30 -> Jul 31 is 31 days, + 29 = 60
    assert m["saas.days_to_renewal"] == 60
    # health: utilisation 150/500 = 0.3 -> 0; trend -0.2 -> 0; NPS 4 -> 0; load 8 -> 0;
    # GRR 0.9 -> 10 x 0.5 = 5; CSM missing -> 10 x 0.5 = 5. Total 10, red
    assert e["scores"]["health"]["value"] == pytest.approx(10.0)
    assert e["scores"]["health"]["band"] == "red"
    # placed: in the window (60 <= 90) and unsigned -> renewal, and it stays there
    assert e["stage"]["value"] == "renewal"
    # detractor 20 + usage-drop 25 + p1-aging (20 > 14) 30 + renewal-at-risk 40 + shelfware
    # (0.3 < 0.4) 10 = 125 -> high; GRR 0.9 >= 0.85 and 4 tickets <= 5 raise nothing
    assert ids(e["alerts"]) == [
        "detractor",
        "usage-drop",
        "p1-aging",
        "renewal-at-risk",
        "shelfware",
    ]
    assert e["risk"] == {"score": 125, "band": "high"}
    # priority 1: p1-escalation, renewal-ebr (enterprise); priority 2: detractor before
    # renewal-incentive in policy order; the cap of 3 ends the list there
    assert ids(e["tactics"]) == [
        "saas.support_escalation",
        "saas.executive_business_review",
        "detractor_follow_up",
    ]
    dropped = [w for w in e["warnings"] if "over max_per_account" in w]
    # renewal-incentive (2), dedicated-engineer (3: load 8 > 6), adoption-workshop (3: usage
    # drop), rightsizing (4: shelfware in renewal)
    assert len(dropped) == 4


def test_account_document_reads_the_core_streams(base: Engine, evaluate: Evaluator) -> None:
    account = {
        "id": "G3",
        "attributes": {"saas": {"arr": 80_000, "licences": 100, "active_users": 75}},
        "contracts": [
            {
                "id": "C1",
                "start": "2024-06-01",
                "end": "2025-05-31",
                "value": 70_000,
                "status": "ended",
            },
            {
                "id": "C2",
                "start": "2025-06-01",
                "end": "2026-06-10",
                "value": 80_000,
                "status": "active",
            },
        ],
        "usage": [
            # previous period: ages 28..55 days -> mean 50
            {"date": "2026-05-12", "metric": "weekly_active_users", "value": 50},
            {"date": "2026-05-19", "metric": "weekly_active_users", "value": 50},
            {"date": "2026-05-26", "metric": "weekly_active_users", "value": 50},
            {"date": "2026-06-02", "metric": "weekly_active_users", "value": 50},
            # last period: ages 0..27 days -> mean (60 + 62 + 58 + 60) / 4 = 60
            {"date": "2026-06-09", "metric": "weekly_active_users", "value": 60},
            {"date": "2026-06-16", "metric": "weekly_active_users", "value": 62},
            {"date": "2026-06-23", "metric": "weekly_active_users", "value": 58},
            {"date": "2026-06-30", "metric": "weekly_active_users", "value": 60},
            # another metric and a future measurement: ignored
            {"date": "2026-06-30", "metric": "api_calls", "value": 1_000_000},
            {"date": "2026-07-07", "metric": "weekly_active_users", "value": 1},
        ],
        "support_tickets": [
            {"id": "T1", "opened": "2026-06-01", "priority": "p1", "status": "open"},
            {
                "id": "T2",
                "opened": "2026-06-20",
                "closed": "2026-06-25",
                "priority": "p1",
                "status": "closed",
            },
            {"id": "T3", "opened": "2026-06-25", "priority": "p2", "status": "open"},
            {"id": "T4", "opened": "2026-06-28", "priority": "p4", "status": "open"},
        ],
        "survey_responses": [
            {"date": "2026-01-15", "kind": "nps", "score": 3},
            {"date": "2026-05-20", "kind": "nps", "score": 8},
            {"date": "2026-07-10", "kind": "nps", "score": 2},
        ],
    }
    e = evaluate(base, account)
    m = e["metrics"]
    # ARR 80 000 -> growth (50 000 <= ARR < 250 000); no ARR a year ago -> no NRR, GRR
    assert e["tier"] == "growth"
    assert m["saas.nrr"] is None
    assert m["saas.grr"] is None
    # usage trend (60 - 50) / 50 = 0.2
    assert m["saas.usage_trend"] == pytest.approx(0.2)
    # renewal: the latest end among contracts started by as_of is C2's 2026-06-10: -20 days
    assert m["saas.days_to_renewal"] == -20
    assert m["saas.renewal_lapsed"] is True
    # tenure from C1's start 2024-06-01: 365 + 365 + 29 = 759 days -> live without go-live date
    assert m["saas.tenure_days"] == 759
    assert m["saas.live"] is True
    # open on as_of: T1 (P1, 29 days), T3 (P2), T4 (P4); T2 closed on 06-25
    assert m["saas.open_p1_count"] == 1
    assert m["saas.oldest_p1_age"] == 29
    assert m["open_ticket_count"] == 3
    # support load from the stream: P1 5 + P2 3 + P4 1 = 9
    assert m["saas.support_load"] == pytest.approx(9.0)
    # latest NPS on or before as_of: 8 (the July answer is after as_of)
    assert m["nps_latest"] == 8
    # health: util 0.75 -> 25; trend 0.2 -> 20; NPS 8 -> 10; load 9 -> 0; GRR missing -> 5;
    # CSM missing -> 5. Total 65, amber
    assert e["scores"]["health"]["value"] == pytest.approx(65.0)
    assert e["scores"]["health"]["band"] == "amber"
    # overdue, unsigned renewal: still in the window -> renewal
    assert e["stage"]["value"] == "renewal"
    # p1-aging (29 > 14) 30 + lapsed-renewal 50 = 80 -> high; renewal-at-risk does not fire on
    # a lapsed renewal (and health is amber)
    assert ids(e["alerts"]) == ["p1-aging", "lapsed-renewal"]
    assert e["risk"] == {"score": 80, "band": "high"}
    # p1-escalation (1), renewal-incentive (2), health-check (4: a growth account, so no
    # dedicated engineer, with load 9 > 6); csm-check-in (5, amber) is over the cap of 3;
    # amber: no multi-year discount
    assert ids(e["tactics"]) == [
        "saas.support_escalation",
        "saas.renewal_incentive",
        "saas.technical_health_check",
    ]
    assert e["segments"] == []


def test_late_onboarding_of_an_account_to_develop(base: Engine, evaluate: Evaluator) -> None:
    account = {
        "id": "G4",
        "saas.arr": 40_000,
        "saas.potential_arr": 600_000,
        "saas.licences": 50,
        "saas.active_users": 10,
        "saas.csm_sentiment": 4,
        "saas.contract_start_date": "2026-04-01",
        "saas.go_live_date": "2026-07-15",
        "saas.renewal_date": "2027-04-01",
    }
    e = evaluate(base, account)
    m = e["metrics"]
    # tenure: Apr 1 -> May 1 30, -> Jun 1 31, -> Jun 30 29 = 90 days; go-live planned for
    # 2026-07-15, after as_of -> not live (the date wins over the 90-day rule)
    assert m["saas.tenure_days"] == 90
    assert m["saas.live"] is False
    # 2026-06-30 -> 2027-04-01 = 274 + 1 = 275 days
    assert m["saas.days_to_renewal"] == 275
    # ARR 40 000 < 50 000 -> scaled; potential 600 000 >= 500 000 -> develop
    assert e["tier"] == "scaled"
    assert e["segments"] == ["develop"]
    assert e["stage"]["value"] == "onboarding"
    # health: util 10/50 = 0.2 -> 0; trend, NPS missing -> 10 + 10; load missing -> 7.5;
    # GRR missing -> 5; CSM 4 -> 10 x 0.75 = 7.5. Total 40.0: amber by its closed low end
    assert e["scores"]["health"]["value"] == pytest.approx(40.0)
    assert e["scores"]["health"]["band"] == "amber"
    # shelfware (0.2 < 0.4) 10 -> low
    assert ids(e["alerts"]) == ["shelfware"]
    assert e["risk"]["band"] == "low"
    # late-onboarding (3: 90 > 60 days, not live), success-plan (4), csm-check-in (5)
    assert ids(e["tactics"]) == [
        "saas.onboarding_acceleration",
        "saas.success_plan",
        "saas.csm_check_in",
    ]


def test_downgrade_and_stage_move_wait_for_a_second_period(
    base: Engine, evaluate: Evaluator
) -> None:
    account = {
        "id": "G5",
        "saas.arr": 240_000,
        "saas.licences": 200,
        "saas.active_users": 160,
        "saas.usage": 100,
        "saas.usage_prev": 95,
        "saas.contract_start_date": "2025-03-01",
        "saas.go_live_date": "2025-05-01",
        "saas.renewal_date": "2027-03-01",
    }
    previous = {
        "account_id": "G5",
        "tier": "enterprise",
        "stage": {"value": "adoption", "previous": "onboarding", "since": "2026-03-01"},
        "state": {"tier": {"pending": None, "count": 0}, "lifecycle": {"count": 0}},
    }
    first = evaluate(base, account, previous=previous)
    # ARR 240 000 -> growth by the thresholds; the previous tier was enterprise and
    # downgrade_after = 2: held at enterprise, growth pending 1 of 2
    assert first["tier"] == "enterprise"
    assert first["state"]["tier"] == {"pending": "growth", "count": 1}
    # value-realised holds (160/200 = 0.8 >= 0.7; trend (100 - 95)/95 = +5.3 % > -20 %) but
    # needs 2 consecutive evaluations: still adoption, pending 1
    assert first["stage"]["value"] == "adoption"
    assert first["stage"]["since"] == "2026-03-01"
    assert first["state"]["lifecycle"] == {"pending": "value-realised", "count": 1}

    second = evaluate(base, account, as_of="2026-07-31", previous=first)
    # the second period in a row below: growth; the guard held twice: value_realisation
    assert second["tier"] == "growth"
    assert second["stage"] == {
        "value": "value_realisation",
        "previous": "adoption",
        "changed": True,
        "since": "2026-07-31",
    }


RENEWAL_PREVIOUS: dict[str, Any] = {
    "account_id": "G6",
    "tier": "enterprise",
    "stage": {"value": "renewal", "previous": "value_realisation", "since": "2026-05-01"},
    "state": {"tier": {"pending": None, "count": 0}, "lifecycle": {"count": 0}},
}


@pytest.mark.parametrize(
    ("expansion", "active_users", "stage"),
    [
        # NRR (400 000 + 120 000 - 20 000) / 400 000 = 1.25 >= 1.1 -> renewed-expanding
        (120_000, 300, "expansion_advocacy"),
        # NRR (400 000 + 20 000 - 20 000) / 400 000 = 1.0; utilisation 160/400 = 0.4 < 0.5
        # -> renewed-low-adoption
        (20_000, 160, "adoption"),
        # NRR 1.0; utilisation 240/400 = 0.6 >= 0.5 -> renewed
        (20_000, 240, "value_realisation"),
    ],
)
def test_leaving_renewal_says_how_it_went(
    base: Engine, evaluate: Evaluator, expansion: int, active_users: int, stage: str
) -> None:
    account = {
        "id": "G6",
        "saas.arr": 400_000 + expansion - 20_000,
        "saas.starting_arr": 400_000,
        "saas.expansion_arr": expansion,
        "saas.contraction_arr": 20_000,
        "saas.licences": 400,
        "saas.active_users": active_users,
        "saas.renewal_date": "2026-08-15",
        "saas.renewal_signed": True,
        "saas.contract_start_date": "2023-08-15",
    }
    e = evaluate(base, account, previous=RENEWAL_PREVIOUS)
    # 46 days to renewal: inside the window, but signed -> renewed
    assert e["metrics"]["saas.days_to_renewal"] == 46
    # GRR = (400 000 - 20 000) / 400 000 = 0.95 in every variant
    assert e["metrics"]["saas.grr"] == pytest.approx(0.95)
    assert e["stage"]["value"] == stage
    assert e["stage"]["previous"] == "renewal"
    # a signed renewal is not at risk
    assert "renewal-at-risk" not in ids(e["alerts"])


def test_unsigned_renewal_pre_empts_expansion(base: Engine, evaluate: Evaluator) -> None:
    previous = {
        **RENEWAL_PREVIOUS,
        "stage": {**RENEWAL_PREVIOUS["stage"], "value": "expansion_advocacy"},
    }
    account = {"id": "G6", "saas.arr": 500_000, "saas.renewal_date": "2026-09-28"}
    e = evaluate(base, account, previous=previous)
    # Jul 31 + Aug 31 + Sep 28 = 90 days: the window's closed end -> renewal
    assert e["metrics"]["saas.days_to_renewal"] == 90
    assert e["stage"]["value"] == "renewal"
    assert e["stage"]["changed"] is True


def test_northwind_caps_the_executive_programme_at_three(
    northwind: Engine, evaluate: Evaluator
) -> None:
    # ARR >= 1 500 000 makes four accounts strategic by Northwind's thresholds; the cap keeps
    # the three largest (2.0 M, 1.9 M, 1.6 M) and S4 (1.55 M) falls to enterprise
    rows = [
        {"id": "S4", "saas.arr": 1_550_000, "entity": "us"},
        {"id": "S1", "saas.arr": 2_000_000, "entity": "us"},
        {"id": "S3", "saas.arr": 1_600_000, "entity": "cn"},
        {"id": "S2", "saas.arr": 1_900_000, "entity": "us"},
        {"id": "E1", "saas.arr": 1_400_000, "entity": "us"},
    ]
    # (the portfolio fixture fails the test if any row is rejected)
    result = evaluate.portfolio(northwind, rows)
    tiers = {account_id: e["tier"] for account_id, e in result.items()}
    assert tiers == {
        "S4": "enterprise",
        "S1": "strategic",
        "S3": "strategic",
        "S2": "strategic",
        "E1": "enterprise",  # 1 400 000 < 1 500 000 by the thresholds alone
    }
    s4 = result["S4"]
    assert any(f["kind"] == "cap" for f in s4["fired"])
    # S3 is contracted by the Chinese subsidiary; all five are key accounts (>= 300 000)
    assert result["S3"]["segments"] == ["key-account", "china"]


def test_northwind_weighs_a_p1_as_eight_tickets(northwind: Engine, evaluate: Evaluator) -> None:
    row = {"id": "W1", "saas.arr": 100_000, "open_tickets": 2, "saas.open_p1_tickets": 1}
    e = evaluate.portfolio(northwind, [row])["W1"]
    # 1 P1 x 8 + 1 other x 1 = 9
    assert e["metrics"]["saas.support_load"] == pytest.approx(9.0)


def test_a_grace_period_delays_the_lapse(base: Engine, evaluate: Evaluator) -> None:
    text = """
[policy]
id = "grace"
version = "1"
extends = ["kamcore:saas/base.toml"]

[config.kamcore_saas]
renewal_grace_days = 30
"""
    engine = saas_engine(text)
    row = {"id": "L1", "saas.arr": 30_000, "saas.renewal_date": "2026-06-10"}
    e = evaluate(engine, row)
    # -20 days: overdue, but not more than 30 -> not lapsed; still in the renewal stage
    assert e["metrics"]["saas.days_to_renewal"] == -20
    assert e["metrics"]["saas.renewal_lapsed"] is False
    assert "lapsed-renewal" not in ids(e["alerts"])
    assert e["stage"]["value"] == "renewal"
    # with the base's grace of 0 days it has lapsed
    lapsed = evaluate(base, row)
    assert ids(lapsed["alerts"]) == ["lapsed-renewal"]


# -- cells a broken export gets wrong: missing values, never a wrong verdict or a lost account --
# A healthy growth account, to which each test below adds one bad cell. Its health without them:
# utilisation 80/100 = 0.8 -> 25; NPS 9 -> 20; 1 open ticket, no P1 -> load 1 -> 15; CSM 5 -> 10;
# no ARR a year ago -> GRR missing -> 5; usage and movements as each test says.
# ARR 100 000 -> growth; live since 2024-03-01; placed adoption -> value_realisation (0.8 >= 0.7,
# no usage trend counts as 0 > -20 %). Renewal 2027-01-31: Jul 31 + Aug 31 + Sep 30 + Oct 31 +
# Nov 30 + Dec 31 + Jan 31 = 215 days, outside the window.
HEALTHY: dict[str, Any] = {
    "saas.arr": 100_000,
    "saas.licences": 100,
    "saas.active_users": 80,
    "nps": 9,
    "open_tickets": 1,
    "saas.csm_sentiment": 5,
    "saas.contract_start_date": "2024-01-31",
    "saas.go_live_date": "2024-03-01",
    "saas.renewal_date": "2027-01-31",
}


def test_negative_usage_is_missing_not_a_rejected_account(
    base: Engine, evaluate: Evaluator
) -> None:
    # finding 14: usage -5 after 10 gave a trend of (-5 - 10) / 10 = -1.5, in no band of the
    # usage-trend measure, and the whole account was rejected. Negative usage is now missing.
    account = {"id": "X1", **HEALTHY, "saas.usage": -5, "saas.usage_prev": 10}
    e = evaluate(base, account)
    assert e["metrics"]["saas.usage_trend"] is None
    # health: 25 + trend missing 10 + 20 + 15 + 5 + 10 = 85, green
    assert e["scores"]["health"]["value"] == pytest.approx(85.0)
    assert e["scores"]["health"]["band"] == "green"
    # a missing trend is no usage drop
    assert e["alerts"] == []
    assert e["stage"]["value"] == "value_realisation"
    assert e["metrics"]["saas.days_to_renewal"] == 215
    assert e["tier"] == "growth"


def test_the_usage_trend_bands_place_every_number(evaluate: Evaluator) -> None:
    # finding 14, the policy half: a client may point the measure at its own trend, which the
    # pack does not clean; the bands must still place it. Here the raw (-5 - 10) / 10 = -1.5
    # falls in the first band, now open below (..-0.2] -> 0 points (it was [-1..-0.2]: rejected).
    text = """
[policy]
id = "raw-trend"
version = "1"
extends = ["kamcore:saas/base.toml"]

[metrics]
raw_usage_trend = "(saas.usage - saas.usage_prev) / saas.usage_prev"

[[scorecards.health.measures]]
id = "usage-trend"
metric = "raw_usage_trend"
"""
    account = {"id": "X1", **HEALTHY, "saas.usage": -5, "saas.usage_prev": 10}
    e = evaluate(saas_engine(text), account)
    assert e["metrics"]["raw_usage_trend"] == pytest.approx(-1.5)
    # health: 25 + trend 0 + 20 + 15 + 5 + 10 = 75, green
    assert e["scores"]["health"]["value"] == pytest.approx(75.0)


def test_negative_counts_are_empty_cells(base: Engine, evaluate: Evaluator) -> None:
    # the same failure as finding 14 in two more measures: active users -5 of 10 licences gave a
    # utilisation of -0.5, open tickets -3 a support load of -3; both lay in no band.
    account = {"id": "X5", **HEALTHY, "saas.active_users": -5, "open_tickets": -3}
    e = evaluate(base, account)
    assert e["metrics"]["saas.licence_utilisation"] is None
    assert e["metrics"]["saas.support_load"] is None
    # health: utilisation missing 12.5 + trend missing 10 + NPS 20 + load missing 7.5 + GRR
    # missing 5 + CSM 10 = 65, amber. No utilisation: no shelfware alert, and the stage stays
    # where the first evaluation places it without evidence of value: adoption.
    assert e["scores"]["health"]["value"] == pytest.approx(65.0)
    assert e["scores"]["health"]["band"] == "amber"
    assert e["alerts"] == []
    assert e["stage"]["value"] == "adoption"


@pytest.mark.parametrize(
    ("contraction", "nrr", "grr", "stage", "alerts"),
    [
        # finding 16: -30 000 read as written gave (100 000 + 50 000 + 30 000) / 100 000 = 1.8
        # and expansion; its sign is unknown, so NRR and GRR are missing and prove nothing
        (-30_000, None, None, "value_realisation", []),
        # the positive amount the facts ask for: NRR (100 000 + 50 000 - 30 000) / 100 000 =
        # 1.2 >= 1.1 -> expansion_advocacy; GRR (100 000 - 30 000) / 100 000 = 0.7 < 0.85
        (30_000, 1.2, 0.7, "expansion_advocacy", ["arr-contraction"]),
    ],
)
def test_a_negative_arr_movement_makes_retention_missing(
    base: Engine,
    evaluate: Evaluator,
    contraction: int,
    nrr: float | None,
    grr: float | None,
    stage: str,
    alerts: list[str],
) -> None:
    account = {
        "id": "X2",
        **HEALTHY,
        "saas.arr": 120_000,
        "saas.starting_arr": 100_000,
        "saas.expansion_arr": 50_000,
        "saas.contraction_arr": contraction,
    }
    e = evaluate(base, account)
    m = e["metrics"]
    assert m["saas.nrr"] == (None if nrr is None else pytest.approx(nrr))
    assert m["saas.grr"] == (None if grr is None else pytest.approx(grr))
    assert e["stage"]["value"] == stage
    assert ids(e["alerts"]) == alerts


def test_a_contract_starting_after_as_of_has_no_tenure(base: Engine, evaluate: Evaluator) -> None:
    # finding 17: 2027-01-01 is 185 days after as_of (Jul 31 + Aug 31 + Sep 30 + Oct 31 + Nov 30
    # + Dec 31 = 184, + 1); the tenure was -185. An age is never negative: missing.
    account = {
        "id": "X3",
        "saas.arr": 40_000,
        "saas.contract_start_date": "2027-01-01",
        "saas.renewal_date": "2028-01-01",
    }
    e = evaluate(base, account)
    m = e["metrics"]
    assert m["saas.tenure_days"] is None
    # the days to renewal count down and keep their sign: 185 + 365 (2027) = 550 here, and
    # negative for an overdue renewal (test_a_grace_period_delays_the_lapse: -20)
    assert m["saas.days_to_renewal"] == 550
    # no go-live date and no tenure: not live -> onboarding, but not "late" onboarding
    assert m["saas.live"] is False
    assert e["stage"]["value"] == "onboarding"
    # health: utilisation 12.5 + trend 10 + NPS 10 + load 7.5 + GRR 5 + CSM 5 (all missing) =
    # 50, amber. Tactics: success-plan (4), csm-check-in (5)
    assert e["scores"]["health"]["value"] == pytest.approx(50.0)
    assert ids(e["tactics"]) == ["saas.success_plan", "saas.csm_check_in"]


@pytest.mark.parametrize(
    ("open_p1", "age", "load", "health", "alerts", "tactics"),
    [
        # finding 18: no open P1, a stale age of 30 days beside it: no oldest P1, no alert.
        # load 0 P1 x 5 + 2 x 1 = 2 -> 15; health 25 + 20 (trend 0) + 20 + 15 + 5 + 10 = 95
        (0, None, 2.0, 95.0, [], []),
        # one open P1 of 30 days: p1-aging (30 > 14), 30 points; load 1 x 5 + 1 x 1 = 6 ->
        # 0.5 x 15 = 7.5; health 25 + 20 + 20 + 7.5 + 5 + 10 = 87.5
        (1, 30, 6.0, 87.5, ["p1-aging"], ["saas.support_escalation"]),
    ],
)
def test_p1_aging_needs_an_open_p1(
    base: Engine,
    evaluate: Evaluator,
    open_p1: int,
    age: int | None,
    load: float,
    health: float,
    alerts: list[str],
    tactics: list[str],
) -> None:
    account = {
        "id": "X4",
        **HEALTHY,
        "saas.usage": 100,
        "saas.usage_prev": 100,
        "open_tickets": 2,
        "saas.open_p1_tickets": open_p1,
        "saas.oldest_p1_days": 30,
    }
    e = evaluate(base, account)
    m = e["metrics"]
    assert m["saas.oldest_p1_age"] == age
    assert m["saas.support_load"] == pytest.approx(load)
    assert e["scores"]["health"]["value"] == pytest.approx(health)
    assert ids(e["alerts"]) == alerts
    assert ids(e["tactics"]) == tactics
