"""The compiled hot path: one generated function per policy and explain level.

:func:`fast_path` returns it (generated on first use, then cached on the compiled policy), or
``None`` when the policy cannot take it (portfolio rules); :mod:`.generate` says how it works
and why it always agrees with the plain pipeline.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from ..compile import CompiledPolicy
from .generate import FILENAME, FastRow, PhaseFunctions, generate, generate_phases
from .writer import Unsupported

__all__ = [
    "FILENAME",
    "FastRow",
    "PhaseFunctions",
    "Unsupported",
    "fast_path",
    "fast_phases",
    "plain_only",
    "why_not",
]

_CACHE = "_kc_fast_paths"
_PHASES = "_kc_fast_phases"
T = TypeVar("T")


#: ``KAMCORE_CODEGEN=0`` in the environment turns the generated code off for the process:
#: every account takes the plain pipeline (to rule the fast path out when chasing a problem).
_switch = {"on": os.environ.get("KAMCORE_CODEGEN", "1") != "0"}


@contextmanager
def plain_only() -> Iterator[None]:
    """Evaluate on the plain pipeline only while the block runs (tests compare the paths)."""
    was = _switch["on"]
    _switch["on"] = False
    try:
        yield
    finally:
        _switch["on"] = was


def fast_path(policy: CompiledPolicy, explain: str) -> FastRow | None:
    """The generated function for ``policy`` at ``explain``, or ``None`` (plain path only)."""
    if not _switch["on"]:
        return None
    found = _generated(policy, _CACHE, explain, generate)
    return None if isinstance(found, Unsupported) else found


def fast_phases(policy: CompiledPolicy, explain: str) -> PhaseFunctions | None:
    """The generated phases of a policy with portfolio rules, or ``None`` (plain path)."""
    if not _switch["on"]:
        return None
    found = _generated(policy, _PHASES, explain, generate_phases)
    return None if isinstance(found, Unsupported) else found


def why_not(policy: CompiledPolicy, explain: str = "none") -> str | None:
    """Why ``policy`` evaluates on the plain path only, or ``None`` when it is compiled."""
    found: object = (
        _generated(policy, _PHASES, explain, generate_phases)
        if policy.uses_portfolio
        else _generated(policy, _CACHE, explain, generate)
    )
    return str(found) if isinstance(found, Unsupported) else None


def _generated(
    policy: CompiledPolicy, slot: str, explain: str, make: Callable[[CompiledPolicy, str], T]
) -> T | Unsupported:
    """What ``make`` generated for ``policy`` at ``explain`` (or why it could not), made once
    and kept on the compiled policy: a frozen dataclass, so in a private attribute."""
    cache: dict[str, T | Unsupported] | None = policy.__dict__.get(slot)
    if cache is None:
        cache = {}
        object.__setattr__(policy, slot, cache)
    found = cache.get(explain)
    if found is None:
        try:
            found = make(policy, explain)
        except Unsupported as exc:
            found = exc
        cache[explain] = found
    return found
