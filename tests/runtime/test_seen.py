"""SeenIds: the ids met and their first rows, as a dict would answer, in memory and after
the spill to SQLite, row by row and in batches."""

from __future__ import annotations

import random
from datetime import date

import pytest

from kamcore.runtime.seen import SeenIds


def _expected(ids: list[str | None]) -> list[tuple[int, int]]:
    """(row, first row) of every repeated id, from a dict."""
    first: dict[str, int] = {}
    found = []
    for number, account_id in enumerate(ids, start=1):
        if account_id is None:
            continue
        row = first.setdefault(account_id, number)
        if row != number:
            found.append((number, row))
    return found


def _ids(rng: random.Random, n: int) -> list[str | None]:
    pool = [f"A{rng.randint(0, n // 2):05d}" for _ in range(n)]
    ids: list[str | None] = []
    for account_id in pool:
        roll = rng.random()
        if roll < 0.05:
            ids.append(None)  # a row without a readable id
        elif roll < 0.08:
            ids.append(account_id + "\ud800")  # a lone surrogate: SQLite cannot take it as text
        elif roll < 0.1:
            ids.append(f"客户-{account_id}")
        else:
            ids.append(account_id)
    return ids


@pytest.mark.parametrize("seed", range(40))
def test_answers_as_a_dict_would_before_and_after_spilling(seed: int) -> None:
    rng = random.Random(seed)
    ids = _ids(rng, rng.randint(0, 400))
    found = []
    with SeenIds(spill_at=rng.choice([1, 5, 50, 1000])) as seen:
        row = 1
        while row <= len(ids):
            size = rng.randint(1, 40)
            batch = ids[row - 1 : row - 1 + size]
            if rng.random() < 0.3:  # row by row, as the one-process pipeline asks
                for i, account_id in enumerate(batch):
                    if account_id is not None:
                        first = seen.setdefault(account_id, row + i)
                        if first != row + i:
                            found.append((row + i, first))
            else:  # a chunk at a time, as a parallel run asks
                found += [(row + i, first) for i, first in seen.repeats(batch, row)]
            row += len(batch)
        assert found == _expected(ids)
        assert len(seen) == len({i for i in ids if i is not None})


def test_spills_to_sqlite_past_the_threshold() -> None:
    with SeenIds(spill_at=10) as seen:
        assert seen.repeats([f"A{i}" for i in range(10)], 1) == []
        assert not seen.spilled
        assert seen.repeats(["B", "A3", "B", None, "C"], 11) == [(1, 4), (2, 11)]
        assert seen.spilled
        assert seen.setdefault("A3", 99) == 4
        assert seen.setdefault("D", 99) == 99
        assert len(seen) == 13
    assert len(seen) == 0  # closed: the table is gone


def test_row_by_row_after_the_spill_uses_the_filter() -> None:
    with SeenIds(spill_at=3) as seen:
        for number, account_id in enumerate(["a", "b", "c", "d", "e", "a", "e"], start=1):
            seen.setdefault(account_id, number)
        assert seen.spilled
        assert [seen.setdefault(k, 100) for k in ("a", "d", "e", "zz")] == [1, 4, 5, 100]


def test_spill_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SeenIds(spill_at=0)


def test_evaluate_stream_gives_the_same_outcomes_with_it() -> None:
    from kamcore import Engine
    from kamcore.runtime.pipeline import evaluate_stream

    from ..conftest import POLICIES, make_accounts

    policy = Engine.from_policy(POLICIES / "examples" / "bench-reference.toml").policy
    rows = make_accounts(60)
    for i in (20, 30, 59):
        rows[i]["id"] = rows[i - 17]["id"]
    as_of = date(2026, 6, 30)
    plain = list(evaluate_stream(policy, lambda: rows, as_of=as_of, explain="none"))
    with SeenIds(spill_at=4) as seen:
        flat = list(evaluate_stream(policy, lambda: rows, as_of=as_of, explain="none", seen=seen))
    assert flat == plain
    assert sum(error is not None for _, error in plain) == 3
