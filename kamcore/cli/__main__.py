"""``python -m kamcore.cli``: the same as the ``kam`` command (for environments without the
console script on PATH)."""

from __future__ import annotations

import sys

from . import main

sys.exit(main())
