"""The kamcore_ict tests use ``kamcore.testing``, the fixtures a third-party plugin's tests use.

A plugin's own repository activates it with ``pytest_plugins = ["kamcore.testing"]`` in its
top-level conftest. Here the pack's tests sit inside kamcore's test tree, and pytest refuses
``pytest_plugins`` in a conftest below the root one ("no longer supported" when the whole
``tests/`` tree is collected), so this conftest exposes the same fixtures and markers to this
folder only: the fixture functions themselves, and the plugin's ``pytest_configure``, which
declares the ``kamcore_installed`` marker for ``--strict-markers``.
"""

from __future__ import annotations

from kamcore.testing import (
    kamcore_account,
    kamcore_engine,
    kamcore_evaluate,
    kamcore_plugins,
    kamcore_policy_tests,
    kamcore_registry,
    pytest_configure,
)

__all__ = [
    "kamcore_account",
    "kamcore_engine",
    "kamcore_evaluate",
    "kamcore_plugins",
    "kamcore_policy_tests",
    "kamcore_registry",
    "pytest_configure",
]
