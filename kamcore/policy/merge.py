"""Layering: merging a policy over its bases while remembering who set what.

Each layer is turned into a tree of :class:`Node` (a value and the :class:`Where` that wrote
it), the trees are merged by the rules of ``docs/policy.md`` and the result is unwrapped into the
plain effective data plus a provenance map. Carrying locations *inside* the tree is what lets an
inherited value keep its base's file and line while an overridden one gets the leaf's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..errors import Location, Problem
from ..expr.suggest import did_you_mean
from .locate import Position, RawPath
from .paths import ItemId, Segment, format_key, join_path
from .values import describe_value

__all__ = ["Node", "Where", "build_tree", "merge_layers", "unwrap"]

#: Arrays of tables merged by ``id`` (``*`` is any table key, ``[]`` any array item).
ID_ARRAYS: tuple[tuple[str, ...], ...] = (
    ("alerts",),
    ("tactics", "rules"),
    ("tables", "*", "rules"),
    ("scorecards", "*", "measures"),
    ("lifecycle", "transitions"),
    ("segments", "rules"),
    ("tests",),
)
#: Arrays replaced as a whole even if their items were to carry ids: a band set is one design.
WHOLE_ARRAYS: tuple[tuple[str, ...], ...] = (
    ("scorecards", "*", "bands"),
    ("risk", "bands"),
    ("tier", "caps"),
)
#: Keys of ``[policy]`` that describe one file and are never inherited from a base.
NOT_INHERITED = ("id", "extends")
#: The array whose items may refer to a stage model's transitions (``[lifecycle] model``),
#: which only the compiler knows: there a ``drop`` is kept for the compiler to apply.
MODEL_TRANSITIONS = ("lifecycle", "transitions")


class Where(NamedTuple):
    """The file, line and column that wrote a value: a :class:`Location` without its key path.

    Every value of every layer gets one, most of which end up in no message and no
    provenance, so it is a plain tuple; a :class:`Location` is made where one is needed.
    """

    file: str | None
    line: int | None = None
    column: int | None = None


@dataclass(slots=True)
class Node:
    """A value of one layer (tables and arrays hold nodes) and the place that wrote it."""

    value: Any
    loc: Where


def build_tree(
    value: Any, positions: Mapping[RawPath, Position], file: str, raw: RawPath = ()
) -> Node:
    """Wrap a parsed TOML value and all it contains with their locations in ``file``."""
    pos = positions.get(raw)
    loc = Where(file, pos[0], pos[1]) if pos else Where(file)
    if isinstance(value, dict):
        return Node({k: build_tree(v, positions, file, (*raw, k)) for k, v in value.items()}, loc)
    if isinstance(value, list):
        return Node([build_tree(v, positions, file, (*raw, i)) for i, v in enumerate(value)], loc)
    return Node(value, loc)


def _matches(shape: tuple[str, ...], patterns: Sequence[tuple[str, ...]]) -> bool:
    return any(
        len(p) == len(shape) and all(a == "*" or a == b for a, b in zip(p, shape, strict=True))
        for p in patterns
    )


def _shape(segments: Sequence[Segment]) -> tuple[str, ...]:
    """A path as merge rules see it: table keys, with every array item as ``[]``."""
    return tuple("[]" if isinstance(s, ItemId | int) else s for s in segments)


def _item_id(node: Node) -> str | None:
    if isinstance(node.value, dict):
        ident = node.value.get("id")
        if ident is not None and isinstance(ident.value, str):
            return ident.value
    return None


def _all_have_ids(items: Sequence[Node]) -> bool:
    return all(_item_id(item) is not None for item in items)


def _is_drop_marker(node: Node) -> bool:
    """An item kept only to say ``drop = true`` (see :data:`MODEL_TRANSITIONS`)."""
    if not isinstance(node.value, dict):
        return False
    flag = node.value.get("drop")
    return flag is not None and flag.value is True


def selects_stage_model(trees: Sequence[Node]) -> bool:
    """Whether the effective policy has ``[lifecycle] model``.

    A scalar is only ever replaced, never removed, by a later layer, so the effective policy
    has one exactly when some layer writes one; that is known before merging.
    """
    for tree in trees:
        lifecycle = tree.value.get("lifecycle") if isinstance(tree.value, dict) else None
        if (
            lifecycle is not None
            and isinstance(lifecycle.value, dict)
            and "model" in lifecycle.value
        ):
            return True
    return False


class Merger:
    """Merges layer trees and collects the problems found on the way (never stops at one).

    :param stage_model: whether the effective policy selects a stage model. Its transitions
        are the bottom layer of ``lifecycle.transitions``, known only to the compiler: a
        ``drop`` there stays in the effective policy (merged into the item a base wrote, if
        any, so the base's item goes too) for the compiler to apply to the model, and a later
        layer writing the id again takes the dropped item's place.
    """

    def __init__(self, *, stage_model: bool = False) -> None:
        self.problems: list[Problem] = []
        self.stage_model = stage_model

    def problem(self, message: str, loc: Where, key_path: str) -> None:
        self.problems.append(Problem(message, Location(loc.file, loc.line, loc.column, key_path)))

    def merge(self, base: Node | None, over: Node, segments: list[Segment]) -> Node:
        """``over`` applied on ``base`` (``None``: nothing inherited, ``over`` is normalised)."""
        if isinstance(over.value, dict):
            inherited: dict[str, Node] = (
                base.value if base is not None and isinstance(base.value, dict) else {}
            )
            table = dict(inherited)
            for key, child in over.value.items():
                table[key] = self.merge(inherited.get(key), child, [*segments, key])
            return Node(table, over.loc)
        if isinstance(over.value, list):
            old: list[Node] = (
                base.value if base is not None and isinstance(base.value, list) else []
            )
            shape = _shape(segments)
            if shape == ("policy", "plugins"):
                known = {item.value for item in old if not isinstance(item.value, dict | list)}
                added = [item for item in over.value if item.value not in known]
                return Node([*old, *added], over.loc)
            if not _matches(shape, WHOLE_ARRAYS) and (
                _matches(shape, ID_ARRAYS) or (_all_have_ids(old) and _all_have_ids(over.value))
            ):
                return Node(self.merge_items(old, over.value, segments), over.loc)
            items = [self.merge(None, item, [*segments, i]) for i, item in enumerate(over.value)]
            return Node(items, over.loc)
        return over

    def merge_items(self, old: list[Node], new: list[Node], segments: list[Segment]) -> list[Node]:
        """Append by id: known ids merge in place, new ids append, ``drop = true`` removes."""
        result = list(old)
        where = {ident: n for n, item in enumerate(result) if (ident := _item_id(item))}
        first_seen: dict[str, Where] = {}
        removed: set[str] = set()
        array = join_path(segments)
        keep_drops = self.stage_model and _shape(segments) == MODEL_TRANSITIONS
        for n, written in enumerate(new):
            ident = _item_id(written)
            label: Segment = ItemId(ident) if ident is not None else n
            item_path = [*segments, label]
            item, drop = self.take_drop(written, item_path)
            if ident is None:
                if drop:
                    self.problem(
                        f"`drop = true` in [[{array}]] needs the `id` of the inherited item "
                        "to remove",
                        item.loc,
                        join_path(item_path),
                    )
                else:
                    result.append(self.merge(None, item, item_path))
                continue
            if ident in first_seen:
                self.problem(
                    f"duplicate id `{ident}` in [[{array}]] (first used at line "
                    f"{first_seen[ident].line})",
                    item.loc,
                    join_path(item_path),
                )
                continue
            first_seen[ident] = item.loc
            if ident in where:
                inherited = result[where[ident]]
                if keep_drops and drop:
                    result[where[ident]] = self.merge(inherited, written, item_path)
                elif drop:
                    removed.add(ident)
                elif keep_drops and _is_drop_marker(inherited):
                    result[where[ident]] = self.merge(None, item, item_path)
                else:
                    result[where[ident]] = self.merge(inherited, item, item_path)
            elif keep_drops:
                where[ident] = len(result)
                result.append(self.merge(None, written if drop else item, item_path))
            elif drop:
                close = did_you_mean(ident, where)
                hint = f"; did you mean `{close}`?" if close else ""
                self.problem(
                    f"cannot drop `{ident}` from [[{array}]]: no base policy defines it{hint}",
                    item.loc,
                    join_path(item_path),
                )
            else:
                where[ident] = len(result)
                result.append(self.merge(None, item, item_path))
        return [item for item in result if _item_id(item) not in removed]

    def take_drop(self, item: Node, segments: list[Segment]) -> tuple[Node, bool]:
        """The item without its ``drop`` key, and whether it asked to be dropped."""
        if not isinstance(item.value, dict) or "drop" not in item.value:
            return item, False
        rest = dict(item.value)
        flag = rest.pop("drop")
        if not isinstance(flag.value, bool):
            self.problem(
                f"`drop` must be true or false, got {describe_value(flag.value)}",
                flag.loc,
                join_path([*segments, "drop"]),
            )
            return Node(rest, item.loc), False
        return Node(rest, item.loc), flag.value


def _without_uninherited(tree: Node) -> Node:
    """The accumulated bases as the next layer inherits them: no ``policy.id``/``extends``."""
    if not isinstance(tree.value, dict):
        return tree
    root = dict(tree.value)
    header = root.get("policy")
    if header is not None and isinstance(header.value, dict):
        kept = {k: v for k, v in header.value.items() if k not in NOT_INHERITED}
        root["policy"] = Node(kept, header.loc)
    return Node(root, tree.loc)


def merge_layers(trees: Sequence[Node]) -> tuple[Node, list[Problem]]:
    """Fold the layers, base first, leaf last, into one effective tree."""
    merger = Merger(stage_model=selects_stage_model(trees))
    acc: Node | None = None
    for tree in trees:
        acc = merger.merge(None if acc is None else _without_uninherited(acc), tree, [])
    if acc is None:
        acc = Node({}, Where(None))
    return acc, merger.problems


def unwrap(tree: Node) -> tuple[Any, dict[str, Location]]:
    """Plain data and the provenance map (key path -> location) of every table and value.

    Each node's key path is its parent's plus one step (what :func:`join_path` gives for the
    whole list of segments), so a policy's thousands of paths cost one step each, not one per
    level of nesting.
    """
    provenance: dict[str, Location] = {}

    def walk(node: Node, path: str) -> Any:
        if path:
            loc = node.loc
            provenance[path] = Location(loc.file, loc.line, loc.column, path)
        value = node.value
        if isinstance(value, dict):
            prefix = path + "." if path else ""
            return {k: walk(v, prefix + format_key(k)) for k, v in value.items()}
        if isinstance(value, list):
            items = []
            for i, child in enumerate(value):
                ident = _item_id(child)  # named as item_label() names it: by id, else index
                label = ident if ident and "]" not in ident else i
                items.append(walk(child, f"{path}[{label}]"))
            return items
        return value

    return walk(tree, ""), provenance
