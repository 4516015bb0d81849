"""Write a file completely or not at all.

A run over a large portfolio takes minutes and may be stopped (Ctrl-C, a crash, a full disk).
A half-written evaluations file looks like a smaller portfolio and would be read as one by the
next period's ``--previous``, so every output is written to a temporary file next to the
destination (same directory: same file system, so the final rename is atomic), flushed to disk
with ``fsync`` and only then renamed over the destination with :func:`os.replace`. On any
exception, ``KeyboardInterrupt`` included, the temporary file is removed and an existing
destination stays exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from ..errors import KamcoreError

__all__ = ["AtomicFile", "atomic_path"]


def _fsync(path: Path, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicFile:
    """A temporary file that becomes ``path`` on :meth:`commit` or disappears on :meth:`abort`.

    The temporary file (``.<name>.<random>.tmp`` in the destination's directory) is created
    empty right away, so an unwritable destination fails before any work is done. It is
    created with the usual permissions (``0o666`` less the umask), or the destination's when it
    already exists.

    :raises KamcoreError: the directory is missing or not writable, or ``path`` is a directory.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise KamcoreError(f"{self.path}: is a directory; give a file name to write")
        self.tmp = self._create()
        self.closed = False

    def _create(self) -> Path:
        directory = self.path.parent
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        for _ in range(100):
            tmp = directory / f".{self.path.name}.{secrets.token_hex(4)}.tmp"
            try:
                fd = os.open(tmp, flags, 0o666)
            except FileExistsError:
                continue
            except OSError as exc:
                raise KamcoreError(f"{self.path}: cannot write here: {exc.strerror}") from None
            os.close(fd)
            try:
                mode = stat.S_IMODE(self.path.stat().st_mode)
            except OSError:
                return tmp  # no destination yet: keep the umask's permissions
            with contextlib.suppress(OSError):
                os.chmod(tmp, mode)
            return tmp
        raise KamcoreError(f"{self.path}: cannot create a temporary file next to it")

    def commit(self) -> None:
        """Flush the temporary file to disk and rename it to the destination.

        Whatever wrote the temporary file must have closed it. On failure the temporary file
        is removed and the destination is left as it was.
        """
        if self.closed:
            return
        try:
            _fsync(self.tmp)
            os.replace(self.tmp, self.path)
        except BaseException as exc:
            self.abort()
            if isinstance(exc, OSError):
                raise KamcoreError(f"{self.path}: cannot write: {exc.strerror}") from exc
            raise
        self.closed = True
        # The rename itself is durable only once the directory is synced (POSIX); best effort.
        with contextlib.suppress(OSError):
            _fsync(self.path.parent, directory=True)

    def abort(self) -> None:
        """Remove the temporary file; the destination is untouched."""
        self.closed = True
        with contextlib.suppress(OSError):
            self.tmp.unlink()

    def __repr__(self) -> str:
        return f"<AtomicFile {str(self.path)!r} via {self.tmp.name!r}>"


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write ``path``'s content to; it becomes ``path`` when the block
    ends normally and is removed if the block raises (the destination is then untouched).

    The temporary file already exists (empty); open it for writing and close it inside the
    block::

        with atomic_path("client/policy.toml") as tmp:
            tmp.write_text(text, encoding="utf-8")
    """
    target = AtomicFile(path)
    try:
        yield target.tmp
    except BaseException:
        target.abort()
        raise
    target.commit()
