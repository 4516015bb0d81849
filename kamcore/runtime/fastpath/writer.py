"""Writing the source of a generated function, with checked expression trees spliced in.

The generated code is written as text for the statements the code generator owns, but the
policy's expressions are never turned back into text: each checked ``ast`` tree is spliced in
where a placeholder name stands, after the whole text is parsed. Constants that are not plain
literals (a frozenset of allowed values, a date) keep their identity that way, and nothing an
author wrote is ever re-read as source.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import CodeType, FunctionType
from typing import Any

__all__ = ["CodeWriter", "Unsupported"]

_LITERAL_TYPES = (bool, int, float, str, type(None))


class Unsupported(Exception):
    """The policy uses something the generator does not compile; the plain path evaluates it."""


class _Splice(ast.NodeTransformer):
    """Replaces each placeholder name by its expression tree (renaming locals on the way)."""

    def __init__(self, trees: Mapping[str, ast.expr]) -> None:
        self.trees = trees

    def visit_Name(self, node: ast.Name) -> ast.AST:
        tree = self.trees.get(node.id)
        return node if tree is None else tree


class _Rename(ast.NodeTransformer):
    """Renames locals, and turns ``values["x"]`` into the local holding ``x`` where there is
    one (a local read costs a fraction of a dict subscript)."""

    def __init__(self, names: Mapping[str, str], held: Mapping[str, str]) -> None:
        self.names = names
        self.held = held

    def visit_Name(self, node: ast.Name) -> ast.AST:
        new = self.names.get(node.id)
        if new is not None:
            return ast.copy_location(ast.Name(id=new, ctx=node.ctx), node)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        if (
            isinstance(node.value, ast.Name)
            and node.value.id == "values"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
            and isinstance(node.ctx, ast.Load)
        ):
            local = self.held.get(node.slice.value)
            if local is not None:
                return ast.copy_location(ast.Name(id=local, ctx=ast.Load()), node)
        self.generic_visit(node)
        return node


class CodeWriter:
    """Lines of Python with indentation, constants bound as globals, and expression slots."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.globals: dict[str, Any] = {"__builtins__": {}}
        self._depth = 0
        self._trees: dict[str, ast.expr] = {}
        self._consts: dict[int, str] = {}
        self._count = 0
        #: name -> the local that holds its value, for the names the generated code set
        self.held: dict[str, str] = {}

    def line(self, text: str) -> None:
        """Append one statement at the current indentation."""
        self.lines.append("    " * self._depth + text)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        """``header:`` followed by an indented block (``pass`` when nothing was written)."""
        self.line(header + ":")
        self._depth += 1
        start = len(self.lines)
        try:
            yield
        finally:
            if len(self.lines) == start:
                self.line("pass")
            self._depth -= 1

    def fresh(self, prefix: str) -> str:
        """A new local name, unique in the generated function."""
        self._count += 1
        return f"_kg_{prefix}{self._count}"

    def const(self, value: Any) -> str:
        """Source for ``value``: a literal when its ``repr`` reads back exactly, else a global."""
        if type(value) in _LITERAL_TYPES:
            return repr(value)
        if type(value) is tuple and all(type(v) in _LITERAL_TYPES for v in value):
            return repr(value)
        name = self._consts.get(id(value))
        if name is None:
            name = self.fresh("c")
            self._consts[id(value)] = name
            self.globals[name] = value
        return name

    def bind(self, name: str, value: Any) -> None:
        """Make ``value`` a global of the generated code; a clash with another value refuses."""
        if name in self.globals and self.globals[name] is not value:
            raise Unsupported(f"two different objects are both called {name}")
        self.globals[name] = value

    def expr(self, tree: ast.Expression, namespace: Mapping[str, Any], **rename: str) -> str:
        """A slot for a checked expression tree (deep-copied; locals renamed as asked); its
        runtime globals (registered functions, the missing-value raiser) are bound too."""
        for key, value in namespace.items():
            if key != "__builtins__":
                self.bind(key, value)
        body = _Rename(rename, self.held).visit(copy.deepcopy(tree.body))
        slot = self.fresh("e")
        self._trees[slot] = body
        return f"({slot})"

    def build(self, name: str, filename: str) -> Callable[..., Any]:
        """Parse the text (one ``def``), splice the trees in, compile, and return the function.

        As for single expressions, the function is made from its code object directly: nothing
        is ``exec``'d, and its globals are only the bound names, with no builtins.
        """
        module = ast.parse("\n".join(self.lines), filename)
        module = _Splice(self._trees).visit(module)
        ast.fix_missing_locations(module)
        code = compile(module, filename, "exec")
        body = next(c for c in code.co_consts if isinstance(c, CodeType) and c.co_name == name)
        return FunctionType(body, self.globals, name)
