"""A fast yes/no answer to "does this document satisfy the policy schema?".

``jsonschema`` explains every error precisely, which is what a policy author needs when there
are errors. It pays for that on valid documents too: each keyword of each value goes through
``descend``, ``evolve`` and a ``$ref`` lookup, about 10 µs a step, so checking a valid policy of
500 rules took as long as compiling it. Nearly every policy that reaches validation is valid.

This module compiles a schema once into plain closures that only answer valid / not valid, and
:func:`kamcore.policy.validate.validate_document` asks ``jsonschema`` for the errors only when
the answer is "not valid". The answer must never be "valid" for a document ``jsonschema``
would reject, so the closures implement exactly the keywords the kamcore schemas use, with
``jsonschema``'s own type checker and format checker, and anything else (an unknown keyword, a
``$ref`` outside the document, a non-string ``enum``) answers "not valid": the slow, exact path
then decides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator

from .values import TomlDateTime

__all__ = ["Check", "compile_check"]

#: ``check(instance)``: ``True`` only if the schema certainly accepts ``instance``.
Check = Callable[[Any], bool]
Schema = Mapping[str, Any]

_TYPES = Draft202012Validator.TYPE_CHECKER
_FORMATS = Draft202012Validator.FORMAT_CHECKER
_TYPE_NAMES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
_DATE_FORMATS = frozenset({"date", "date-time", "time"})
#: Keywords that never make a value invalid (annotations, and places other keywords point to).
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "then",  # read by `if`
        "else",  # read by `if`
    }
)


def _never(instance: Any) -> bool:
    return False


def _always(instance: Any) -> bool:
    return True


#: jsonschema's answer to "is a value of this Python type of this JSON type?", by (Python type,
#: JSON type name). It depends on the Python type alone, except for "integer", which a float
#: is when it has no fractional part: that one is asked every time.
_TYPE_ANSWERS: dict[tuple[type, str], bool] = {}


def _is(instance: Any, name: str) -> bool:
    kind = type(instance)
    if kind is float and name == "integer":
        return bool(_TYPES.is_type(instance, name))
    found = _TYPE_ANSWERS.get((kind, name))
    if found is None:
        found = _TYPE_ANSWERS[kind, name] = bool(_TYPES.is_type(instance, name))
    return found


class _Compiler:
    """Compiles the subschemas of one root document; ``$ref`` s resolve inside it."""

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.dialect = root.get("$schema")
        self.memo: dict[int, Check] = {}
        #: keyword -> the method building its check
        self.builders: dict[str, Callable[[Any, Schema, Any], Check]] = {
            "$ref": self._ref,
            "type": self._type,
            "enum": self._enum,
            "const": self._const,
            "format": self._format,
            "pattern": self._pattern,
            "minLength": self._min_length,
            "maxLength": self._max_length,
            "minimum": self._minimum,
            "maximum": self._maximum,
            "exclusiveMinimum": self._exclusive_minimum,
            "exclusiveMaximum": self._exclusive_maximum,
            "items": self._items,
            "minItems": self._min_items,
            "maxItems": self._max_items,
            "uniqueItems": self._unique_items,
            "required": self._required,
            "properties": self._properties,
            "patternProperties": self._pattern_properties,
            "additionalProperties": self._additional_properties,
            "propertyNames": self._property_names,
            "allOf": self._all_of,
            "anyOf": self._any_of,
            "oneOf": self._one_of,
            "not": self._not,
            "if": self._if,
        }

    def compile(self, schema: Any, resource: Any) -> Check:
        """The check of ``schema``; ``resource`` is the schema its ``#/...`` refs point into."""
        if schema is True:
            return _always
        if not isinstance(schema, Mapping):
            return _never  # `false`, or not a schema at all
        key = id(schema)
        found = self.memo.get(key)
        if found is not None:
            return found
        # A placeholder first, so a schema that refers to itself compiles (and recurses).
        target: list[Check] = [_never]
        self.memo[key] = lambda instance: target[0](instance)
        if schema.get("$schema", self.dialect) != self.dialect:
            return _never  # an embedded resource in another dialect: jsonschema knows its rules
        if "$id" in schema:
            resource = schema
        checks = [self.keyword(name, value, schema, resource) for name, value in schema.items()]
        checks = [c for c in checks if c is not _always]
        target[0] = _all(checks)
        self.memo[key] = target[0]
        return target[0]

    def keyword(self, name: str, value: Any, schema: Schema, resource: Any) -> Check:
        """The check of one keyword (``_always`` for annotations, ``_never`` if unknown)."""
        if name in _ANNOTATIONS or name.startswith("x-"):
            return _always
        builder = self.builders.get(name)
        return _never if builder is None else builder(value, schema, resource)

    # -- references ---------------------------------------------------------------------------

    def _ref(self, ref: Any, schema: Schema, resource: Any) -> Check:
        target = _resolve(ref, resource)
        return _never if target is None else self.compile(target, resource)

    # -- types and values ---------------------------------------------------------------------

    def _type(self, types: Any, schema: Schema, resource: Any) -> Check:
        names = [types] if isinstance(types, str) else list(types)
        if not names or any(n not in _TYPE_NAMES for n in names):
            return _never
        date_ok = "string" in names and schema.get("format") in _DATE_FORMATS

        def check(instance: Any) -> bool:
            # A TOML date is a string only where the schema asks for a date (validate._type).
            if isinstance(instance, TomlDateTime) and "string" in names:
                return date_ok
            return any(_is(instance, n) for n in names)

        return check

    def _enum(self, values: Any, schema: Schema, resource: Any) -> Check:
        if not isinstance(values, list) or not all(type(v) is str for v in values):
            return _never
        allowed = tuple(values)
        # jsonschema compares a string with == and never finds a non-string equal to one.
        return lambda instance: isinstance(instance, str) and instance in allowed

    def _const(self, value: Any, schema: Schema, resource: Any) -> Check:
        if type(value) is not str:
            return _never
        return lambda instance: isinstance(instance, str) and instance == value

    def _format(self, name: Any, schema: Schema, resource: Any) -> Check:
        return lambda instance: bool(_FORMATS.conforms(instance, name))

    def _pattern(self, pattern: Any, schema: Schema, resource: Any) -> Check:
        regex = re.compile(pattern)
        return lambda instance: not _is(instance, "string") or regex.search(instance) is not None

    def _min_length(self, limit: Any, schema: Schema, resource: Any) -> Check:
        return lambda instance: not _is(instance, "string") or len(instance) >= limit

    def _max_length(self, limit: Any, schema: Schema, resource: Any) -> Check:
        return lambda instance: not _is(instance, "string") or len(instance) <= limit

    def _minimum(self, limit: Any, schema: Schema, resource: Any) -> Check:
        # The comparisons jsonschema makes, negated (so that NaN passes as it does there).
        return lambda instance: not _is(instance, "number") or not instance < limit

    def _maximum(self, limit: Any, schema: Schema, resource: Any) -> Check:
        return lambda instance: not _is(instance, "number") or not instance > limit

    def _exclusive_minimum(self, limit: Any, schema: Schema, resource: Any) -> Check:
        return lambda instance: not _is(instance, "number") or not instance <= limit

    def _exclusive_maximum(self, limit: Any, schema: Schema, resource: Any) -> Check:
        return lambda instance: not _is(instance, "number") or not instance >= limit

    # -- arrays -------------------------------------------------------------------------------

    def _items(self, items: Any, schema: Schema, resource: Any) -> Check:
        if "prefixItems" in schema:
            return _never
        each = self.compile(items, resource)
        return lambda instance: not _is(instance, "array") or all(each(i) for i in instance)

    def _min_items(self, limit: Any, schema: Schema, resource: Any) -> Check:
        return lambda instance: not _is(instance, "array") or len(instance) >= limit

    def _max_items(self, limit: Any, schema: Schema, resource: Any) -> Check:
        return lambda instance: not _is(instance, "array") or len(instance) <= limit

    def _unique_items(self, unique: Any, schema: Schema, resource: Any) -> Check:
        if not unique:
            return _always

        def check(instance: Any) -> bool:
            if not _is(instance, "array"):
                return True
            # Strings are equal exactly when == says so; other items: let jsonschema decide.
            if not all(isinstance(i, str) for i in instance):
                return False
            return len({str(i) for i in instance}) == len(instance)

        return check

    # -- objects ------------------------------------------------------------------------------

    def _required(self, names: Any, schema: Schema, resource: Any) -> Check:
        wanted = tuple(names)
        return lambda instance: not _is(instance, "object") or all(n in instance for n in wanted)

    def _properties(self, properties: Any, schema: Schema, resource: Any) -> Check:
        checks = {name: self.compile(sub, resource) for name, sub in properties.items()}

        def check(instance: Any) -> bool:
            if not _is(instance, "object"):
                return True
            return all(checks[k](v) for k, v in instance.items() if k in checks)

        return check

    def _pattern_properties(self, patterns: Any, schema: Schema, resource: Any) -> Check:
        checks = [(re.compile(p), self.compile(sub, resource)) for p, sub in patterns.items()]

        def check(instance: Any) -> bool:
            if not _is(instance, "object"):
                return True
            return all(c(v) for k, v in instance.items() for r, c in checks if r.search(k))

        return check

    def _additional_properties(self, extra: Any, schema: Schema, resource: Any) -> Check:
        known = frozenset(schema.get("properties", {}))
        joined = "|".join(schema.get("patternProperties", {}))
        patterns = re.compile(joined) if joined else None
        each = self.compile(extra, resource)

        def check(instance: Any) -> bool:
            if not _is(instance, "object"):
                return True
            for key, value in instance.items():
                if key in known or (patterns is not None and patterns.search(key)):
                    continue
                if not each(value):
                    return False
            return True

        return check

    def _property_names(self, names: Any, schema: Schema, resource: Any) -> Check:
        each = self.compile(names, resource)
        return lambda instance: not _is(instance, "object") or all(each(k) for k in instance)

    # -- combinations -------------------------------------------------------------------------

    def _all_of(self, schemas: Any, schema: Schema, resource: Any) -> Check:
        return _all([self.compile(s, resource) for s in schemas])

    def _any_of(self, schemas: Any, schema: Schema, resource: Any) -> Check:
        checks = [self.compile(s, resource) for s in schemas]
        return lambda instance: any(c(instance) for c in checks)

    def _one_of(self, schemas: Any, schema: Schema, resource: Any) -> Check:
        # "Exactly one" needs every branch answered exactly (an unsure "no" may be a "yes").
        if not all(_exact(s, resource, set()) for s in schemas):
            return _never
        checks = [self.compile(s, resource) for s in schemas]
        return lambda instance: sum(1 for c in checks if c(instance)) == 1

    def _not(self, negated: Any, schema: Schema, resource: Any) -> Check:
        if not _exact(negated, resource, set()):
            return _never
        check = self.compile(negated, resource)
        return lambda instance: not check(instance)

    def _if(self, condition: Any, schema: Schema, resource: Any) -> Check:
        # Everywhere else "not valid" may mean "not sure", which only costs time; here it
        # would pick the wrong branch, so the condition must be one answered exactly.
        if not _exact(condition, resource, set()):
            return _never
        test = self.compile(condition, resource)
        then = self.compile(schema.get("then", True), resource)
        otherwise = self.compile(schema.get("else", True), resource)
        return lambda instance: then(instance) if test(instance) else otherwise(instance)


def _resolve(ref: Any, resource: Any) -> Any:
    """The subschema a ``#/...`` ref names inside ``resource``; ``None`` for any other ref,
    a missing target, or one inside another resource (an embedded ``$id``)."""
    if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
        return None
    target: Any = resource
    for part in ref[2:].split("/") if ref != "#" else ():
        part = unquote(part).replace("~1", "/").replace("~0", "~")
        if isinstance(target, Mapping) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return None
        if isinstance(target, Mapping) and "$id" in target:
            return None  # refs inside resolve against that resource: leave it to jsonschema
    return target


#: Keywords answered exactly whatever their (well-formed) value.
_EXACT_KEYWORDS = frozenset(
    {
        "format", "pattern", "minLength", "maxLength", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "required",
    }
)  # fmt: skip
#: Keywords holding one subschema, a list of them, or a table of them.
_ONE_SCHEMA = frozenset(
    {"items", "additionalProperties", "propertyNames", "if", "then", "else", "not"}
)
_SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf"})
_SCHEMA_TABLES = frozenset({"properties", "patternProperties"})


def _exact(schema: Any, resource: Any, seen: set[int]) -> bool:
    """Whether the check of ``schema`` answers exactly: "not valid" never means "not sure"."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, Mapping) or "$id" in schema or "$schema" in schema:
        return False
    if id(schema) in seen:
        return True
    seen.add(id(schema))
    for name, value in schema.items():
        if name in _ANNOTATIONS - {"then", "else"} or name.startswith("x-"):
            continue
        if name in _EXACT_KEYWORDS:
            continue
        if name == "type":
            names = [value] if isinstance(value, str) else list(value)
            ok = bool(names) and all(n in _TYPE_NAMES for n in names)
        elif name == "enum":
            ok = isinstance(value, list) and all(type(v) is str for v in value)
        elif name == "const":
            ok = type(value) is str
        elif name == "uniqueItems":
            ok = not value
        elif name == "$ref":
            target = _resolve(value, resource)
            ok = target is not None and _exact(target, resource, seen)
        elif name in _ONE_SCHEMA:
            ok = (name != "items" or "prefixItems" not in schema) and _exact(value, resource, seen)
        elif name in _SCHEMA_LISTS:
            ok = all(_exact(v, resource, seen) for v in value)
        elif name in _SCHEMA_TABLES:
            ok = all(_exact(v, resource, seen) for v in value.values())
        else:
            ok = False
        if not ok:
            return False
    return True


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    return lambda instance: all(c(instance) for c in checks)


def compile_check(schema: Mapping[str, Any]) -> Check:
    """``check(instance)``: ``True`` only when ``schema`` (Draft 2020-12, with kamcore's date
    rule for ``type``) certainly accepts ``instance``; ``False`` means "ask jsonschema"."""
    return _Compiler(schema).compile(schema, schema)
