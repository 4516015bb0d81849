"""Typing rules of the dialect: what may be compared, added, or joined by ``if``/``else``.

Kept apart from the tree walker so the rules read as a table: each function answers one
question about kinds and units and returns ``None`` (or ``False``) when the combination is
refused; the walker turns that into a message naming both operands.
"""

from __future__ import annotations

from ..types import ANY, BOOLEAN, INTEGER, NUMBER, STRING, Type

__all__ = [
    "ARITHMETIC_SYMBOLS",
    "arithmetic_result",
    "comparable",
    "describe",
    "is_boolean",
    "may_be_missing",
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


#: ``t.as_optional(True)`` by ``id(t)`` (with ``t`` itself, which keeps the id from being
#: reused): checking a call compares every argument with its parameter "missing allowed", and
#: ``as_optional`` copies the type (``dataclasses.replace``) while hashing a type hashes all of
#: its fields. Policies use a few type objects over and over.
_MAY_BE_MISSING: dict[int, tuple[Type, Type]] = {}


def may_be_missing(t: Type) -> Type:
    """``t`` marked as possibly missing (unit and choices kept), as ``t.as_optional(True)``."""
    if t.optional:
        return t
    found = _MAY_BE_MISSING.get(id(t))
    if found is not None and found[0] is t:
        return found[1]
    if len(_MAY_BE_MISSING) > 4096:  # stay bounded (types made per expression come and go)
        _MAY_BE_MISSING.clear()
    optional = t.as_optional(True)
    _MAY_BE_MISSING[id(t)] = (t, optional)
    return optional


def show(t: Type) -> str:
    """A type as named in messages: without "or missing", which is not the point there."""
    if t.kind == "none":
        return "None"
    return str(t.as_optional(False)) if t.optional else str(t)


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
    return Type(base.kind, optional=optional, unit=unit)


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
        return Type(base.kind, optional=optional, unit=a.unit if a.unit == b.unit else None)
    if a.kind != b.kind:
        return None
    choices = _either_choices(a, b)
    if a.kind == "list":
        item = a.item if a.item == b.item else None
        return Type("list", optional=optional, item=item, choices=choices)
    if a.kind == "boolean":
        return BOOLEAN.as_optional(optional)
    unit = a.unit if a.unit == b.unit else None
    return Type(a.kind, optional, a.item, unit, choices)
