"""Layering with ``extends``: every merge rule of docs/policy.md, and provenance."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamcore.errors import PolicyError
from kamcore.policy import PolicyDocument, load_policy, load_policy_text

DATA = Path(__file__).parent / "data"
LAYERS = DATA / "layers"


@pytest.fixture(scope="module")
def doc() -> PolicyDocument:
    return load_policy(LAYERS / "leaf.toml")


def where(doc: PolicyDocument, key_path: str) -> tuple[str, int | None]:
    loc = doc.locate(key_path)
    return Path(loc.file or "").name, loc.line


def test_layers_are_listed_base_first(doc: PolicyDocument) -> None:
    assert [Path(p).name for p in doc.layers] == ["base.toml", "leaf.toml"]
    assert doc.path == str(LAYERS / "leaf.toml")


def test_scalars_are_replaced_and_inherited(doc: PolicyDocument) -> None:
    assert doc.data["policy"]["version"] == "2.0.0"
    assert doc.data["policy"]["description"] == "the base"
    assert doc.data["metrics"] == {
        "growth": "revenue_12m - revenue_prev_12m",
        "margin": "gross_margin * 100",
        "recency": "days_since_last_order",
    }


def test_tables_are_deep_merged(doc: PolicyDocument) -> None:
    assert doc.data["inputs"]["revenue_12m"] == {
        "type": "money",
        "required": True,
        "column": "营业收入",
    }
    assert doc.data["config"]["alpha"] == {"threshold": 3, "nested": {"a": 1, "b": 20, "c": 30}}
    assert doc.data["policy"]["labels"] == {"en": "Base", "zh": "基础"}


def test_id_items_merge_in_place_append_and_drop(doc: PolicyDocument) -> None:
    alerts = doc.data["alerts"]
    assert [a["id"] for a in alerts] == ["order-lapse", "backlog", "decline"]
    assert alerts[0] == {
        "id": "order-lapse",
        "when": "days_since_last_order > 90",
        "severity": "critical",
        "points": 30,
    }
    measures = doc.data["scorecards"]["value"]["measures"]
    assert [m["id"] for m in measures] == ["revenue", "margin", "orders"]
    assert measures[1]["weight"] == 20
    assert measures[1]["normalise"] == {"method": "linear", "min": 0, "max": 0.5}


def test_dropped_items_and_drop_keys_do_not_remain(doc: PolicyDocument) -> None:
    assert all(a["id"] != "detractor" for a in doc.data["alerts"])
    assert all("drop" not in a for a in doc.data["alerts"])
    assert not any(path.endswith(".drop") for path in doc.provenance)
    assert not any("detractor" in path for path in doc.provenance)


def test_band_sets_and_caps_are_replaced_whole(doc: PolicyDocument) -> None:
    assert doc.data["scorecards"]["value"]["bands"] == [{"label": "all", "range": "[0..100]"}]
    assert doc.data["tier"]["caps"] == [{"value": "NA", "max": 50}]


def test_policy_id_and_extends_are_not_inherited_and_plugins_are_unioned(
    doc: PolicyDocument,
) -> None:
    assert doc.data["policy"]["id"] == "layers-leaf"
    assert doc.data["policy"]["extends"] == ["base.toml"]
    assert doc.data["policy"]["plugins"] == ["alpha", "beta", "gamma"]


def test_base_id_and_extends_vanish_when_the_leaf_omits_them(tmp_path: Path) -> None:
    (tmp_path / "root.toml").write_text('[policy]\nid = "root"\nversion = "1"\n')
    (tmp_path / "mid.toml").write_text(
        '[policy]\nid = "mid"\nversion = "1"\nextends = ["root.toml"]\n'
    )
    leaf = load_policy_text('[policy]\nextends = ["mid.toml"]\n', base_dir=tmp_path)
    assert leaf.data["policy"] == {"version": "1", "extends": ["mid.toml"]}


@pytest.mark.parametrize(
    ("key_path", "expected"),
    [
        # overridden: the leaf's location
        ("policy.version", ("leaf.toml", 3)),
        ("metrics.margin", ("leaf.toml", 8)),
        ("alerts[order-lapse].severity", ("leaf.toml", 38)),
        ("alerts[order-lapse]", ("leaf.toml", 36)),
        ("scorecards.value.measures[margin].weight", ("leaf.toml", 16)),
        ("config.alpha.nested.b", ("leaf.toml", 45)),
        ("scorecards.value.bands[0].label", ("leaf.toml", 25)),
        # inherited: the base's location
        ("policy.description", ("base.toml", 4)),
        ("metrics.growth", ("base.toml", 9)),
        ("alerts[order-lapse].when", ("base.toml", 51)),
        ("alerts[order-lapse].points", ("base.toml", 53)),
        ("alerts[backlog]", ("base.toml", 61)),
        ("scorecards.value.measures[margin].metric", ("base.toml", 28)),
        ("scorecards.value.measures[revenue].normalise.max", ("base.toml", 24)),
        ("config.alpha.nested.a", ("base.toml", 68)),
        ("inputs.revenue_12m.type", ("base.toml", 13)),
    ],
)
def test_provenance_of_overridden_and_inherited_values(
    doc: PolicyDocument, key_path: str, expected: tuple[str, int]
) -> None:
    assert where(doc, key_path) == expected


def test_every_table_and_value_has_provenance(doc: PolicyDocument) -> None:
    for path, _value, loc in doc.effective():
        assert path in doc.provenance
        assert loc.line is not None
        assert loc.key_path == path


def test_drop_of_an_unknown_id_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(
        '[policy]\nid = "b"\nversion = "1"\n\n[[alerts]]\nid = "order-lapse"\nwhen = "x"\n'
    )
    text = (
        '[policy]\nid = "l"\nextends = ["base.toml"]\n\n'
        '[[alerts]]\nid = "order-laps"\ndrop = true\n'
    )
    with pytest.raises(PolicyError) as info:
        load_policy_text(text, name="leaf.toml", base_dir=tmp_path)
    (problem,) = info.value.problems
    assert problem.message == (
        "cannot drop `order-laps` from [[alerts]]: no base policy defines it; "
        "did you mean `order-lapse`?"
    )
    assert (problem.location.file, problem.location.line) == ("leaf.toml", 5)
    assert problem.location.key_path == "alerts[order-laps]"


def test_drop_must_be_a_boolean_and_ids_unique(tmp_path: Path) -> None:
    text = "\n".join(
        [
            '[policy]\nid = "l"\nversion = "1"',
            '[[alerts]]\nid = "a"\nwhen = "x"\ndrop = "yes"',
            '[[alerts]]\nid = "b"\nwhen = "x"',
            '[[alerts]]\nid = "b"\nwhen = "y"',
        ]
    )
    with pytest.raises(PolicyError) as info:
        load_policy_text(text, name="p.toml")
    messages = [(p.message, p.location.line) for p in info.value.problems]
    assert messages == [
        ('`drop` must be true or false, got the string "yes"', 7),
        ("duplicate id `b` in [[alerts]] (first used at line 8)", 11),
    ]


def test_a_shared_base_is_applied_once(tmp_path: Path) -> None:
    """A diamond: both bases extend root; root must not undo what `left` changed."""
    (tmp_path / "root.toml").write_text(
        '[policy]\nid = "root"\nversion = "1"\n[metrics]\nm = "1"\nn = "1"\n'
    )
    (tmp_path / "left.toml").write_text(
        '[policy]\nid = "left"\nextends = ["root.toml"]\n[metrics]\nm = "2"\n'
    )
    (tmp_path / "right.toml").write_text(
        '[policy]\nid = "right"\nextends = ["root.toml"]\n[metrics]\nn = "3"\n'
    )
    doc = load_policy_text(
        '[policy]\nid = "leaf"\nextends = ["left.toml", "right.toml"]\n', base_dir=tmp_path
    )
    assert [Path(p).name for p in doc.layers] == [
        "root.toml",
        "left.toml",
        "right.toml",
        "<string>",
    ]
    assert doc.data["metrics"] == {"m": "2", "n": "3"}


def test_generic_id_arrays_in_plugin_config_merge_by_id(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(
        '[policy]\nid = "b"\nversion = "1"\n'
        '[[config.p.rules]]\nid = "x"\nv = 1\n[[config.p.rules]]\nid = "y"\nv = 2\n'
    )
    doc = load_policy_text(
        '[policy]\nid = "l"\nextends = ["base.toml"]\n[[config.p.rules]]\nid = "y"\nv = 3\n',
        base_dir=tmp_path,
    )
    assert doc.data["config"]["p"]["rules"] == [{"id": "x", "v": 1}, {"id": "y", "v": 3}]


# -- stage-model transitions ----------------------------------------------------------------------

MODEL = '[lifecycle]\nmodel = "b2b_relationship"\n'


def test_with_a_stage_model_a_drop_of_a_model_transition_is_kept_for_the_compiler() -> None:
    # before: "cannot drop `slip` ...: no base policy defines it" (the model is the base)
    text = (
        '[policy]\nid = "l"\nversion = "1"\n'
        + MODEL
        + '[[lifecycle.transitions]]\nid = "slip"\ndrop = true\n'
        + '[[lifecycle.transitions]]\nid = "recover"\nwhen = "True"\n'
    )
    doc = load_policy_text(text, name="p.toml")
    assert doc.data["lifecycle"]["transitions"] == [
        {"id": "slip", "drop": True},
        {"id": "recover", "when": "True"},
    ]
    assert doc.locate("lifecycle.transitions[slip].drop").line == 8


def test_the_model_may_be_selected_by_another_layer(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text('[policy]\nid = "b"\nversion = "1"\n' + MODEL)
    text = (
        '[policy]\nid = "l"\nextends = ["base.toml"]\n'
        '[[lifecycle.transitions]]\nid = "slip"\ndrop = true\n'
    )
    doc = load_policy_text(text, base_dir=tmp_path)
    assert doc.data["lifecycle"] == {
        "model": "b2b_relationship",
        "transitions": [{"id": "slip", "drop": True}],
    }


def test_with_a_stage_model_dropping_a_bases_transition_drops_the_models_too(
    tmp_path: Path,
) -> None:
    # the base changed the model's `slip`; dropping it must not bring the model's back, so
    # the drop is merged into the base's item for the compiler to apply
    (tmp_path / "base.toml").write_text(
        '[policy]\nid = "b"\nversion = "1"\n'
        + MODEL
        + '[[lifecycle.transitions]]\nid = "slip"\nwhen = "False"\n'
        + '[[lifecycle.transitions]]\nid = "mine"\nfrom = ["mature"]\nto = "at_risk"\n'
        + 'when = "False"\n'
    )
    text = (
        '[policy]\nid = "l"\nextends = ["base.toml"]\n'
        '[[lifecycle.transitions]]\nid = "slip"\ndrop = true\n'
        '[[lifecycle.transitions]]\nid = "mine"\ndrop = true\n'
    )
    doc = load_policy_text(text, base_dir=tmp_path)
    assert doc.data["lifecycle"]["transitions"] == [
        {"id": "slip", "when": "False", "drop": True},
        {"id": "mine", "from": ["mature"], "to": "at_risk", "when": "False", "drop": True},
    ]


def test_a_layer_writing_a_dropped_model_transition_again_replaces_the_drop(
    tmp_path: Path,
) -> None:
    (tmp_path / "base.toml").write_text(
        '[policy]\nid = "b"\nversion = "1"\n'
        + MODEL
        + '[[lifecycle.transitions]]\nid = "slip"\ndrop = true\n'
    )
    text = (
        '[policy]\nid = "l"\nextends = ["base.toml"]\n'
        '[[lifecycle.transitions]]\nid = "slip"\nwhen = "False"\n'
    )
    doc = load_policy_text(text, base_dir=tmp_path)
    assert doc.data["lifecycle"]["transitions"] == [{"id": "slip", "when": "False"}]


def test_without_a_stage_model_a_drop_of_an_unknown_transition_is_still_an_error() -> None:
    text = (
        '[policy]\nid = "l"\nversion = "1"\n[lifecycle]\nstages = ["a", "b"]\ninitial = "a"\n'
        '[[lifecycle.transitions]]\nid = "slip"\ndrop = true\n'
    )
    with pytest.raises(PolicyError) as info:
        load_policy_text(text)
    (problem,) = info.value.problems
    assert problem.message == (
        "cannot drop `slip` from [[lifecycle.transitions]]: no base policy defines it"
    )


def test_drop_suggestions_are_the_expression_checkers(tmp_path: Path) -> None:
    # kamcore.expr.suggest.did_you_mean: a far-fetched id gets no suggestion
    (tmp_path / "base.toml").write_text(
        '[policy]\nid = "b"\nversion = "1"\n\n[[alerts]]\nid = "order-lapse"\nwhen = "x"\n'
    )
    text = '[policy]\nid = "l"\nextends = ["base.toml"]\n\n[[alerts]]\nid = "order"\ndrop = true\n'
    with pytest.raises(PolicyError) as info:
        load_policy_text(text, base_dir=tmp_path)
    (problem,) = info.value.problems
    assert problem.message == "cannot drop `order` from [[alerts]]: no base policy defines it"
