"""The plugin contract as seen from a plugin: every hook's registrations land in the registry
attributed to the plugin, config reaches the hooks, and every way a plugin can be wrong fails
loudly, naming the plugin and the hook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jsonschema
import pytest

from kamcore.errors import PluginError, PluginUsageError
from kamcore.hookspecs import HOOK_NAMES, hookimpl
from kamcore.plugins import ENV_BLOCK, ENV_RAISE, ENV_TRACE, PluginHost
from kamcore.registry import Classifier, Fact, Function, Metric, Registry, StageModel, Tactic
from kamcore.types import Type

from .kitchen_sink import CONFIG_SCHEMA, REGISTERS, KitchenSink

CONFIG = {"kitchen": {"greeting": "ni hao", "threshold": 3}}


@pytest.fixture
def kitchen_registry() -> Registry:
    return PluginHost({"kitchen": KitchenSink()}).build_registry(CONFIG)


def test_kitchen_sink_covers_every_hook() -> None:
    assert set(REGISTERS) == set(HOOK_NAMES)
    assert all(callable(getattr(KitchenSink, hook)) for hook in HOOK_NAMES)


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_registration_is_attributed_to_its_plugin(kitchen_registry: Registry, hook: str) -> None:
    table, key = REGISTERS[hook]
    registered = getattr(kitchen_registry, table)[key]
    if hook == "kamcore_register_config_schema":
        assert registered == CONFIG_SCHEMA
    else:
        assert registered.plugin == "kitchen"
    kind = "config_schema" if table == "config_schemas" else table
    assert key in kitchen_registry.by_plugin()["kitchen"][kind]


def test_each_hook_registration_has_its_declared_shape(kitchen_registry: Registry) -> None:
    """kamcore_register_facts, _metrics, _functions, _classifiers, _tactics, _stage_models."""
    fact = kitchen_registry.facts["kitchen.widgets"]
    assert fact.value_type == Type("integer", optional=True)
    assert fact.label == {"en": "Widgets", "zh": "小部件"}
    metric = kitchen_registry.metrics["kitchen_widget_surplus"]
    assert metric.inputs == ("kitchen.widgets",)
    assert kitchen_registry.functions["kitchen_double"].fn(21) == 42
    classifier = kitchen_registry.classifiers["kitchen_size"]
    assert classifier.fn([5, None, 100]) == ["small", None, "large"]
    # a classifier is callable from expressions as a function of the same name
    assert kitchen_registry.functions["kitchen_size"].result_type([Type("number")]) == Type(
        "string", optional=True
    )
    assert kitchen_registry.functions["kitchen_size"].portfolio
    tactic = kitchen_registry.tactics["kitchen_tasting"]
    assert (tactic.dimension, tactic.owner_role, tactic.due_in_days) == ("emotional", "chef", 5)
    model = kitchen_registry.stage_models["kitchen_flow"]
    assert (model.initial, model.transitions[0]["to"]) == ("raw", "cooked")


def test_config_reaches_the_hooks(kitchen_registry: Registry) -> None:
    assert kitchen_registry.facts["kitchen.widgets"].doc == "Widgets on hand (ni hao)."
    assert kitchen_registry.metrics["kitchen_widget_surplus"].fn(5) == 2


def test_a_plugin_without_config_gets_an_empty_mapping() -> None:
    registry = PluginHost({"kitchen": KitchenSink()}).build_registry({})
    assert registry.facts["kitchen.widgets"].doc == "Widgets on hand (hello)."
    assert registry.metrics["kitchen_widget_surplus"].fn(15) == 5


def test_config_schema_is_collected_and_refuses_unknown_keys() -> None:
    """kamcore_register_config_schema: the fragment catches a typo in the plugin's section."""
    schemas = PluginHost({"kitchen": KitchenSink()}).collect_config_schemas()
    assert schemas == {"kitchen": CONFIG_SCHEMA}
    jsonschema.validate({"greeting": "hi"}, schemas["kitchen"])
    with pytest.raises(jsonschema.ValidationError, match="greting"):
        jsonschema.validate({"greting": "hi"}, schemas["kitchen"])


def test_an_invalid_config_schema_is_refused() -> None:
    class BadSchema:
        @hookimpl
        def kamcore_register_config_schema(self, register: Callable[[Any], None]) -> None:
            register({"type": "no-such-type"})

    with pytest.raises(PluginError, match="invalid config schema") as info:
        PluginHost({"bad": BadSchema()}).collect_config_schemas()
    assert (info.value.plugin, info.value.hook) == ("bad", "kamcore_register_config_schema")


# -- names: duplicates and overrides ----------------------------------------------------------


class _FactPlugin:
    def __init__(self, name: str) -> None:
        self.name = name

    @hookimpl
    def kamcore_register_facts(self, register: Callable[[Fact], None]) -> None:
        register(Fact(self.name, "number"))


def test_two_external_plugins_registering_one_name_fail_naming_both() -> None:
    host = PluginHost({"first": _FactPlugin("shared.fact"), "second": _FactPlugin("shared.fact")})
    with pytest.raises(PluginError, match=r'fact "shared\.fact" is already registered') as info:
        host.build_registry({})
    assert info.value.plugin in ("first", "second")
    assert '"first"' in str(info.value)
    assert '"second"' in str(info.value)
    assert info.value.hook == "kamcore_register_facts"


def test_an_external_plugin_may_override_a_builtin() -> None:
    class BetterGrowth:
        @hookimpl
        def kamcore_register_metrics(self, register: Callable[[Metric], None]) -> None:
            register(Metric("growth", lambda a, b: 0.0, ("revenue_prev_12m", "revenue_12m")))

    registry = PluginHost({"better": BetterGrowth()}).build_registry({})
    assert registry.metrics["growth"].plugin == "better"
    assert registry.metrics["growth"].fn(1, 2) == 0.0
    assert registry.overrides == [("metric", "growth", "better")]


def test_two_builtins_may_not_share_a_name() -> None:
    registry = Registry(builtin_plugins=frozenset({"a", "b"}))
    registry.register_fact(Fact("x"), "a")
    with pytest.raises(PluginError, match='already registered by plugin "a"'):
        registry.register_fact(Fact("x"), "b")


# -- bad plugins ------------------------------------------------------------------------------


def test_an_argument_the_hook_does_not_have_is_refused_naming_plugin_and_hook() -> None:
    class BadSignature:
        @hookimpl
        def kamcore_register_facts(self, register: Any, registry: Any) -> None:
            """``registry`` is not an argument of kamcore_register_facts."""

    with pytest.raises(PluginError, match="registry") as info:
        PluginHost({"badsig": BadSignature()})
    assert (info.value.plugin, info.value.hook) == ("badsig", "kamcore_register_facts")


def test_a_misspelt_hook_is_refused_naming_it() -> None:
    class Misspelt:
        @hookimpl
        def kamcore_register_metric(self, register: Any) -> None:
            """Singular: no such hook."""

    with pytest.raises(PluginError, match="unknown hook 'kamcore_register_metric'") as info:
        PluginHost({"typo": Misspelt()})
    assert (info.value.plugin, info.value.hook) == ("typo", "kamcore_register_metric")
    assert "kamcore_register_metrics" in str(info.value)  # the message lists the real hooks


def test_a_misspelt_hook_without_the_marker_is_refused_too() -> None:
    class Unmarked:
        def kamcore_register_tactic(self, register: Any) -> None:
            """Forgot both the marker and the plural."""

    with pytest.raises(PluginError, match="kamcore_register_tactic"):
        PluginHost({"unmarked": Unmarked()})


class _Raising:
    @hookimpl
    def kamcore_register_tactics(self, register: Callable[[Tactic], None]) -> None:
        raise ZeroDivisionError("the plugin's own bug")


def test_an_exception_in_a_hook_is_wrapped_naming_plugin_and_hook() -> None:
    with pytest.raises(PluginError) as info:
        PluginHost({"raiser": _Raising()}).build_registry({})
    assert (info.value.plugin, info.value.hook) == ("raiser", "kamcore_register_tactics")
    assert "ZeroDivisionError: the plugin's own bug" in str(info.value)
    assert isinstance(info.value.__cause__, ZeroDivisionError)


def test_raise_plugin_errors_lets_the_original_exception_through(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_RAISE, "1")
    with pytest.raises(ZeroDivisionError, match="the plugin's own bug"):
        PluginHost({"raiser": _Raising()}).build_registry({})


def test_a_plugin_usage_error_is_reported_naming_the_plugin() -> None:
    class Strict:
        @hookimpl
        def kamcore_register_functions(self, config: Mapping[str, Any]) -> None:
            raise PluginUsageError("[config.strict] needs `mode`")

    with pytest.raises(PluginError, match=r"needs `mode`") as info:
        PluginHost({"strict": Strict()}).build_registry({})
    assert (info.value.plugin, info.value.hook) == ("strict", "kamcore_register_functions")


def _ok(*args: Any) -> Any:
    return None


_INVALID: list[tuple[str, object, str]] = [
    ("kamcore_register_facts", {"name": "revenue"}, "expects a kamcore.Fact, got dict"),
    ("kamcore_register_facts", Metric("m", _ok, ()), "expects a kamcore.Fact, got Metric"),
    ("kamcore_register_facts", Fact("Revenue"), "invalid fact name 'Revenue'"),
    ("kamcore_register_facts", Fact("retail.class"), "invalid fact name 'retail.class'"),
    ("kamcore_register_facts", Fact("x", "moneys"), "unknown type 'moneys'"),
    ("kamcore_register_metrics", Metric("1st", _ok, ()), "invalid metric name '1st'"),
    ("kamcore_register_metrics", Metric("m", 42, ()), '"m": fn is not callable'),  # type: ignore[arg-type]
    ("kamcore_register_metrics", Metric("m", _ok, "revenue_12m"), "inputs must be a tuple"),  # type: ignore[arg-type]
    ("kamcore_register_metrics", Metric("m", _ok, ("Bad Input",)), "invalid input name"),
    ("kamcore_register_functions", Function("a.b", _ok, (), "number"), "invalid function name"),
    ("kamcore_register_functions", Function("if", _ok, (), "number"), "invalid function name"),
    ("kamcore_register_functions", Function("f", None, (), "number"), "fn is not callable"),  # type: ignore[arg-type]
    ("kamcore_register_functions", Function("f", _ok, ("nmber",), "number"), "unknown type"),
    ("kamcore_register_functions", Function("f", _ok, (), "number", min_args=2), "min_args=2"),
    ("kamcore_register_classifiers", Classifier("c", _ok, ("number",), ()), "labels"),
    ("kamcore_register_classifiers", Classifier("c", _ok, ("number",), "AB"), "tuple or list"),  # type: ignore[arg-type]
    ("kamcore_register_classifiers", Classifier("c", _ok, (), ("A", "A")), "repeats a label"),
    ("kamcore_register_tactics", Tactic("t", "financial"), "dimension 'financial'"),
    ("kamcore_register_tactics", Tactic("bad id!", "benefit"), "invalid tactic id"),
    ("kamcore_register_tactics", Tactic("t", "benefit", due_in_days=-1), "negative"),
    ("kamcore_register_stage_models", StageModel("s", ("a",), "b"), "initial stage 'b'"),
    ("kamcore_register_stage_models", StageModel("s", ("a", "a"), "a"), "distinct names"),
    (
        "kamcore_register_stage_models",
        StageModel("s", ("a", "b"), "a", ({"id": "t", "from": ["a"], "to": "c", "when": "x"},)),
        "to 'c' is not one of its stages",
    ),
    (
        "kamcore_register_stage_models",
        StageModel("s", ("a", "b"), "a", ({"id": "t", "from": "a", "to": "b", "when": "x"},)),
        'from must be "*" or a list',
    ),
    (
        "kamcore_register_stage_models",
        StageModel("s", ("a",), "a", ({"id": "t", "from": "*", "to": "a", "when": True},)),
        "when must be an expression",
    ),
]


@pytest.mark.parametrize(("hook", "spec", "message"), _INVALID)
def test_an_invalid_spec_is_refused_naming_plugin_and_hook(
    hook: str, spec: object, message: str
) -> None:
    class Plugin:
        pass

    def impl(self: object, register: Callable[[object], None]) -> None:
        register(spec)

    setattr(Plugin, hook, hookimpl(impl))
    with pytest.raises(PluginError) as info:
        PluginHost({"sloppy": Plugin()}).build_registry({})
    assert (info.value.plugin, info.value.hook) == ("sloppy", hook)
    assert message in str(info.value)


def test_a_failing_build_returns_no_half_built_registry() -> None:
    host = PluginHost({"kitchen": KitchenSink(), "raiser": _Raising()})
    with pytest.raises(PluginError):
        host.build_registry({})
    # the host is still usable once the cause is gone: nothing was left behind
    host.pm.unregister(name="raiser")
    assert "kitchen_tasting" in host.build_registry({}).tactics


# -- switches ---------------------------------------------------------------------------------


def test_trace_hooks_prints_every_call_and_registration(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_TRACE, "1")
    PluginHost({"kitchen": KitchenSink()}).build_registry({})
    err = capsys.readouterr().err
    for hook in HOOK_NAMES:
        assert f"kamcore: calling {hook} on kitchen" in err
    assert "kitchen registered Fact 'kitchen.widgets' (kamcore_register_facts)" in err
    assert "kitchen registered dict 'dict' (kamcore_register_config_schema)" in err


def test_no_trace_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    PluginHost({"kitchen": KitchenSink()}).build_registry({})
    assert capsys.readouterr().err == ""


def test_blocking_a_builtin_turns_its_vocabulary_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BLOCK, "kamcore.default_plugins.tactics")
    host = PluginHost()
    assert "kamcore.default_plugins.tactics" not in host.builtin
    registry = host.build_registry({})
    assert registry.tactics == {}
    assert "growth" in registry.metrics


def test_blocking_a_plugin_passed_in_directly_refuses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_BLOCK, "kitchen")
    with pytest.raises(PluginError, match="blocked by KAMCORE_BLOCK_PLUGINS"):
        PluginHost({"kitchen": KitchenSink()})
