"""Schema validation: every pinned message, word for word, at its line and key path."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from kamcore import Engine
from kamcore.errors import PolicyError
from kamcore.policy import compose_schema, load_policy, load_policy_text, validate_document
from kamcore.resources import policies_root, read_schema

DATA = Path(__file__).parent / "data"
HEADER = '[policy]\nid = "p"\nversion = "1"\n'

ICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "na_meaning": {"description": "How N/A cells read.", "$ref": "#/$defs/meaning"},
        "threshold": {"description": "A limit.", "type": "integer", "minimum": 0},
    },
    "$defs": {"meaning": {"enum": ["named", "missing"]}},
}


def check(
    text: str,
    plugin_schemas: Mapping[str, Mapping[str, Any]] | None = None,
    active: list[str] | None = None,
) -> list[tuple[str, int | None, str]]:
    doc = load_policy_text(text, name="p.toml")
    problems = validate_document(doc, plugin_schemas or {}, active or [])
    for problem in problems:
        assert problem.location.file == "p.toml"
    return [(p.message, p.location.line, p.location.key_path) for p in problems]


PINNED = [
    (
        HEADER + '[metrics.growth]\nexpresion = "revenue_12m"\n',
        [
            ("missing required key `expr` in [metrics.growth]", 4, "metrics.growth"),
            (
                "unknown key `expresion` in [metrics.growth]; did you mean `expr`?",
                5,
                "metrics.growth.expresion",
            ),
        ],
    ),
    (
        HEADER + 'colour = "red"\n',
        [
            (
                "unknown key `colour` in [policy]; allowed keys: id, version, description, "
                "labels, currency, extends, plugins",
                4,
                "policy.colour",
            )
        ],
    ),
    (
        HEADER + '[[alert]]\nid = "a"\n',
        [("unknown key `alert` at the top level; did you mean `alerts`?", 4, "alert")],
    ),
    (
        '[policy]\nid = "p"\n',
        [("missing required key `version` in [policy]", 1, "policy")],
    ),
    (
        HEADER + '[[alerts]]\nid = "order-lapse"\nseverity = "info"\n',
        [("missing required key `when` in [alerts[order-lapse]]", 4, "alerts[order-lapse]")],
    ),
    (
        HEADER + '[tables.tier]\nhit = "FRIST"\ninputs = ["x"]\noutputs = ["tier"]\n',
        [
            (
                "`hit` must be one of UNIQUE, ANY, FIRST, PRIORITY, RULE ORDER, OUTPUT ORDER, "
                "COLLECT; got `FRIST` (did you mean `FIRST`?)",
                5,
                "tables.tier.hit",
            )
        ],
    ),
    (
        HEADER + '[[alerts]]\nid = "a"\nwhen = "x"\nseverity = "urgent"\n',
        [
            (
                "`severity` must be one of info, warning, critical; got `urgent`",
                7,
                "alerts[a].severity",
            )
        ],
    ),
    (
        HEADER + '[scorecards.value]\ndirection = "higher_is_healthier"\n'
        '[[scorecards.value.measures]]\nid = "revenue"\nmetric = "revenue_12m"\nweight = "40"\n',
        [
            (
                '`weight` must be a number, got the string "40"',
                9,
                "scorecards.value.measures[revenue].weight",
            )
        ],
    ),
    (
        HEADER + '[inputs.revenue_12m]\nrequired = "yes"\n',
        [
            (
                '`required` must be true or false, got the string "yes"',
                5,
                "inputs.revenue_12m.required",
            )
        ],
    ),
    (
        '[policy]\nid = "p"\nversion = 2024-01-01\n',
        [("`version` must be a string, got the date 2024-01-01", 3, "policy.version")],
    ),
    (
        HEADER + '[[alerts]]\nid = "Order Lapse"\nwhen = "x"\n',
        [
            (
                "`id` must be an id such as `order-lapse` (letters, digits, _ - . :, no spaces), "
                'got the string "Order Lapse"',
                5,
                "alerts[Order Lapse].id",
            )
        ],
    ),
    (
        HEADER + '[[risk.bands]]\nlabel = "low"\nrange = "0-40"\n',
        [
            (
                '`range` must be an interval such as "[0..40)", got the string "0-40"',
                6,
                "risk.bands[0].range",
            )
        ],
    ),
    (
        HEADER + '[scorecards.value]\ndirection = "higher_is_riskier"\nscale = 0\nneutral = 1.5\n'
        '[[scorecards.value.measures]]\nid = "m"\nmetric = "x"\nweight = -5\n',
        [
            ("`scale` must be greater than 0, got 0", 6, "scorecards.value.scale"),
            ("`neutral` must be at most 1, got 1.5", 7, "scorecards.value.neutral"),
            ("`weight` must be at least 0, got -5", 11, "scorecards.value.measures[m].weight"),
        ],
    ),
    (
        '[policy]\nid = "p"\nversion = ""\n',
        [("`version` must not be empty", 3, "policy.version")],
    ),
    (
        HEADER + "[risk]\nbands = []\n",
        [("`bands` must not be empty", 5, "risk.bands")],
    ),
    (
        HEADER + '[tier]\nvalues = ["KA", "NA", "KA"]\nexpr = "\'KA\'"\n',
        [("`values` lists `KA` more than once", 5, "tier.values")],
    ),
    (
        HEADER + '[[tests]]\nid = "t"\nas_of = "2024-13-01"\naccount = {}\nexpect = {}\n',
        [('`as_of` must be a date (YYYY-MM-DD), got the string "2024-13-01"', 6, "tests[t].as_of")],
    ),
    (
        HEADER + "[metrics]\ngrowth = 3\n",
        [("`growth` must be a string or a table, got the integer 3", 5, "metrics.growth")],
    ),
    (
        HEADER + '[inputs."revenue 12m"]\ntype = "money"\n',
        [
            (
                "`revenue 12m` is not a valid key in [inputs]: expected a name such as "
                "`revenue_12m` (letters, digits and _, not starting with a digit)",
                4,
                'inputs."revenue 12m"',
            )
        ],
    ),
    (
        HEADER + '[scorecards.value]\ndirection = "higher_is_healthier"\n'
        '[[scorecards.value.measures]]\nid = "r"\nmetric = "x"\nweight = 1\n'
        'normalise = { method = "linear", min = 0, bands = [] }\n',
        [
            (
                "missing required key `max` in [scorecards.value.measures[r].normalise]",
                10,
                "scorecards.value.measures[r].normalise",
            ),
            (
                "`bands` must not be empty",
                10,
                "scorecards.value.measures[r].normalise.bands",
            ),
            (
                "unknown key `bands` in [scorecards.value.measures[r].normalise] with "
                'method = "linear"; allowed keys: method, min, max',
                10,
                "scorecards.value.measures[r].normalise.bands",
            ),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), PINNED)
def test_pinned_messages(text: str, expected: list[tuple[str, int, str]]) -> None:
    assert check(text) == expected


def test_config_of_an_inactive_plugin_names_the_active_ones() -> None:
    text = HEADER + '\n[config.kamcore_ict]\nna_meaning = "named"\n'
    assert check(text, {"kamcore_ict": ICT_SCHEMA}, ["kamcore_retail", "kamcore_ictx"]) == [
        (
            "[config.kamcore_ict] configures plugin `kamcore_ict`, which is not active; "
            "active plugins: kamcore_retail, kamcore_ictx; did you mean `kamcore_ictx`?",
            5,
            "config.kamcore_ict",
        )
    ]
    assert check(text) == [
        (
            "[config.kamcore_ict] configures plugin `kamcore_ict`, which is not active; "
            "no plugins are active",
            5,
            "config.kamcore_ict",
        )
    ]


def test_plugin_config_is_checked_by_its_fragment() -> None:
    text = (
        HEADER + 'plugins = ["kamcore_ict"]\n\n[config.kamcore_ict]\nthreshold = -1\n'
        'na_meanin = "named"\n'
    )
    assert check(text, {"kamcore_ict": ICT_SCHEMA}, ["kamcore_ict"]) == [
        ("`threshold` must be at least 0, got -1", 7, "config.kamcore_ict.threshold"),
        (
            "unknown key `na_meanin` in [config.kamcore_ict]; did you mean `na_meaning`?",
            8,
            "config.kamcore_ict.na_meanin",
        ),
    ]


def test_plugin_fragments_keep_their_internal_refs() -> None:
    text = HEADER + '\n[config.kamcore_ict]\nna_meaning = "nammed"\n'
    assert check(text, {"kamcore_ict": ICT_SCHEMA}, ["kamcore_ict"]) == [
        (
            "`na_meaning` must be one of named, missing; got `nammed` (did you mean `named`?)",
            6,
            "config.kamcore_ict.na_meaning",
        )
    ]


def test_an_active_plugin_without_a_fragment_accepts_any_table() -> None:
    assert check(HEADER + "[config.free]\nanything = [1, 2]\n", {}, ["free"]) == []


def test_active_plugins_default_to_those_with_a_fragment() -> None:
    doc = load_policy_text(HEADER + "[config.kamcore_ict]\nthreshold = 2\n")
    assert validate_document(doc, {"kamcore_ict": ICT_SCHEMA}) == []


def test_problems_are_all_reported_sorted_by_line() -> None:
    text = (
        '[policy]\nid = "p"\n\n[[alerts]]\nid = "a"\nwhen = "x"\nsevrity = "info"\n'
        '\n[tables.t]\nhit = "first"\ninputs = []\noutputs = ["o"]\n'
    )
    lines = [line for _message, line, _path in check(text)]
    assert lines == [1, 7, 10]


def test_dates_validate_where_dates_belong() -> None:
    text = (
        HEADER
        + '[[tests]]\nid = "t"\nas_of = 2024-06-30\naccount = { since = 2020-01-01 }\nexpect = {}\n'
    )
    assert check(text) == []


def test_keys_inherited_from_a_base_satisfy_effective_requirements(tmp_path: Path) -> None:
    """A leaf may override one key of an item; the merged item is what must be complete."""
    (tmp_path / "base.toml").write_text(
        HEADER
        + '[[alerts]]\nid = "a"\nwhen = "x > 1"\n[scorecards.s]\ndirection = "higher_is_riskier"\n'
    )
    leaf = (
        '[policy]\nid = "leaf"\nextends = ["base.toml"]\n[[alerts]]\nid = "a"\npoints = 5\n'
        "[scorecards.s]\nscale = 10\n"
    )
    doc = load_policy_text(leaf, base_dir=tmp_path)
    assert validate_document(doc, {}, []) == []


def test_validation_does_not_change_the_document() -> None:
    doc = load_policy(DATA / "tricky.toml")
    before = doc.content_hash
    validate_document(doc, {}, [])
    assert doc.content_hash == before


# --- shipped files ----------------------------------------------------------------------------


def test_the_generic_base_validates() -> None:
    doc = load_policy(str(policies_root().joinpath("base", "generic.toml")))
    assert doc.data["policy"]["id"] == "kamcore-generic-base"
    assert set(doc.data["policy"]["labels"]) >= {"en", "zh"}
    assert validate_document(doc, {}, []) == []


@pytest.mark.parametrize("name", ["tricky.toml", "layers/leaf.toml"])
def test_fixtures_validate(name: str) -> None:
    fragment = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"threshold": {"type": "integer"}, "nested": {"type": "object"}},
    }
    doc = load_policy(DATA / name)
    assert validate_document(doc, {"alpha": fragment}, ["alpha", "beta", "gamma"]) == []


def test_the_schema_is_valid_and_composes() -> None:
    Draft202012Validator.check_schema(read_schema("policy"))
    Draft202012Validator.check_schema(compose_schema({"kamcore_ict": ICT_SCHEMA}, ["kamcore_ict"]))


def _defs(schema: Mapping[str, Any], ref: str) -> Mapping[str, Any]:
    target: Any = schema
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    result: Mapping[str, Any] = target
    return result


def _walk(node: Any) -> list[Mapping[str, Any]]:
    """Every schema object, except the conditions of ``if`` (they describe nothing)."""
    found: list[Mapping[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for key, value in node.items():
            if key != "if":
                found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


def test_every_property_is_described_and_every_object_is_closed() -> None:
    schema = read_schema("policy")
    undocumented = []
    open_objects = []
    for node in _walk(schema):
        for name, prop in node.get("properties", {}).items():
            if not isinstance(prop, dict) or "description" in prop:
                continue
            if "$ref" in prop and "description" in _defs(schema, prop["$ref"]):
                continue
            undocumented.append(name)
        if (
            node.get("type") == "object"
            and "properties" in node
            and node.get("additionalProperties") is not False
        ):
            open_objects.append(sorted(node["properties"]))
    assert undocumented == []
    assert open_objects == []


# --- stage-model transitions ------------------------------------------------------------------

MODEL_POLICY = (
    HEADER
    + '[lifecycle]\nmodel = "b2b_relationship"\n'
    + '[[lifecycle.transitions]]\nid = "slip"\ndrop = true\n'
    + '[[lifecycle.transitions]]\nid = "recover"\nwhen = "coalesce(growth, 0) >= 0.05"\n'
)


def test_with_a_stage_model_transitions_may_change_one_key_or_drop() -> None:
    # before: "missing required key `from`" / "`to`" for `recover`
    assert check(MODEL_POLICY) == []


def test_without_a_stage_model_transitions_must_be_complete() -> None:
    text = (
        HEADER + '[lifecycle]\nstages = ["a", "b"]\ninitial = "a"\n'
        '[[lifecycle.transitions]]\nid = "go"\nwhen = "True"\n'
    )
    assert [m for m, _, _ in check(text)] == [
        "missing required key `from` in [lifecycle.transitions[go]]",
        "missing required key `to` in [lifecycle.transitions[go]]",
    ]


def test_the_relaxed_schema_is_only_for_that_document() -> None:
    validate_document(load_policy_text(MODEL_POLICY), {}, [])
    base = compose_schema({}, [])
    item = base["$defs"]["lifecycle"]["properties"]["transitions"]["items"]
    assert set(item["required"]) == {"id", "from", "to", "when"}


def test_stage_model_overrides_compile_into_the_engine() -> None:
    engine = Engine.from_text(MODEL_POLICY)
    lifecycle = engine.policy.lifecycle
    assert lifecycle is not None
    ids = {t.id for ts in lifecycle.outgoing.values() for t in ts}
    assert "slip" not in ids
    (recover,) = lifecycle.outgoing["at_risk"][1:]
    assert (recover.id, recover.to, recover.when.source) == (
        "recover",
        "growing",
        "coalesce(growth, 0) >= 0.05",
    )
    with pytest.raises(PolicyError) as info:
        Engine.from_text(MODEL_POLICY.replace('id = "slip"', 'id = "slipp"'), name="p.toml")
    (problem,) = info.value.problems
    assert problem.message == (
        "cannot drop transition `slipp`: stage model `b2b_relationship` has no transition "
        "`slipp`; did you mean `slip`?"
    )
    assert (problem.location.file, problem.location.line) == ("p.toml", 6)
