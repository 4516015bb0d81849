"""The value the checker passes around: a compiled node with its type and source text.

Kept apart from the walker so that :mod:`.calls` and :mod:`.unary` can use it without importing
the walker itself.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from ..types import Type

__all__ = ["PLACEHOLDER", "Checked", "InputColumn"]

#: Name id standing for a decision-table input in ASTs built by :mod:`kamcore.expr.unary`.
#: The parser cannot produce it, so an author cannot write it.
PLACEHOLDER = "?input"


class Checked(NamedTuple):
    """A checked sub-expression.

    A named tuple rather than a frozen dataclass: the checker makes one per node of every
    expression, and a tuple is built without a field-by-field ``__init__``.

    :param node: the compiled (fresh) AST node.
    :param type: its type; optional when it may be missing at run time.
    :param source_text: the source text (see :attr:`text`), or a function giving it: most
        operands are never named, so their text is only cut out of the source when asked for.
    :param literal: ``node`` is a constant written in the source (or a negated one).
    """

    node: ast.expr
    type: Type
    source_text: str | Callable[[], str]
    literal: bool = False

    @property
    def text(self) -> str:
        """The source text, used to name the operand in messages."""
        text = self.source_text
        return text if isinstance(text, str) else text()


@dataclass(frozen=True, slots=True)
class InputColumn:
    """The decision-table input a unary test is applied to.

    :param source: the input expression's text, naming the value in messages.
    :param type: its type.
    """

    source: str
    type: Type
