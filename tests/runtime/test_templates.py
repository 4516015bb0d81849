"""Reason templates: only known names, no attribute access, format specs checked at load time."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from kamcore.errors import Location
from kamcore.registry import Registry
from kamcore.runtime.context import CompileContext
from kamcore.runtime.rules import did_you_mean
from kamcore.runtime.templates import Template, compile_template
from kamcore.types import DATE, INTEGER, NUMBER, STRING, Type

KEY = "alerts[order-lapse].reason"


class StandInDoc:
    """Locates every key path at line 1 of ``t.toml`` (the policy loader is not needed here)."""

    def locate(self, key_path: str) -> Location:
        return Location(file="t.toml", line=1, key_path=key_path)


def make_ctx() -> CompileContext:
    names = {
        "revenue_12m": NUMBER.as_optional(),
        "days_since_last_order": INTEGER,
        "currency": STRING,
        "region": STRING,
        "last_order": DATE.as_optional(),
        "segments": Type("list", item=STRING),
        "retail.distribution": NUMBER,
    }
    return CompileContext(doc=StandInDoc(), registry=Registry(), names=names)  # type: ignore[arg-type]


def compiled(text: str) -> Template:
    ctx = make_ctx()
    template = compile_template(ctx, text, KEY)
    assert ctx.problems == []
    assert template is not None
    return template


def problems(text: object) -> list[str]:
    ctx = make_ctx()
    assert compile_template(ctx, text, KEY) is None
    assert all(p.location == Location("t.toml", 1, None, KEY) for p in ctx.problems)
    return [p.message for p in ctx.problems]


def test_renders_numbers_with_their_format_spec() -> None:
    template = compiled(
        "No order for {days_since_last_order} days; revenue {revenue_12m:,.0f} {currency}"
    )
    values: dict[str, Any] = {
        "days_since_last_order": 97,
        "revenue_12m": 1234567.6,
        "currency": "CNY",
    }
    assert template.render(values) == "No order for 97 days; revenue 1,234,568 CNY"
    assert template.names == ("days_since_last_order", "revenue_12m", "currency")


def test_renders_missing_values_as_na() -> None:
    template = compiled("revenue {revenue_12m:,.0f}, last order {last_order}")
    assert template.render({"revenue_12m": None}) == "revenue n/a, last order n/a"


def test_renders_dates_in_iso_form_or_with_a_strftime_spec() -> None:
    values = {"last_order": date(2024, 3, 1)}
    assert compiled("last order {last_order}").render(values) == "last order 2024-03-01"
    assert compiled("{last_order:%d.%m.%Y}").render(values) == "01.03.2024"


def test_renders_lists_joined_and_dotted_fact_names() -> None:
    assert compiled("{segments}").render({"segments": ["retail", "north"]}) == "retail, north"
    assert compiled("{retail.distribution:.0%}").render({"retail.distribution": 0.42}) == "42%"


def test_text_without_placeholders_and_escaped_braces() -> None:
    template = compiled("use {{braces}} here")
    assert template.names == ()
    assert template.render({}) == "use {braces} here"
    assert Template.literal("Executive sponsor visit").render({}) == "Executive sponsor visit"
    assert compiled("").render({}) == ""


def test_value_of_an_unexpected_type_still_renders() -> None:
    template = compiled("{revenue_12m:,.0f}")
    assert template.render({"revenue_12m": "a lot"}) == "a lot"


def test_unknown_placeholder_is_a_located_problem_with_a_suggestion() -> None:
    assert problems("revenue {revenue_12n:,.0f}") == [
        "unknown name `revenue_12n` in template; did you mean `revenue_12m`?"
    ]
    assert problems("{zzz}") == ["unknown name `zzz` in template"]


def test_every_problem_of_a_template_is_reported() -> None:
    assert len(problems("{revenue_12n} {region:,.0f}")) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{region:,.0f}", "format spec `,.0f` does not suit `region` (string): "),
        ("{revenue_12m:d}", "format spec `d` does not suit `revenue_12m` (number or missing): "),
        ("{last_order:,.0f}", "format spec `,.0f` does not suit `last_order` (date or missing): "),
        ("{segments:>10}", "format spec `>10` does not suit `segments` (list[string]): "),
        ("{revenue_12m:{region}}", "`{revenue_12m:{region}}`: placeholders inside a format spec"),
    ],
)
def test_bad_format_spec_is_refused_at_load_time(text: str, expected: str) -> None:
    (message,) = problems(text)
    assert message.startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{region.__class__}", "`{region.__class__}`: attribute and index access is not allowed"),
        ("{region[0]}", "`{region[0]}`: attribute and index access is not allowed"),
        ("{region!r}", "`{region!r}`: conversions are not allowed in templates"),
        ("{}", "a placeholder must name a value"),
        ("{0}", "a placeholder must name a value"),
        ("{revenue_12m", "invalid template: "),
        ("}", "invalid template: "),
    ],
)
def test_unsafe_or_malformed_placeholders_are_refused(text: str, expected: str) -> None:
    (message,) = problems(text)
    assert message.startswith(expected)


def test_a_template_must_be_text() -> None:
    assert problems(42) == ["expected a text, got 42"]


def test_did_you_mean() -> None:
    assert did_you_mean("critcal", ["info", "warning", "critical"]) == "; did you mean `critical`?"
    assert did_you_mean("xyz", ["info", "warning"]) == ""


def test_a_name_decided_later_is_refused_with_the_reason() -> None:
    ctx = make_ctx()
    ctx.later["risk"] = "it is decided later in the pipeline"
    assert compile_template(ctx, "risk {risk}", KEY) is None
    assert [p.message for p in ctx.problems] == [
        "`risk` is not available in this template: it is decided later in the pipeline"
    ]


def test_names_read_by_a_template_are_marked_used() -> None:
    ctx = make_ctx()
    compile_template(ctx, "{revenue_12m:,.0f} {currency} {revenue_12m}", KEY)
    assert ctx.used == {"revenue_12m", "currency"}
