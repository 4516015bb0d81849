"""kamcore's built-in plugins: the generic KAM vocabulary.

They are ordinary plugins registered from :data:`DEFAULT_PLUGINS` (module names), not through
entry points, so they load even when ``KAMCORE_LOAD_PLUGINS`` hides every external plugin. An
external plugin may replace any of their registrations.
"""

from __future__ import annotations

DEFAULT_PLUGINS: tuple[str, ...] = ()
