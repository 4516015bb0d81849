"""A progress line on stderr while ``kam evaluate`` reads its input: rows done and rows/s.

It is drawn only when stderr is a terminal: in a pipeline or CI log a carriage-return
animation is noise, so the command is silent there. A policy with portfolio rules reads its
input in passes (statistics first, then evaluation); the line names the pass, and from the
second pass on it knows the total and shows a bar.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

__all__ = ["Progress"]

_INTERVAL = 0.1  # seconds between redraws
_BAR = 24


class Progress:
    """Counts the rows a streamed source yields and redraws one status line now and then.

    :param passes: how many times the engine will read the source.
    :param stream: where to draw (default stderr); nothing is drawn unless it is a TTY, or
        ``enabled`` forces it.
    """

    def __init__(
        self, passes: int = 1, stream: IO[str] | None = None, enabled: bool | None = None
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) if enabled is None else enabled
        self.passes = passes
        self.current = 0
        self.rows = 0
        self.total: int | None = None
        self.started = time.monotonic()
        self._pass_started = self.started
        self._last_draw = 0.0
        self._drawn = False

    def wrap(self, source: Callable[[], Iterable[Any]]) -> Callable[[], Iterator[Any]]:
        """``source`` with every call counted as a pass and every row counted as read."""

        def counted() -> Iterator[Any]:
            if self.current and self.total is None:
                self.total = self.rows  # the first pass saw every row
            self.current += 1
            self.rows = 0
            self._pass_started = time.monotonic()
            for row in source():
                self.rows += 1
                if self.enabled and not self.rows % 256:
                    self._maybe_draw()
                yield row

        return counted

    def _maybe_draw(self) -> None:
        now = time.monotonic()
        if now - self._last_draw >= _INTERVAL:
            self._last_draw = now
            self.draw(now)

    def line(self, now: float | None = None) -> str:
        """The status line as it would be drawn."""
        now = time.monotonic() if now is None else now
        elapsed = max(now - self._pass_started, 1e-9)
        rate = self.rows / elapsed
        step = f"pass {self.current}/{self.passes}  " if self.passes > 1 else ""
        if self.total:
            done = min(self.rows / self.total, 1.0)
            filled = int(done * _BAR)
            bar = "[" + "#" * filled + "-" * (_BAR - filled) + "]"
            return f"{step}{bar} {self.rows:,}/{self.total:,} rows  {rate:,.0f} rows/s"
        return f"{step}{self.rows:,} rows  {rate:,.0f} rows/s"

    def draw(self, now: float | None = None) -> None:
        """Redraw the status line in place."""
        if not self.enabled:
            return
        self.stream.write("\r\033[K" + self.line(now))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the status line so the summary starts on a clean line."""
        if self.enabled and self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
