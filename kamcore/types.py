"""The value types of the policy language.

Facts, metrics and function signatures all speak this one small vocabulary so the expression
checker can refuse ``revenue_12m > 'high'`` when a policy loads instead of failing per account.
Money is a number that carries a currency in :attr:`Type.unit`; percentages are plain ratios
(``12%`` in an input column becomes ``0.12``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

__all__ = [
    "ANY",
    "BOOLEAN",
    "DATE",
    "INTEGER",
    "KINDS",
    "NONE",
    "NUMBER",
    "STRING",
    "Type",
    "as_type_name",
    "parse_type",
]

#: Every kind a value can have. ``any`` is for functions such as ``coalesce`` whose result type
#: follows their arguments; ``none`` is the type of the literal ``None``.
KINDS: Final = ("number", "integer", "string", "boolean", "date", "list", "any", "none")


@dataclass(frozen=True, slots=True)
class Type:
    """A value type in the expression dialect.

    :param kind: one of :data:`KINDS`.
    :param optional: the value may be missing (``None``); using it where a value is required is
        an error for that account unless the expression handles it (``is None``, ``coalesce``).
    :param item: the element type of a ``list``.
    :param unit: a currency code for money (``"CNY"``) or a unit such as ``"days"``; informative
        except that adding money in two different currencies is refused.
    :param choices: the declared values of a string fact (``[inputs.<x>] values``; for a
        ``list``, of its items). Known when the policy loads, so the checker refuses
        ``industry == "retial"``, a test that would silently never match. Informative only
        otherwise: :meth:`accepts` and ``str()`` ignore it, a value of another string type may
        still be used where this one is expected.
    """

    kind: str
    optional: bool = False
    item: Type | None = None
    unit: str | None = None
    choices: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown type kind {self.kind!r}; expected one of {', '.join(KINDS)}")

    @property
    def is_numeric(self) -> bool:
        """``integer`` and ``number`` mix freely in arithmetic and comparisons."""
        return self.kind in ("number", "integer")

    def as_optional(self, optional: bool = True) -> Type:
        """The same type (unit and choices kept), marked as possibly missing (or not)."""
        return replace(self, optional=optional)

    def accepts(self, other: Type) -> bool:
        """Whether a value of type ``other`` may be used where this type is expected.

        Choices are not compared: they catch literal typos, they do not make two string facts
        incompatible.
        """
        if self.kind == "any" or other.kind == "any":
            return True
        if other.kind == "none":
            return self.optional
        if other.optional and not self.optional:
            return False
        if self.kind == "number" and other.kind == "integer":
            return True
        if self.kind == "list" and other.kind == "list":
            return self.item is None or other.item is None or self.item.accepts(other.item)
        return self.kind == other.kind

    def __str__(self) -> str:
        name = self.kind
        if self.kind == "list" and self.item is not None:
            name = f"list[{self.item}]"
        if self.unit:
            name = f"{name} ({self.unit})"
        return f"{name} or missing" if self.optional else name


NUMBER: Final = Type("number")
INTEGER: Final = Type("integer")
STRING: Final = Type("string")
BOOLEAN: Final = Type("boolean")
DATE: Final = Type("date")
ANY: Final = Type("any")
NONE: Final = Type("none", optional=True)

_ALIASES: Final = {
    "number": NUMBER,
    "float": NUMBER,
    "decimal": NUMBER,
    "ratio": NUMBER,
    "percent": NUMBER,
    "money": NUMBER,
    "integer": INTEGER,
    "int": INTEGER,
    "count": INTEGER,
    "string": STRING,
    "str": STRING,
    "text": STRING,
    "boolean": BOOLEAN,
    "bool": BOOLEAN,
    "date": DATE,
    "any": ANY,
}


def parse_type(name: str, *, unit: str | None = None, optional: bool = False) -> Type:
    """Parse a type name as written in a policy or a plugin declaration.

    Accepts the kinds plus the aliases ``money``, ``percent``, ``ratio``, ``count`` and
    ``list[<type>]``.

    :raises ValueError: for an unknown name, with the accepted names in the message.
    """
    text = name.strip().lower()
    if text.startswith("list[") and text.endswith("]"):
        item = parse_type(text[5:-1])
        return Type("list", optional=optional, item=item, unit=unit)
    base = _ALIASES.get(text)
    if base is None:
        known = ", ".join(sorted({*_ALIASES, "list[...]"}))
        raise ValueError(f"unknown type {name!r}; expected one of: {known}")
    return replace(base, optional=optional, unit=unit)


def as_type_name(t: Type) -> str:
    """How a type is named in messages: ``number``, ``string``, ``list[string]``."""
    if t.kind == "list" and t.item is not None:
        return f"list[{as_type_name(t.item)}]"
    return t.kind
