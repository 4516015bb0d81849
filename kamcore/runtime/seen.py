"""Which account ids a run has met, and at which row each was first met, in flat memory.

Every row's id is checked against all earlier rows (an id met twice is refused, naming the row
it first appeared at), so the set of ids grows with the input: about 145 bytes a row in a dict,
150 MB for a million accounts. :class:`SeenIds` keeps the first :attr:`~SeenIds.spill_at` ids
in a dict and then moves them to a temporary SQLite table (a B-tree in a temporary file behind
a bounded page cache), so memory stops growing there while the answers stay exact: the same
"first row" a dict would give.

The batch form :meth:`SeenIds.repeats`, which a chunked run uses, costs one ``INSERT OR
IGNORE`` statement per batch, whose rows SQLite reads out of one JSON array without a Python
call per id, and a lookup only in a batch where an id was refused. Ids in input order (most
exports are sorted by id) insert at the end of the B-tree; ids in random order cost a few times
more once the table outgrows the page cache (``benchmarks/e2e.py --seen`` measures both).

A plain ``dict[str, int]`` does the same job in memory; both satisfy :class:`FirstRows`, the
one method the per-row pipeline uses.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from types import TracebackType
from typing import Final, Protocol

__all__ = ["CACHE_KIB", "FILTER_BITS", "SPILL_AT", "FirstRows", "SeenIds"]

#: Ids held in a dict before moving to SQLite (~15 MB); runs of this size never touch SQLite.
SPILL_AT: Final = 100_000
#: SQLite's page cache for the ids table, in KiB: the most of the table held in memory.
CACHE_KIB: Final = 16_384
#: Bits of the filter that spares :meth:`SeenIds.setdefault` a lookup for most new ids (8 MB).
FILTER_BITS: Final = 1 << 26

# Row numbers come from the ids' positions in the JSON array: row = start + position.
_INSERT = (
    "INSERT OR IGNORE INTO seen SELECT value, ?1 + key FROM json_each(?2) WHERE value IS NOT NULL"
)
_MOVE = "INSERT INTO seen SELECT key, value FROM json_each(?1)"
_REPEATS = (
    "SELECT j.key, s.first FROM json_each(?2) AS j JOIN seen AS s ON s.id = j.value "
    "WHERE s.first <> ?1 + j.key ORDER BY j.key"
)


class FirstRows(Protocol):
    """Account id -> the row it was first met at; ``setdefault`` as a dict's: record
    ``default`` for a new id and return it, or return the row already recorded."""

    def setdefault(self, key: str, default: int, /) -> int: ...


def _key(account_id: str) -> str | bytes:
    """``account_id`` as SQLite stores it: text, or UTF-8 bytes with its lone surrogates kept
    (text SQLite cannot take; ``\\ud800`` from a JSON escape is a valid, if odd, id)."""
    try:
        account_id.encode("utf-8")
    except UnicodeEncodeError:
        return account_id.encode("utf-8", "surrogatepass")
    return account_id


class SeenIds:
    """The ids met so far, with their first row: a dict up to ``spill_at`` ids, then SQLite.

    :param spill_at: ids kept in memory before they move to the SQLite table; tests pass a
        small number to exercise the table.
    :param cache_kib: the SQLite page cache, in KiB.

    Use it as a context manager (or call :meth:`close`): the temporary table is a file SQLite
    removes when the connection closes.
    """

    def __init__(self, spill_at: int = SPILL_AT, *, cache_kib: int = CACHE_KIB) -> None:
        if spill_at < 1:
            raise ValueError(f"spill_at must be at least 1, got {spill_at}")
        self.spill_at = spill_at
        self.cache_kib = cache_kib
        self._memory: dict[str, int] = {}
        self._db: sqlite3.Connection | None = None
        self._stored = 0  # ids in the table
        # After the spill, one bit per hash(id) for every id in the table: a clear bit means
        # "never met" without asking SQLite. Only setdefault() keeps it; repeats() inserts in
        # SQL and so turns it off (a run uses one or the other).
        self._filter: bytearray | None = None

    @property
    def spilled(self) -> bool:
        """Whether the ids have moved to the SQLite table."""
        return self._db is not None

    def __len__(self) -> int:
        return self._stored + len(self._memory)

    def setdefault(self, key: str, default: int, /) -> int:
        """The row ``key`` was first met at; ``default`` (recorded now) for a new id.

        After the spill, ids recorded here gather in memory and move to the table by the
        ``spill_at``; each new id costs one lookup in the table.
        """
        memory = self._memory
        first = memory.get(key)
        if first is not None:
            return first
        if self._db is not None and self._maybe_stored(key):
            found = self._db.execute("SELECT first FROM seen WHERE id = ?", (_key(key),))
            row = found.fetchone()
            if row is not None:
                return int(row[0])
        memory[key] = default
        if len(memory) > self.spill_at:
            self._flush(with_filter=True)
        return default

    def repeats(self, ids: Sequence[str | None], start: int) -> list[tuple[int, int]]:
        """Record a batch of consecutive rows; return ``(position, first row)`` for each row
        whose id was met at an earlier row (in an earlier batch or earlier in this one).

        ``ids[i]`` is the id of row ``start + i``; ``None`` (a row that could not be read)
        takes no part. The same answers as :meth:`setdefault` row by row.
        """
        if self._db is None:
            memory = self._memory
            found = []
            for position, key in enumerate(ids):
                if key is None:
                    continue
                first = memory.setdefault(key, start + position)
                if first != start + position:
                    found.append((position, first))
            if len(memory) > self.spill_at:
                self._flush()
            return found
        self._flush()
        self._filter = None
        db = self._db
        expected = len(ids) - ids.count(None)
        before = db.total_changes
        try:
            payload = json.dumps(ids, ensure_ascii=False)
            db.execute(_INSERT, (start, payload))
        except UnicodeEncodeError:  # an id SQLite cannot take as text: one by one
            return self._repeats_slowly(ids, start)
        added = db.total_changes - before
        self._stored += added
        if added == expected:
            return []
        return [(int(p), int(f)) for p, f in db.execute(_REPEATS, (start, payload))]

    def _maybe_stored(self, key: str) -> bool:
        """False when ``key`` is certainly not in the table (its filter bit is clear)."""
        bits = self._filter
        if bits is None:
            return True
        h = hash(key) & (FILTER_BITS - 1)
        return bool(bits[h >> 3] & (1 << (h & 7)))

    def _repeats_slowly(self, ids: Sequence[str | None], start: int) -> list[tuple[int, int]]:
        assert self._db is not None
        found = []
        for position, key in enumerate(ids):
            if key is None:
                continue
            stored = _key(key)
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO seen VALUES (?, ?)", (stored, start + position)
            )
            if cursor.rowcount == 1:
                self._stored += 1
                continue
            (first,) = self._db.execute("SELECT first FROM seen WHERE id = ?", (stored,)).fetchone()
            found.append((position, int(first)))
        return found

    def _connect(self) -> sqlite3.Connection:
        # "": a private temporary database, deleted on close; temp_store keeps it in a file
        # past the page cache. No journal, no syncing: the table is worthless after the run.
        db = sqlite3.connect("", isolation_level=None, check_same_thread=False)
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "locking_mode = EXCLUSIVE",
            "temp_store = FILE",
            f"cache_size = -{int(self.cache_kib)}",
        ):
            db.execute(f"PRAGMA {pragma}")
        db.execute("CREATE TABLE seen (id PRIMARY KEY, first INTEGER NOT NULL) WITHOUT ROWID")
        return db

    def _flush(self, *, with_filter: bool = False) -> None:
        """Move the ids held in memory to the table (creating it the first time, with the
        filter when ``setdefault`` is what fills it)."""
        if not self._memory:
            return
        if self._db is None:
            self._db = self._connect()
            if with_filter:
                self._filter = bytearray(FILTER_BITS // 8)
        bits = self._filter
        if bits is not None:
            mask = FILTER_BITS - 1
            for key in self._memory:
                h = hash(key) & mask
                bits[h >> 3] |= 1 << (h & 7)
        db = self._db
        try:  # one statement: SQLite reads the pairs out of one JSON object
            db.execute(_MOVE, (json.dumps(self._memory, ensure_ascii=False),))
        except UnicodeEncodeError:  # an id SQLite cannot take as text: stored as bytes
            db.execute("BEGIN")
            rows = ((_key(k), v) for k, v in self._memory.items())
            db.executemany("INSERT INTO seen VALUES (?, ?)", rows)
            db.execute("COMMIT")
        self._stored += len(self._memory)
        self._memory = {}

    def close(self) -> None:
        """Drop every id and the temporary table. Idempotent."""
        self._memory = {}
        self._filter = None
        if self._db is not None:
            self._db.close()
            self._db = None
        self._stored = 0

    def __enter__(self) -> SeenIds:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "SQLite" if self._db is not None else "memory"
        return f"<SeenIds {len(self)} ids in {where}>"
