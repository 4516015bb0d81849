"""The kamcore expression dialect: a small, typed, safe subset of Python expressions.

Policies write conditions and metrics as text (``revenue_12m >= 1_000_000 and nps >= 9``).
This package parses them with :mod:`ast`, walks the tree against an allowlist, type-checks it
against the names visible at its pipeline stage, and compiles it once into a plain Python
function over a values dict. The stages are separate modules: :mod:`.parse` (text to AST, with
the common mistakes named), :mod:`.check` and :mod:`.calls` (allowlist and types, with
:mod:`.typerules`), :mod:`.emit` and :mod:`.compile` (code), and :mod:`.unary` /
:mod:`.interval` for decision-table cells and score bands.
"""

from __future__ import annotations

from .compile import compile_expression
from .interval import Interval, check_bands, parse_interval
from .missing import MissingValueError
from .scope import CompiledExpr, PortfolioCall, Scope
from .unary import UnaryTest, compile_unary_test

__all__ = [
    "CompiledExpr",
    "Interval",
    "MissingValueError",
    "PortfolioCall",
    "Scope",
    "UnaryTest",
    "check_bands",
    "compile_expression",
    "compile_unary_test",
    "parse_interval",
]
