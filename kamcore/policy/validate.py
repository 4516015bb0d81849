"""Validating an effective policy against its JSON Schema and the plugins' fragments.

The shipped ``schemas/policy.schema.json`` serves two readers. Editors validate each file as it
is typed, so the schema only *requires* what every file must write. The merged document must
also carry what a file may inherit from its bases: those keys are listed under the custom
keyword ``x-effective-required`` and become ``required`` here. ``[config.<plugin>]`` is open in
the shipped schema (it cannot know the plugins) and closed here, to the active plugins, each
checked by the fragment it registered.

The composed schema, its validator and its fast check (:mod:`.quickcheck`) are kept per set of
active plugins: building an engine validates every time, and most engines of a process share
their plugins. A valid document is recognised by the fast check alone; ``jsonschema`` runs only
to explain a document that may have problems.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

from ..errors import Problem
from ..resources import read_schema
from .document import PolicyDocument
from .messages import explain
from .quickcheck import Check, compile_check
from .values import TomlDateTime, json_projection

__all__ = ["compose_schema", "validate_document"]

_DATE_FORMATS = frozenset({"date", "date-time", "time"})
_base_type = Draft202012Validator.VALIDATORS["type"]


def _type(
    validator: Any, types: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """``type``, except that a TOML date is a string only where the schema asks for a date.

    Dates reach validation as ISO strings (JSON has no dates); without this, ``version =
    2024-01-01`` would pass as the string ``"2024-01-01"``.
    """
    if isinstance(instance, TomlDateTime):
        names = [types] if isinstance(types, str) else list(types)
        if "string" in names and schema.get("format") in _DATE_FORMATS:
            return
        if "string" in names:
            yield ValidationError(f"{instance!r} is a {instance.kind}, not a string")
            return
    yield from _base_type(validator, types, instance, schema)


_Validator = validators.extend(Draft202012Validator, validators={"type": _type})


def _effective_required(node: Any) -> Any:
    """A copy of a schema with every ``x-effective-required`` folded into ``required``."""
    if isinstance(node, dict):
        out = {k: _effective_required(v) for k, v in node.items()}
        extra = out.pop("x-effective-required", None)
        if extra:
            required = list(out.get("required", []))
            out["required"] = required + [k for k in extra if k not in required]
        return out
    if isinstance(node, list):
        return [_effective_required(v) for v in node]
    return node


@cache
def _effective_base() -> dict[str, Any]:
    schema: dict[str, Any] = _effective_required(read_schema("policy"))
    return schema


def compose_schema(
    plugin_schemas: Mapping[str, Mapping[str, Any]], active_plugins: Iterable[str]
) -> dict[str, Any]:
    """The schema an effective policy must satisfy with these plugins active.

    Each active plugin's fragment becomes the schema of ``config.<plugin>``, embedded as its own
    resource (``$id``) so its internal ``$ref`` s keep working; any other ``[config.X]`` is an
    error. An active plugin without a fragment accepts any table.
    """
    schema = copy.deepcopy(_effective_base())
    config = schema["properties"]["config"]
    properties: dict[str, Any] = {}
    for name in active_plugins:
        fragment = plugin_schemas.get(name)
        if fragment is None:
            properties[name] = {
                "description": f"Configuration of plugin {name} (it registers no schema).",
                "type": "object",
            }
        else:
            embedded = copy.deepcopy(dict(fragment))
            embedded.setdefault("$id", f"urn:kamcore:plugin-config:{name}")
            properties[name] = embedded
    config["properties"] = properties
    config["additionalProperties"] = False
    config.pop("propertyNames", None)
    return schema


#: Where a ``[[lifecycle.transitions]]`` item's schema is, in the shipped schema.
_TRANSITION_ITEM = ("$defs", "lifecycle", "properties", "transitions", "items")


def _selects_stage_model(data: Mapping[str, Any]) -> bool:
    lifecycle = data.get("lifecycle")
    return isinstance(lifecycle, Mapping) and lifecycle.get("model") is not None


def _model_transitions_may_be_partial(schema: dict[str, Any]) -> None:
    """Require of a transition only what a file must write (its ``id``), in place.

    With ``[lifecycle] model``, an item may change one key of a model's transition or drop it
    (``docs/policy.md``); the model is a registry entry the schema cannot see, so ``from``,
    ``to`` and ``when`` are checked by the lifecycle compiler, which knows the model's ids.
    """
    effective: Any = schema
    per_file: Any = read_schema("policy")
    for key in _TRANSITION_ITEM:
        effective, per_file = effective[key], per_file[key]
    effective["required"] = list(per_file.get("required", []))


#: Validators (and fast checks) by what their schema was composed from; see :func:`_checkers`.
_CHECKERS: dict[str, tuple[Any, Check]] = {}
_CHECKERS_KEPT = 32


def _build_checkers(
    plugin_schemas: Mapping[str, Mapping[str, Any]], active: list[str], stage_model: bool
) -> tuple[Any, Check]:
    schema = compose_schema(plugin_schemas, active)
    if stage_model:
        _model_transitions_may_be_partial(schema)
    validator = _Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator, compile_check(schema)


def _checkers(
    plugin_schemas: Mapping[str, Mapping[str, Any]], active: list[str], stage_model: bool
) -> tuple[Any, Check]:
    """The validator and the fast check of the schema for these plugins, built once.

    The key is the JSON text of everything the composed schema is made of (the active plugins'
    fragments, not just their names: a fragment may differ between two engines). A fragment
    that is not JSON cannot be keyed, so its schema is built afresh every time, as before.
    """
    try:
        fragments = {name: plugin_schemas.get(name) for name in active}
        key = json.dumps([active, fragments, stage_model], sort_keys=True)
    except (TypeError, ValueError):
        return _build_checkers(plugin_schemas, active, stage_model)
    found = _CHECKERS.get(key)
    if found is None:
        if len(_CHECKERS) >= _CHECKERS_KEPT:
            _CHECKERS.clear()
        found = _CHECKERS[key] = _build_checkers(plugin_schemas, active, stage_model)
    return found


def _surely_valid(check: Check, instance: Any) -> bool:
    try:
        return check(instance)
    except Exception:  # an odd plugin fragment the fast check misreads: ask jsonschema
        return False


def validate_document(
    doc: PolicyDocument,
    plugin_schemas: Mapping[str, Mapping[str, Any]],
    active_plugins: Iterable[str] | None = None,
) -> list[Problem]:
    """Every schema problem of ``doc``, located and in plain language, sorted by line.

    :param plugin_schemas: plugin name -> the config schema fragment it registered.
    :param active_plugins: the plugins active for this policy (default: those with a fragment).
    :returns: the problems; empty when the document is valid.
    """
    active = list(plugin_schemas if active_plugins is None else active_plugins)
    validator, check = _checkers(plugin_schemas, active, _selects_stage_model(doc.data))
    instance = json_projection(doc.data)
    if _surely_valid(check, instance):
        return []
    return explain(validator.iter_errors(instance), doc, active)
