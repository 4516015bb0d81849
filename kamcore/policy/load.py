"""Loading a policy: reading its layers (``extends``), merging them, keeping provenance.

Bases are visited depth first and applied in that order, each file once, so a base shared by
two others (a diamond) is applied once and cannot undo what a later layer changed. Every problem
found on the way is collected and raised together in one :class:`~kamcore.errors.PolicyError`.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Location, PolicyError, Problem
from ..resources import policies_root
from .document import PolicyDocument
from .locate import scan_positions
from .merge import Node, build_tree, merge_layers, unwrap
from .syntax import parse_toml
from .values import describe_value

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

__all__ = ["load_policy", "load_policy_text"]

_PACKAGE_SPEC = re.compile(r"^(?P<pkg>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<rel>[^\\/].*)$")


@dataclass(frozen=True)
class Source:
    """One policy file: how problems name it, how it is recognised again, how it is read.

    :param display: the file as problems and provenance name it.
    :param identity: equal for two specs reaching the same file (cycles, diamonds).
    :param directory: where relative ``extends`` of a plain file resolve.
    :param package: ``(package, path inside it)`` for a packaged policy: its relative
        ``extends`` stay inside the package.
    """

    display: str
    identity: str
    directory: str | None = None
    package: tuple[str, str] | None = None
    resource: Traversable | None = field(default=None, compare=False)
    text: str | None = field(default=None, compare=False)

    def read(self) -> str:
        if self.text is not None:
            return self.text
        if self.resource is not None:
            return self.resource.read_text(encoding="utf-8-sig")
        with open(self.display, encoding="utf-8-sig") as handle:
            return handle.read()


@dataclass
class _Layer:
    source: Source
    tree: Node
    extends: list[tuple[str, Location]]


def _file_source(path: str) -> Source:
    return Source(
        display=path,
        identity=os.path.realpath(path),
        directory=os.path.dirname(path),
    )


class _Loader:
    """Depth-first walk over ``extends`` collecting the layers in application order."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.layers: list[_Layer] = []
        self.done: set[str] = set()
        self.stack: list[Source] = []

    def problem(self, message: str, loc: Location) -> None:
        self.problems.append(Problem(message, loc))

    def visit(self, source: Source, via: Location | None) -> None:
        on_stack = [s.identity for s in self.stack]
        if source.identity in on_stack:
            cycle = [s.display for s in self.stack[on_stack.index(source.identity) :]]
            self.problem(
                "extends cycle: " + " -> ".join([*cycle, source.display]), via or Location()
            )
            return
        if source.identity in self.done:
            return
        self.stack.append(source)
        layer = self.read(source, via)
        if layer is not None:
            for spec, loc in layer.extends:
                base = self.resolve(spec, source, loc)
                if base is not None:
                    self.visit(base, loc)
            self.layers.append(layer)
        self.stack.pop()
        self.done.add(source.identity)

    def read(self, source: Source, via: Location | None) -> _Layer | None:
        try:
            text = source.read()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.problem(
                f"cannot read policy file `{source.display}`: {reason}",
                via or Location(source.display),
            )
            return None
        parsed = parse_toml(text, source.display)
        if isinstance(parsed, Problem):
            self.problems.append(parsed)
            return None
        tree = build_tree(parsed, scan_positions(text), source.display)
        return _Layer(source, tree, self.extends_of(tree))

    def extends_of(self, tree: Node) -> list[tuple[str, Location]]:
        """The ``[policy] extends`` entries with their locations; bad entries are reported."""
        header = tree.value.get("policy")
        if header is None or not isinstance(header.value, dict):
            return []
        node = header.value.get("extends")
        if node is None:
            return []
        if not isinstance(node.value, list):
            loc = node.loc
            self.problem(
                f"`extends` must be an array of strings, got {describe_value(node.value)}",
                Location(loc.file, loc.line, loc.column, "policy.extends"),
            )
            return []
        found: list[tuple[str, Location]] = []
        for i, item in enumerate(node.value):
            loc = Location(item.loc.file, item.loc.line, item.loc.column, f"policy.extends[{i}]")
            if isinstance(item.value, str):
                found.append((item.value, loc))
            else:
                self.problem(
                    f"`extends[{i}]` must be a string, got {describe_value(item.value)}", loc
                )
        return found

    def resolve(self, spec: str, parent: Source, loc: Location) -> Source | None:
        """The file ``spec`` names, seen from ``parent``; ``None`` after reporting a problem."""
        match = _PACKAGE_SPEC.match(spec)
        if match and not (len(match["pkg"]) == 1 and os.name == "nt"):
            return self.resolve_package(spec, match["pkg"], match["rel"], loc)
        if parent.package is not None and not os.path.isabs(spec):
            package, inner = parent.package
            rel = posixpath.join(posixpath.dirname(inner), spec)
            return self.resolve_package(spec, package, rel, loc)
        directory = parent.directory if parent.directory is not None else os.getcwd()
        path = os.path.normpath(os.path.join(directory, spec))
        if not os.path.isfile(path):
            self.problem(
                f"base policy `{spec}` not found (looked for `{os.path.abspath(path)}`)", loc
            )
            return None
        return _file_source(path)

    def resolve_package(self, spec: str, package: str, rel: str, loc: Location) -> Source | None:
        rel = posixpath.normpath(rel)
        if rel.startswith("../") or rel == "..":
            self.problem(f"base policy `{spec}` points outside package `{package}`", loc)
            return None
        try:
            root: Traversable = (
                policies_root() if package == "kamcore" else resources.files(package)
            )
        except (ImportError, TypeError, ValueError):
            self.problem(
                f"base policy `{spec}` names package `{package}`, which cannot be imported "
                "(is it installed?)",
                loc,
            )
            return None
        target = root
        for part in rel.split("/"):  # one part at a time: Python 3.10's Traversable takes one
            target = target.joinpath(part)
        if not target.is_file():
            self.problem(
                f"base policy `{spec}` not found (looked for `{rel}` in package `{package}`, "
                f"at `{root}`)",
                loc,
            )
            return None
        display = str(target) if isinstance(target, Path) else f"{package}:{rel}"
        identity = str(target.resolve()) if isinstance(target, Path) else f"{package}:{rel}"
        return Source(display, identity, package=(package, rel), resource=target)


def _load(root: Source) -> PolicyDocument:
    loader = _Loader()
    loader.visit(root, None)
    if loader.problems:
        raise PolicyError(loader.problems)
    tree, problems = merge_layers([layer.tree for layer in loader.layers])
    if problems:
        raise PolicyError(problems)
    data, provenance = unwrap(tree)
    plain: dict[str, Any] = data
    return PolicyDocument(
        data=plain,
        layers=[layer.source.display for layer in loader.layers],
        provenance=provenance,
        path=None if root.text is not None else root.display,
    )


def load_policy(path: str | os.PathLike[str]) -> PolicyDocument:
    """Load a policy file and the bases it extends into one effective document.

    :raises PolicyError: with every problem found: TOML syntax errors, bases that cannot be
        found or imported, ``extends`` cycles, ``drop`` of ids no base defines, duplicate ids.
    """
    return _load(_file_source(os.fspath(path)))


def load_policy_text(
    text: str, *, name: str = "<string>", base_dir: str | os.PathLike[str] | None = None
) -> PolicyDocument:
    """Load a policy given as text (tests, editors, standard input).

    :param name: how problems and provenance name the text.
    :param base_dir: where relative ``extends`` resolve (default: the current directory).
    :raises PolicyError: as :func:`load_policy`.
    """
    directory = os.fspath(base_dir) if base_dir is not None else None
    source = Source(display=name, identity=f"<text>:{name}", directory=directory, text=text)
    return _load(source)
