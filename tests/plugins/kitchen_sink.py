"""A test plugin implementing every kamcore hook, each registration shaped by its config.

Modelled on datasette's ``tests/plugins/my_plugin.py``: one place that exercises the whole
plugin contract, so a new hook without a kitchen-sink implementation is noticed by the tests
(see ``test_hook_docs.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kamcore.hookspecs import hookimpl
from kamcore.registry import Classifier, Fact, Function, Metric, StageModel, Tactic

#: For each hook: the Registry attribute it fills and the key the kitchen sink registers there.
REGISTERS: dict[str, tuple[str, str]] = {
    "kamcore_register_config_schema": ("config_schemas", "kitchen"),
    "kamcore_register_facts": ("facts", "kitchen.widgets"),
    "kamcore_register_metrics": ("metrics", "kitchen_widget_surplus"),
    "kamcore_register_functions": ("functions", "kitchen_double"),
    "kamcore_register_classifiers": ("classifiers", "kitchen_size"),
    "kamcore_register_tactics": ("tactics", "kitchen_tasting"),
    "kamcore_register_stage_models": ("stage_models", "kitchen_flow"),
}

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "greeting": {"type": "string"},
        "threshold": {"type": "integer"},
    },
    "additionalProperties": False,
}


def _size_labels(column: Sequence[float | None]) -> list[str | None]:
    return [None if v is None else ("large" if v >= 100 else "small") for v in column]


class KitchenSink:
    """Registers one capability per hook."""

    @hookimpl
    def kamcore_register_config_schema(self, register: Callable[[Mapping[str, Any]], None]) -> None:
        register(CONFIG_SCHEMA)

    @hookimpl
    def kamcore_register_facts(
        self, register: Callable[[Fact], None], config: Mapping[str, Any]
    ) -> None:
        greeting = config.get("greeting", "hello")
        register(
            Fact(
                "kitchen.widgets",
                "integer",
                doc=f"Widgets on hand ({greeting}).",
                label={"en": "Widgets", "zh": "小部件"},
            )
        )

    @hookimpl
    def kamcore_register_metrics(
        self, register: Callable[[Metric], None], config: Mapping[str, Any]
    ) -> None:
        threshold = int(config.get("threshold", 10))
        register(
            Metric(
                "kitchen_widget_surplus",
                lambda widgets: widgets - threshold,
                ("kitchen.widgets",),
                "integer",
                doc=f"Widgets above {threshold}.",
            )
        )

    @hookimpl
    def kamcore_register_functions(self, register: Callable[[Function], None]) -> None:
        register(Function("kitchen_double", lambda x: 2 * x, ("number",), "number"))

    @hookimpl
    def kamcore_register_classifiers(self, register: Callable[[Classifier], None]) -> None:
        register(
            Classifier(
                "kitchen_size", _size_labels, ("number",), ("small", "large"), portfolio=True
            )
        )

    @hookimpl
    def kamcore_register_tactics(self, register: Callable[[Tactic], None]) -> None:
        register(
            Tactic(
                "kitchen_tasting",
                "emotional",
                label={"en": "Tasting", "zh": "品鉴会"},
                owner_role="chef",
                due_in_days=5,
            )
        )

    @hookimpl
    def kamcore_register_stage_models(self, register: Callable[[StageModel], None]) -> None:
        register(
            StageModel(
                "kitchen_flow",
                ("raw", "cooked"),
                "raw",
                ({"id": "cook", "from": ["raw"], "to": "cooked", "when": "kitchen.widgets > 0"},),
            )
        )
