"""kamcore: a rules-engine plugin framework for Key Account Management.

The public API is what ``__all__`` lists; everything else is private or a documented submodule
(:mod:`kamcore.hookspecs`, :mod:`kamcore.expr`, :mod:`kamcore.policy`, :mod:`kamcore.models`).
Heavy parts (pydantic models, the compiler) are imported on first use, so importing kamcore, or
running ``kam --version``, stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .errors import (
    AccountError,
    ExpressionError,
    KamcoreError,
    PluginError,
    PluginUsageError,
    PolicyError,
)
from .hookspecs import hookimpl
from .registry import Classifier, Fact, Function, Metric, StageModel, Tactic
from .types import Type

if TYPE_CHECKING:
    from .engine import Engine, PortfolioResult
    from .models import Account, Evaluation, evaluation_json
    from .policy import PolicyDocument, load_policy

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
    "Engine": "kamcore.engine",
    "Evaluation": "kamcore.models",
    "PolicyDocument": "kamcore.policy",
    "PortfolioResult": "kamcore.engine",
    "evaluation_json": "kamcore.models",
    "load_policy": "kamcore.policy",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kamcore' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
