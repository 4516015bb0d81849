"""The loaded policy: effective data, the layers it came from, and where each value was set.

Everything downstream (validation, compilation, ``kam policy show --effective``) works on a
:class:`PolicyDocument` and turns key paths back into file positions with
:meth:`PolicyDocument.locate`, so a problem found long after loading still points at the line
the author has to edit, in whichever layer that line is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import Location
from .paths import ItemId, Segment, item_label, join_path, parse_key_path
from .values import canonical_json, toml_literal

__all__ = ["PolicyDocument", "content_hash", "format_effective"]


def content_hash(data: Any) -> str:
    """``sha256:<hex>`` of the canonical JSON of ``data``.

    Key order, comments and layout do not change it, so two spellings of the same effective
    policy stamp the same hash on their evaluations; any value change does.
    """
    digest = hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


@dataclass
class PolicyDocument:
    """A merged, effective policy document.

    :param data: the effective document as plain TOML values (dates stay :class:`datetime.date`).
    :param layers: the files applied, base first, leaf last (``"<string>"`` for text).
    :param provenance: key path -> where it was set, for every table and value.
    :param path: the leaf file, or ``None`` for a policy given as text.
    :param content_hash: ``sha256:<hex>`` of :attr:`data` (computed when not given).
    """

    data: dict[str, Any]
    layers: list[str] = field(default_factory=list)
    provenance: dict[str, Location] = field(default_factory=dict, repr=False)
    path: str | None = None
    content_hash: str = ""

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(self.data)

    @property
    def leaf(self) -> str | None:
        """The file problems fall back to: the last layer applied."""
        return self.layers[-1] if self.layers else self.path

    def locate(self, key_path: str) -> Location:
        """Where ``key_path`` was set: exactly, else its nearest located ancestor, else the leaf.

        Array items may be named by id (``alerts[order-lapse]``) or by index (``alerts[0]``).
        The returned location always carries ``key_path`` as asked, so messages name what the
        caller meant even when the position is an ancestor's.
        """
        segments = parse_key_path(key_path)
        if segments is not None:
            canonical = self._canonical(segments)
            for n in range(len(canonical), 0, -1):
                found = self.provenance.get(join_path(canonical[:n]))
                if found is not None:
                    return replace(found, key_path=key_path)
        return Location(file=self.leaf, key_path=key_path)

    def _canonical(self, segments: list[Segment]) -> list[Segment]:
        """Segments as provenance is keyed: items by id when they have one, else by index."""
        out: list[Segment] = []
        node: Any = self.data
        for segment in segments:
            if isinstance(segment, ItemId | int) and isinstance(node, list):
                wanted = str(segment)
                position = next(
                    (
                        i
                        for i, item in enumerate(node)
                        if isinstance(item, dict) and item.get("id") == wanted
                    ),
                    None,
                )
                if position is None and isinstance(segment, int) and segment < len(node):
                    position = segment
                if position is None:
                    out.append(segment)
                    node = None
                else:
                    out.append(item_label(node[position], position))
                    node = node[position]
            elif isinstance(segment, ItemId | int):
                out.append(segment)
                node = None
            else:
                out.append(segment)
                node = node.get(segment) if isinstance(node, dict) else None
        return out

    def effective(self) -> list[tuple[str, Any, Location]]:
        """Every value with the location that set it, in document order.

        Arrays of tables are opened item by item; arrays of plain values, empty tables and empty
        arrays are listed as one value each.
        """
        rows: list[tuple[str, Any, Location]] = []

        def walk(value: Any, segments: list[Segment]) -> None:
            if isinstance(value, dict) and value:
                for key, child in value.items():
                    walk(child, [*segments, key])
            elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                for i, item in enumerate(value):
                    walk(item, [*segments, item_label(item, i)])
            elif segments:
                path = join_path(segments)
                rows.append((path, value, self.locate(path)))

        walk(self.data, [])
        return rows


def format_effective(doc: PolicyDocument, *, width: int = 72) -> str:
    """The effective policy as ``key.path = value    # file:line:col`` lines.

    Comments are aligned to the longest line up to ``width`` so a long value does not push every
    comment off screen.
    """
    rows = [(f"{path} = {toml_literal(value)}", str(loc)) for path, value, loc in doc.effective()]
    column = min(max((len(text) for text, _ in rows), default=0), width)
    return "\n".join(f"{text.ljust(column)}    # {where}" for text, where in rows) + (
        "\n" if rows else ""
    )
