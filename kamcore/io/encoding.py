"""Which text encoding a CSV file is in, decided from its bytes, never from the platform.

CRM systems and Excel in China export CSV as GB18030/GBK ("ANSI" on a Chinese Windows), Excel's
"CSV UTF-8" adds a byte order mark, and everything else writes plain UTF-8. Reading a GBK file as
UTF-8 fails, and reading a UTF-8 file as GBK silently garbles it, so the order of the checks
matters: a BOM is certain; a file that decodes as strict UTF-8 from start to end is UTF-8 (GBK
text almost never is valid UTF-8); only then GB18030, the superset of GBK and GB2312. Anything
else is refused with the byte offset of the first bad byte instead of being guessed.

The checks decode the file in fixed-size chunks with an incremental decoder, so detecting the
encoding of a multi-gigabyte export costs a read of the file, not its size in memory.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import KamcoreError

__all__ = ["CHUNK_SIZE", "detect_encoding", "first_invalid_byte", "resolve_encoding"]

#: Bytes decoded at a time while checking an encoding.
CHUNK_SIZE = 1 << 18

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),  # Excel's "Unicode text" export
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _bom_encoding(path: Path) -> str | None:
    with path.open("rb") as f:
        head = f.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def first_invalid_byte(path: Path, encoding: str) -> tuple[int, str] | None:
    """The byte offset of the first byte sequence of ``path`` that is not valid ``encoding``,
    with the decoder's reason; ``None`` when the whole file decodes.

    Decodes incrementally, :data:`CHUNK_SIZE` bytes at a time: memory does not grow with the
    file. Used to detect the encoding and, when a read with a given encoding fails half-way, to
    point at the exact byte (the text layer only knows which buffer failed).
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    position = 0  # bytes handed to the decoder so far
    with path.open("rb") as f:
        while True:
            chunk = f.read(CHUNK_SIZE)
            final = not chunk
            pending = len(decoder.getstate()[0])  # bytes of a character cut by the last chunk
            try:
                decoder.decode(chunk, final)
            except UnicodeDecodeError as exc:
                offset = position - pending + exc.start
                bad = exc.object[exc.start : exc.start + 4]
                return offset, f"{exc.reason} (bytes {bytes(bad).hex(' ')})"
            if final:
                return None
            position += len(chunk)


def detect_encoding(path: Path) -> str:
    """The encoding to read the CSV file ``path`` with: ``utf-8-sig`` (UTF-8 with a BOM),
    ``utf-16`` (with a BOM), ``utf-8`` or ``gb18030``, in that order of certainty.

    :raises KamcoreError: the file is neither UTF-8 nor GB18030; the message names the byte
        offset of the first invalid UTF-8 byte and says how to name the encoding.
    """
    bom = _bom_encoding(path)
    if bom is not None:
        return bom
    invalid = first_invalid_byte(path, "utf-8")
    if invalid is None:
        return "utf-8"
    if first_invalid_byte(path, "gb18030") is None:
        return "gb18030"
    offset, reason = invalid
    raise KamcoreError(
        f"{path}: cannot tell the text encoding: not UTF-8 (byte offset {offset}: {reason}) "
        "and not GB18030/GBK either; name the file's encoding with --encoding "
        "(e.g. --encoding latin-1, --encoding big5, --encoding shift_jis)"
    )


def resolve_encoding(path: Path, encoding: str | None) -> tuple[str, bool]:
    """The codec to read ``path`` with and whether it was detected (``encoding is None``).

    An explicit encoding wins, normalised (``GBK`` -> ``gbk``, ``utf8`` -> ``utf-8``); an explicit
    UTF-8 still drops a byte order mark, which otherwise would glue itself to the first column
    name and make it unmatchable.

    :raises KamcoreError: an encoding name Python does not know.
    """
    if encoding is None:
        return detect_encoding(path), True
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise KamcoreError(
            f"unknown encoding {encoding!r}; use a Python codec name such as utf-8, "
            "utf-8-sig, gb18030, gbk, big5, shift_jis, latin-1"
        ) from None
    if name == "utf-8" and _bom_encoding(path) == "utf-8-sig":
        return "utf-8-sig", False
    return name, False
