"""Which text encoding a CSV file is in, decided from its bytes, never from the platform.

CRM systems and Excel in China export CSV as GB18030/GBK ("ANSI" on a Chinese Windows), Excel's
"CSV UTF-8" adds a byte order mark, and everything else writes plain UTF-8. Reading a GBK file as
UTF-8 fails, and reading a UTF-8 file as GBK silently garbles it, so the order of the checks
matters: a BOM is certain; a file that decodes as strict UTF-8 from start to end is UTF-8 (GBK
text almost never is valid UTF-8); only then GB18030, the superset of GBK and GB2312. Anything
else is refused with the byte offset of the first bad byte instead of being guessed.

"Decodes as GB18030" alone is not evidence of Chinese: GB18030 pairs almost any byte of 0x81-0xFE
with the next byte, so a Western European (cp1252/latin-1) export decodes without error, each
accented letter swallowing the letter after it (``Catégorie`` becomes ``Cat間orie``) and nothing
fails until a column is not found or a value is silently wrong. Such pairs (a high byte then an
ASCII letter) land in GBK's extension area of rare ideographs, while real Chinese text is made,
overwhelmingly, of the 7,000 common characters and the punctuation of GB2312. So GB18030 is
accepted only when at least :data:`CHINESE_SHARE` of the non-ASCII characters it decodes to (in
the first 2 MiB that hold any) are in GB2312: a check by character set, not by Unicode range, as
``間`` *is* a CJK ideograph, just not one a Chinese export would contain. Otherwise the file is
refused, showing how the first bad bytes read as GB18030 and as cp1252, and asking for
``--encoding``.

The checks decode the file in fixed-size chunks with an incremental decoder, so detecting the
encoding of a multi-gigabyte export costs a read of the file, not its size in memory.
"""

from __future__ import annotations

import codecs
import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Final

from ..errors import KamcoreError

__all__ = [
    "CHINESE_SHARE",
    "CHUNK_SIZE",
    "codec_name",
    "detect_encoding",
    "first_invalid_byte",
    "resolve_encoding",
]

#: Bytes decoded at a time while checking an encoding.
CHUNK_SIZE = 1 << 18
#: The least share of a file's non-ASCII characters, decoded as GB18030, that must be common
#: Chinese (GB2312) for the file to be read as GB18030 without ``--encoding``. Not 100 %: real
#: exports hold some rarer characters (names, traditional forms, symbols outside GB2312).
CHINESE_SHARE: Final = 0.8
#: Decoded chunks holding non-ASCII text whose characters are counted to judge GB18030: a
#: sample (up to 2 MiB) tells Chinese from mis-decoded Latin text as surely as the whole file,
#: and counting every character of a large export would cost ten times the decoding itself.
_SAMPLE_CHUNKS = 8
#: Bytes shown either side of a suspicious byte in an encoding error.
_SNIPPET_BYTES = 24

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


def first_invalid_byte(
    path: Path, encoding: str, on_text: Callable[[str], object] | None = None
) -> tuple[int, str] | None:
    """The byte offset of the first byte sequence of ``path`` that is not valid ``encoding``,
    with the decoder's reason; ``None`` when the whole file decodes.

    Decodes incrementally, :data:`CHUNK_SIZE` bytes at a time: memory does not grow with the
    file. Used to detect the encoding and, when a read with a given encoding fails half-way, to
    point at the exact byte (the text layer only knows which buffer failed).

    :param on_text: called with each decoded piece of text, so a caller can judge what the
        file says in the same single pass (GB18030 detection counts its characters).
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    position = 0  # bytes handed to the decoder so far
    with path.open("rb") as f:
        while True:
            chunk = f.read(CHUNK_SIZE)
            final = not chunk
            pending = len(decoder.getstate()[0])  # bytes of a character cut by the last chunk
            try:
                decoded = decoder.decode(chunk, final)
            except UnicodeDecodeError as exc:
                offset = position - pending + exc.start
                bad = exc.object[exc.start : exc.start + 4]
                return offset, f"{exc.reason} (bytes {bytes(bad).hex(' ')})"
            if on_text is not None:
                on_text(decoded)
            if final:
                return None
            position += len(chunk)


def _is_common_chinese(char: str) -> bool:
    """In GB2312: the common simplified characters and the punctuation Chinese text uses."""
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


class _CharSample:
    """The characters of the first :data:`_SAMPLE_CHUNKS` decoded chunks that hold non-ASCII
    text, counted; an ``on_text`` callback for :func:`first_invalid_byte`."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._left = _SAMPLE_CHUNKS

    def __call__(self, text: str) -> None:
        if self._left and not text.isascii():
            self.counts.update(text)
            self._left -= 1


def _chinese_share(counts: Counter[str]) -> float:
    """The share of the non-ASCII characters in ``counts`` that are common Chinese."""
    total = chinese = 0
    for char, n in counts.items():  # distinct characters: a few thousand at most
        if char < "\x80":
            continue
        total += n
        if _is_common_chinese(char):
            chinese += n
    return chinese / total if total else 1.0


def _snippet(path: Path, offset: int) -> tuple[str, str]:
    """The bytes around ``offset`` on its line, as GB18030 and as cp1252 would show them.

    The window starts after the last newline and at an ASCII byte, so a GB18030 pair is not
    cut in half at the start.
    """
    start = max(0, offset - _SNIPPET_BYTES)
    with path.open("rb") as f:
        f.seek(start)
        data = f.read(offset - start + _SNIPPET_BYTES)
    at = offset - start
    head, tail = data[:at], data[at:]
    head = head[head.rfind(b"\n") + 1 :]
    while head and head[0] >= 0x80:
        head = head[1:]
    tail = tail.split(b"\n", 1)[0].rstrip(b"\r")
    raw = head + tail
    return raw.decode("gb18030", errors="replace"), raw.decode("cp1252", errors="replace")


def detect_encoding(path: Path) -> str:
    """The encoding to read the CSV file ``path`` with: ``utf-8-sig`` (UTF-8 with a BOM),
    ``utf-16`` (with a BOM), ``utf-8`` or ``gb18030``, in that order of certainty.

    GB18030 only when the file decodes as GB18030 *and* reads as Chinese (see the module
    docstring): a cp1252/latin-1 file also decodes as GB18030, into nonsense.

    :raises KamcoreError: the file is neither UTF-8 nor Chinese GB18030; the message names the
        byte offset of the first invalid UTF-8 byte and says how to name the encoding.
    """
    bom = _bom_encoding(path)
    if bom is not None:
        return bom
    invalid = first_invalid_byte(path, "utf-8")
    if invalid is None:
        return "utf-8"
    offset, reason = invalid
    sample = _CharSample()
    if first_invalid_byte(path, "gb18030", on_text=sample) is not None:
        raise KamcoreError(
            f"{path}: cannot tell the text encoding: not UTF-8 (byte offset {offset}: {reason}) "
            "and not GB18030/GBK either; name the file's encoding with --encoding "
            "(e.g. --encoding cp1252 or --encoding latin-1 for a Western European export, "
            "--encoding big5, --encoding shift_jis)"
        )
    share = _chinese_share(sample.counts)
    if share >= CHINESE_SHARE:
        return "gb18030"
    as_gb, as_cp = _snippet(path, offset)
    raise KamcoreError(
        f"{path}: cannot tell the text encoding: not UTF-8 (byte offset {offset}: {reason}); "
        f"it decodes as GB18030 but not into Chinese text (only {share:.0%} of its non-ASCII "
        f"characters are common Chinese; at byte offset {offset} GB18030 reads {as_gb!r}, "
        f"cp1252 reads {as_cp!r}). Name the file's encoding with --encoding: --encoding cp1252 "
        "or --encoding latin-1 for a Western European export (Excel on a Western Windows), "
        "--encoding big5 for traditional Chinese, --encoding shift_jis for Japanese, "
        "--encoding gb18030 if the file is Chinese after all"
    )


def codec_name(encoding: str) -> str:
    """The normalised name of the text codec ``encoding`` (``GBK`` -> ``gbk``, ``utf8`` ->
    ``utf-8``).

    :raises KamcoreError: a name Python does not know, or a codec that is not a text encoding
        (``base64``, ``rot13``...), which :func:`open` would refuse with a bare LookupError.
    """
    try:
        name = codecs.lookup(encoding).name
        io.TextIOWrapper(io.BytesIO(), encoding=name)  # refuses bytes-to-bytes codecs
    except LookupError:
        raise KamcoreError(
            f"unknown encoding {encoding!r}; use a Python codec name such as utf-8, "
            "utf-8-sig, gb18030, gbk, big5, shift_jis, cp1252, latin-1"
        ) from None
    return name


def resolve_encoding(path: Path, encoding: str | None) -> tuple[str, bool]:
    """The codec to read ``path`` with and whether it was detected (``encoding is None``).

    An explicit encoding wins, normalised (``GBK`` -> ``gbk``, ``utf8`` -> ``utf-8``); an explicit
    UTF-8 still drops a byte order mark, which otherwise would glue itself to the first column
    name and make it unmatchable.

    :raises KamcoreError: an encoding name Python does not know.
    """
    if encoding is None:
        return detect_encoding(path), True
    name = codec_name(encoding)
    if name == "utf-8" and _bom_encoding(path) == "utf-8-sig":
        return "utf-8-sig", False
    return name, False
