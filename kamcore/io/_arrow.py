"""pyarrow, imported only when a Parquet file is actually read or written.

pyarrow is a large optional dependency (the ``parquet`` extra): importing it on every ``kam``
start would slow down commands that never touch Parquet, and a missing install must be a
one-line instruction, not an ImportError traceback. The instruction depends on how kamcore was
installed: from a source checkout (an editable install, or ``PYTHONPATH``) ``pip install
'kamcore[parquet]'`` would fetch a second kamcore from the index next to the one being edited,
so there the extra is installed from the checkout instead.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Final

from ..errors import KamcoreError

__all__ = ["install_hint", "pyarrow"]

#: The directory of the kamcore package that is running.
_PACKAGE_DIR: Final = Path(__file__).resolve().parent.parent
#: The project name line of kamcore's own pyproject.toml.
_KAMCORE_PROJECT: Final = re.compile(r"""^name\s*=\s*["']kamcore["']""", re.MULTILINE)


def _source_checkout(package_dir: Path) -> Path | None:
    """The checkout ``package_dir`` runs from: its parent, when that holds kamcore's own
    ``pyproject.toml``; ``None`` for an installed package (site-packages has none)."""
    root = package_dir.parent
    try:
        project = (root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return root if _KAMCORE_PROJECT.search(project) else None


def install_hint(package_dir: Path = _PACKAGE_DIR) -> str:
    """The command that installs pyarrow for this kamcore."""
    root = _source_checkout(package_dir)
    if root is not None:
        return f"pip install -e '.[parquet]' (in the source checkout {root})"
    return "pip install 'kamcore[parquet]'"


def pyarrow(action: str = "reading") -> tuple[Any, Any]:
    """``(pyarrow, pyarrow.parquet)``.

    :param action: ``"reading"`` or ``"writing"``, for the message.

    :raises KamcoreError: pyarrow is not installed, saying how to install it.
    """
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError:
        raise KamcoreError(f"{action} Parquet needs pyarrow: {install_hint()}") from None
    return pa, pq
