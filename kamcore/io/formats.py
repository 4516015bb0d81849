"""File formats by name and by suffix, shared by the readers and the writers.

The command line takes ``--format`` or infers it from the file name; both paths end here so the
error for an unknown suffix lists exactly what is supported, and an input format that cannot be
written (plain JSON, which cannot be streamed) is refused up front.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from ..errors import KamcoreError

__all__ = ["INPUT_FORMATS", "OUTPUT_FORMATS", "REJECTS_FORMATS", "format_of"]

#: Input suffixes and the formats they mean.
INPUT_FORMATS: Final[Mapping[str, str]] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
}
#: Evaluation output suffixes. No plain JSON: an array cannot be written as a stream.
OUTPUT_FORMATS: Final[Mapping[str, str]] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
}
#: Rejects file suffixes.
REJECTS_FORMATS: Final[Mapping[str, str]] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


#: How to name each kind of format on the `kam evaluate` command line, quoted in errors. The
#: rejects file has no format option of its own: its suffix is the only way to choose.
_HINTS: Final[Mapping[str, str]] = {
    "input": "or give the format explicitly (--format-in)",
    "output": "or give the format explicitly (--format-out)",
    "rejects": "give --rejects a file name ending in .csv or .jsonl",
}


def _known(formats: Mapping[str, str]) -> str:
    by_format: dict[str, list[str]] = {}
    for suffix, name in formats.items():
        by_format.setdefault(name, []).append(suffix)
    return ", ".join(f"{name} ({'/'.join(s)})" for name, s in by_format.items())


def format_of(
    path: str | os.PathLike[str], format: str | None, formats: Mapping[str, str], what: str
) -> str:
    """The format of ``path``: ``format`` when given, else from the suffix (any case).

    :param what: ``"input"``, ``"output"``, ... for the error message.
    :raises KamcoreError: an unknown format or suffix, naming the file and the known formats.
    """
    if format is not None:
        name = format.lower()
        if name not in formats.values():
            raise KamcoreError(
                f"{path}: unknown {what} format {format!r}; known: {_known(formats)}"
            )
        return name
    suffix = Path(path).suffix.lower()
    found = formats.get(suffix)
    if found is None:
        shown = f"suffix {suffix!r}" if suffix else "no suffix"
        hint = _HINTS.get(what, "or give the format explicitly")
        raise KamcoreError(
            f"{path}: cannot tell the {what} format ({shown}); known: {_known(formats)}; {hint}"
        )
    return found
