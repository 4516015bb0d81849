"""``--previous``: an earlier run's evaluations, read back for tier hysteresis and stage history.

Only JSON Lines output carries what the engine needs next period (``state``, the stage's
``since``); Parquet and CSV outputs flatten it away, so they are refused up front instead of
failing later with a decoding traceback or, worse, quietly restarting every hysteresis count.

A large book's history must not fill memory: each record is cut down, as it is read, to what
:mod:`kamcore.runtime.tier` and :mod:`kamcore.runtime.lifecycle` read back (``tier``,
``stage.value`` and ``stage.since``, ``state``) plus the identity (``account_id``, ``as_of``).
Repeated strings (tiers, stages, dates) are interned, so 200,000 accounts cost a few hundred
bytes each rather than the several kilobytes of a full evaluation with its fired rules.

The file is also checked against the run it feeds: evaluations as of the new date or later
mean the wrong file (exit 2); another policy id is suspicious but legitimate (a renamed
policy), so it is only a warning; and the summary says how many accounts found their history.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .common import EXIT_FINDINGS, CliError, existing_file

__all__ = ["PREVIOUS_SUFFIXES", "Previous", "read_previous"]

#: The suffixes of the JSON Lines output ``kam evaluate`` writes.
PREVIOUS_SUFFIXES = (".jsonl", ".ndjson")
#: Policy ids remembered for the mismatch warning (a file mixing more is odd enough).
_MAX_IDS = 5


@dataclass
class Previous:
    """Earlier evaluations by account id, slimmed, with what is known about the run.

    :param records: account id -> ``{account_id, as_of, tier, stage, state}``.
    :param latest: the latest ``as_of`` among the records (``None``: none had a valid one).
    :param policy_ids: the policy ids stamped on the records, in order of first appearance.
    """

    path: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    latest: date | None = None
    policy_ids: list[str] = field(default_factory=list)

    def check(self, as_of: date, policy_id: str) -> None:
        """Refuse evaluations that are not from before ``as_of``; warn on stderr when they
        were made with another policy."""
        if self.latest is not None and self.latest >= as_of:
            raise CliError(
                f"the previous evaluations are as of {self.latest.isoformat()}, not before "
                f"{as_of.isoformat()}: {self.path} is not an earlier run (check --previous and "
                "--as-of)"
            )
        others = [p for p in self.policy_ids if p != policy_id]
        if others:
            print(
                f"kam: warning: the previous evaluations in {self.path} were made with policy "
                f"{', '.join(others)}, not {policy_id}; tier and stage history carry over as is",
                file=sys.stderr,
            )


class _Slimmer:
    """Cuts records down to what the engine reads, sharing equal parts between records.

    Most accounts carry the same ``state`` (no pending downgrade) and one of a few stages
    entered on one of a few dates; the engine only reads these parts, so equal ones are one
    object in memory, not 200,000 copies.
    """

    def __init__(self) -> None:
        self._shared: dict[tuple[Any, ...], dict[str, Any]] = {}

    def share(self, part: Mapping[str, Any]) -> dict[str, Any]:
        """``part`` with interned strings; an equal part seen before is returned instead."""
        items = tuple((_intern(k), _intern(v)) for k, v in part.items())
        # a nested part is itself shared (and kept alive by this cache), so its id stands
        # for its value
        key = tuple((k, ("<part>", id(v)) if isinstance(v, dict) else v) for k, v in items)
        try:
            return self._shared.setdefault(key, dict(items))
        except TypeError:  # an unhashable value (a list): keep this part to itself
            return dict(items)

    def slim(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """What the engine reads back from a previous evaluation, nothing more."""
        stage = record.get("stage")
        if isinstance(stage, Mapping):
            stage = self.share({"value": stage.get("value"), "since": stage.get("since")})
        state = record.get("state")
        if isinstance(state, Mapping):
            state = self.share(
                {k: self.share(v) if isinstance(v, Mapping) else v for k, v in state.items()}
            )
        return {
            "account_id": str(record["account_id"]),
            "as_of": _intern(record.get("as_of")),
            "tier": _intern(record.get("tier")),
            "stage": stage,
            "state": state,
        }


def _intern(value: Any) -> Any:
    return sys.intern(value) if isinstance(value, str) else value


def _as_of(value: Any) -> date | None:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def read_previous(path: str) -> Previous:
    """Earlier evaluations from a JSON Lines file ``kam evaluate`` wrote.

    :raises CliError: status 2 for a file that is missing or not JSON Lines by its suffix;
        status 1 for content that is not UTF-8 JSON evaluations, located ``file:line``.
    """
    file = existing_file(path, "previous evaluations")
    if file.suffix.lower() not in PREVIOUS_SUFFIXES:
        raise CliError(
            f"--previous needs the JSON Lines output of an earlier run (.jsonl): Parquet and "
            f"CSV outputs drop the state; got {path}"
        )
    previous = Previous(path)
    slimmer = _Slimmer()
    try:
        with open(file, "rb") as handle:  # decoded line by line: an error names its line
            for number, raw in enumerate(handle, start=1):
                try:
                    line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    raise CliError(
                        f"{path}:{number}: not UTF-8 text ({exc.reason}); --previous needs the "
                        "JSON Lines output of an earlier run",
                        EXIT_FINDINGS,
                    ) from None
                if line.strip():
                    _add(previous, slimmer, line, path, number)
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}", EXIT_FINDINGS) from None
    return previous


def _add(previous: Previous, slimmer: _Slimmer, line: str, path: str, number: int) -> None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"{path}:{number}:{exc.colno}: not a JSON line: {exc.msg}", EXIT_FINDINGS
        ) from None
    if not isinstance(record, dict) or "account_id" not in record:
        raise CliError(
            f"{path}:{number}: expected an evaluation with an `account_id`", EXIT_FINDINGS
        )
    slim = slimmer.slim(record)
    previous.records[slim["account_id"]] = slim
    as_of = _as_of(slim["as_of"])
    if as_of is not None and (previous.latest is None or as_of > previous.latest):
        previous.latest = as_of
    stamp = record.get("policy")
    policy_id = stamp.get("id") if isinstance(stamp, Mapping) else None
    known = previous.policy_ids
    if isinstance(policy_id, str) and policy_id not in known and len(known) < _MAX_IDS:
        previous.policy_ids.append(policy_id)
