"""Tree walks the compiler does for every expression, without :mod:`ast`'s generators.

``ast.fix_missing_locations`` and ``ast.walk`` go through ``iter_child_nodes``, a generator
over the ``iter_fields`` generator, a frame per node and per field. For one expression that is
nothing; for a policy of hundreds of rules it was the largest single cost of compiling it
(every expression was walked four times). These loops visit each node once, read its fields
directly, and give exactly the same results as the standard functions.
"""

from __future__ import annotations

import ast

__all__ = ["locate", "measure"]

_AST = ast.AST
_EXPR = ast.expr

#: A node, and the position its children inherit when they have none of their own.
_Located = tuple[ast.AST, int, int, int, int]


def locate(root: ast.AST) -> None:
    """Fill in missing positions in place, exactly as ``ast.fix_missing_locations`` does.

    A node without a position takes its parent's (the root's default is line 1, column 0), so a
    generated node sits where the node it replaced sat. Operators and contexts (``Load()``,
    ``And()``) have neither fields nor positions and are not visited at all.
    """
    todo: list[_Located] = [(root, 1, 0, 1, 0)]
    pop = todo.pop
    push = todo.append
    while todo:
        node, lineno, col, end_lineno, end_col = pop()
        if node._attributes:  # all four positions, or none (operators, contexts, arguments)
            if hasattr(node, "lineno"):
                lineno = node.lineno
            else:
                node.lineno = lineno  # type: ignore[attr-defined]
            found = getattr(node, "end_lineno", None)
            if found is None:
                node.end_lineno = end_lineno  # type: ignore[attr-defined]
            else:
                end_lineno = found
            if hasattr(node, "col_offset"):
                col = node.col_offset
            else:
                node.col_offset = col  # type: ignore[attr-defined]
            found = getattr(node, "end_col_offset", None)
            if found is None:
                node.end_col_offset = end_col  # type: ignore[attr-defined]
            else:
                end_col = found
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, _AST):
                if value._fields or value._attributes:
                    push((value, lineno, col, end_lineno, end_col))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, _AST):
                        push((item, lineno, col, end_lineno, end_col))


#: The fields that can hold child nodes with fields of their own, for the node classes
#: expressions are made of. The others (``Name.id``, ``Constant.value``, ``BinOp.op``,
#: ``Compare.ops``, every ``ctx``) hold strings, values, operators or contexts: nothing below
#: them counts, so :func:`measure` does not look. Other classes have all their fields read.
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {
    ast.Name: (),
    ast.Constant: (),
    ast.Attribute: ("value",),
    ast.BoolOp: ("values",),
    ast.UnaryOp: ("operand",),
    ast.BinOp: ("left", "right"),
    ast.Compare: ("left", "comparators"),
    ast.Call: ("func", "args", "keywords"),
    ast.IfExp: ("test", "body", "orelse"),
    ast.Tuple: ("elts",),
    ast.List: ("elts",),
}


def measure(node: ast.AST) -> tuple[int, int]:
    """How many expression nodes ``node`` holds, and how deeply they nest.

    The depth counts expression nodes only (operators and contexts are not levels); ``node``
    itself is level 1. Both numbers come from one walk (they used to take two), which looks
    only where child nodes can be (see :data:`_CHILD_FIELDS`).
    """
    count = 0
    deepest = 0
    todo: list[tuple[ast.AST, int]] = [(node, 1)]
    pop = todo.pop
    push = todo.append
    fields_of = _CHILD_FIELDS.get
    while todo:
        current, level = pop()
        if isinstance(current, _EXPR):
            count += 1
        if level > deepest:
            deepest = level
        fields = fields_of(type(current))
        for name in current._fields if fields is None else fields:
            value = getattr(current, name, None)
            if isinstance(value, _EXPR):
                push((value, level + 1))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, _EXPR):
                        push((item, level + 1))
                    elif isinstance(item, _AST) and item._fields:
                        push((item, level))
            elif isinstance(value, _AST) and value._fields:
                # not an expression (a comprehension, a keyword): children may be
                push((value, level))
    return count, deepest
