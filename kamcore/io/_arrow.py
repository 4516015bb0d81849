"""pyarrow, imported only when a Parquet file is actually read or written.

pyarrow is a large optional dependency (the ``parquet`` extra): importing it on every ``kam``
start would slow down commands that never touch Parquet, and a missing install must be a
one-line instruction, not an ImportError traceback.
"""

from __future__ import annotations

from typing import Any

from ..errors import KamcoreError

__all__ = ["pyarrow"]


def pyarrow(action: str = "reading") -> tuple[Any, Any]:
    """``(pyarrow, pyarrow.parquet)``.

    :param action: ``"reading"`` or ``"writing"``, for the message.

    :raises KamcoreError: pyarrow is not installed, saying how to install it.
    """
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError:
        raise KamcoreError(
            f"{action} Parquet needs pyarrow: pip install 'kamcore[parquet]'"
        ) from None
    return pa, pq
