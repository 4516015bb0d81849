"""The reference decision as a GoRules zen-engine (JDM) decision graph, run with evaluate_batch.

The graph is what a zen user would draw in the JDM editor: an expression node for the derived
figures (growth, value score, churn points), a FIRST-hit decision table for the tier and one for
the risk band, and a final expression node shaping the verdict (its tactics list drops the rules
that did not fire). ``ZenEngine.evaluate_batch`` is the binding's fastest documented entry point
(it evaluates a list of ``{"key", "context"}`` requests in native code; per-call
``ZenDecision.evaluate`` is about 6x slower).

zen computes in decimal: with the generator's full-precision floats no value score sits on an
exact ``.xx5`` tie, so zen's ``round(x, 2)`` and Python's binary ``round`` agree on every account.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from .common import Account, Unavailable, Variant, Verdict, installed

PACKAGE = "zen"
KEY = "bench-reference"


def _node(node_id: str, kind: str, content: dict[str, Any] | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": node_id,
        "type": kind,
        "name": node_id,
        "position": {"x": 0, "y": 0},
    }
    if content is not None:
        node["content"] = content
    return node


def _expressions(pairs: Sequence[tuple[str, str]], *, pass_through: bool) -> dict[str, Any]:
    return {
        "passThrough": pass_through,
        "expressions": [{"id": key, "key": key, "value": value} for key, value in pairs],
    }


def _table(fields: Sequence[str], output: str, rules: Sequence[Sequence[str]]) -> dict[str, Any]:
    """A FIRST-hit table: each rule is the input cells (empty = any) then the output cell."""
    return {
        "hitPolicy": "first",
        "passThrough": True,
        "inputs": [{"id": f, "name": f, "field": f} for f in fields],
        "outputs": [{"id": output, "name": output, "field": output}],
        "rules": [
            {"_id": str(i), **dict(zip(fields, rule[:-1], strict=True)), output: rule[-1]}
            for i, rule in enumerate(rules)
        ],
    }


def graph() -> dict[str, Any]:
    """The JDM graph of reference.decide()."""
    derived = _expressions(
        [
            (
                "growth",
                "revenue_prev_12m > 0 ? (revenue_12m - revenue_prev_12m) / revenue_prev_12m : 0",
            ),
            (
                "value_score",
                "round(100 * (0.4 * min([revenue_12m / 5000000, 1])"
                " + 0.2 * min([gross_margin / 0.4, 1]) + 0.2 * min([orders_12m / 50, 1])"
                " + 0.2 * min([years_as_customer / 10, 1])), 2)",
            ),
            (
                "churn_score",
                "(days_since_last_order > 90 ? 30 : 0) + ($.growth < -0.2 ? 25 : 0)"
                " + (nps <= 6 ? 20 : 0) + (open_tickets > 5 ? 15 : 0)"
                " + (share_of_wallet < 0.2 ? 10 : 0)",
            ),
        ],
        pass_through=True,
    )
    tier = _table(
        ["revenue_12m", "gross_margin", "strategic", "value_score"],
        "tier",
        [
            [">= 5000000", ">= 0.2", "", "", "'KA'"],
            [">= 1000000", "", "true", "", "'KA'"],
            [">= 1000000", "", "", "", "'NA'"],
            ["", "", "", ">= 60", "'NA'"],
            [">= 100000", "", "", "", "'growth'"],
            ["", "", "", "", "'standard'"],
        ],
    )
    risk = _table(
        ["churn_score"], "risk", [[">= 50", "'high'"], [">= 25", "'medium'"], ["", "'low'"]]
    )
    tactics = (
        "filter(["
        "tier == 'KA' and risk == 'high' ? 'executive_sponsor_visit' : null, "
        "risk == 'high' ? 'retention_offer' : null, "
        "open_tickets > 5 ? 'service_recovery' : null, "
        "nps <= 6 ? 'detractor_follow_up' : null, "
        "growth > 0.2 and (tier == 'NA' or tier == 'growth') ? 'upgrade_review' : null"
        "], # != null)"
    )
    keep = ["id", "tier", "value_score", "churn_score", "risk"]
    verdict = _expressions([*((k, k) for k in keep), ("tactics", tactics)], pass_through=False)
    nodes = [
        _node("request", "inputNode"),
        _node("derived", "expressionNode", derived),
        _node("tier", "decisionTableNode", tier),
        _node("risk", "decisionTableNode", risk),
        _node("verdict", "expressionNode", verdict),
        _node("response", "outputNode"),
    ]
    path = [n["id"] for n in nodes]
    edges = [
        {"id": f"{a}-{b}", "sourceId": a, "targetId": b, "type": "edge"} for a, b in pairwise(path)
    ]
    return {"nodes": nodes, "edges": edges}


def build() -> Variant:
    """A zen engine holding the graph (a static loader), and its batch evaluation."""
    if not installed(PACKAGE):
        raise Unavailable("not installed (pip install -e .[bench])")
    import zen

    engine = zen.ZenEngine({"loader": {"type": "static", "content": {KEY: graph()}}})
    engine.get_decision(KEY).validate()

    def run(accounts: Sequence[Account]) -> list[Any]:
        return engine.evaluate_batch([{"key": KEY, "context": a} for a in accounts])

    def verdicts(results: list[Any]) -> list[Verdict]:
        failed = [r.get("error") for r in results if not r["success"]]
        if failed:
            raise RuntimeError(f"{len(failed)} zen evaluations failed, first: {failed[0]}")
        return [r["data"]["result"] for r in results]

    return Variant(run, verdicts, note="ZenEngine.evaluate_batch")
