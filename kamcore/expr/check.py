"""The allowlist walker and type checker: parsed AST in, checked and rewritten AST out.

Sandboxes built by forbidding dangerous things keep being broken, so this walker works the
other way round: it knows a handful of node types (literals, names, the operators of the
dialect, ``x if c else y`` and calls of registered functions) and refuses everything else with
a message that says what to write instead. It never copies a user node into the output; it
builds fresh nodes (positioned as :mod:`.emit` explains), so nothing it did not look at can
reach the compiler. Names become ``values["name"]`` subscripts and functions become private
globals, so the compiled code can reach no Python object except the registered functions it
calls.

Every node is typed on the way, so ``revenue > 'high'`` is refused when the policy loads, and
optional (possibly missing) operands get a run-time check exactly where a value is required.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from functools import partial
from typing import Any

from ..errors import ExpressionError
from ..registry import Function
from ..types import BOOLEAN, INTEGER, NONE, NUMBER, STRING, Type
from .calls import check_call
from .checked import PLACEHOLDER, Checked, InputColumn
from .emit import (
    AT,
    INPUT,
    LOAD,
    Temps,
    const,
    load,
    propagate_none,
    require,
    values_item,
)
from .parse import Source
from .scope import PortfolioCall, Scope
from .suggest import literal_word_message, not_a_choice_message, unknown_message
from .typerules import (
    ARITHMETIC_SYMBOLS,
    arithmetic_result,
    comparable,
    is_boolean,
    show,
    unify,
    units_clash,
)

__all__ = ["PLACEHOLDER", "Checked", "Checker", "InputColumn"]

_REFUSED: dict[type[ast.AST], str] = {
    ast.Subscript: "indexing with `[...]` is not allowed",
    ast.Slice: "indexing with `[...]` is not allowed",
    ast.Lambda: "`lambda` is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.NamedExpr: "assignment with `:=` is not allowed",
    ast.JoinedStr: "f-strings are not allowed; write the text in plain quotes",
    ast.FormattedValue: "f-strings are not allowed; write the text in plain quotes",
    ast.Set: "sets `{...}` are not allowed",
    ast.Dict: "dicts `{...}` are not allowed",
    ast.Starred: "`*` unpacking is not allowed",
    ast.Await: "`await` is not allowed",
    ast.Yield: "`yield` is not allowed",
    ast.YieldFrom: "`yield` is not allowed",
    ast.Tuple: "a list of values is only allowed on the right of `in`, as in `x in (1, 2)`",
    ast.List: "a list of values is only allowed on the right of `in`, as in `x in (1, 2)`",
}
_BITWISE: dict[type[ast.operator], tuple[str, str]] = {
    ast.BitAnd: ("&", "bitwise operator `&` is not allowed; use `and`"),
    ast.BitOr: ("|", "bitwise operator `|` is not allowed; use `or`"),
    ast.BitXor: ("^", "bitwise operator `^` is not allowed"),
    ast.LShift: ("<<", "bitwise operator `<<` is not allowed"),
    ast.RShift: (">>", "bitwise operator `>>` is not allowed"),
    ast.MatMult: ("@", "operator `@` is not allowed"),
    ast.Pow: ("**", "`**` (power) is not allowed"),
}
_COMPARE_SYMBOLS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not",
    ast.Is: "is",
    ast.IsNot: "is",
}
_SCALAR_KINDS = frozenset({"number", "integer", "string", "boolean", "date"})
_LIST = Type("list")


def _literal_type(value: object) -> Type | None:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if value is None:
        return NONE
    return None


def _both(left: Checked, right: Checked) -> str:
    """Two operands named for a message (built only when there is one to write)."""
    return f"`{left.text}` ({show(left.type)}) and `{right.text}` ({show(right.type)})"


def _cannot_look_for(left: Checked, container: Checked) -> str:
    return (
        f"cannot look for `{left.text}` ({show(left.type)}) in `{container.text}` "
        f"({show(container.type)})"
    )


def _cannot_compare(left: Checked, right: Checked, symbol: str) -> str:
    return (
        f"cannot compare `{left.text}` ({show(left.type)}) with `{right.text}` "
        f"({show(right.type)}) using `{symbol}`"
    )


class Checker:
    """Checks one expression against a :class:`Scope` and rewrites it for compilation.

    After :meth:`check`, :attr:`names`, :attr:`portfolio_calls` and :attr:`bound` hold what the
    expression reads and calls.

    :param source: positions and text for messages.
    :param scope: the visible names and functions.
    :param runtime_source: the text named by a :class:`~kamcore.expr.MissingValueError`
        (default: the displayed source).
    :param input: the decision-table input that :data:`PLACEHOLDER` stands for, if any.
    """

    def __init__(
        self,
        source: Source,
        scope: Scope,
        *,
        runtime_source: str | None = None,
        input: InputColumn | None = None,
    ) -> None:
        self.src = source
        self.scope = scope
        self.runtime_source = source.display if runtime_source is None else runtime_source
        self.input = input
        self.temps = Temps()
        self.names: dict[str, None] = {}
        self.portfolio_calls: dict[str, PortfolioCall] = {}
        self.bound: dict[str, Function] = {}
        self.global_of: dict[str, str] = {}
        #: the expression compares with ``is``/``is not`` (``x is None``), which Python's
        #: compiler may warn about (``0 is None``); see :func:`~.compile.build_function`
        self.identity_tests = False

    # -- helpers ------------------------------------------------------------------------------

    def error(self, message: str, node: ast.AST | int | None, hint: str = "") -> ExpressionError:
        """An error with the caret at ``node`` (or at an explicit display column)."""
        column = node if isinstance(node, int) or node is None else self.src.column(node)
        return self.src.error(message, column, hint)

    def required(self, checked: Checked) -> ast.expr:
        """The node, with a missing-value check when its type is optional."""
        if not checked.type.optional:
            return checked.node
        return require(checked.node, checked.text, self.runtime_source, self.temps)

    def text_later(self, node: ast.AST) -> Callable[[], str]:
        """:meth:`text_of` ``node``, when asked (see :attr:`Checked.source_text`)."""
        return partial(self.text_of, node)

    def text_of(self, node: ast.AST) -> str:
        """The source text of ``node`` (the input's text for the decision-table placeholder)."""
        if isinstance(node, ast.Name) and node.id == PLACEHOLDER and self.input is not None:
            return self.input.source
        return self.src.segment(node)

    # -- dispatch -----------------------------------------------------------------------------

    def check(self, node: ast.expr) -> Checked:
        """Check and rewrite ``node``.

        :raises ExpressionError: for anything outside the dialect or badly typed.
        """
        # The parser's node classes, looked up by exact type (a chain of isinstance tests
        # costs up to nine calls per node); anything else goes through the chain below.
        handler = _HANDLERS.get(type(node))
        if handler is not None:
            return handler(self, node)
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name_node(node)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        if isinstance(node, ast.BoolOp):
            return self._bool_op(node)
        if isinstance(node, ast.UnaryOp):
            return self._unary_op(node)
        if isinstance(node, ast.BinOp):
            return self._bin_op(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.IfExp):
            return self._if_exp(node)
        if isinstance(node, ast.Call):
            return check_call(self, node)
        message = _REFUSED.get(type(node), "this construct is not allowed in expressions")
        raise self.error(message, node)

    # -- leaves -------------------------------------------------------------------------------

    def _constant(self, node: ast.Constant) -> Checked:
        value = node.value
        type_ = _literal_type(value)
        if type_ is None:
            if isinstance(value, bytes):
                raise self.error("bytes literals are not allowed; use '...' for text", node)
            if isinstance(value, complex):
                raise self.error("complex numbers are not allowed", node)
            raise self.error("this literal is not allowed in expressions", node)
        return Checked(const(value), type_, self.text_later(node), literal=True)

    def _name_node(self, node: ast.Name) -> Checked:
        if node.id == PLACEHOLDER and self.input is not None:
            return Checked(load(INPUT), self.input.type, self.input.source)
        return self.name(node.id, node)

    def name(self, name: str, node: ast.AST) -> Checked:
        """Resolve a (possibly dotted) fact, metric or output name against the scope."""
        if name.startswith("_") or "._" in name:  # a part of the dotted name starts with `_`
            raise self.error(f"`{name}`: names starting with `_` are not allowed", node)
        type_ = self.scope.names.get(name)
        if type_ is not None:
            self.names.setdefault(name)
            return Checked(values_item(name), type_, name)
        reason = self.scope.unavailable.get(name)
        if reason is not None:
            raise self.error(f"`{name}` is not available here: {reason}", node)
        if name in self.scope.functions:
            raise self.error(f"`{name}` is a function: call it, as in `{name}(...)`", node)
        raise self.error(
            literal_word_message(name) or unknown_message("fact", name, self.scope.names), node
        )

    def dotted(self, node: ast.expr) -> str | None:
        """``a.b.c`` for a chain of attributes over a plain name, else ``None``.

        :raises ExpressionError: when any part starts with ``_`` (``x.__class__``).
        """
        parts: list[str] = []
        current = node
        while isinstance(current, ast.Attribute):
            if current.attr.startswith("_"):
                column = self.src.offset + self.src.end(current) - len(current.attr)
                raise self.error(
                    f"`{current.attr}`: names starting with `_` are not allowed", column
                )
            parts.append(current.attr)
            current = current.value
        if not isinstance(current, ast.Name) or current.id == PLACEHOLDER:
            return None
        return ".".join([current.id, *reversed(parts)])

    def _attribute(self, node: ast.Attribute) -> Checked:
        name = self.dotted(node)
        if name is None:
            column = self.src.offset + self.src.end(node) - len(node.attr) - 1
            raise self.error(
                f"attribute access `.{node.attr}` is not allowed; only dotted names such as "
                "`retail.weighted_distribution` can be read",
                column,
            )
        return self.name(name, node)

    # -- operators ----------------------------------------------------------------------------

    def _bool_op(self, node: ast.BoolOp) -> Checked:
        symbol = "and" if isinstance(node.op, ast.And) else "or"
        parts: list[ast.expr] = []
        for value in node.values:
            checked = self.check(value)
            if not is_boolean(checked.type):
                raise self.error(
                    f"`{symbol}` needs true/false values on both sides; "
                    f"`{checked.text}` is {show(checked.type)}",
                    value,
                )
            parts.append(self.required(checked))
        op = ast.And() if symbol == "and" else ast.Or()
        return Checked(ast.BoolOp(op=op, values=parts, **AT), BOOLEAN, self.text_later(node))

    def _unary_op(self, node: ast.UnaryOp) -> Checked:
        if isinstance(node.op, ast.Invert):
            raise self.error("bitwise operator `~` is not allowed; use `not`", node)
        operand = self.check(node.operand)
        text = self.text_later(node)
        if isinstance(node.op, ast.Not):
            if not is_boolean(operand.type):
                raise self.error(
                    f"`not` needs a true/false value; `{operand.text}` is {show(operand.type)}",
                    node,
                )
            negated = ast.UnaryOp(op=ast.Not(), operand=self.required(operand), **AT)
            return Checked(negated, BOOLEAN, text)
        symbol = "-" if isinstance(node.op, ast.USub) else "+"
        if not (operand.type.is_numeric or operand.type.kind == "any"):
            raise self.error(
                f"`{symbol}` needs a number; `{operand.text}` is {show(operand.type)}", node
            )
        if operand.literal and isinstance(operand.node, ast.Constant):
            value = operand.node.value
            if isinstance(value, int | float):
                folded = -value if symbol == "-" else +value
                return Checked(const(folded), operand.type, text, literal=True)
        op_type = type(node.op)
        built = propagate_none(
            [(operand.node, operand.type.optional)],
            lambda args: ast.UnaryOp(op=op_type(), operand=args[0], **AT),
            self.temps,
        )
        return Checked(built, operand.type, text)

    def _bin_op(self, node: ast.BinOp) -> Checked:
        op_type = type(node.op)
        symbol = ARITHMETIC_SYMBOLS.get(op_type.__name__)
        if symbol is None:
            written, message = _BITWISE.get(op_type, ("", "this operator is not allowed"))
            column = self.src.operator_column(written, node.left, node.right)
            raise self.error(message, column)
        left = self.check(node.left)
        right = self.check(node.right)
        column = self.src.operator_column(symbol, node.left, node.right)
        lt, rt = left.type, right.type
        if "none" in (lt.kind, rt.kind):
            raise self.error(f"cannot use `{symbol}` with `None`", column)
        if "date" in (lt.kind, rt.kind):
            raise self.error(
                "date arithmetic is not allowed",
                column,
                hint="use days_since(...) or days_between(a, b)",
            )
        if symbol == "*" and "string" in (lt.kind, rt.kind):
            raise self.error("repeating a text with `*` is not allowed", column)
        if symbol in ("+", "-") and lt.is_numeric and rt.is_numeric and units_clash(lt, rt):
            both = _both(left, right)
            raise self.error(
                f"cannot use `{symbol}` on {both}: they are in different units", column
            )
        result = arithmetic_result(symbol, lt, rt)
        if result is None:
            raise self.error(f"cannot use `{symbol}` on {_both(left, right)}", column)
        built = propagate_none(
            [(left.node, lt.optional), (right.node, rt.optional)],
            lambda args: ast.BinOp(left=args[0], op=op_type(), right=args[1], **AT),
            self.temps,
        )
        return Checked(built, result, self.text_later(node))

    def _compare(self, node: ast.Compare) -> Checked:
        originals = [node.left, *node.comparators]
        if len(node.ops) > 1:
            is_ops = [isinstance(op, ast.Is | ast.IsNot) for op in node.ops]
            if any(is_ops):
                index = is_ops.index(True)
                column = self.src.operator_column("is", originals[index], originals[index + 1])
                raise self.error(
                    "`is None` cannot be chained with other comparisons; join them with `and`",
                    column,
                )
        checked = [self.check(node.left)]
        needs_value = [False] * len(originals)
        for index, (op, right) in enumerate(zip(node.ops, node.comparators, strict=True)):
            left = checked[index]
            symbol = _COMPARE_SYMBOLS[type(op)]
            # where the operator is written, for a message (found only if one is needed)
            at = partial(self.src.operator_column, symbol, originals[index], right)
            if isinstance(op, ast.Is | ast.IsNot):
                self.identity_tests = True
                if not (isinstance(right, ast.Constant) and right.value is None):
                    raise self.error(
                        "`is` only compares with `None`; use `==` to compare values", at()
                    )
                checked.append(Checked(const(None), NONE, "None", literal=True))
                continue
            written = "not in" if isinstance(op, ast.NotIn) else symbol
            if isinstance(op, ast.In | ast.NotIn):
                checked.append(self._container(left, originals[index], right, written))
            else:
                other = self.check(right)
                self._check_comparison(left, other, written, isinstance(op, ast.Eq), at)
                if isinstance(op, ast.Eq | ast.NotEq):
                    self._check_choice(left, other, right)
                    self._check_choice(other, left, originals[index])
                checked.append(other)
            needs_value[index] = needs_value[index + 1] = True
        nodes = [
            self.required(c) if needed else c.node
            for c, needed in zip(checked, needs_value, strict=True)
        ]
        ops = [type(op)() for op in node.ops]
        compare = ast.Compare(left=nodes[0], ops=ops, comparators=nodes[1:], **AT)
        return Checked(compare, BOOLEAN, self.text_later(node))

    def _check_comparison(
        self, left: Checked, right: Checked, symbol: str, equal: bool, at: Callable[[], int]
    ) -> None:
        """Refuse comparing ``left`` with ``right``; ``at()`` is the column for the caret."""
        lt, rt = left.type, right.type
        ordering = symbol not in ("==", "!=")
        if "none" in (lt.kind, rt.kind):
            other = left if rt.kind == "none" else right
            if not ordering:
                test = "is" if equal else "is not"
                raise self.error(
                    f"use `{other.text} {test} None` to test for a missing value", at()
                )
            raise self.error(
                f"cannot compare with `None` using `{symbol}`; "
                "use `is None` to test for a missing value",
                at(),
            )
        if not comparable(lt, rt, ordering=ordering):
            raise self.error(_cannot_compare(left, right, symbol), at())
        if lt.is_numeric and rt.is_numeric and units_clash(lt, rt):
            message = _cannot_compare(left, right, symbol) + ": they are in different units"
            raise self.error(message, at())

    def _check_choice(self, subject: Checked, literal: Checked, node: ast.AST) -> None:
        """Refuse a literal text that ``subject``'s declared values rule out.

        ``industry == "retial"`` type-checks (a string with a string) but can never hold, and
        ``!=`` always does: the rule silently never (or always) fires. The declared values
        (:attr:`Type.choices`, from ``[inputs.<x>] values``) are known when the policy loads,
        so the typo is reported here, at the literal. For a list, they are its items' values.
        """
        choices = subject.type.choices
        if choices is None or not literal.literal or not isinstance(literal.node, ast.Constant):
            return
        value = literal.node.value
        if isinstance(value, str) and value not in choices:
            raise self.error(not_a_choice_message(value, subject.text, choices), node)

    def _container(
        self, left: Checked, left_node: ast.expr, right: ast.expr, symbol: str
    ) -> Checked:
        """The right side of ``in``: a literal list, a list value, or a text (substring)."""
        if isinstance(right, ast.Tuple | ast.List):
            items: list[Checked] = []
            for element in right.elts:
                item = self.check(element)
                at = partial(self.src.column, element)
                if item.type.kind == "none":
                    raise self.error(
                        f"`None` cannot be in a list of values; test `{left.text} is None` "
                        "on its own",
                        at(),
                    )
                self._check_comparison(left, item, symbol, True, at)
                self._check_choice(left, item, element)
                items.append(item)
            nodes = [self.required(item) for item in items]
            container: ast.expr
            if items and all(i.literal for i in items) and left.type.kind in _SCALAR_KINDS:
                # A set of constants compiles to one frozenset constant: O(1) membership.
                container = ast.Set(elts=nodes, **AT)
            else:
                container = ast.Tuple(elts=nodes, ctx=LOAD, **AT)
            return Checked(container, _LIST, self.text_later(right))
        checked = self.check(right)
        lt, rt = left.type, checked.type
        if rt.kind == "list":
            if rt.item is not None and not comparable(lt, rt.item, ordering=False):
                raise self.error(_cannot_look_for(left, checked), right)
            self._check_choice(checked, left, left_node)
        elif rt.kind == "string":
            if lt.kind not in ("string", "any"):
                raise self.error(_cannot_look_for(left, checked), right)
        elif rt.kind != "any":
            raise self.error(
                f"`{symbol}` needs a list of values `(...)`, a list or a text on its right; "
                f"`{checked.text}` is {show(rt)}",
                right,
            )
        return checked

    def _if_exp(self, node: ast.IfExp) -> Checked:
        # Visit in reading order so names are recorded in first-use order.
        body = self.check(node.body)
        test = self.check(node.test)
        orelse = self.check(node.orelse)
        if not is_boolean(test.type):
            raise self.error(
                f"the condition after `if` must be true or false; `{test.text}` is "
                f"{show(test.type)}",
                node.test,
            )
        result = unify(body.type, orelse.type)
        if result is None:
            raise self.error(
                f"the two results of `if`/`else` have different types: `{body.text}` is "
                f"{show(body.type)} and `{orelse.text}` is {show(orelse.type)}",
                node,
            )
        built = ast.IfExp(test=self.required(test), body=body.node, orelse=orelse.node, **AT)
        return Checked(built, result, self.text_later(node))


#: :meth:`Checker.check` by node class, for the classes it knows (exact types only).
_HANDLERS: dict[type[ast.AST], Callable[[Checker, Any], Checked]] = {
    ast.Constant: Checker._constant,
    ast.Name: Checker._name_node,
    ast.Attribute: Checker._attribute,
    ast.BoolOp: Checker._bool_op,
    ast.UnaryOp: Checker._unary_op,
    ast.BinOp: Checker._bin_op,
    ast.Compare: Checker._compare,
    ast.IfExp: Checker._if_exp,
    ast.Call: check_call,
}
