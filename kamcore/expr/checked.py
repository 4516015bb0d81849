"""The value the checker passes around: a compiled node with its type and source text.

Kept apart from the walker so that :mod:`.calls` and :mod:`.unary` can use it without importing
the walker itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..types import Type

__all__ = ["PLACEHOLDER", "Checked", "InputColumn"]

#: Name id standing for a decision-table input in ASTs built by :mod:`kamcore.expr.unary`.
#: The parser cannot produce it, so an author cannot write it.
PLACEHOLDER = "?input"


@dataclass(frozen=True, slots=True)
class Checked:
    """A checked sub-expression.

    :param node: the compiled (fresh) AST node.
    :param type: its type; optional when it may be missing at run time.
    :param text: the source text, used to name the operand in messages.
    :param literal: ``node`` is a constant written in the source (or a negated one).
    """

    node: ast.expr
    type: Type
    text: str
    literal: bool = False


@dataclass(frozen=True, slots=True)
class InputColumn:
    """The decision-table input a unary test is applied to.

    :param source: the input expression's text, naming the value in messages.
    :param type: its type.
    """

    source: str
    type: Type
