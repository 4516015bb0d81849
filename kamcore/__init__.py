"""kamcore: a rules-engine plugin framework for Key Account Management.

The public API is what ``__all__`` lists; everything else is private or a documented submodule
(:mod:`kamcore.hookspecs`, :mod:`kamcore.expr`, :mod:`kamcore.policy`, :mod:`kamcore.models`).
Everything but the version is imported on first use (pydantic models, the compiler, pluggy behind
``hookimpl``, even the exception classes and :mod:`typing`), so importing kamcore, or running
``kam --version``, costs next to nothing.
"""

from __future__ import annotations

from importlib import import_module

from ._version import __version__

#: ``typing.TYPE_CHECKING`` without importing :mod:`typing` (type checkers treat the name alike).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .engine import Engine, PortfolioResult
    from .errors import (
        AccountError,
        ExpressionError,
        KamcoreError,
        PluginError,
        PluginUsageError,
        PolicyError,
    )
    from .hookspecs import hookimpl
    from .models import Account, Evaluation, evaluation_json
    from .policy import PolicyDocument, load_policy
    from .registry import Classifier, Fact, Function, Metric, StageModel, Tactic
    from .types import Type

__all__ = [
    "Account",
    "AccountError",
    "Classifier",
    "Engine",
    "Evaluation",
    "ExpressionError",
    "Fact",
    "Function",
    "KamcoreError",
    "Metric",
    "PluginError",
    "PluginUsageError",
    "PolicyDocument",
    "PolicyError",
    "PortfolioResult",
    "StageModel",
    "Tactic",
    "Type",
    "__version__",
    "evaluation_json",
    "hookimpl",
    "load_policy",
]

_LAZY = {
    "Account": "kamcore.models",
    "AccountError": "kamcore.errors",
    "ExpressionError": "kamcore.errors",
    "KamcoreError": "kamcore.errors",
    "PluginError": "kamcore.errors",
    "PluginUsageError": "kamcore.errors",
    "PolicyError": "kamcore.errors",
    "Classifier": "kamcore.registry",
    "Engine": "kamcore.engine",
    "Evaluation": "kamcore.models",
    "Fact": "kamcore.registry",
    "Function": "kamcore.registry",
    "Metric": "kamcore.registry",
    "PolicyDocument": "kamcore.policy",
    "PortfolioResult": "kamcore.engine",
    "StageModel": "kamcore.registry",
    "Tactic": "kamcore.registry",
    "Type": "kamcore.types",
    "evaluation_json": "kamcore.models",
    "hookimpl": "kamcore.hookspecs",
    "load_policy": "kamcore.policy",
}


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__} - {"TYPE_CHECKING", "import_module"})


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kamcore' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
