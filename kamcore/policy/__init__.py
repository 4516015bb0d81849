"""Policy documents: loading TOML with locations, layering with ``extends``, validation.

:func:`load_policy` reads a policy file and the bases it extends, merges them by the rules of
``docs/policy.md`` and returns a :class:`PolicyDocument` that knows, for every key path, the
file, line and column that set it. :func:`validate_document` checks the effective document
against ``schemas/policy.schema.json`` and the active plugins' configuration schemas, and turns
every schema error into a plain-language :class:`~kamcore.errors.Problem` at that location.
"""

from __future__ import annotations

from .document import PolicyDocument, format_effective
from .load import load_policy, load_policy_text
from .validate import compose_schema, validate_document

__all__ = [
    "PolicyDocument",
    "compose_schema",
    "format_effective",
    "load_policy",
    "load_policy_text",
    "validate_document",
]
