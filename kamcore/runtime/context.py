"""What section compilers share: the growing expression scope, located problems, requests for
portfolio columns, and the per-account run state.

Compiling a policy walks its sections in pipeline order. Each section compiler asks
:meth:`CompileContext.expr` to compile its expressions (problems are collected, not raised, so a
policy author sees every mistake at once) and :meth:`CompileContext.declare` to make its outputs
visible to later sections.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ..errors import ExpressionError, Location, Problem
from ..types import Type

if TYPE_CHECKING:
    from ..expr import CompiledExpr, PortfolioCall, Scope
    from ..policy import PolicyDocument
    from ..registry import Registry

__all__ = ["AccountRun", "CompileContext"]


@dataclass(slots=True)
class AccountRun:
    """One account going through the pipeline: the namespace, the evaluation being built."""

    account_id: str
    values: dict[str, Any]
    out: dict[str, Any]
    fired: list[dict[str, Any]] | None
    previous: Mapping[str, Any] | None
    as_of: date
    #: each decision table's outputs by table id, for sections that collect them (segments)
    table_outputs: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    #: fired records carry the values their rule read (explain ``full``; ``summary``: not)
    detail: bool = True


@dataclass
class CompileContext:
    """State shared by the section compilers of one policy.

    :param names: name -> type of everything expressions may read so far.
    :param portfolio_calls: every portfolio column requested, by values key.
    :param later: names that exist but are decided by a later section, with the reason shown
        when an expression uses one too early.
    :param used: every name any compiled expression or template reads; the pipeline computes
        only the metrics in it.
    """

    doc: PolicyDocument
    registry: Registry
    names: dict[str, Type] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    portfolio_calls: dict[str, PortfolioCall] = field(default_factory=dict)
    later: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    portfolio_sites: dict[str, str] = field(default_factory=dict)
    #: the scope handed to expressions, and the sizes of ``names`` and ``later`` it was built
    #: from; rebuilt only when :meth:`declare` (or a direct edit) changed them
    _scope: tuple[Scope, int, int] | None = field(default=None, init=False, repr=False)

    def location(self, key_path: str) -> Location:
        """Where ``key_path`` was set (file, line, column), as far as the loader knows."""
        return self.doc.locate(key_path)

    def problem(self, message: str, key_path: str, detail: str = "") -> None:
        """Record a problem at ``key_path``; compilation goes on to find the others."""
        self.problems.append(Problem(message, self.location(key_path), detail))

    def scope(self) -> Scope:
        """The expression scope as it stands (names declared so far, registered functions).

        A section compiles many expressions between two declarations; they all share one
        snapshot, instead of each copying every name declared so far (which made compiling a
        policy quadratic in its size).
        """
        cached = self._scope
        if cached is not None and cached[1:] == (len(self.names), len(self.later)):
            return cached[0]
        from ..expr import Scope

        scope = Scope(
            names=dict(self.names),
            functions=self.registry.functions,
            unavailable={k: v for k, v in self.later.items() if k not in self.names},
        )
        self._scope = (scope, len(self.names), len(self.later))
        return scope

    def expr(
        self, source: object, key_path: str, expected: Type | None = None
    ) -> CompiledExpr | None:
        """Compile one expression found at ``key_path``.

        :returns: the compiled expression, or ``None`` after recording a located problem.
        """
        from ..expr import compile_expression

        if not isinstance(source, str):
            self.problem(f"expected an expression (a string), got {source!r}", key_path)
            return None
        try:
            compiled = compile_expression(source, self.scope(), expected=expected)
        except ExpressionError as exc:
            self.problem(exc.message, key_path, exc.caret() + ("\n" + exc.hint if exc.hint else ""))
            return None
        for call in compiled.portfolio_calls:
            self.portfolio_calls.setdefault(call.key, call)
            self.portfolio_sites.setdefault(call.key, key_path)
        self.used.update(compiled.names)
        return compiled

    def use(self, names: str | Iterable[str]) -> None:
        """Note names read outside expressions (templates, ``order_by``)."""
        if isinstance(names, str):
            self.used.add(names)
        else:
            self.used.update(names)

    def portfolio(self, function: str, argument: str, key_path: str) -> str | None:
        """Request the portfolio column ``function(argument)``; returns its values key.

        :param key_path: where the request comes from, so a problem is located there.
        """
        compiled = self.expr(f"{function}({argument})", key_path)
        if compiled is None or not compiled.portfolio_calls:
            return None
        return compiled.portfolio_calls[0].key

    def identified(
        self, items: Sequence[Any], key: str, what: str
    ) -> Iterator[tuple[str, Mapping[str, Any], str]]:
        """The items of an array of tables that carry an ``id``, each with its key path.

        An item without an id, or repeating one, is reported and skipped. The schema and the
        ``extends`` merge check the same, but a section may be compiled from plain data.

        :param key: the array's key path (``alerts``, ``tables.tier.rules``).
        :param what: how an item is called in messages (``alert``, ``rule``).
        """
        seen: set[str] = set()
        for index, item in enumerate(items):
            item_id = item.get("id") if isinstance(item, Mapping) else None
            if not isinstance(item_id, str) or not item_id:
                self.problem(f"{what} {index + 1} needs an `id`", f"{key}[{index}]")
                continue
            path = f"{key}[{item_id}]"
            if item_id in seen:
                self.problem(f"{what} id `{item_id}` is used twice", path)
                continue
            seen.add(item_id)
            yield item_id, item, path

    def declare(self, name: str, type_: Type) -> None:
        """Make an output visible to the expressions of later sections."""
        self.names[name] = type_
        self._scope = None
