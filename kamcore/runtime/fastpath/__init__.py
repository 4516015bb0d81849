"""The compiled hot path: one generated function per policy and explain level.

:func:`fast_path` returns it (generated on first use, then cached on the compiled policy), or
``None`` when the policy cannot take it (portfolio rules); :mod:`.generate` says how it works
and why it always agrees with the plain pipeline.
"""

from __future__ import annotations

from ..compile import CompiledPolicy
from .generate import FILENAME, FastRow, generate
from .writer import Unsupported

__all__ = ["FILENAME", "FastRow", "Unsupported", "fast_path", "why_not"]

_CACHE = "_kc_fast_paths"


def fast_path(policy: CompiledPolicy, explain: str) -> FastRow | None:
    """The generated function for ``policy`` at ``explain``, or ``None`` (plain path only)."""
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


def why_not(policy: CompiledPolicy, explain: str = "none") -> str | None:
    """Why ``policy`` evaluates on the plain path only, or ``None`` when it is compiled."""
    fast_path(policy, explain)
    found = policy.__dict__[_CACHE][explain]
    return str(found) if isinstance(found, Unsupported) else None
