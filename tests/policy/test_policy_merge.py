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
