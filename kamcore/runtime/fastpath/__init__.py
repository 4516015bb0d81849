"""The compiled hot path: one generated function per policy and explain level.

:func:`fast_path` returns it (generated on first use, then cached on the compiled policy), or
``None`` when the policy cannot take it (portfolio rules); :mod:`.generate` says how it works
and why it always agrees with the plain pipeline.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

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
    cache: dict[str, FastRow | Unsupported] | None = policy.__dict__.get(_CACHE)
    if cache is None:
        cache = {}
        object.__setattr__(policy, _CACHE, cache)  # frozen dataclass: a private cache slot
    found = cache.get(explain)
    if found is None:
        try:
            found = generate(policy, explain)
        except Unsupported as exc:
            found = exc
        cache[explain] = found
    return None if isinstance(found, Unsupported) else found


def fast_phases(policy: CompiledPolicy, explain: str) -> PhaseFunctions | None:
    """The generated phases of a policy with portfolio rules, or ``None`` (plain path)."""
    if not _switch["on"]:
        return None
    cache: dict[str, PhaseFunctions | Unsupported] | None = policy.__dict__.get(_PHASES)
    if cache is None:
        cache = {}
        object.__setattr__(policy, _PHASES, cache)
    found = cache.get(explain)
    if found is None:
        try:
            found = generate_phases(policy, explain)
        except Unsupported as exc:
            found = exc
        cache[explain] = found
    return None if isinstance(found, Unsupported) else found


def why_not(policy: CompiledPolicy, explain: str = "none") -> str | None:
    """Why ``policy`` evaluates on the plain path only, or ``None`` when it is compiled."""
    if policy.uses_portfolio:
        fast_phases(policy, explain)
        found = policy.__dict__[_PHASES][explain]
    else:
        fast_path(policy, explain)
        found = policy.__dict__[_CACHE][explain]
    return str(found) if isinstance(found, Unsupported) else None
