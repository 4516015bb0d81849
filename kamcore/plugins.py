"""Finding, loading and calling plugins for one engine.

Nothing is loaded at import time. Each :class:`~kamcore.Engine` gets its own
:class:`PluginHost` (one :class:`pluggy.PluginManager`), so an embedding system can hold several
client policies with different plugins in one process.

Built-ins from :data:`kamcore.default_plugins.DEFAULT_PLUGINS` are always registered; external
plugins are found through the ``kamcore`` entry-point group and only imported when a policy
activates them with ``[policy] plugins = [...]``.

Environment switches (read when a host is created):

``KAMCORE_LOAD_PLUGINS``
    Comma-separated entry-point names: only these external plugins are visible. Set to the empty
    string to hide all of them (built-ins still load).
``KAMCORE_BLOCK_PLUGINS``
    Comma-separated plugin names that are never loaded, even if a policy asks.
``KAMCORE_TRACE_HOOKS``
    Any non-empty value: print every hook call (plugin, hook, what it registered) to stderr.
``KAMCORE_RAISE_PLUGIN_ERRORS``
    Any non-empty value: let the original exception from a plugin propagate instead of wrapping
    it in :class:`~kamcore.PluginError` (for debugging in a plugin's own code).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pluggy

from . import hookspecs
from .errors import KamcoreError, PluginError, PluginUsageError
from .registry import Registry

__all__ = [
    "ENV_BLOCK",
    "ENV_LOAD",
    "ENV_RAISE",
    "ENV_TRACE",
    "InstalledPlugin",
    "PluginHost",
    "installed_plugins",
]

ENV_LOAD = "KAMCORE_LOAD_PLUGINS"
ENV_BLOCK = "KAMCORE_BLOCK_PLUGINS"
ENV_TRACE = "KAMCORE_TRACE_HOOKS"
ENV_RAISE = "KAMCORE_RAISE_PLUGIN_ERRORS"


@dataclass(frozen=True)
class InstalledPlugin:
    """An external plugin found through the ``kamcore`` entry-point group (not yet imported)."""

    name: str
    value: str
    distribution: str | None
    version: str | None
    entry_point: metadata.EntryPoint


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def installed_plugins(environ: Mapping[str, str] | None = None) -> dict[str, InstalledPlugin]:
    """External plugins visible under the environment switches, by entry-point name.

    Listing does not import anything, so a broken plugin does not stop ``kam plugins`` or a
    policy that does not use it.
    """
    env = os.environ if environ is None else environ
    only = env.get(ENV_LOAD)
    allowed = None if only is None else set(_split(only))
    blocked = set(_split(env.get(ENV_BLOCK, "")))
    found: dict[str, InstalledPlugin] = {}
    for ep in metadata.entry_points(group=hookspecs.PROJECT_NAME):
        if ep.name in blocked or (allowed is not None and ep.name not in allowed):
            continue
        dist = getattr(ep, "dist", None)
        found[ep.name] = InstalledPlugin(
            name=ep.name,
            value=ep.value,
            distribution=dist.metadata["Name"] if dist is not None else None,
            version=dist.version if dist is not None else None,
            entry_point=ep,
        )
    return dict(sorted(found.items()))


class PluginHost:
    """A typed facade over one :class:`pluggy.PluginManager`.

    The core never calls ``pm.hook.x(...)`` directly: it calls :meth:`build_registry`, which
    calls each implementation with a ``register`` bound to that plugin, so every capability is
    attributed to the plugin that registered it.

    :param extra: plugin objects registered directly (tests, embedding systems), by name.
        They are always active.
    :param environ: the environment to read switches from (default :data:`os.environ`).
    """

    def __init__(
        self,
        extra: Mapping[str, object] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        from .default_plugins import DEFAULT_PLUGINS

        self._env = os.environ if environ is None else environ
        self.trace = bool(self._env.get(ENV_TRACE))
        self.raise_errors = bool(self._env.get(ENV_RAISE))
        self.blocked = frozenset(_split(self._env.get(ENV_BLOCK, "")))
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        for name in self.blocked:
            self.pm.set_blocked(name)
        self.builtin: list[str] = []
        for module_name in DEFAULT_PLUGINS:
            if module_name in self.blocked:
                continue  # blocking a built-in is how a deployment turns its vocabulary off
            module = importlib.import_module(module_name)
            self._register(module, module_name)
            self.builtin.append(module_name)
        self.external: list[str] = []
        for name, plugin in (extra or {}).items():
            self._register(plugin, name)
            self.external.append(name)

    # -- loading ------------------------------------------------------------------------------

    def _register(self, plugin: object, name: str) -> None:
        if name in self.blocked:
            raise PluginError(name, "load", f"blocked by {ENV_BLOCK}")
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            hook = _hook_in_message(str(exc))
            raise PluginError(name, hook, f"bad hook implementation: {exc}") from exc
        except ValueError as exc:
            raise PluginError(name, "load", str(exc)) from exc
        self._check_pending(name)

    def _check_pending(self, name: str) -> None:
        """Like ``pm.check_pending()``, but naming the plugin and the misspelt hook."""
        plugin = self.pm.get_plugin(name)
        for attr in dir(plugin):
            if not attr.startswith(hookspecs.PROJECT_NAME + "_"):
                continue
            if attr not in hookspecs.HOOK_NAMES and callable(getattr(plugin, attr, None)):
                self.pm.unregister(name=name)
                raise PluginError(
                    name,
                    attr,
                    f"unknown hook {attr!r}; kamcore's hooks are: "
                    + ", ".join(hookspecs.HOOK_NAMES),
                )

    def activate(self, names: Sequence[str]) -> None:
        """Import and register the named external plugins, as a policy's ``plugins`` asks.

        :raises PluginError: a plugin is not installed (the message lists the installed ones),
            is blocked, fails to import, or has a bad hook implementation.
        """
        installed = installed_plugins(self._env)
        for name in names:
            if name in self.external or self.pm.has_plugin(name):
                continue
            if name in self.blocked:
                raise PluginError(name, "load", f"the policy needs it but {ENV_BLOCK} blocks it")
            found = installed.get(name)
            if found is None:
                listed = ", ".join(installed) or "none"
                hint = ""
                if self._env.get(ENV_LOAD) is not None:
                    hint = f" ({ENV_LOAD} is set to {self._env.get(ENV_LOAD)!r})"
                raise PluginError(name, "load", f"not installed; installed plugins: {listed}{hint}")
            try:
                plugin = found.entry_point.load()
            except Exception as exc:
                if self.raise_errors:
                    raise
                raise PluginError(
                    name, "import", f'error importing plugin "{name}": {type(exc).__name__}: {exc}'
                ) from exc
            self._register(plugin, name)
            self.external.append(name)

    # -- calling ------------------------------------------------------------------------------

    def _impls(self, hook_name: str) -> list[Any]:
        caller = getattr(self.pm.hook, hook_name)
        # pluggy calls implementations last-registered-first (tryfirst/trylast respected); we
        # keep that order but call each one ourselves so registrations are attributed.
        impls = list(reversed(caller.get_hookimpls()))
        for impl in impls:
            if impl.wrapper or impl.hookwrapper:
                # a wrapper around a registration hook would have nothing to wrap: refuse it
                # rather than skip it silently
                raise PluginError(
                    impl.plugin_name,
                    hook_name,
                    "registration hooks take no wrapper=True/hookwrapper=True implementation",
                )
        return impls

    def call(
        self,
        hook_name: str,
        register_for: Callable[[str], Callable[[Any], None]],
        configs: Mapping[str, Mapping[str, Any]],
    ) -> None:
        """Call one registration hook on every plugin, each with its own ``register``.

        Built-ins are called before external plugins so an external plugin can replace a
        built-in's registration.
        """
        impls = self._impls(hook_name)
        builtin = set(self.builtin)
        ordered = [i for i in impls if i.plugin_name in builtin] + [
            i for i in impls if i.plugin_name not in builtin
        ]
        for impl in ordered:
            name = impl.plugin_name
            register = register_for(name)
            if self.trace:
                register = _traced(register, name, hook_name)
                print(f"kamcore: calling {hook_name} on {name}", file=sys.stderr)
            kwargs = {"register": register, "config": configs.get(name, {})}
            try:
                impl.function(**{k: kwargs[k] for k in impl.argnames})
            except (PluginError, PluginUsageError) as exc:
                if isinstance(exc, PluginUsageError):
                    where = f"config.{name}" + (f".{exc.key}" if exc.key else "")
                    raise PluginError(name, hook_name, str(exc), config_key=where) from exc
                raise
            except KamcoreError:
                raise
            except Exception as exc:
                if self.raise_errors:
                    raise
                raise PluginError(name, hook_name, f"{type(exc).__name__}: {exc}") from exc

    def collect_config_schemas(self) -> dict[str, Mapping[str, Any]]:
        """Every plugin's config schema fragment, by plugin name."""
        registry = Registry(builtin_plugins=frozenset(self.builtin))
        self.call(
            "kamcore_register_config_schema",
            lambda plugin: lambda schema: registry.register_config_schema(schema, plugin),
            {},
        )
        return dict(registry.config_schemas)

    def build_registry(
        self,
        configs: Mapping[str, Mapping[str, Any]],
        schemas: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> Registry:
        """Call every registration hook and return what the plugins registered.

        A fresh :class:`Registry` is filled and returned only when every hook succeeded, so a
        failing plugin never leaves an engine half-built.
        """
        registry = Registry(builtin_plugins=frozenset(self.builtin))
        registry.config_schemas.update(
            self.collect_config_schemas() if schemas is None else schemas
        )
        steps: list[tuple[str, Callable[[Any, str, str], None]]] = [
            ("kamcore_register_facts", registry.register_fact),
            ("kamcore_register_metrics", registry.register_metric),
            ("kamcore_register_functions", registry.register_function),
            ("kamcore_register_classifiers", registry.register_classifier),
            ("kamcore_register_tactics", registry.register_tactic),
            ("kamcore_register_stage_models", registry.register_stage_model),
        ]
        for hook_name, add in steps:
            self.call(
                hook_name,
                lambda plugin, add=add, hook_name=hook_name: (  # type: ignore[misc]
                    lambda spec: add(spec, plugin, hook_name)
                ),
                configs,
            )
        return registry

    def plugin_versions(self) -> dict[str, str | None]:
        """Active plugins and their distribution versions (built-ins carry kamcore's)."""
        from ._version import __version__

        out: dict[str, str | None] = dict.fromkeys(self.builtin, __version__)
        installed = installed_plugins(self._env)
        for name in self.external:
            found = installed.get(name)
            out[name] = found.version if found else None
        return out


def _traced(register: Callable[[Any], None], plugin: str, hook: str) -> Callable[[Any], None]:
    def wrapper(spec: Any) -> None:
        what = getattr(spec, "name", None) or getattr(spec, "id", None) or type(spec).__name__
        print(
            f"kamcore:   {plugin} registered {type(spec).__name__} {what!r} ({hook})",
            file=sys.stderr,
        )
        register(spec)

    return wrapper


def _hook_in_message(message: str) -> str:
    for name in hookspecs.HOOK_NAMES:
        if name in message:
            return name
    return "register"
