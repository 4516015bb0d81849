"""Work that must not grow faster than the policy or the portfolio, checked by counting, never by
timing (``benchmarks/compile_times.py`` and ``benchmarks/portfolio_scaling.py`` time them).

* Compiling: the expression scope is built once per declaration, not copied for every
  expression (that made compiling quadratic in the number of rules); the schema's validator and
  fast check are built once per set of plugins; the fast check never calls valid a document that
  ``jsonschema`` rejects.
* The portfolio phase: each portfolio column is computed by one call of its function, which
  sorts once, however many accounts there are; a tier cap ranks its tier's members once.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

import kamcore.default_plugins.portfolio as portfolio_functions
import kamcore.expr
from kamcore import Engine
from kamcore.policy import load_policy, validate_document
from kamcore.policy import validate as validate_module
from kamcore.policy.messages import explain
from kamcore.policy.values import json_projection
from kamcore.runtime import tier as tier_module

from ..conftest import POLICIES, make_accounts


def alerts_policy(alerts: int, metrics: int = 3) -> str:
    """A policy with ``metrics`` metrics and ``alerts`` alerts over them, all distinct."""
    lines = ['[policy]\nid = "scaling"\nversion = "1"\n', "[metrics]"]
    lines += [f'm{i} = "coalesce(revenue_12m, 0) * {i + 1}"' for i in range(metrics)]
    for i in range(alerts):
        lines += [
            "[[alerts]]",
            f'id = "a{i}"',
            f'when = "m{i % metrics} > {i} and coalesce(nps, 0) < {i % 10}"',
            'severity = "info"',
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def scope_builds(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the expression scopes built while compiling (``Scope(...)`` calls)."""
    counts: Counter[str] = Counter()
    real = kamcore.expr.Scope

    def counting(*args: Any, **kwargs: Any) -> Any:
        counts["scope"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(kamcore.expr, "Scope", counting)
    return counts


def test_the_scope_is_built_per_declaration_not_per_expression(
    scope_builds: Counter[str],
) -> None:
    Engine.from_text(alerts_policy(5))
    few = scope_builds["scope"]
    scope_builds.clear()
    Engine.from_text(alerts_policy(400))
    # 395 more expressions, not one scope more: no copy of every name for each expression
    assert scope_builds["scope"] == few


def test_the_schema_validator_is_built_once_per_set_of_plugins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builds = Counter[str]()
    real = validate_module._build_checkers

    def counting(*args: Any, **kwargs: Any) -> Any:
        builds["validator"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(validate_module, "_CHECKERS", {})
    monkeypatch.setattr(validate_module, "_build_checkers", counting)
    for alerts in (3, 30, 300):
        Engine.from_text(alerts_policy(alerts))
    assert builds["validator"] == 1


# -- the fast schema check agrees with jsonschema ---------------------------------------------

_ODD_VALUES: tuple[Any, ...] = (None, True, 0, -1, 1.5, "", "x", "FIRST", [], ["a", "a"], {})


def _mutations(data: Any, rng: random.Random, count: int) -> Iterator[Any]:
    """``count`` copies of ``data``, each with one value replaced, removed or added."""

    def paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        yield path
        if isinstance(value, dict | list):
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in children:
                yield from paths(child, (*path, key))

    def copy(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: copy(v) for k, v in value.items()}
        return [copy(v) for v in value] if isinstance(value, list) else value

    every = list(paths(data))[1:]
    for _ in range(count):
        mutated = copy(data)
        *parents, last = rng.choice(every)
        holder = mutated
        for key in parents:
            holder = holder[key]
        choice = rng.random()
        if choice < 0.6:
            holder[last] = rng.choice(_ODD_VALUES)
        elif isinstance(holder, dict) and choice < 0.8:
            del holder[last]
        elif isinstance(holder, dict):
            holder[rng.choice(["bogus", "when", "id", "min", "method"])] = rng.choice(_ODD_VALUES)
        yield mutated


@pytest.mark.parametrize(
    "policy",
    ["examples/acme-industrial.toml", "membership/example-huayang-beauty.toml"],
)
def test_the_fast_schema_check_never_accepts_what_jsonschema_rejects(policy: str) -> None:
    doc = load_policy(POLICIES / policy)
    host = Engine.from_policy(POLICIES / policy).host
    schemas = host.collect_config_schemas()
    active = [*host.builtin, *host.external]
    validator, check = validate_module._checkers(schemas, active, False)
    assert check(json_projection(doc.data))  # a valid policy takes the fast path
    rng = random.Random(policy)
    disagreements = []
    for data in _mutations(doc.data, rng, 300):
        instance = json_projection(data)
        if check(instance) and list(validator.iter_errors(instance)):
            disagreements.append(data)
    assert disagreements == []


def test_schema_problems_are_the_ones_jsonschema_reports() -> None:
    doc = load_policy(POLICIES / "examples" / "acme-industrial.toml")
    doc.data["alerts"][0]["severity"] = "loud"
    doc.data["tables"]["tier"]["hit"] = "FRIST"
    validator, _ = validate_module._checkers({}, [], False)
    expected = explain(validator.iter_errors(json_projection(doc.data)), doc, [])
    found = validate_document(doc, {}, [])
    assert [p.message for p in found] == [p.message for p in expected]
    assert len(found) == 2


# -- the portfolio phase ----------------------------------------------------------------------

PORTFOLIO_POLICY = """
[policy]
id = "portfolio-scaling"
version = "1"

[tables.tier]
hit = "FIRST"
inputs = ["percentile(revenue_12m)"]
outputs = ["tier"]
output_values = { tier = ["KA", "NA", "standard"] }
default = { tier = "standard" }
rules = [
  { id = "ka", when = [">= 0.5"], then = ["KA"] },
  { id = "na", when = [">= 0.2"], then = ["NA"] },
]

[tier]
values = ["KA", "NA", "standard"]
table = "tier"

[[tier.caps]]
value = "KA"
max = 3
order_by = "revenue_12m"

[[segments.rules]]
id = "pareto"
when = "cumulative_share(revenue_12m) <= 0.8 and rank(nps) <= 10 and top_n(orders_12m, 5)"

[[segments.rules]]
id = "ranked"
when = "rank(revenue_12m) <= 3"
"""
#: percentile(revenue_12m), cumulative_share(revenue_12m), rank(nps), top_n(orders_12m, 5),
#: rank(revenue_12m): five portfolio columns.
COLUMNS = 5


class Counts:
    """Calls of the portfolio functions, sorts inside them, and the caps' ranking keys."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: Counter[str] = Counter()
        self.sorts = 0
        self.sorted_items = 0
        self.rank_keys = 0
        self.cap_runs = 0
        monkeypatch.setattr(portfolio_functions, "sorted", self._sorted, raising=False)
        monkeypatch.setattr(tier_module, "_rank_key", self._counted_rank_key())
        monkeypatch.setattr(tier_module, "cap_demotions", self._counted_caps())

    def _sorted(self, items: Any, **kwargs: Any) -> list[Any]:
        out = sorted(items, **kwargs)
        self.sorts += 1
        self.sorted_items += len(out)
        return out

    def _counted_rank_key(self) -> Callable[..., Any]:
        real = tier_module._rank_key

        def counted(value: Any, account_id: str) -> Any:
            self.rank_keys += 1
            return real(value, account_id)

        return counted

    def _counted_caps(self) -> Callable[..., Any]:
        real = tier_module.cap_demotions

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.cap_runs += 1
            return real(*args, **kwargs)

        return counted

    def count_calls(self, engine: Engine) -> None:
        """Count the calls of each portfolio column's function, in this engine only (the
        registered functions are shared: the compiled policy gets counting copies)."""
        calls = engine.policy.portfolio_calls
        assert isinstance(calls, dict)
        for key, call in list(calls.items()):
            real = call.function.fn

            def counted(column: Any, *args: Any, real: Any = real, key: str = key) -> Any:
                self.calls[key] += 1
                return real(column, *args)

            calls[key] = replace(call, function=replace(call.function, fn=counted))


@pytest.mark.parametrize("n", [40, 400])
def test_each_portfolio_column_is_one_call_and_one_sort(
    monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    engine = Engine.from_text(PORTFOLIO_POLICY)
    counts = Counts(monkeypatch)
    counts.count_calls(engine)
    result = engine.evaluate_portfolio(make_accounts(n), as_of="2026-06-30", explain="none")
    assert result.errors == []
    assert len(engine.policy.portfolio_calls) == COLUMNS
    # one call per column and one sort per call, whatever n: no account scans the portfolio
    assert dict(counts.calls) == dict.fromkeys(engine.policy.portfolio_calls, 1)
    assert counts.sorts == COLUMNS
    assert counts.sorted_items <= COLUMNS * n
    # the cap ranks the members of its tier once (one key each, at most n), in one run
    assert counts.cap_runs == 1
    assert 3 < counts.rank_keys <= n
    tiers = Counter(e["tier"] for e in result.evaluations)
    assert tiers["KA"] == 3


def test_the_portfolio_functions_sort_once_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    counts = Counts(monkeypatch)
    rng = random.Random(3)
    column = [rng.random() if i % 7 else None for i in range(1000)]
    for function, args in [
        (portfolio_functions.percentile, ()),
        (portfolio_functions.rank, ()),
        (portfolio_functions.cumulative_share, ()),
        (portfolio_functions.top_n, (10,)),
        (portfolio_functions.abc_class, ()),
    ]:
        before = counts.sorts
        assert len(function(column, *args)) == len(column)
        assert counts.sorts - before == 1, function.__name__
