"""Typing rules of the dialect: what may be compared, added, or joined by ``if``/``else``.

Kept apart from the tree walker so the rules read as a table: each function answers one
question about kinds and units and returns ``None`` (or ``False``) when the combination is
refused; the walker turns that into a message naming both operands.
"""

from __future__ import annotations

from dataclasses import replace

from ..types import ANY, BOOLEAN, INTEGER, NUMBER, STRING, Type

__all__ = [
    "ARITHMETIC_SYMBOLS",
    "arithmetic_result",
    "comparable",
    "describe",
    "is_boolean",
    "show",
    "unify",
    "units_clash",
]

#: Operators the dialect allows between numbers, by Python AST class name.
ARITHMETIC_SYMBOLS = {
    "Add": "+",
    "Sub": "-",
    "Mult": "*",
    "Div": "/",
    "FloorDiv": "//",
    "Mod": "%",
}

_ARTICLE = {
    "number": "a number",
    "integer": "an integer",
    "string": "a string",
    "boolean": "a boolean (true/false)",
    "date": "a date",
    "list": "a list",
    "any": "any value",
    "none": "None",
}


def show(t: Type) -> str:
    """A type as named in messages: without "or missing", which is not the point there."""
    if t.kind == "none":
        return "None"
    return str(replace(t, optional=False))


def describe(t: Type) -> str:
    """A type with its article, for "must give ..." messages."""
    return _ARTICLE[t.kind]


def is_boolean(t: Type) -> bool:
    """Whether ``t`` may be used as a condition (missing is checked at run time)."""
    return t.kind in ("boolean", "any")


def units_clash(a: Type, b: Type) -> bool:
    """Two amounts in different currencies or units (adding CNY to USD is a policy bug)."""
    return a.unit is not None and b.unit is not None and a.unit != b.unit


def comparable(a: Type, b: Type, *, ordering: bool) -> bool:
    """Whether ``a`` and ``b`` can be compared with ``==``/``!=`` or, if ``ordering``, ``<``."""
    if a.kind == "none" or b.kind == "none":
        return False
    if a.kind == "any" or b.kind == "any":
        return True
    if a.is_numeric and b.is_numeric:
        return True
    if a.kind != b.kind:
        return False
    if ordering:
        return a.kind in ("string", "date")
    return True


def arithmetic_result(op: str, a: Type, b: Type) -> Type | None:
    """The result type of ``a op b`` for an arithmetic ``op`` symbol, or ``None`` if refused.

    Units: ``+``/``-`` keep the common unit; ``*`` keeps the one unit present; ``/`` of two
    amounts in the same unit is a plain ratio, an amount divided by a number keeps its unit.
    Callers refuse dates, ``None`` and clashing units first, with their own messages.
    """
    optional = a.optional or b.optional
    if op == "+" and a.kind == "string" and b.kind == "string":
        return STRING.as_optional(optional)
    if a.kind == "any" or b.kind == "any":
        if a.kind in ("any", "number", "integer") and b.kind in ("any", "number", "integer"):
            # Keep "may be missing": a caller that needs a value (a comparison) must get its
            # missing-value check, or `None > 5` fails as a raw TypeError for the account.
            return ANY.as_optional(optional)
        return None
    if not (a.is_numeric and b.is_numeric):
        return None
    base = NUMBER if op == "/" or "number" in (a.kind, b.kind) else INTEGER
    unit: str | None
    if op in ("+", "-"):
        unit = a.unit or b.unit
    elif op == "*":
        unit = None if (a.unit and b.unit) else (a.unit or b.unit)
    else:
        unit = a.unit if b.unit is None else None
    return replace(base, optional=optional, unit=unit)


def _either_choices(a: Type, b: Type) -> frozenset[str] | None:
    """The declared values of a result that is either ``a`` or ``b``: both sets together, or
    none when one side may be any text (a literal branch, an undeclared fact)."""
    if a.choices is None or b.choices is None:
        return None
    return a.choices | b.choices


def unify(a: Type, b: Type) -> Type | None:
    """The type of ``x if c else y`` with branch types ``a`` and ``b``, or ``None``."""
    optional = a.optional or b.optional
    if a.kind == "none":
        return b.as_optional(True)
    if b.kind == "none":
        return a.as_optional(True)
    if a.kind == "any" or b.kind == "any":
        return ANY.as_optional(optional)
    if a.is_numeric and b.is_numeric:
        base = INTEGER if a.kind == b.kind == "integer" else NUMBER
        return replace(base, optional=optional, unit=a.unit if a.unit == b.unit else None)
    if a.kind != b.kind:
        return None
    choices = _either_choices(a, b)
    if a.kind == "list":
        item = a.item if a.item == b.item else None
        return Type("list", optional=optional, item=item, choices=choices)
    if a.kind == "boolean":
        return BOOLEAN.as_optional(optional)
    unit = a.unit if a.unit == b.unit else None
    return replace(a, optional=optional, unit=unit, choices=choices)
