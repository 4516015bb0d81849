"""The progress line: drawn only on a terminal, counting rows per pass and rows per second."""

from __future__ import annotations

import io

from kamcore.cli.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_drawn_unless_stderr_is_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(passes=2, stream=stream)
    source = progress.wrap(lambda: iter(range(1000)))
    assert sum(1 for _ in source()) == 1000
    progress.draw()
    progress.close()
    assert stream.getvalue() == ""


def test_passes_rows_and_a_bar_once_the_total_is_known() -> None:
    stream = _Terminal()
    progress = Progress(passes=2, stream=stream)
    source = progress.wrap(lambda: iter(range(1000)))
    assert sum(1 for _ in source()) == 1000
    first = progress.line()
    assert first.startswith("pass 1/2  1,000 rows  ")
    assert first.endswith(" rows/s")
    rows = source()
    for _ in range(500):
        next(rows)
    second = progress.line()
    assert second.startswith("pass 2/2  [############------------] 500/1,000 rows")
    progress.draw()
    progress.close()
    assert stream.getvalue().startswith("\r\x1b[Kpass 1/2  256 rows")  # drawn while reading
    assert "\r\x1b[Kpass 2/2  [####" in stream.getvalue()
    assert stream.getvalue().endswith("\r\x1b[K")
