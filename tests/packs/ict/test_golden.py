"""Golden accounts: every expected verdict below is worked out by hand from the base policy
(policies/ict/base.toml) and the pack's definitions, with the arithmetic in the comments.

Conventions of the base policy used throughout:

* attractiveness = 100 * (0.40 wallet + 0.25 growth + 0.20 industry + 0.15 credit), where
  wallet is banded ([0, 20M) 0.1, [20M, 100M) 0.4, [100M, 500M) 0.7, [500M, ...) 1.0),
  growth = (g + 0.05) / 0.20, industry = 1 for telecom/government/finance/energy/transport,
  credit = (grade - 1) / 4 (missing: neutral 0.5); rounded to 1 decimal.
* strength = 100 * (0.30 share + 0.20 win + 0.15 support + 0.15 roles + 0.20 delivery),
  share = s / 0.5, win = w / 0.8, support = the supporters' share of the mapped chain's
  influence, roles = the share of the 5 decision roles reached, delivery = (d - 0.5) / 0.5, each
  clamped to [0, 1]; a missing measure is excluded and the other weights renormalised; rounded
  to 1 decimal.
* priority = (attractiveness + strength) / 2, rounded to 2 decimals.
* grid: an axis is high from 70, medium from 40; invest = HH/HM/MH, selective = HL/MM/LH.
* tier (na_meaning = "named"): invest -> KA, selective with profit index >= 1.0 -> NA, else
  other; then the cap keeps 30 KA by priority and moves the rest to NA, whatever their profit.
* risk: alert points [0, 25) low, [25, 50) medium, [50, ...) high.
"""

from __future__ import annotations

from typing import Any

import pytest

from kamcore import Engine

from .support import BASE, by_id, ict_engine, ids, overlay

AS_OF = "2026-06-30"

#: The base policy's five golden accounts (the same as its [[tests]]), as flat rows.
G1: dict[str, Any] = {
    "id": "G1",
    "industry": "telecom",
    "wallet_estimate": 2_000_000_000,
    "ict.wallet_growth": 0.07,
    "ict.credit_grade": 5,
    "revenue_12m": 1_100_000_000,
    "revenue_prev_12m": 1_000_000_000,
    "share_of_wallet": 0.55,
    "ict.share_of_wallet_prev": 0.52,
    "ict.opportunities_won_12m": 6,
    "ict.opportunities_lost_12m": 4,
    "ict.win_rate_prev_12m": 0.55,
    "ict.pipeline_value": 1_650_000_000,
    "ict.supporter_coverage": 0.8,
    "ict.roles_covered": 1.0,
    "ict.top_opponent_influence": 3,
    "ict.on_time_delivery_rate": 0.9,
    "ict.profit_network": 45_000_000,
    "ict.profit_cloud": 10_000_000,
    "ict.profit_services": 5_000_000,
    "ict.overdue_amount": 5_000_000,
    "ict.days_overdue": 20,
    "ict.account_responsible": "陈伟",
    "ict.solution_responsible": "李娜",
    "ict.fulfilment_responsible": "王强",
    "ict.strategic_agreement": True,
    "years_as_customer": 12,
    "nps": 9,
    "open_tickets": 1,
}
G2: dict[str, Any] = {
    "id": "G2",
    "industry": "manufacturing",
    "wallet_estimate": 300_000_000,
    "ict.wallet_growth": 0.15,
    "ict.credit_grade": 5,
    "revenue_12m": 105_000_000,
    "revenue_prev_12m": 100_000_000,
    "share_of_wallet": 0.35,
    "ict.share_of_wallet_prev": 0.36,
    "ict.opportunities_won_12m": 2,
    "ict.opportunities_lost_12m": 3,
    "ict.win_rate_prev_12m": 0.45,
    "ict.pipeline_value": 84_000_000,
    "ict.supporter_coverage": 0.5,
    "ict.roles_covered": 0.8,
    "ict.top_opponent_influence": 4,
    "ict.on_time_delivery_rate": 0.8,
    "ict.profit_enterprise": 18_000_000,
    "ict.profit_cloud": 12_000_000,
    "ict.overdue_amount": 4_000_000,
    "ict.days_overdue": 75,
    "ict.account_responsible": "赵敏",
    "ict.solution_responsible": "孙浩",
    "years_as_customer": 4,
    "nps": 7,
    "open_tickets": 2,
}
G3: dict[str, Any] = {
    "id": "G3",
    "industry": "finance",
    "wallet_estimate": 80_000_000,
    "ict.wallet_growth": 0.03,
    "ict.credit_grade": 3,
    "revenue_12m": 20_000_000,
    "revenue_prev_12m": 22_000_000,
    "share_of_wallet": 0.25,
    "ict.share_of_wallet_prev": 0.32,
    "ict.opportunities_won_12m": 1,
    "ict.opportunities_lost_12m": 4,
    "ict.win_rate_prev_12m": 0.5,
    "ict.pipeline_value": 6_000_000,
    "ict.supporter_coverage": 0.5,
    "ict.roles_covered": 0.4,
    "ict.top_opponent_influence": 2,
    "ict.key_dm_left_on": "2026-05-01",
    "ict.on_time_delivery_rate": 0.7,
    "ict.profit_12m": 2_000_000,
    "ict.profit_cloud": 1_500_000,
    "ict.days_overdue": 0,
    "ict.account_responsible": "周杰",
    "years_as_customer": 3,
    "nps": 5,
    "open_tickets": 0,
}
G4: dict[str, Any] = {
    "id": "G4",
    "industry": "government",
    "wallet_estimate": 600_000_000,
    "ict.wallet_growth": 0.11,
    "ict.credit_grade": 3,
    "revenue_12m": 180_000_000,
    "revenue_prev_12m": 170_000_000,
    "share_of_wallet": 0.3,
    "ict.share_of_wallet_prev": 0.3,
    "ict.opportunities_won_12m": 2,
    "ict.opportunities_lost_12m": 3,
    "ict.win_rate_prev_12m": 0.4,
    "ict.pipeline_value": 200_000_000,
    "ict.supporter_coverage": 0.45,
    "ict.roles_covered": 0.6,
    "ict.top_opponent_influence": 0,
    "ict.profit_network": 5_000_000,
    "ict.profit_cloud": 4_000_000,
    "ict.profit_energy": 3_000_000,
    "ict.days_overdue": 0,
    "ict.account_responsible": "黄磊",
    "years_as_customer": 1.5,
    "open_tickets": 7,
}
G5: dict[str, Any] = {
    "id": "G5",
    "industry": "education",
    "wallet_estimate": 10_000_000,
    "ict.wallet_growth": 0.01,
    "revenue_12m": 500_000,
    "revenue_prev_12m": 450_000,
    "share_of_wallet": 0.05,
    "ict.opportunities_won_12m": 0,
    "ict.opportunities_lost_12m": 2,
    "ict.pipeline_value": 0,
    "ict.on_time_delivery_rate": 0.9,
    "ict.profit_services": 100_000,
    "ict.overdue_amount": 80_000,
    "ict.days_overdue": 120,
    "years_as_customer": 0.5,
}
GOLDEN = [G1, G2, G3, G4, G5]


@pytest.fixture(scope="module")
def base() -> Engine:
    return ict_engine(BASE)


@pytest.fixture(scope="module")
def golden(base: Engine) -> dict[str, dict[str, Any]]:
    return by_id(base, GOLDEN, AS_OF)


def _score(evaluation: dict[str, Any], scorecard: str) -> float:
    value: float = evaluation["scores"][scorecard]["value"]
    return value


# -- profit index: the portfolio's average profit ---------------------------------------------
# Profit contribution: G1 45M + 10M + 5M = 60M (lines); G2 18M + 12M = 30M; G3 2M (the exported
# total wins over its 1.5M cloud line); G4 5M + 4M + 3M = 12M; G5 0.1M.
# Sum 104.1M over 5 accounts: average 20.82M. Index = profit * 5 / 104.1M.


def test_profit_contribution_and_index(golden: dict[str, dict[str, Any]]) -> None:
    expected = {
        "G1": (60_000_000, 300 / 104.1),  # 2.8818 >= 1
        "G2": (30_000_000, 150 / 104.1),  # 1.4409 >= 1: above average
        "G3": (2_000_000, 10 / 104.1),  # 0.0961
        "G4": (12_000_000, 60 / 104.1),  # 0.5764
        "G5": (100_000, 0.5 / 104.1),  # 0.0048
    }
    for account, (profit, index) in expected.items():
        metrics = golden[account]["metrics"]
        assert metrics["ict.profit_contribution"] == profit
        assert metrics["ict.profit_index"] == pytest.approx(index, abs=1e-11)
    # lines with a profit: G1 3, G3 1 (cloud), G5 1 (services); concentration G1 45 / 60
    assert golden["G1"]["metrics"]["ict.profit_lines_active"] == 3
    assert golden["G3"]["metrics"]["ict.profit_lines_active"] == 1


def test_g1_carrier_in_strategic_alliance_is_ka(golden: dict[str, dict[str, Any]]) -> None:
    g1 = golden["G1"]
    # attractiveness: wallet 2,000M -> band 1.0; growth (0.07 + 0.05) / 0.2 = 0.6; telecom 1;
    # credit (5 - 1) / 4 = 1.0 -> 100 * (0.4 + 0.15 + 0.2 + 0.15) = 90.0
    assert _score(g1, "attractiveness") == 90.0
    # strength: share 0.55 / 0.5 -> clamped 1.0; win 6 / (6 + 4) = 0.6 -> 0.6 / 0.8 = 0.75;
    # support 0.8; roles 1.0; delivery (0.9 - 0.5) / 0.5 = 0.8
    # -> 100 * (0.3 * 1 + 0.2 * 0.75 + 0.15 * 0.8 + 0.15 * 1.0 + 0.2 * 0.8)
    # = 100 * (0.30 + 0.15 + 0.12 + 0.15 + 0.16) = 88.0
    assert _score(g1, "strength") == 88.0
    assert g1["metrics"]["ict.win_rate"] == 0.6
    # priority (90 + 88) / 2 = 89.0; high-high -> invest -> KA
    assert _score(g1, "priority") == 89.0
    assert g1["tier"] == "KA"
    # stage walk: contact -(revenue > 0, support 0.8 >= 0.3)-> trust -(share 0.55 >= 0.3,
    # support >= 0.5, tenure 12 >= 2)-> partnership -(agreement, support >= 0.7,
    # share >= 0.5)-> strategic_alliance; `cool` does not hold (agreement, share >= 0.4)
    assert g1["stage"]["value"] == "strategic_alliance"
    # share change 0.55 - 0.52 = +0.03; win rate 0.60 - 0.55 = +0.05; pipeline 1,650M / 1,100M
    # = 1.5; 20 days overdue; opponent 3; all 5 roles reached; NPS 9; 1 ticket; revenue up:
    # no alert at all
    assert g1["metrics"]["ict.sow_change"] == pytest.approx(0.03)
    assert g1["metrics"]["ict.pipeline_coverage"] == 1.5
    assert g1["alerts"] == []
    assert g1["risk"] == {"score": 0, "band": "low"}
    # only `alliance-exchange` (KA in strategic_alliance) fires
    assert ids(g1["tactics"]) == ["ict.executive_exchange"]
    assert g1["segments"] == ["grid-invest", "strategic-industry"]


def test_g2_profitable_selective_account_is_named_na(golden: dict[str, dict[str, Any]]) -> None:
    g2 = golden["G2"]
    # attractiveness: 300M -> 0.7; growth (0.15 + 0.05) / 0.2 = 1.0; manufacturing 0;
    # credit 1.0 -> 100 * (0.28 + 0.25 + 0 + 0.15) = 68.0 (medium)
    assert _score(g2, "attractiveness") == 68.0
    # strength: share 0.35 / 0.5 = 0.7; win 2 / 5 = 0.4 -> 0.5; support 0.5; roles 0.8;
    # delivery (0.8 - 0.5) / 0.5 = 0.6
    # -> 100 * (0.21 + 0.10 + 0.075 + 0.12 + 0.12) = 62.5 (medium)
    assert _score(g2, "strength") == 62.5
    # medium-medium -> selective; profit index 1.44 >= 1.0 -> named account NA
    assert g2["tier"] == "NA"
    # contact -> trust (support 0.5) -> partnership (share 0.35, support 0.5, tenure 4);
    # no strategic agreement, so no alliance
    assert g2["stage"]["value"] == "partnership"
    # 75 days overdue > 60: payment-overdue 20; opponent of influence 4: 15 -> 35, medium;
    # 4 of 5 roles reached (0.8 >= 0.6): no chain-gap
    assert ids(g2["alerts"]) == ["payment-overdue", "influential-opponent"]
    assert g2["risk"] == {"score": 35, "band": "medium"}
    # overdue-review (priority 1), opponent (3); not KA, so no team-gap though FR is missing
    assert ids(g2["tactics"]) == ["ict.milestone_payment_review", "ict.opponent_engagement"]
    assert g2["metrics"]["ict.team_roles_missing"] == ["fulfilment"]


def test_g3_low_profit_selective_account_is_other(golden: dict[str, dict[str, Any]]) -> None:
    g3 = golden["G3"]
    # attractiveness: 80M -> 0.4; growth (0.03 + 0.05) / 0.2 = 0.4; finance 1; credit 0.5
    # -> 100 * (0.16 + 0.10 + 0.20 + 0.075) = 53.5 (medium)
    assert _score(g3, "attractiveness") == 53.5
    # strength: share 0.25 / 0.5 = 0.5; win 1 / 5 = 0.2 -> 0.25; support 0.5; roles 0.4;
    # delivery (0.7 - 0.5) / 0.5 = 0.4
    # -> 100 * (0.15 + 0.05 + 0.075 + 0.06 + 0.08) = 41.5 (medium)
    assert _score(g3, "strength") == 41.5
    # selective, but profit index 0.096 < 1.0 -> other
    assert g3["tier"] == "other"
    # contact -> trust (support 0.5) -> at_risk (`slip`: a key decision maker left)
    assert g3["stage"]["value"] == "at_risk"
    # NPS 5 (generic detractor 20); left 2026-05-01, 60 days ago <= 90 (30); share
    # 0.25 - 0.32 = -0.07 <= -0.05 (20); pipeline 6M / 20M = 0.3 < 0.5 (15); win rate
    # 0.2 - 0.5 = -0.3 <= -0.25 with 5 decided >= 4 (20); a selective account with 2 of 5
    # roles reached, 0.4 < 0.6 (chain-gap 5) -> 110, high
    assert g3["metrics"]["ict.sow_change"] == pytest.approx(-0.07)
    assert g3["metrics"]["ict.win_rate_change"] == pytest.approx(-0.3)
    assert ids(g3["alerts"]) == [
        "detractor",
        "key-dm-left",
        "sow-falling",
        "pipeline-drying",
        "win-rate-collapse",
        "chain-gap",
    ]
    assert g3["risk"] == {"score": 110, "band": "high"}
    reasons = {a["id"]: a["reason"] for a in g3["alerts"]}
    # the change in points, not "-7%" (a relative fall); the days since the departure, not
    # the window (which the config may change)
    assert reasons["sow-falling"] == "share of wallet 25%, -7 points on a year ago"
    assert reasons["key-dm-left"] == "a key decision maker left 60 days ago"
    assert reasons["chain-gap"] == "only 40% of the decision roles have a contact in post"
    # firing: dm-left-visit (1), detractor (2, inherited so first among the 2s),
    # delivery-recovery (2, on time 0.7 < 0.8), win-rate-terms (3), share-workshop (4),
    # map-chain (4, chain-gap); max_per_account = 3 keeps the first three
    assert ids(g3["tactics"]) == [
        "ict.high_level_visit",
        "detractor_follow_up",
        "ict.fulfilment_recovery_plan",
    ]
    assert g3["segments"] == ["grid-selective", "strategic-industry", "single-line"]


def test_g4_ka_with_an_incomplete_team(golden: dict[str, dict[str, Any]]) -> None:
    g4 = golden["G4"]
    # attractiveness: 600M -> 1.0; growth (0.11 + 0.05) / 0.2 = 0.8; government 1; credit 0.5
    # -> 100 * (0.40 + 0.20 + 0.20 + 0.075) = 87.5 (high)
    assert _score(g4, "attractiveness") == 87.5
    # strength, delivery missing and excluded (weights 30 + 20 + 15 + 15 = 80):
    # (0.3 * 0.6 + 0.2 * 0.5 + 0.15 * 0.45 + 0.15 * 0.6) / 0.8
    # = (0.18 + 0.10 + 0.0675 + 0.09) / 0.8 = 0.4375 / 0.8 = 0.546875 -> 54.7 (medium)
    assert _score(g4, "strength") == 54.7
    measures = {m["id"]: m for m in g4["scores"]["strength"]["measures"]}
    assert measures["delivery"]["missing"] is not None
    # priority (87.5 + 54.7) / 2 = 71.1 (from the rounded scores); high-medium -> invest -> KA
    assert _score(g4, "priority") == 71.1
    assert g4["tier"] == "KA"
    # contact -> trust (support 0.45); partnership needs support 0.5
    assert g4["stage"]["value"] == "trust"
    # 7 open tickets (generic ticket-backlog 15); KA with only the account responsible
    # (team-gap 5); 3 of 5 roles reached is 0.6, not below 0.6: no chain-gap -> 20, low
    assert g4["metrics"]["ict.team_roles_staffed"] == ["account"]
    assert ids(g4["alerts"]) == ["ticket-backlog", "team-gap"]
    assert g4["alerts"][1]["reason"] == "no solution, fulfilment responsible"
    assert g4["risk"] == {"score": 20, "band": "low"}
    assert ids(g4["tactics"]) == ["service_recovery", "ict.iron_triangle_staffing"]


def test_g5_small_account_is_harvest(golden: dict[str, dict[str, Any]]) -> None:
    g5 = golden["G5"]
    # attractiveness: 10M -> 0.1; growth (0.01 + 0.05) / 0.2 = 0.3; education 0; credit
    # missing -> neutral 0.5 -> 100 * (0.04 + 0.075 + 0 + 0.075) = 19.0 (low)
    assert _score(g5, "attractiveness") == 19.0
    # strength, support and roles missing and excluded (weights 30 + 20 + 20 = 70):
    # share 0.05 / 0.5 = 0.1; win 0 / 2 = 0; delivery 0.8
    # -> (0.03 + 0 + 0.16) / 0.7 = 0.2714 -> 27.1 (low)
    assert _score(g5, "strength") == 27.1
    # low-low -> harvest -> other; support unknown, so it stays at contact
    assert (g5["tier"], g5["stage"]["value"]) == ("other", "contact")
    # 120 days overdue (20); pipeline 0 / 0.5M = 0 < 0.5 (15) -> 35, medium
    assert ids(g5["alerts"]) == ["payment-overdue", "pipeline-drying"]
    assert g5["risk"] == {"score": 35, "band": "medium"}
    assert ids(g5["tactics"]) == ["ict.milestone_payment_review", "ict.solution_workshop"]
    # no team columns at all: the staffed roles are unknown, not "none"
    assert g5["metrics"]["ict.team_roles_staffed"] is None


def test_normal_na_meaning_makes_every_non_ka_an_na() -> None:
    engine = overlay("kamcore:ict/base.toml", '[config.kamcore_ict]\nna_meaning = "normal"\n')
    tiers = {k: v["tier"] for k, v in by_id(engine, GOLDEN, AS_OF).items()}
    # the grid is the same: G1 and G4 invest -> KA; G2, G3 (selective) and G5 (harvest) are
    # NA whatever their profit
    assert tiers == {"G1": "KA", "G2": "NA", "G3": "NA", "G4": "KA", "G5": "NA"}


def test_a_higher_profit_bar_removes_the_named_account() -> None:
    engine = overlay("kamcore:ict/base.toml", "[config.kamcore_ict]\nna_min_profit_index = 1.5\n")
    # G2's index 1.44 < 1.5: no longer a named account
    assert by_id(engine, GOLDEN, AS_OF)["G2"]["tier"] == "other"


def test_the_cap_keeps_the_highest_priority_key_accounts() -> None:
    engine = overlay(
        "kamcore:ict/base.toml",
        '[[tier.caps]]\nvalue = "KA"\nmax = 1\norder_by = "score.priority"\n',
    )
    result = by_id(engine, GOLDEN, AS_OF)
    # KA candidates G1 (priority 89.0) and G4 (71.1): G4 is ranked 2nd and falls to NA
    assert (result["G1"]["tier"], result["G4"]["tier"]) == ("KA", "NA")
    caps = [f for f in result["G4"]["fired"] if f["kind"] == "cap"]
    assert "ranked 2 by score.priority" in caps[0]["note"]
    # NA although na_meaning = "named" and G4's profit index is 60 / 104.1 = 0.58 < 1.0: the
    # cap demotes to the next tier whatever the profit (docs/packs/ict.md says so); the
    # segment ka-overflow tells it from G2, the value account
    assert result["G4"]["metrics"]["ict.profit_index"] < 1.0
    assert "ka-overflow" in result["G4"]["segments"]
    assert "ka-overflow" not in result["G2"]["segments"]
    # no longer KA, so no team-gap alert (15 left, low) and no staffing tactic
    assert ids(result["G4"]["alerts"]) == ["ticket-backlog"]
    assert ids(result["G4"]["tactics"]) == ["service_recovery"]


def test_a_missing_current_revenue_is_not_a_revenue_decline(base: Engine) -> None:
    # an export with last year's revenue but no figure for this year: unknown, not zero
    unknown = {"id": "x", "revenue_prev_12m": "10000000"}
    # 7M against 10M: 7M < 8M, a real decline of 30 %
    fell = {"id": "y", "revenue_12m": "7000000", "revenue_prev_12m": "10000000"}
    # 8M against 10M: exactly 80 %, not below it
    held = {"id": "z", "revenue_12m": "8000000", "revenue_prev_12m": "10000000"}
    result = by_id(base, [unknown, fell, held], AS_OF)
    assert "revenue-decline" not in ids(result["x"]["alerts"])
    assert "revenue-decline" in ids(result["y"]["alerts"])
    assert "revenue-decline" not in ids(result["z"]["alerts"])


def test_out_of_range_inputs_make_the_metrics_missing(base: Engine) -> None:
    # G2 with three impossible figures: a support of 1.7, an opponent of influence 9 and a
    # share of wallet of 3
    bad = {
        **G2,
        "id": "BAD",
        "ict.supporter_coverage": 1.7,
        "ict.top_opponent_influence": 9,
        "share_of_wallet": 3,
    }
    evaluation = by_id(base, [bad], AS_OF)["BAD"]
    m = evaluation["metrics"]
    assert m["ict.decision_chain_support"] is None
    assert m["ict.opponent_influence"] is None
    # 3 - 0.36 would read as 264 points gained
    assert (m["ict.sow_change"], m["ict.sow_change_points"]) == (None, None)
    # no "influential-opponent" from the impossible 9; support excluded from strength
    assert "influential-opponent" not in ids(evaluation["alerts"])
    measures = {x["id"]: x for x in evaluation["scores"]["strength"]["measures"]}
    assert measures["relationship"]["missing"] is not None


def _document(row: dict[str, Any], **streams: Any) -> dict[str, Any]:
    """A flat golden row as an account-shaped document (which a stream requires): ``ict.*``
    under ``attributes.ict``, kamcore's facts under ``facts``."""
    top: dict[str, Any] = {k: row[k] for k in ("id", "industry") if k in row}
    facts = {k: v for k, v in row.items() if k not in top and not k.startswith("ict.")}
    ict = {k.removeprefix("ict."): v for k, v in row.items() if k.startswith("ict.")}
    return {**top, "facts": facts, "attributes": {"ict": ict}, **streams}


def test_one_supporter_mapped_alone_is_not_full_coverage(base: Engine) -> None:
    # G2's figures, but its chain from the stream: the decision maker, a supporter, is the
    # only person mapped
    figures = {
        k: v for k, v in G2.items() if k not in ("ict.supporter_coverage", "ict.roles_covered")
    }
    alone = _document(
        {**figures, "id": "ALONE", "ict.top_opponent_influence": 0},
        contacts=[
            {"name": "张", "buying_role": "decision_maker", "influence": 5, "attitude": "supporter"}
        ],
    )
    evaluation = by_id(base, [alone], AS_OF)["ALONE"]
    m = evaluation["metrics"]
    # support 5 / 5 = 1.0, but 1 of the 5 decision roles reached = 0.2
    assert (m["ict.decision_chain_support"], m["ict.decision_roles_covered"]) == (1.0, 0.2)
    # strength: share 0.7, win 0.5, support 1.0, roles 0.2, delivery 0.6
    # -> 100 * (0.21 + 0.10 + 0.15 + 0.03 + 0.12) = 61.0; with support alone at 30 (the old
    # measure) it would have been 100 * (0.21 + 0.10 + 0.30 + 0.12) = 73.0, high
    assert _score(evaluation, "strength") == 61.0
    # medium-medium: selective, alone in its portfolio so profit index 1.0 -> NA; 0.2 < 0.6:
    # chain-gap (5) beside payment-overdue (20) -> 25, medium
    assert evaluation["tier"] == "NA"
    assert ids(evaluation["alerts"]) == ["payment-overdue", "chain-gap"]
    # map-chain fires on the gap although support is a perfect 1.0
    tactics = {t["id"]: t for t in evaluation["tactics"]}
    assert tactics["ict.relationship_mapping"]["reason"] == (
        "supporters hold 100% of the mapped influence; 20% of the decision roles reached "
        "(1 people mapped)"
    )


def test_the_departure_reason_follows_the_configured_window() -> None:
    engine = overlay("kamcore:ict/base.toml", "[config.kamcore_ict]\ndm_left_window_days = 120\n")
    # G3's key decision maker left 100 days before as_of: outside 90, inside 120
    late = {**G3, "ict.key_dm_left_on": "2026-03-22"}
    g3 = by_id(engine, [late], AS_OF)["G3"]
    (alert,) = [a for a in g3["alerts"] if a["id"] == "key-dm-left"]
    assert alert["reason"] == "a key decision maker left 100 days ago"
    # under the base's 90 days the same departure is not recent
    assert g3["metrics"]["ict.key_dm_left_days_ago"] == 100


def test_a_key_account_is_not_demoted_after_one_weak_period(base: Engine) -> None:
    previous = {"G3": {"account_id": "G3", "tier": "KA", "state": {"tier": {}}}}
    g3 = by_id(base, GOLDEN, AS_OF, previous=previous)["G3"]
    # raw tier `other` comes out once of downgrade_after = 2: G3 stays KA for now
    assert g3["tier"] == "KA"
    assert g3["state"]["tier"] == {"pending": "other", "count": 1}
    # as a KA with only the account responsible, it now also has the team gap (5 points)
    assert "team-gap" in ids(g3["alerts"])


def test_recovering_from_at_risk_takes_two_evaluations(base: Engine) -> None:
    previous = {
        "G2": {
            "account_id": "G2",
            "tier": "NA",
            "stage": {"value": "at_risk", "since": "2026-03-31"},
            "state": {"lifecycle": {"pending": None, "count": 0}},
        }
    }
    # G2: no departure known, share change -0.01 > -0.05, support 0.5 >= 0.4: `recover`
    # holds, but needs 2 evaluations in a row
    first = by_id(base, GOLDEN, AS_OF, previous=previous)["G2"]
    assert first["stage"]["value"] == "at_risk"
    assert first["state"]["lifecycle"] == {"pending": "recover", "count": 1}
    second = by_id(base, GOLDEN, "2026-09-30", previous={"G2": first})["G2"]
    # back to trust (not straight to partnership: one transition per evaluation)
    assert (second["stage"]["value"], second["stage"]["previous"]) == ("trust", "at_risk")


# -- an account-shaped document: every figure from the fact streams ------------------------------
# The 12-month window is the 365 days 2025-07-01 .. 2026-06-30; the window before it is
# 2024-07-01 .. 2025-06-30.
S1: dict[str, Any] = {
    "id": "S1",
    "name": "福州城市商业银行",
    "industry": "finance",
    "region": "CN-FJ",
    "owners": [
        {"role": "account_manager", "name": "陈伟"},  # -> account
        {"role": "SR", "name": "李娜"},  # -> solution (roles compare case-insensitively)
        {"role": "sales", "name": "吴磊"},  # not a team role
    ],
    "facts": {
        "wallet_estimate": 200_000_000,
        "revenue_12m": 50_000_000,
        "revenue_prev_12m": 45_000_000,
        "years_as_customer": 4,
    },
    "attributes": {
        "ict": {
            "wallet_growth": 0.09,
            "credit_grade": 5,
            "share_of_wallet_prev": 0.3,
            "profit_cloud": 6_000_000,
            "profit_enterprise": 2_000_000,
            "on_time_delivery_rate": 0.85,
        }
    },
    "opportunities": [
        {"id": "O1", "stage": "won", "amount": 10e6, "close_date": "2026-03-01", "won": True},
        {"id": "O2", "stage": "won", "amount": 8e6, "close_date": "2025-09-15", "won": True},
        {"id": "O3", "stage": "lost", "amount": 5e6, "close_date": "2025-12-10", "won": False},
        # 364 days before as_of: the first day of the window
        {"id": "O4", "stage": "lost", "amount": 6e6, "close_date": "2025-07-01", "won": False},
        # 365 days before: the last day of the previous window
        {"id": "O5", "stage": "won", "amount": 4e6, "close_date": "2025-06-30", "won": True},
        {"id": "O6", "stage": "lost", "amount": 3e6, "close_date": "2025-01-10", "won": False},
        {"id": "O7", "stage": "won", "amount": 2e6, "close_date": "2024-05-01", "won": True},
        {"id": "O8", "stage": "proposal", "amount": 20e6, "close_date": "2026-09-30"},
        # won after as_of: still open on as_of
        {"id": "O9", "stage": "won", "amount": 7e6, "close_date": "2026-08-15", "won": True},
        {"id": "O10", "stage": "lead", "amount": 3e6},
    ],
    "payments": [
        {"invoice": "P1", "due": "2026-01-15", "paid_on": "2026-02-01", "amount": 5e6},
        {"invoice": "P2", "due": "2026-03-31", "amount": 4e6},  # 91 days overdue
        # paid after as_of, so overdue on as_of (30 days)
        {"invoice": "P3", "due": "2026-05-31", "paid_on": "2026-07-10", "amount": 2e6},
        {"invoice": "P4", "due": "2026-06-30", "amount": 3e6},  # due today: not overdue
        {"invoice": "P5", "due": "2026-08-31", "amount": 6e6},
    ],
    "contacts": [
        {"name": "张", "buying_role": "decision_maker", "influence": 5, "attitude": "supporter"},
        {"name": "李", "buying_role": "economic_buyer", "influence": 4, "attitude": "opponent"},
        {"name": "王", "buying_role": "technical_buyer", "influence": 3, "attitude": "supporter"},
        {"name": "赵", "buying_role": "influencer", "influence": 2, "attitude": "neutral"},
        # a user: not in the decision chain
        {"name": "钱", "buying_role": "user", "influence": 2, "attitude": "supporter"},
        # left 41 days ago: a key decision maker (influence 5 >= 4) gone, out of the chain
        {
            "name": "孙",
            "buying_role": "decision_maker",
            "influence": 5,
            "attitude": "supporter",
            "active": False,
            "left_on": "2026-05-20",
        },
        {"name": "周", "buying_role": "gatekeeper", "influence": 1, "attitude": "opponent"},
        # left 171 days ago: outside the 90-day window
        {
            "name": "吴",
            "buying_role": "decision_maker",
            "influence": 4,
            "attitude": "supporter",
            "active": False,
            "left_on": "2026-01-10",
        },
    ],
}


def test_s1_every_figure_from_the_streams(base: Engine) -> None:
    s1 = by_id(base, [S1], AS_OF)["S1"]
    m = s1["metrics"]
    # win rate: won O1, O2; lost O3, O4 (O4 on the window's first day) -> 2 / 4 = 0.5
    assert (m["ict.win_rate"], m["ict.decided_opportunities_12m"]) == (0.5, 4)
    # previous window: O5 won, O6 lost -> 0.5; change 0.0
    assert (m["ict.previous_win_rate"], m["ict.win_rate_change"]) == (0.5, 0.0)
    # open on as_of: O8 20M + O9 7M (decided later) + O10 3M = 30M; / revenue 50M = 0.6
    assert (m["ict.open_pipeline"], m["ict.pipeline_coverage"]) == (30e6, 0.6)
    # overdue: P2 4M (91 days) + P3 2M (30 days) = 6M; oldest 91
    assert (m["ict.overdue_total"], m["ict.oldest_overdue_days"]) == (6e6, 91)
    # decision chain in post: 张 5 (supporter), 李 4, 王 3 (supporter), 赵 2 -> 8 / 14
    assert m["ict.decision_chain_support"] == pytest.approx(8 / 14, abs=1e-12)
    assert m["ict.decision_chain_size"] == 4
    # roles reached: decision_maker (张), economic_buyer (李), technical_buyer (王),
    # influencer (赵); no champion -> 4 of 5
    assert m["ict.decision_roles_covered"] == 0.8
    # in-post opponents 李 (4) and 周 (1) -> 4; 孙 left 41 days ago -> True
    assert (m["ict.opponent_influence"], m["ict.key_dm_left_recently"]) == (4, True)
    assert m["ict.key_dm_left_days_ago"] == 41
    # share 50M / 200M = 0.25 (no share fact); change 0.25 - 0.30 = -0.05 exactly (rounded)
    assert (m["wallet_share"], m["ict.sow_change"]) == (0.25, -0.05)
    assert m["ict.team_roles_staffed"] == ["account", "solution"]
    # profit 6M + 2M = 8M, alone in its portfolio: index 1.0
    assert (m["ict.profit_contribution"], m["ict.profit_index"]) == (8e6, 1.0)
    # attractiveness: 200M -> 0.7; growth (0.09 + 0.05) / 0.2 = 0.7; finance 1; credit 1.0
    # -> 100 * (0.28 + 0.175 + 0.2 + 0.15) = 80.5
    assert _score(s1, "attractiveness") == 80.5
    # strength: 0.3 * 0.5 + 0.2 * (0.5 / 0.8) + 0.15 * (8 / 14) + 0.15 * 0.8 + 0.2 * 0.7
    # = 0.15 + 0.125 + 0.085714 + 0.12 + 0.14 = 0.620714 -> 62.1;
    # priority (80.5 + 62.1) / 2 = 71.3
    assert _score(s1, "strength") == 62.1
    assert _score(s1, "priority") == 71.3
    # high-medium -> invest -> KA; contact -> trust (support 0.57) -> at_risk (DM left)
    assert (s1["tier"], s1["stage"]["value"]) == ("KA", "at_risk")
    # key-dm-left 30, sow-falling 20 (-0.05 <= -0.05), payment-overdue 20 (91 > 60),
    # influential-opponent 15, team-gap 5 (KA without fulfilment); roles 0.8: no chain-gap
    # -> 90, high
    assert ids(s1["alerts"]) == [
        "key-dm-left",
        "sow-falling",
        "payment-overdue",
        "influential-opponent",
        "team-gap",
    ]
    assert s1["risk"] == {"score": 90, "band": "high"}
    # priority 1: dm-left-visit, overdue-review; 2: ka-at-risk (KA at high risk); the
    # opponent (3), team-gap (3) and share-workshop (4) rules are over max_per_account
    assert ids(s1["tactics"]) == [
        "ict.high_level_visit",
        "ict.milestone_payment_review",
        "ict.executive_exchange",
    ]


def test_s1_evaluated_a_year_earlier_sees_only_what_was_known(base: Engine) -> None:
    s1 = by_id(base, [S1], "2025-06-30")["S1"]
    m = s1["metrics"]
    # window 2024-07-01 .. 2025-06-30: O5 won (2025-06-30), O6 lost -> 0.5; O1..O4 were still
    # open then, so the pipeline is O1 10M + O2 8M + O3 5M + O4 6M + O8 20M + O9 7M + O10 3M
    assert m["ict.win_rate"] == 0.5
    assert m["ict.open_pipeline"] == 59e6
    # nothing was due before 2025-06-30; 孙 and 吴 were still in post
    assert (m["ict.overdue_total"], m["ict.oldest_overdue_days"]) == (0, 0)
    assert m["ict.key_dm_left_recently"] is False
    # chain 张 5 + 李 4 + 王 3 + 赵 2 + 孙 5 + 吴 4 = 23; supporters 5 + 3 + 5 + 4 = 17
    assert m["ict.decision_chain_support"] == pytest.approx(17 / 23, abs=1e-12)
    # nobody had left yet: no departure to count days from
    assert m["ict.key_dm_left_days_ago"] is None
