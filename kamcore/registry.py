"""Capabilities that plugins register, and the registry that holds them for one engine.

Hooks in :mod:`kamcore.hookspecs` are called once when an :class:`~kamcore.Engine` is built.
Each hands the plugin a ``register`` callable; the plugin passes it the frozen dataclasses below.
The registry validates each one, refuses duplicates (naming both plugins) and remembers which
plugin registered what, so ``kam plugins`` and error messages can say so. Evaluating an account
afterwards calls the registered plain functions directly: no pluggy call on the hot path.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar

from .errors import PluginError
from .types import Type, parse_type

__all__ = [
    "DIMENSIONS",
    "Classifier",
    "Dimension",
    "Fact",
    "Function",
    "Metric",
    "Registry",
    "StageModel",
    "Tactic",
    "as_type",
]

#: The five retention dimensions every tactic belongs to.
Dimension = Literal["emotional", "benefit", "service", "strategic", "professional"]
DIMENSIONS: tuple[str, ...] = ("emotional", "benefit", "service", "strategic", "professional")

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


def as_type(value: Type | str) -> Type:
    """Accept a :class:`~kamcore.types.Type` or a type name such as ``"money"``."""
    return value if isinstance(value, Type) else parse_type(value)


@dataclass(frozen=True)
class Fact:
    """A typed input value an account can carry.

    Dotted names (``"retail.weighted_distribution"``) are how nested facts are addressed in
    expressions; the account supplies them under ``attributes`` namespaced by plugin.

    :param name: lower-case identifier, dots allowed between parts.
    :param type: a :class:`~kamcore.types.Type` or a type name (``"money"``, ``"date"``, ...).
    :param doc: what the fact means, shown by ``kam plugins`` and in explanations.
    :param unit: currency code or unit.
    :param required: an account without it is rejected with the fact named.
    :param label: display labels by language code (``{"en": ..., "zh": ...}``).
    """

    name: str
    type: Type | str = "number"
    doc: str = ""
    unit: str | None = None
    required: bool = False
    label: Mapping[str, str] = field(default_factory=dict)
    plugin: str = ""

    @property
    def value_type(self) -> Type:
        """The declared type; optional unless the fact is required."""
        base = as_type(self.type)
        return replace(base, optional=not self.required, unit=self.unit or base.unit)


@dataclass(frozen=True)
class Metric:
    """A value computed from facts and other metrics by a plain Python function.

    Per-account metrics receive their inputs positionally: ``fn(*(values[n] for n in inputs))``.
    Portfolio metrics (``portfolio=True``) receive one list per input, covering every account
    of the portfolio in order, and return one result per account; they run once, in the
    portfolio phase.

    :param inputs: the facts and metrics read, in the order ``fn`` takes them. ``as_of`` (the
        evaluation date) is always available as an input.
    :param handles_missing: ``fn`` is called even when an input is missing (``None``); otherwise
        the metric is itself missing, and the evaluation records it.
    """

    name: str
    fn: Callable[..., Any]
    inputs: tuple[str, ...]
    type: Type | str = "number"
    doc: str = ""
    unit: str | None = None
    label: Mapping[str, str] = field(default_factory=dict)
    portfolio: bool = False
    handles_missing: bool = False
    plugin: str = ""

    @property
    def value_type(self) -> Type:
        """Metrics may always be missing (an input was)."""
        base = as_type(self.type)
        return replace(base, optional=True, unit=self.unit or base.unit)


@dataclass(frozen=True)
class Function:
    """A function callable from policy expressions.

    :param params: the parameter types, positionally. With ``variadic`` the last repeats.
    :param returns: the result type, or a callable computing it from the argument types
        (``coalesce`` returns the type of its arguments).
    :param min_args: fewer arguments than ``params`` are allowed down to this number.
    :param handles_missing: ``fn`` is given ``None`` arguments; otherwise a missing argument makes
        the result missing without calling ``fn``.
    :param pass_as_of: ``fn`` receives the evaluation date as its first argument (``days_since``).
    :param portfolio: a portfolio function (``percentile``, ``rank``): its first argument must be
        a fact or metric name; ``fn(column, *constant_args)`` gets that value for every account
        and returns one result per account, computed once in the portfolio phase.
    """

    name: str
    fn: Callable[..., Any]
    params: tuple[Type | str, ...]
    returns: Type | str | Callable[[Sequence[Type]], Type]
    doc: str = ""
    variadic: bool = False
    min_args: int | None = None
    handles_missing: bool = False
    pass_as_of: bool = False
    portfolio: bool = False
    plugin: str = ""

    @property
    def param_types(self) -> tuple[Type, ...]:
        """``params`` with type names resolved."""
        return tuple(as_type(p) for p in self.params)

    def result_type(self, args: Sequence[Type]) -> Type:
        """The result type for these argument types."""
        if callable(self.returns) and not isinstance(self.returns, Type | str):
            return self.returns(args)
        return as_type(self.returns)


@dataclass(frozen=True)
class Classifier:
    """Classification logic (tiering, segmentation) a policy can call like a function.

    It is registered as an expression function of the same name returning one of ``labels``;
    listing the labels lets the policy checker verify table outputs and tier orders.

    :param handles_missing: ``fn`` is called with missing (``None``) arguments and decides
        itself (e.g. a chain with no region count is still classed by sales); otherwise a
        missing argument makes the label missing.
    """

    name: str
    fn: Callable[..., Any]
    params: tuple[Type | str, ...]
    labels: tuple[str, ...]
    doc: str = ""
    portfolio: bool = False
    handles_missing: bool = False
    plugin: str = ""

    def as_function(self) -> Function:
        """The expression-function view of this classifier."""
        return Function(
            name=self.name,
            fn=self.fn,
            params=self.params,
            returns=Type("string", optional=True),
            doc=self.doc,
            portfolio=self.portfolio,
            handles_missing=self.handles_missing,
            plugin=self.plugin,
        )


@dataclass(frozen=True)
class Tactic:
    """A retention tactic in the catalogue that policies' tactic rules pick from.

    :param dimension: one of :data:`DIMENSIONS`.
    :param owner_role: who carries it out by default (``"account_manager"``, ``"executive"``).
    :param due_in_days: default deadline after the evaluation date.
    """

    id: str
    dimension: str
    label: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    owner_role: str = "account_manager"
    due_in_days: int = 30
    plugin: str = ""


@dataclass(frozen=True)
class StageModel:
    """A lifecycle stage model: ordered stages and guarded transitions.

    ``transitions`` use the same shape as a policy's ``[[lifecycle.transitions]]`` entries (id,
    from, to, when, and optionally consecutive / min_days); a policy selecting the model with
    ``[lifecycle] model = "<name>"`` can override or add transitions by id.
    """

    name: str
    stages: tuple[str, ...]
    initial: str
    transitions: tuple[Mapping[str, Any], ...] = ()
    doc: str = ""
    label: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    plugin: str = ""


_Spec = TypeVar("_Spec", Fact, Metric, Function, Classifier, Tactic, StageModel)


@dataclass
class Registry:
    """Everything the active plugins registered for one engine.

    Built-in default plugins register first; an external plugin may replace a built-in's
    registration (recorded in :attr:`overrides`), but two external plugins registering the
    same name is an error naming both.
    """

    facts: dict[str, Fact] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    classifiers: dict[str, Classifier] = field(default_factory=dict)
    tactics: dict[str, Tactic] = field(default_factory=dict)
    stage_models: dict[str, StageModel] = field(default_factory=dict)
    config_schemas: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    builtin_plugins: frozenset[str] = frozenset()
    overrides: list[tuple[str, str, str]] = field(default_factory=list)

    # -- registration -------------------------------------------------------------------------

    def _add(self, table: dict[str, _Spec], kind: str, key: str, spec: _Spec, hook: str) -> None:
        plugin = spec.plugin
        previous = table.get(key)
        if previous is not None:
            if previous.plugin in self.builtin_plugins and plugin not in self.builtin_plugins:
                self.overrides.append((kind, key, plugin))
            else:
                raise PluginError(
                    plugin,
                    hook,
                    f'{kind} "{key}" is already registered by plugin "{previous.plugin}"',
                )
        table[key] = spec

    def register_fact(self, spec: Fact, plugin: str, hook: str = "kamcore_register_facts") -> None:
        """Validate and add a fact."""
        spec = _check(spec, Fact, plugin, hook)
        _check_name(spec.name, "fact", plugin, hook)
        _check_type(lambda: spec.value_type, spec.name, plugin, hook)
        self._add(self.facts, "fact", spec.name, spec, hook)

    def register_metric(
        self, spec: Metric, plugin: str, hook: str = "kamcore_register_metrics"
    ) -> None:
        """Validate and add a metric."""
        spec = _check(spec, Metric, plugin, hook)
        _check_name(spec.name, "metric", plugin, hook)
        _check_callable(spec.fn, spec.name, plugin, hook)
        inputs = _check_sequence(spec.inputs, f'metric "{spec.name}": inputs', plugin, hook)
        for name in inputs:
            if not isinstance(name, str) or not _NAME.match(name):
                raise PluginError(
                    plugin, hook, f'metric "{spec.name}": invalid input name {name!r}'
                )
        spec = replace(spec, inputs=inputs)
        _check_type(lambda: spec.value_type, spec.name, plugin, hook)
        self._add(self.metrics, "metric", spec.name, spec, hook)

    def register_function(
        self, spec: Function, plugin: str, hook: str = "kamcore_register_functions"
    ) -> None:
        """Validate and add an expression function."""
        spec = _check(spec, Function, plugin, hook)
        if "." in spec.name or not _NAME.match(spec.name) or keyword.iskeyword(spec.name):
            raise PluginError(plugin, hook, f"invalid function name {spec.name!r}")
        _check_callable(spec.fn, spec.name, plugin, hook)
        params = _check_sequence(spec.params, f'function "{spec.name}": params', plugin, hook)
        if spec.min_args is not None and not 0 <= spec.min_args <= len(params):
            raise PluginError(
                plugin,
                hook,
                f'function "{spec.name}": min_args={spec.min_args} is not between 0 and the '
                f"{len(params)} params",
            )
        spec = replace(spec, params=params)
        _check_type(lambda: spec.param_types, spec.name, plugin, hook)
        self._add(self.functions, "function", spec.name, spec, hook)

    def register_classifier(
        self, spec: Classifier, plugin: str, hook: str = "kamcore_register_classifiers"
    ) -> None:
        """Validate and add a classifier (also made callable as a function)."""
        spec = _check(spec, Classifier, plugin, hook)
        labels = _check_sequence(spec.labels, f'classifier "{spec.name}": labels', plugin, hook)
        if not labels or not all(isinstance(label, str) and label for label in labels):
            raise PluginError(
                plugin, hook, f'classifier "{spec.name}" must declare its labels (strings)'
            )
        if len(set(labels)) != len(labels):
            raise PluginError(plugin, hook, f'classifier "{spec.name}" repeats a label')
        spec = replace(spec, labels=labels)
        self.register_function(spec.as_function(), plugin, hook)
        self._add(self.classifiers, "classifier", spec.name, spec, hook)

    def register_tactic(
        self, spec: Tactic, plugin: str, hook: str = "kamcore_register_tactics"
    ) -> None:
        """Validate and add a catalogue tactic."""
        spec = _check(spec, Tactic, plugin, hook)
        if not _ID.match(spec.id):
            raise PluginError(plugin, hook, f"invalid tactic id {spec.id!r}")
        if spec.dimension not in DIMENSIONS:
            raise PluginError(
                plugin,
                hook,
                f'tactic "{spec.id}" has dimension {spec.dimension!r}; '
                f"expected one of {', '.join(DIMENSIONS)}",
            )
        if isinstance(spec.due_in_days, bool) or not isinstance(spec.due_in_days, int):
            raise PluginError(plugin, hook, f'tactic "{spec.id}": due_in_days must be an integer')
        if spec.due_in_days < 0:
            raise PluginError(plugin, hook, f'tactic "{spec.id}": due_in_days is negative')
        self._add(self.tactics, "tactic", spec.id, spec, hook)

    def register_stage_model(
        self, spec: StageModel, plugin: str, hook: str = "kamcore_register_stage_models"
    ) -> None:
        """Validate and add a lifecycle stage model."""
        spec = _check(spec, StageModel, plugin, hook)
        _check_name(spec.name, "stage model", plugin, hook)
        what = f'stage model "{spec.name}"'
        stages = _check_sequence(spec.stages, f"{what}: stages", plugin, hook)
        if (
            not stages
            or not all(isinstance(stage, str) and _ID.match(stage) for stage in stages)
            or len(set(stages)) != len(stages)
        ):
            raise PluginError(plugin, hook, f"{what}: stages must be distinct names, got {stages}")
        if spec.initial not in stages:
            raise PluginError(
                plugin,
                hook,
                f"{what}: initial stage {spec.initial!r} is not one of its stages {list(stages)}",
            )
        transitions = _check_sequence(spec.transitions, f"{what}: transitions", plugin, hook)
        seen: set[object] = set()
        for transition in transitions:
            problem = _transition_problem(transition, stages, seen)
            if problem:
                raise PluginError(plugin, hook, f"{what}: {problem}")
        spec = replace(spec, stages=stages, transitions=transitions)
        self._add(self.stage_models, "stage model", spec.name, spec, hook)

    def register_config_schema(
        self, schema: Mapping[str, Any], plugin: str, hook: str = "kamcore_register_config_schema"
    ) -> None:
        """Record the JSON Schema of the plugin's own ``[config.<plugin>]`` policy section."""
        if not isinstance(schema, Mapping):
            raise PluginError(plugin, hook, "the config schema must be a JSON Schema object")
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(dict(schema))
        except SchemaError as exc:
            raise PluginError(plugin, hook, f"invalid config schema: {exc.message}") from exc
        self.config_schemas[plugin] = schema

    # -- queries ------------------------------------------------------------------------------

    def by_plugin(self) -> dict[str, dict[str, list[str]]]:
        """What each plugin registered, for ``kam plugins`` and docs."""
        out: dict[str, dict[str, list[str]]] = {}
        tables: list[tuple[str, Mapping[str, Any]]] = [
            ("facts", self.facts),
            ("metrics", self.metrics),
            ("functions", self.functions),
            ("classifiers", self.classifiers),
            ("tactics", self.tactics),
            ("stage_models", self.stage_models),
        ]
        for kind, table in tables:
            for key, spec in table.items():
                out.setdefault(spec.plugin, {}).setdefault(kind, []).append(key)
        for plugin in self.config_schemas:
            out.setdefault(plugin, {}).setdefault("config_schema", []).append(plugin)
        return out


def _check(spec: Any, expected: type[_Spec], plugin: str, hook: str) -> _Spec:
    if not isinstance(spec, expected):
        raise PluginError(
            plugin,
            hook,
            f"register() expects a kamcore.{expected.__name__}, got {type(spec).__name__}",
        )
    return replace(spec, plugin=plugin)


def _check_name(name: str, kind: str, plugin: str, hook: str) -> None:
    if not _NAME.match(name) or any(keyword.iskeyword(p) for p in name.split(".")):
        raise PluginError(
            plugin, hook, f"invalid {kind} name {name!r}: use lower_case words, dots between parts"
        )


def _check_sequence(value: object, what: str, plugin: str, hook: str) -> tuple[Any, ...]:
    """A list or tuple as a tuple. A bare string is refused: ``inputs="revenue"`` would
    otherwise be read as the inputs ``r``, ``e``, ``v``, ..."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise PluginError(plugin, hook, f"{what} must be a tuple or list, got {value!r}")
    return tuple(value)


def _transition_problem(transition: object, stages: tuple[str, ...], seen: set[object]) -> str:
    """What is wrong with one transition of a stage model ("" if nothing)."""
    if not isinstance(transition, Mapping):
        return f"a transition must be a mapping, got {transition!r}"
    tid = transition.get("id")
    if not isinstance(tid, str) or not _ID.match(tid) or tid in seen:
        return f"transition id {tid!r} is missing, invalid or repeated"
    seen.add(tid)
    sources = transition.get("from")
    if sources != "*" and (
        isinstance(sources, str)
        or not isinstance(sources, Sequence)
        or not all(s in stages for s in sources)
    ):
        return f'transition "{tid}": from must be "*" or a list of its stages, got {sources!r}'
    if transition.get("to") not in stages:
        return f'transition "{tid}": to {transition.get("to")!r} is not one of its stages'
    if not isinstance(transition.get("when"), str):
        return f'transition "{tid}": when must be an expression (a string)'
    return ""


def _check_callable(fn: object, name: str, plugin: str, hook: str) -> None:
    if not callable(fn):
        raise PluginError(plugin, hook, f'"{name}": fn is not callable')


def _check_type(get: Callable[[], object], name: str, plugin: str, hook: str) -> None:
    try:
        get()
    except ValueError as exc:
        raise PluginError(plugin, hook, f'"{name}": {exc}') from exc
