"""The :class:`Engine`: a policy compiled against its plugins, ready to evaluate accounts.

Building an engine does all the slow, failure-prone work once (reading the policy layers,
importing plugins, calling their hooks, validating, compiling); evaluating is then a pure,
deterministic function of (policy, account facts, as-of date, previous state).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import KamcoreError, PluginError, PolicyError, Problem
from .plugins import PluginHost

if TYPE_CHECKING:
    from .models import Evaluation
    from .policy import PolicyDocument
    from .registry import Registry
    from .runtime.compile import CompiledPolicy

__all__ = ["Engine", "PortfolioResult"]

PluginsArg = Mapping[str, object] | Sequence[object] | None


def _named_plugins(plugins: PluginsArg) -> dict[str, object]:
    if plugins is None:
        return {}
    if isinstance(plugins, Mapping):
        return dict(plugins)
    named: dict[str, object] = {}
    for plugin in plugins:
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        named[str(name)] = plugin
    return named


def _as_date(value: date | str | None) -> date:
    if value is None:
        return date.today()
    if isinstance(value, datetime):  # a datetime is a date too, but evaluations count days
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise KamcoreError(f"as_of must be a date (YYYY-MM-DD), got {value!r}") from exc


def _as_dict(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(mode="json") if callable(dump) else value


def _compiler_problems(
    doc: PolicyDocument,
    host: PluginHost,
    schemas: Mapping[str, Mapping[str, Any]],
    schema_problems: list[Problem],
) -> list[Problem]:
    """What the compiler finds besides the schema's problems, so an author sees every mistake
    (a misspelt fact, ``1,000,000``, ``tier = 'KA'``) in one run, not one kind per run.

    The compiler expects a schema-valid document; where it stumbles over a part the schema
    already flagged, the schema's message is the one to read, so anything it raises other than
    a :class:`PolicyError` is dropped, and so are its problems under a flagged key.
    """
    from .runtime.compile import compile_policy

    flagged = [p.location.key_path for p in schema_problems]

    def under_flagged(key: str) -> bool:
        return any(key == f or key.startswith((f + ".", f + "[")) or not f for f in flagged)

    configs = doc.data.get("config", {})
    try:
        registry = host.build_registry(configs if isinstance(configs, Mapping) else {}, schemas)
        compile_policy(doc, registry)
    except PolicyError as exc:
        return [p for p in exc.problems if not under_flagged(p.location.key_path)]
    except Exception:  # the document is not what the compiler expects: the schema says why
        return []
    return []


class PortfolioResult:
    """The evaluations of a portfolio and the accounts that could not be evaluated.

    :param evaluations: plain dicts in the evaluation schema, in input order.
    :param errors: one record per rejected account: ``account_id``, ``where``, ``reason``,
        ``row`` (1-based position in the input).
    """

    def __init__(self, evaluations: list[dict[str, Any]], errors: list[dict[str, Any]]) -> None:
        self.evaluations = evaluations
        self.errors = errors

    def __len__(self) -> int:
        return len(self.evaluations)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.evaluations)

    def by_id(self) -> dict[str, dict[str, Any]]:
        """Evaluations by account id (e.g. to pass as ``previous`` next period)."""
        return {e["account_id"]: e for e in self.evaluations}

    def models(self) -> list[Evaluation]:
        """The evaluations as validated :class:`~kamcore.models.Evaluation` models."""
        from .models import Evaluation

        return [Evaluation.model_validate(e) for e in self.evaluations]

    def to_jsonl(self) -> str:
        """One canonical JSON line per evaluation (byte-identical for equal inputs)."""
        from .models import evaluation_json

        return "".join(evaluation_json(e) + "\n" for e in self.evaluations)


class Engine:
    """A compiled policy and the plugins it was compiled with.

    Build one with :meth:`from_policy` or :meth:`from_text`; each engine owns its own plugin
    manager, so one process can hold engines for several client policies.
    """

    def __init__(
        self,
        document: PolicyDocument,
        host: PluginHost,
        registry: Registry,
        policy: CompiledPolicy,
    ) -> None:
        self.document = document
        self.host = host
        self.registry = registry
        self.policy = policy

    # -- building -----------------------------------------------------------------------------

    @classmethod
    def from_policy(
        cls,
        path: str | os.PathLike[str],
        *,
        plugins: PluginsArg = None,
        environ: Mapping[str, str] | None = None,
    ) -> Engine:
        """Load, validate and compile the policy file at ``path`` (with its ``extends``).

        :param plugins: extra plugin objects, always active (tests, embedding systems).
        :raises PolicyError: every problem in the policy, located.
        :raises PluginError: a plugin is missing, fails to import, or fails in a hook.
        """
        from .policy import load_policy

        return cls.from_document(load_policy(Path(path)), plugins=plugins, environ=environ)

    @classmethod
    def from_text(
        cls,
        text: str,
        *,
        name: str = "<string>",
        base_dir: str | os.PathLike[str] | None = None,
        plugins: PluginsArg = None,
        environ: Mapping[str, str] | None = None,
    ) -> Engine:
        """Like :meth:`from_policy` for policy text held in memory."""
        from .policy import load_policy_text

        doc = load_policy_text(text, name=name, base_dir=base_dir)
        return cls.from_document(doc, plugins=plugins, environ=environ)

    @classmethod
    def from_document(
        cls,
        doc: PolicyDocument,
        *,
        plugins: PluginsArg = None,
        environ: Mapping[str, str] | None = None,
    ) -> Engine:
        """Build an engine for an already loaded policy document."""
        from .policy import validate_document
        from .runtime.compile import compile_policy

        host = PluginHost(_named_plugins(plugins), environ)
        header = doc.data.get("policy")
        wanted = header.get("plugins", []) if isinstance(header, Mapping) else []
        if isinstance(wanted, list):
            host.activate([str(p) for p in wanted])
        schemas = host.collect_config_schemas()
        active = [*host.builtin, *host.external]
        problems: list[Problem] = validate_document(doc, schemas, active)
        if problems:
            found = problems + _compiler_problems(doc, host, schemas, problems)
            raise PolicyError(sorted(found, key=lambda p: p.location.sort_key))
        configs = doc.data.get("config", {})
        try:
            registry = host.build_registry(configs if isinstance(configs, Mapping) else {}, schemas)
        except PluginError as exc:
            if exc.config_key is None:
                raise
            # the plugin refused a configuration value: the author's problem, located in the
            # policy like any other
            message = f'plugin "{exc.plugin}": {exc.reason}'
            raise PolicyError([Problem(message, doc.locate(exc.config_key))]) from exc
        policy = compile_policy(doc, registry, raise_plugin_errors=host.raise_errors)
        return cls(doc, host, registry, policy)

    # -- identity -----------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The policy id."""
        return self.policy.id

    @property
    def version(self) -> str:
        """The policy version."""
        return self.policy.version

    @property
    def content_hash(self) -> str:
        """``sha256:...`` of the effective (merged) policy."""
        return self.policy.content_hash

    def plugins(self) -> dict[str, str | None]:
        """Active plugins and their versions."""
        return self.host.plugin_versions()

    @property
    def overrides(self) -> list[tuple[str, str, str]]:
        """Built-in capabilities an external plugin replaced: ``(kind, name, plugin)``.

        Replacing a built-in (say ``percentile``) is allowed, so that a pack can refine the
        generic vocabulary; it is listed here (and by ``kam plugins``) so it never goes unseen.
        """
        return list(self.registry.overrides)

    # -- evaluating ---------------------------------------------------------------------------

    def evaluate_dict(
        self,
        account: Any,
        *,
        as_of: date | str | None = None,
        previous: Any = None,
        explain: str = "full",
    ) -> dict[str, Any]:
        """Evaluate one account and return the evaluation as a plain dict.

        :param account: a flat row (dict of columns), an account-shaped dict, or an
            :class:`~kamcore.models.Account`.
        :param as_of: the evaluation date (default: today). Pass it for reproducible runs.
        :param previous: this account's previous evaluation (dict or model), for hysteresis
            and stage history.
        :param explain: ``"full"`` records every fired rule with the values it read, each
            scorecard measure's contribution and the input digest (the audit record);
            ``"summary"`` the fired rules and measures without the values; ``"none"`` the
            verdicts only, fastest.
        :raises AccountError: the account could not be evaluated (field or rule, and why).
        :raises KamcoreError: the policy has portfolio rules: use :meth:`evaluate_portfolio`.
        """
        from .runtime.pipeline import evaluate_one

        self._check_explain(explain)
        if self.policy.uses_portfolio:
            raise KamcoreError(
                f"policy {self.id!r} has portfolio rules ({self._portfolio_rules()}); an "
                "account can only be evaluated within its portfolio: use evaluate_portfolio()"
            )
        return evaluate_one(
            self.policy,
            _as_dict(account),
            as_of=_as_date(as_of),
            previous=_as_dict(previous),
            explain=explain,
        )

    def evaluate(
        self,
        account: Any,
        *,
        as_of: date | str | None = None,
        previous: Any = None,
        explain: str = "full",
    ) -> Evaluation:
        """Evaluate one account; see :meth:`evaluate_dict`. Returns a validated model."""
        from .models import Evaluation

        return Evaluation.model_validate(
            self.evaluate_dict(account, as_of=as_of, previous=previous, explain=explain)
        )

    def evaluate_portfolio(
        self,
        accounts: Iterable[Any],
        *,
        as_of: date | str | None = None,
        previous: Mapping[str, Any] | Iterable[Any] | None = None,
        explain: str = "full",
    ) -> PortfolioResult:
        """Evaluate many accounts, with portfolio-relative rules (percentile, caps, ...).

        :param previous: the previous evaluations, by account id or as a list.
        :returns: evaluations in input order, and an error record for every account that
            could not be evaluated; one bad account never stops the rest.
        """
        from .runtime.pipeline import evaluate_many

        self._check_explain(explain)
        prev: dict[str, Any] | None = None
        if previous is not None:
            if isinstance(previous, Mapping):
                prev = {str(k): _as_dict(v) for k, v in previous.items()}
            else:
                prev = {}
                for item in previous:
                    d = _as_dict(item)
                    prev[str(d["account_id"])] = d
        rows = (_as_dict(a) for a in accounts)
        evaluations, errors = evaluate_many(
            self.policy, rows, as_of=_as_date(as_of), previous=prev, explain=explain
        )
        return PortfolioResult(evaluations, errors)

    def evaluate_stream(
        self,
        source: Callable[[], Iterable[Any]] | Iterable[Any],
        *,
        as_of: date | str | None = None,
        previous: Mapping[str, Any] | None = None,
        explain: str = "full",
    ) -> Iterator[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
        """Evaluate rows as they are read: yields ``(evaluation, None)`` or
        ``(None, error record)`` per row, holding as little as possible in memory.

        :param source: the rows, or a function returning a fresh iterator over them. A policy
            with portfolio rules reads its input more than once (the portfolio statistics
            first), so it needs the function form, e.g. ``lambda: read_rows(path)``.
        :param previous: the previous evaluations by account id.
        :raises KamcoreError: portfolio rules with a one-shot iterable.
        """
        from .runtime.pipeline import evaluate_stream

        self._check_explain(explain)
        if callable(source):
            reread: Callable[[], Iterable[Any]] = source
        elif self.policy.uses_portfolio:
            raise KamcoreError(
                f"policy {self.id!r} has portfolio rules ({self._portfolio_rules()}), so its "
                "input is read more than once: pass a function returning a fresh iterator "
                "over the rows"
            )
        else:
            once: Iterable[Any] = source  # read once: no portfolio rules

            def reread() -> Iterable[Any]:
                return once

        prev = {str(k): _as_dict(v) for k, v in previous.items()} if previous else None
        return evaluate_stream(
            self.policy,
            lambda: (_as_dict(a) for a in reread()),
            as_of=_as_date(as_of),
            previous=prev,
            explain=explain,
        )

    def describe(self) -> str:
        """One JSON line identifying the engine (policy id, version, hash, plugin versions), to
        log beside a run so any verdict can be traced to exactly what produced it."""
        return json.dumps(
            {"policy": self.policy.stamp(), "plugins": self.plugins()}, sort_keys=True
        )

    def _check_explain(self, explain: str) -> None:
        from .runtime.pipeline import EXPLAIN_LEVELS

        if explain not in EXPLAIN_LEVELS:
            raise KamcoreError(
                f"explain must be one of {', '.join(EXPLAIN_LEVELS)}; got {explain!r}"
            )

    def _portfolio_rules(self) -> str:
        rules = list(self.policy.portfolio_calls)
        rules += [f"portfolio metric {s.name}" for s in self.policy.metrics.portfolio]
        if self.policy.tier is not None and self.policy.tier.caps:
            rules.append("tier caps")
        return ", ".join(rules)
