"""Key paths: the names problems and traces use for places in a policy.

A key path is dotted for tables (``tables.tier.hit``) and uses brackets for array items: the
item's ``id`` when it is a table carrying one (``alerts[order-lapse].severity``), else its index
(``policy.extends[1]``). Ids make a path survive reordering and layering, which is why they are
preferred; indices are still accepted wherever a path is looked up.

Keys that are not bare TOML keys are written quoted, as TOML would: ``labels."zh-Hant.TW"``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any, TypeAlias

from .locate import RawPath

__all__ = [
    "ItemId",
    "Segment",
    "display_path",
    "format_key",
    "item_label",
    "join_path",
    "parse_key_path",
    "raw_to_segments",
]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class ItemId(str):
    """An array item named by its ``id`` (``[ka-large]``), as opposed to a table key."""

    __slots__ = ()


#: One step of a key path: a table key (``str``), an item id (:class:`ItemId`) or an index.
Segment: TypeAlias = str | int


def format_key(key: str) -> str:
    """A table key as written in a key path: bare when TOML allows it, else quoted."""
    if _BARE_KEY.fullmatch(key):
        return key
    return json.dumps(key, ensure_ascii=False)


def join_path(segments: Sequence[Segment]) -> str:
    """Render segments: keys dotted, ids and indices in brackets."""
    out: list[str] = []
    for segment in segments:
        if isinstance(segment, ItemId | int):
            out.append(f"[{segment}]")
        else:
            out.append(("." if out else "") + format_key(segment))
    return "".join(out)


def item_label(item: Any, index: int) -> Segment:
    """How an array item is named: its string ``id`` if it is a table with one, else its index."""
    if isinstance(item, dict):
        ident = item.get("id")
        if isinstance(ident, str) and ident and "]" not in ident:
            return ItemId(ident)
    return index


def raw_to_segments(raw: RawPath, data: Any) -> list[Segment]:
    """Turn a raw path (indices) into display segments (ids where items have them)."""
    segments: list[Segment] = []
    node = data
    for step in raw:
        if isinstance(step, int):
            item = node[step] if isinstance(node, list) and step < len(node) else None
            segments.append(item_label(item, step))
            node = item
        else:
            segments.append(step)
            node = node.get(step) if isinstance(node, dict) else None
    return segments


def display_path(raw: RawPath, data: Any) -> str:
    """The key path of a raw path, with ids for id'd items (see :func:`raw_to_segments`)."""
    return join_path(raw_to_segments(raw, data))


def parse_key_path(text: str) -> list[Segment] | None:
    """Split a key path into segments; ``None`` when it is not one.

    ``[12]`` gives the index ``12``, any other bracket gives an :class:`ItemId`; whether an
    all-digit bracket is meant as an id is decided against the data by the caller.
    """
    segments: list[Segment] = []
    i = 0
    n = len(text)
    expect_key = True
    while i < n:
        ch = text[i]
        if ch == "[":
            end = text.find("]", i + 1)
            if end < 0 or end == i + 1:
                return None
            inner = text[i + 1 : end]
            segments.append(int(inner) if inner.isdigit() else ItemId(inner))
            i = end + 1
            expect_key = False
        elif ch == ".":
            if expect_key:
                return None
            i += 1
            expect_key = True
        elif expect_key and ch == '"':
            try:
                key, length = json.JSONDecoder().raw_decode(text[i:])
            except json.JSONDecodeError:
                return None
            if not isinstance(key, str):
                return None
            segments.append(key)
            i += length
            expect_key = False
        elif expect_key:
            start = i
            while i < n and text[i] not in ".[":
                i += 1
            segments.append(text[start:i])
            expect_key = False
        else:
            return None
    if expect_key and segments:
        return None
    return segments
