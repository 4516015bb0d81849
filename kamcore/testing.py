"""An opt-in pytest plugin for testing kamcore policies and plugins.

Activate it in a ``conftest.py`` at the top of your tests::

    pytest_plugins = ["kamcore.testing"]

or for one run with ``pytest -p kamcore.testing``. It is deliberately **not** registered through a
``pytest11`` entry point: that would load it into every pytest run of every project that merely
has kamcore installed (an embedding service, a data pipeline), adding fixtures and markers they
never asked for.

Fixtures (all function-scoped, so nothing one test registers is seen by another):

``kamcore_plugins`` (:class:`PluginSet`)
    Plugin objects registered for this test: ``kamcore_plugins.add(MyPlugin(), name="mine")``.
``kamcore_engine`` (:class:`EngineFactory`)
    ``kamcore_engine(policy_text_or_path, *, plugins=None, installed=(), base_dir=None)`` builds
    an :class:`~kamcore.Engine` with this test's plugins.
``kamcore_registry`` (:class:`RegistryFactory`)
    What this test's plugins register, without a policy: ``kamcore_registry().metrics[...]``.
``kamcore_account`` (:class:`AccountFactory`)
    ``kamcore_account(id="A1", revenue_12m=2e6)`` makes a flat account row.
``kamcore_evaluate`` (:class:`Evaluator`)
    ``kamcore_evaluate(engine, account)`` and ``kamcore_evaluate.portfolio(engine, accounts)``
    on a fixed as-of date (:data:`AS_OF`).
``kamcore_policy_tests``
    ``kamcore_policy_tests(engine)`` fails the test unless every ``[[tests]]`` case of the
    engine's policy passes.

Isolation: engines are built with an environment in which only the external plugins the test
asked for are visible (``KAMCORE_LOAD_PLUGINS`` set to their names), so a plugin that happens to
be installed on a developer's machine or a CI image cannot change a test's outcome, and the
developer's own ``KAMCORE_BLOCK_PLUGINS`` / ``KAMCORE_RAISE_PLUGIN_ERRORS`` do not either.
``KAMCORE_TRACE_HOOKS`` is passed through: it only prints, and pytest shows the trace of a
failing test. A test asks for installed plugins with ``installed=[...]`` or the marker
``@pytest.mark.kamcore_installed("name", ...)``, and opts out of isolation altogether with
``isolate=False`` or ``@pytest.mark.kamcore_real_environ``.

Outside a test function (a module-scoped fixture building one engine for many tests), the same
behaviour is available as plain functions: :func:`build_engine`, :func:`make_account`,
:func:`assert_policy_tests` and :func:`isolated_environ`. The fixtures themselves are not in
``__all__``: they are reached by name through the plugin, and importing them into a conftest
would register them a second time.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

import pytest

from .engine import Engine, _named_plugins
from .plugins import ENV_LOAD, ENV_TRACE, PluginHost
from .policytests import CaseResult, run_cases
from .registry import Registry

__all__ = [
    "AS_OF",
    "MARK_INSTALLED",
    "MARK_REAL_ENVIRON",
    "AccountFactory",
    "EngineFactory",
    "Evaluator",
    "PluginSet",
    "PluginsArg",
    "PolicySource",
    "PolicyTests",
    "RegistryFactory",
    "assert_policy_tests",
    "build_engine",
    "isolated_environ",
    "make_account",
]

#: The as-of date evaluations use unless a test says otherwise. A fixed date, because
#: ``evaluate_dict`` defaults to today and a test whose verdict depends on the day it runs
#: (``days_since(last_order_date) > 90``) passes today and fails next quarter.
AS_OF: date = date(2026, 6, 30)

#: ``@pytest.mark.kamcore_installed("kamcore_retail", ...)``: installed plugins this test uses.
MARK_INSTALLED = "kamcore_installed"
#: ``@pytest.mark.kamcore_real_environ``: build engines with the real ``os.environ``.
MARK_REAL_ENVIRON = "kamcore_real_environ"

#: Plugin objects: by name, or a sequence named after each object's ``__name__`` / class.
PluginsArg: TypeAlias = Mapping[str, object] | Sequence[object] | None
#: Policy text (anything with a newline or starting with ``[``), a file path, or a policy
#: shipped in a package: ``"kamcore_plugin_example:policies/events.toml"``.
PolicySource: TypeAlias = str | os.PathLike[str]

#: The type of the ``kamcore_policy_tests`` fixture (:func:`assert_policy_tests`).
PolicyTests: TypeAlias = Callable[[Engine], list[CaseResult]]

_PACKAGE_SPEC = re.compile(r"^(?P<package>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<path>[^\\/].*)$")


def pytest_configure(config: pytest.Config) -> None:
    """Declare the markers, so ``--strict-markers`` accepts them."""
    config.addinivalue_line(
        "markers",
        f"{MARK_INSTALLED}(*names): installed kamcore plugins (entry-point names) that engines "
        "built by kamcore_engine in this test may load; the others stay invisible",
    )
    config.addinivalue_line(
        "markers",
        f"{MARK_REAL_ENVIRON}: build kamcore engines with the real os.environ (every installed "
        "plugin visible, the KAMCORE_* switches honoured) instead of an isolated one",
    )


# -- plain functions ----------------------------------------------------------------------------


def isolated_environ(
    visible: Iterable[str] = (), *, source: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment an isolated engine is built with.

    Only the ``visible`` external plugins can be loaded. ``KAMCORE_BLOCK_PLUGINS`` and
    ``KAMCORE_RAISE_PLUGIN_ERRORS`` are left out because they change outcomes (a blocked plugin,
    a raw exception instead of a :class:`~kamcore.PluginError`); ``KAMCORE_TRACE_HOOKS`` is kept
    from ``source`` because it only prints to stderr, where pytest shows it for a failing test.

    :param visible: entry-point names of the installed plugins the test uses.
    :param source: the environment to take ``KAMCORE_TRACE_HOOKS`` from (default ``os.environ``).
    """
    env = {ENV_LOAD: ",".join(dict.fromkeys(visible))}
    trace = (os.environ if source is None else source).get(ENV_TRACE)
    if trace:
        env[ENV_TRACE] = trace
    return env


def _environ(
    visible: Iterable[str], isolate: bool, extra: Mapping[str, str] | None
) -> dict[str, str]:
    env = isolated_environ(visible) if isolate else dict(os.environ)
    env.update(extra or {})
    return env


def _is_text(policy: str) -> bool:
    return "\n" in policy or policy.lstrip().startswith("[")


def _policy_path(policy: PolicySource, base_dir: Path) -> Path:
    """A policy file: ``package:path`` inside an importable package (``kamcore:`` is kamcore's
    shipped ``policies/``, as in ``extends``), or a path, relative ones against ``base_dir``."""
    spec = os.fspath(policy)
    match = _PACKAGE_SPEC.match(spec) if isinstance(policy, str) else None
    if match is not None and len(match["package"]) > 1:  # `C:...` is a Windows drive
        from .resources import policies_root

        package = match["package"]
        target = policies_root() if package == "kamcore" else resources.files(package)
        for part in match["path"].split("/"):
            target = target.joinpath(part)  # one part at a time: Python 3.10's joinpath
        return Path(str(target))
    path = Path(spec)
    return path if path.is_absolute() else base_dir / path


def build_engine(
    policy: PolicySource,
    *,
    plugins: PluginsArg = None,
    installed: Iterable[str] = (),
    base_dir: str | os.PathLike[str] | None = None,
    isolate: bool = True,
    environ: Mapping[str, str] | None = None,
    name: str = "<policy>",
) -> Engine:
    """Build an engine from policy text or a policy file, isolated from stray plugins.

    :param policy: see :data:`PolicySource`. Text is dedented first, so it can be written as
        an indented triple-quoted string; line numbers in errors stay those of the string.
    :param plugins: plugin objects registered for this engine whether or not a policy names
        them; a policy's ``plugins = ["name"]`` is satisfied by an object registered under
        that name, without installing anything.
    :param installed: entry-point names of installed plugins the policy may load.
    :param base_dir: where ``extends`` of policy text and relative policy paths are resolved
        (default: the current directory).
    :param isolate: ``False`` builds with the real ``os.environ`` (see :func:`isolated_environ`).
    :param environ: variables set on top, e.g. ``{"KAMCORE_RAISE_PLUGIN_ERRORS": "1"}``.
    :param name: how policy text is named in error locations.
    :raises PolicyError: every problem in the policy, located.
    :raises PluginError: a plugin is missing, fails to import or fails in a hook.
    """
    extras = _named_plugins(plugins)
    env = _environ([*installed, *extras], isolate, environ)
    folder = Path.cwd() if base_dir is None else Path(base_dir)
    if isinstance(policy, str) and _is_text(policy):
        return Engine.from_text(
            textwrap.dedent(policy), name=name, base_dir=folder, plugins=extras, environ=env
        )
    return Engine.from_policy(_policy_path(policy, folder), plugins=extras, environ=env)


def make_account(
    facts: Mapping[str, Any] | None = None, /, *, id: str = "A1", **more: Any
) -> dict[str, Any]:
    """A flat account row: ``id``, a ``name`` derived from it, then the facts given.

    :param facts: facts whose names are not Python identifiers (``{"saas.arr": 1e6}``).
    :param more: facts as keyword arguments; they win over ``facts``.
    """
    return {"id": id, "name": f"Account {id}", **(facts or {}), **more}


def _check_json(evaluation: Mapping[str, Any]) -> None:
    """Fail if the evaluation cannot be written as JSON: a plugin function returning a
    ``Decimal`` or an object of its own is carried through evaluation unnoticed and only breaks
    the writer of ``kam evaluate`` or an embedding system's export."""
    from .models import evaluation_json

    try:
        evaluation_json(evaluation)
    except (TypeError, ValueError) as exc:
        pytest.fail(f"the evaluation cannot be written as JSON: {exc}", pytrace=False)


def _describe(result: CaseResult) -> str:
    lines = [f"case {result.id!r}:"]
    for mismatch in result.mismatches:
        lines.append(f"    {mismatch.key}: expected {mismatch.expected!r}, got {mismatch.actual!r}")
    return "\n".join(lines)


def assert_policy_tests(engine: Engine) -> list[CaseResult]:
    """Run the ``[[tests]]`` cases of ``engine``'s policy and fail unless every one passes.

    A policy without cases fails too: a test that checks nothing must not look green.

    :returns: the results, for further checks (coverage, say).
    """
    results = run_cases(engine)
    if not results:
        pytest.fail(
            f"policy {engine.id!r} has no [[tests]] cases: nothing was checked", pytrace=False
        )
    failed = [r for r in results if not r.passed]
    if failed:
        report = "\n".join(_describe(r) for r in failed)
        pytest.fail(
            f"{len(failed)} of {len(results)} [[tests]] cases of policy {engine.id!r} failed:\n"
            + report,
            pytrace=False,
        )
    return results


# -- fixture objects -----------------------------------------------------------------------------


class PluginSet:
    """Plugin objects registered for one test (the ``kamcore_plugins`` fixture).

    Every engine and registry the test's factories build includes them. The set lives as long
    as the test, and kamcore keeps no global plugin state, so nothing leaks into other tests.
    """

    def __init__(self) -> None:
        self._plugins: dict[str, object] = {}

    def add(self, plugin: object, name: str | None = None) -> str:
        """Register ``plugin`` for this test and return the name it is registered under.

        :param name: the plugin's name: what error messages and ``Fact.plugin`` show, and what a
            policy's ``plugins = [...]`` or ``[config.<name>]`` refers to. Default: the
            object's ``__name__`` (a module's dotted name) or its class name.
        :raises ValueError: another object already has that name in this test.
        """
        key = name if name is not None else next(iter(_named_plugins([plugin])))
        if self._plugins.get(key, plugin) is not plugin:
            raise ValueError(f"a different plugin is already registered as {key!r} in this test")
        self._plugins[key] = plugin
        return key

    def remove(self, name: str) -> None:
        """Unregister the plugin registered as ``name``."""
        del self._plugins[name]

    @property
    def names(self) -> tuple[str, ...]:
        """The names registered, in order."""
        return tuple(self._plugins)

    def as_mapping(self) -> dict[str, object]:
        """A copy of the registered plugins by name."""
        return dict(self._plugins)

    def __contains__(self, name: object) -> bool:
        return name in self._plugins

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._plugins))

    def __len__(self) -> int:
        return len(self._plugins)


@dataclass(frozen=True)
class _TestContext:
    """What the factories of one test share: its plugins, markers and folder."""

    plugins: PluginSet
    installed: tuple[str, ...]
    isolate: bool
    base_dir: Path
    test_name: str

    @classmethod
    def from_request(cls, request: pytest.FixtureRequest, plugins: PluginSet) -> _TestContext:
        installed: list[str] = []
        for mark in request.node.iter_markers(MARK_INSTALLED):
            for arg in mark.args:
                if not isinstance(arg, str):
                    raise TypeError(f"@pytest.mark.{MARK_INSTALLED} takes names, got {arg!r}")
                installed.append(arg)
        return cls(
            plugins=plugins,
            installed=tuple(installed),
            isolate=request.node.get_closest_marker(MARK_REAL_ENVIRON) is None,
            base_dir=Path(request.path).parent,
            test_name=request.node.name,
        )

    def extras(self, plugins: PluginsArg) -> dict[str, object]:
        return {**self.plugins.as_mapping(), **_named_plugins(plugins)}


class EngineFactory:
    """Builds engines for one test (the ``kamcore_engine`` fixture); see :func:`build_engine`.

    Compared with :func:`build_engine` it adds the test's :class:`PluginSet`, the installed
    plugins named by ``@pytest.mark.kamcore_installed``, the ``kamcore_real_environ`` marker,
    and resolves ``extends`` and relative policy paths against the test file's folder, so a
    policy next to its test is found wherever pytest is run from.
    """

    def __init__(self, context: _TestContext) -> None:
        self._context = context

    def __call__(
        self,
        policy: PolicySource,
        *,
        plugins: PluginsArg = None,
        installed: Iterable[str] = (),
        base_dir: str | os.PathLike[str] | None = None,
        isolate: bool | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Engine:
        """Build an engine; the arguments are those of :func:`build_engine`.

        :param plugins: added to the plugins registered with ``kamcore_plugins``.
        :param installed: added to the names of ``@pytest.mark.kamcore_installed``.
        :param isolate: default: isolated unless the test is marked ``kamcore_real_environ``.
        """
        ctx = self._context
        return build_engine(
            policy,
            plugins=ctx.extras(plugins),
            installed=[*ctx.installed, *installed],
            base_dir=ctx.base_dir if base_dir is None else base_dir,
            isolate=ctx.isolate if isolate is None else isolate,
            environ=environ,
            name=f"<policy in {ctx.test_name}>",
        )

    def environ(self, installed: Iterable[str] = ()) -> dict[str, str]:
        """The environment an engine built now would read (to check what a test sees)."""
        ctx = self._context
        visible = [*ctx.installed, *installed, *ctx.plugins.names]
        return _environ(visible, ctx.isolate, None)


class RegistryFactory:
    """What plugins register, without a policy (the ``kamcore_registry`` fixture).

    For unit tests of a plugin's registrations: ``kamcore_registry().metrics["x"].fn(1, 2)``.
    The config is handed to the hooks as given; it is not checked against the plugin's schema
    (build an engine from a policy to test that).
    """

    def __init__(self, context: _TestContext) -> None:
        self._context = context

    def __call__(
        self,
        *,
        plugins: PluginsArg = None,
        installed: Iterable[str] = (),
        config: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Registry:
        """Call every registration hook of the built-ins, the test's plugins, ``plugins`` and
        the ``installed`` plugins (which are loaded, as a policy naming them would).

        :param config: each plugin's ``[config.<name>]`` table, by plugin name.
        """
        ctx = self._context
        names = [*ctx.installed, *installed]
        extras = ctx.extras(plugins)
        host = PluginHost(extras, _environ([*names, *extras], ctx.isolate, None))
        host.activate(names)
        return host.build_registry(config or {})


class AccountFactory:
    """Makes flat account rows for one test (the ``kamcore_account`` fixture).

    Accounts get ``id`` ``"A1"``, ``"A2"``, ... unless one is given (never an id already handed
    out in this test, so a portfolio of made accounts has no duplicates), a ``name``, then
    :attr:`defaults`, then the facts passed.
    """

    def __init__(self) -> None:
        #: Facts every account made afterwards carries unless the call overrides them.
        self.defaults: dict[str, Any] = {}
        self._used: set[str] = set()
        self._next = 1

    def __call__(
        self, facts: Mapping[str, Any] | None = None, /, *, id: str | None = None, **more: Any
    ) -> dict[str, Any]:
        """Make one account.

        :param facts: facts whose names are not identifiers: ``{"saas.arr": 1e6}``.
        :param id: the account id (default: the next free ``A<n>``).
        :param more: facts as keyword arguments.
        """
        if id is None:
            while f"A{self._next}" in self._used:
                self._next += 1
            id = f"A{self._next}"
        self._used.add(id)
        return make_account({**self.defaults, **(facts or {})}, id=id, **more)


class Evaluator:
    """Evaluates accounts on a fixed date (the ``kamcore_evaluate`` fixture).

    Each evaluation is also written as JSON, so a plugin function returning a value JSON cannot
    carry (a ``Decimal``, an object of its own) fails the test rather than a production export.
    """

    def __init__(self, as_of: date = AS_OF) -> None:
        #: The default as-of date; a test may change it.
        self.as_of = as_of

    def __call__(
        self,
        engine: Engine,
        account: Mapping[str, Any],
        *,
        as_of: date | str | None = None,
        previous: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Evaluate one account (a policy without portfolio rules).

        :raises AccountError: the account was rejected; ``pytest.raises`` it to test that.
        """
        evaluation = engine.evaluate_dict(
            account, as_of=self.as_of if as_of is None else as_of, previous=previous
        )
        _check_json(evaluation)
        return evaluation

    def portfolio(
        self,
        engine: Engine,
        accounts: Iterable[Mapping[str, Any]],
        *,
        as_of: date | str | None = None,
        previous: Mapping[str, Any] | None = None,
    ) -> dict[str, dict[str, Any]]:
        """Evaluate accounts as one portfolio and return the evaluations by account id.

        Fails the test if an account is rejected or two share an id (a verdict keyed by id
        would silently hide one of them); call ``engine.evaluate_portfolio`` directly to test
        rejections.
        """
        rows = list(accounts)
        ids = [str(row.get("id")) for row in rows]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            pytest.fail(f"accounts share an id: {', '.join(repeated)}", pytrace=False)
        result = engine.evaluate_portfolio(
            rows, as_of=self.as_of if as_of is None else as_of, previous=previous
        )
        if result.errors:
            lines = [f"  {e['account_id']}: {e['where']}: {e['reason']}" for e in result.errors]
            pytest.fail(
                f"{len(result.errors)} of {len(rows)} accounts were rejected:\n" + "\n".join(lines),
                pytrace=False,
            )
        for evaluation in result.evaluations:
            _check_json(evaluation)
        return result.by_id()


# -- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def kamcore_plugins() -> PluginSet:
    """Plugin objects registered for this test only; see :class:`PluginSet`."""
    return PluginSet()


@pytest.fixture
def kamcore_engine(request: pytest.FixtureRequest, kamcore_plugins: PluginSet) -> EngineFactory:
    """A factory building engines with this test's plugins; see :class:`EngineFactory`."""
    return EngineFactory(_TestContext.from_request(request, kamcore_plugins))


@pytest.fixture
def kamcore_registry(request: pytest.FixtureRequest, kamcore_plugins: PluginSet) -> RegistryFactory:
    """A factory returning what this test's plugins register; see :class:`RegistryFactory`."""
    return RegistryFactory(_TestContext.from_request(request, kamcore_plugins))


@pytest.fixture
def kamcore_account() -> AccountFactory:
    """A factory of flat account rows; see :class:`AccountFactory`."""
    return AccountFactory()


@pytest.fixture
def kamcore_evaluate() -> Evaluator:
    """Evaluate one account or a portfolio on :data:`AS_OF`; see :class:`Evaluator`."""
    return Evaluator()


@pytest.fixture
def kamcore_policy_tests() -> PolicyTests:
    """:func:`assert_policy_tests`: fail unless every ``[[tests]]`` case of a policy passes."""
    return assert_policy_tests
