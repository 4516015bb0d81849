"""Reason texts with placeholders, checked when the policy loads.

Alert and tactic reasons are what an account manager reads ("No order for 97 days; revenue
1,234,567 CNY"). Calling ``str.format`` on policy text would let it reach attributes of the
values (``{revenue.__class__}``) and would fail per account on a typo. So a template is split once
with :class:`string.Formatter`, only plain names of the expression namespace are allowed, and each
format spec is tried on a sample value of the name's type: ``{region:,.0f}`` on a string is a
problem when the policy loads, not an error on every account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from string import Formatter
from typing import Any, Final

from ..types import Type
from .context import CompileContext
from .rules import did_you_mean

__all__ = ["MISSING_TEXT", "Template", "compile_template"]

#: What a missing value renders as: visible, never an empty gap or ``None``.
MISSING_TEXT: Final = "n/a"

#: A value of each kind to try format specs on when the policy loads.
_SAMPLES: Final[Mapping[str, object]] = {
    "number": 1234.5,
    "integer": 1234,
    "string": "text",
    "boolean": True,
    "date": date(2024, 1, 31),
    "list": ["a", "b"],
}

#: (literal text, name or ``None``, format spec) for each piece of a template.
_Part = tuple[str, str | None, str]


def _text(value: object, spec: str) -> str:
    if value is None:
        return MISSING_TEXT
    if not spec:
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list | tuple):
            return ", ".join(_text(v, "") for v in value)
        return str(value)
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        # The spec was checked against the declared type; a value of another type (a plugin
        # returning an int for a string metric) still renders rather than failing the account.
        return str(value)


@dataclass(frozen=True, slots=True)
class Template:
    """A checked reason template, pre-split so rendering is a join.

    :param source: the text as written in the policy.
    :param parts: ``(literal, name, spec)`` pieces; ``name`` is ``None`` for trailing text. A
        template without names has exactly one part.
    :param names: the names the template reads, first-use order.
    """

    source: str
    parts: tuple[_Part, ...]
    names: tuple[str, ...]

    @classmethod
    def literal(cls, text: str) -> Template:
        """A template without placeholders (a default reason taken from a label or an id)."""
        return cls(text, ((text, None, ""),), ())

    def render(self, values: Mapping[str, Any]) -> str:
        """The text for one account: missing values as ``n/a``, dates in ISO form."""
        if not self.names:
            return self.parts[0][0]
        out: list[str] = []
        for literal, name, spec in self.parts:
            out.append(literal)
            if name is not None:
                out.append(_text(values.get(name), spec))
        return "".join(out)


def compile_template(ctx: CompileContext, text: object, key_path: str) -> Template | None:
    """Check a reason template against the names visible so far.

    Every problem is recorded at ``key_path``; the result is ``None`` if there was any.
    """
    if not isinstance(text, str):
        ctx.problem(f"expected a text, got {text!r}", key_path)
        return None
    try:
        pieces = list(Formatter().parse(text))
    except ValueError as exc:
        ctx.problem(
            f"invalid template: {exc}; write `{{{{` and `}}}}` for literal braces", key_path
        )
        return None
    parts: list[_Part] = []
    names: list[str] = []
    ok = True
    for literal, field, spec, conversion in pieces:
        if field is None:
            parts.append((literal, None, ""))
            continue
        if not _check_field(ctx, field, spec or "", conversion, key_path):
            ok = False
            continue
        parts.append((literal, field, spec or ""))
        if field not in names:
            names.append(field)
    if not ok:
        return None
    ctx.use(names)  # metrics read only by a reason must still be computed
    if not names:
        # ``{{`` escapes split the text into several literal pieces: join them once.
        return Template(text, (("".join(p[0] for p in parts), None, ""),), ())
    return Template(text, tuple(parts), tuple(names))


def _check_field(
    ctx: CompileContext, field: str, spec: str, conversion: str | None, key_path: str
) -> bool:
    """Whether one ``{field!conversion:spec}`` placeholder is allowed; records why not."""
    if not field or field.isdigit():
        ctx.problem(
            "a placeholder must name a value: write `{revenue_12m}`, not `{}` or `{0}`", key_path
        )
        return False
    type_ = ctx.names.get(field)
    if type_ is None and field in ctx.later:
        ctx.problem(f"`{field}` is not available in this template: {ctx.later[field]}", key_path)
        return False
    if type_ is None:
        head = field.replace("[", ".").split(".")[0]
        if ("[" in field or "." in field) and head in ctx.names:
            ctx.problem(
                f"`{{{field}}}`: attribute and index access is not allowed in templates; "
                "use a plain name",
                key_path,
            )
        else:
            ctx.problem(
                f"unknown name `{field}` in template{did_you_mean(field, ctx.names)}", key_path
            )
        return False
    if conversion is not None:
        ctx.problem(
            f"`{{{field}!{conversion}}}`: conversions are not allowed in templates; "
            f"write `{{{field}}}` or `{{{field}:spec}}`",
            key_path,
        )
        return False
    return _check_spec(ctx, field, type_, spec, key_path)


def _check_spec(ctx: CompileContext, field: str, type_: Type, spec: str, key_path: str) -> bool:
    """Try the format spec on a sample value of the field's type."""
    if not spec:
        return True
    if "{" in spec or "}" in spec:
        ctx.problem(
            f"`{{{field}:{spec}}}`: placeholders inside a format spec are not allowed", key_path
        )
        return False
    if type_.kind == "date" and "%" not in spec:
        ctx.problem(
            f"format spec `{spec}` does not suit `{field}` ({type_}): "
            "a date takes strftime codes such as `%d.%m.%Y`",
            key_path,
        )
        return False
    sample = _SAMPLES.get(type_.kind)
    if sample is None:
        return True
    try:
        format(sample, spec)
    except (TypeError, ValueError) as exc:
        ctx.problem(f"format spec `{spec}` does not suit `{field}` ({type_}): {exc}", key_path)
        return False
    return True
