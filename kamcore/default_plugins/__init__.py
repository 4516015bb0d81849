"""kamcore's built-in plugins: the generic KAM vocabulary.

They are ordinary plugins registered from :data:`DEFAULT_PLUGINS` (module names), not through
entry points, so they load even when ``KAMCORE_LOAD_PLUGINS`` hides every external plugin. An
external plugin may replace any of their registrations.

Modules whose names start with ``_`` are helpers shared by the built-ins, not plugins.
"""

from __future__ import annotations

DEFAULT_PLUGINS: tuple[str, ...] = (
    "kamcore.default_plugins.facts",
    "kamcore.default_plugins.functions",
    "kamcore.default_plugins.metrics",
    "kamcore.default_plugins.portfolio",
    "kamcore.default_plugins.tactics",
    "kamcore.default_plugins.stages",
)
