"""The reference decision as one CEL program (Google's C++ CEL, through cel-expr-python).

One type-checked expression returns the whole verdict as a map: ``cel.bind`` (the bindings
extension) names the intermediate figures once, ``math.least``/``math.round`` (the math
extension) give ``min`` and rounding. It is evaluated once per account with the account dict as
the activation (``Expression.eval(data=...)``, the binding has no batch call), and the result
converted with ``plain_value()``. Typed variables matter: the integer fields are declared INT
and turned to double before dividing, as CEL's ``int / int`` truncates.

``math.round(v * 100.0) / 100.0`` equals Python's ``round(v, 2)`` except on exact ``.xx5`` ties
(half away from zero against half even) and on values within an ulp of one, which the
generator's full-precision floats do not produce.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .common import Account, Unavailable, Variant, Verdict, installed

PACKAGE = "cel_expr_python"

PROGRAM = """
cel.bind(growth,
  revenue_prev_12m > 0.0 ? (revenue_12m - revenue_prev_12m) / revenue_prev_12m : 0.0,
cel.bind(value_score, math.round(100.0 * (
    0.4 * math.least(revenue_12m / 5e6, 1.0)
  + 0.2 * math.least(gross_margin / 0.4, 1.0)
  + 0.2 * math.least(double(orders_12m) / 50.0, 1.0)
  + 0.2 * math.least(years_as_customer / 10.0, 1.0)) * 100.0) / 100.0,
cel.bind(tier,
    revenue_12m >= 5e6 && gross_margin >= 0.2 ? 'KA'
  : strategic && revenue_12m >= 1e6 ? 'KA'
  : revenue_12m >= 1e6 || value_score >= 60.0 ? 'NA'
  : revenue_12m >= 1e5 ? 'growth'
  : 'standard',
cel.bind(churn,
    (days_since_last_order > 90 ? 30 : 0) + (growth < -0.2 ? 25 : 0) + (nps <= 6 ? 20 : 0)
  + (open_tickets > 5 ? 15 : 0) + (share_of_wallet < 0.2 ? 10 : 0),
cel.bind(risk, churn >= 50 ? 'high' : churn >= 25 ? 'medium' : 'low',
  {
    'id': id, 'tier': tier, 'value_score': value_score, 'churn_score': churn, 'risk': risk,
    'tactics':
        (tier == 'KA' && risk == 'high' ? ['executive_sponsor_visit'] : [])
      + (risk == 'high' ? ['retention_offer'] : [])
      + (open_tickets > 5 ? ['service_recovery'] : [])
      + (nps <= 6 ? ['detractor_follow_up'] : [])
      + (growth > 0.2 && tier in ['NA', 'growth'] ? ['upgrade_review'] : [])
  })))))
"""


def build() -> Variant:
    """The compiled program and a loop evaluating it on each account."""
    if not installed(PACKAGE):
        raise Unavailable("not installed (pip install -e .[bench])")
    from cel_expr_python import cel  # type: ignore[import-untyped,unused-ignore]
    from cel_expr_python.ext import (  # type: ignore[import-untyped,unused-ignore]
        ext_bindings,
        ext_math,
    )

    t = cel.Type
    fields = {
        "id": t.STRING,
        "revenue_12m": t.DOUBLE,
        "revenue_prev_12m": t.DOUBLE,
        "gross_margin": t.DOUBLE,
        "orders_12m": t.INT,
        "days_since_last_order": t.INT,
        "years_as_customer": t.DOUBLE,
        "nps": t.INT,
        "open_tickets": t.INT,
        "share_of_wallet": t.DOUBLE,
        "strategic": t.BOOL,
    }
    env = cel.NewEnv(variables=fields, extensions=[ext_math.ExtMath(), ext_bindings.ExtBindings()])
    program = env.compile(PROGRAM)

    def run(accounts: Sequence[Account]) -> list[Any]:
        evaluate = program.eval
        return [evaluate(data=a).plain_value() for a in accounts]

    def verdicts(results: list[Any]) -> list[Verdict]:
        return results

    return Variant(run, verdicts, note="Expression.eval(data=account).plain_value() per account")
