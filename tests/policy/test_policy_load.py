"""Loading: extends resolution, loading errors, locate(), effective(), the content hash."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from kamcore.errors import Location, PolicyError
from kamcore.policy import format_effective, load_policy, load_policy_text
from kamcore.resources import policies_root

DATA = Path(__file__).parent / "data"


def problems_of(text: str, **kwargs: object) -> list[tuple[str, int | None, int | None, str]]:
    with pytest.raises(PolicyError) as info:
        load_policy_text(text, **kwargs)  # type: ignore[arg-type]
    return [
        (p.message, p.location.line, p.location.column, p.location.key_path)
        for p in info.value.problems
    ]


# --- extends ----------------------------------------------------------------------------------


def test_extends_a_packaged_kamcore_base() -> None:
    doc = load_policy_text(
        '[policy]\nid = "mine"\nversion = "1"\nextends = ["kamcore:base/generic.toml"]\n\n'
        '[[alerts]]\nid = "order-lapse"\npoints = 50\n',
        name="mine.toml",
    )
    generic = Path(str(policies_root().joinpath("base", "generic.toml")))
    assert doc.layers == [str(generic), "mine.toml"]
    assert doc.path is None
    lapse = doc.data["alerts"][0]
    assert (lapse["id"], lapse["points"], lapse["severity"]) == ("order-lapse", 50, "warning")
    assert doc.locate("alerts[order-lapse].points").file == "mine.toml"
    assert doc.locate("alerts[order-lapse].when").file == str(generic)
    assert doc.data["policy"]["id"] == "mine"


def test_extends_a_base_inside_another_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "kam_pack_for_tests"
    (package / "bases").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "bases" / "common.toml").write_text(
        '[policy]\nid = "common"\nversion = "1"\n[metrics]\nc = "1"\n'
    )
    (package / "bases" / "pack.toml").write_text(
        '[policy]\nid = "pack"\nversion = "1"\nextends = ["common.toml"]\n[metrics]\np = "2"\n'
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    doc = load_policy_text(
        '[policy]\nid = "leaf"\nextends = ["kam_pack_for_tests:bases/pack.toml"]\n'
    )
    assert doc.data["metrics"] == {"c": "1", "p": "2"}
    assert [Path(p).name for p in doc.layers] == ["common.toml", "pack.toml", "<string>"]


def test_extends_relative_to_the_extending_file(tmp_path: Path) -> None:
    (tmp_path / "bases").mkdir()
    (tmp_path / "bases" / "a.toml").write_text(
        '[policy]\nid = "a"\nversion = "1"\nextends = ["../shared/b.toml"]\n'
    )
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "b.toml").write_text(
        '[policy]\nid = "b"\nversion = "9"\ndescription = "from b"\n'
    )
    (tmp_path / "leaf.toml").write_text('[policy]\nid = "leaf"\nextends = ["bases/a.toml"]\n')
    doc = load_policy(tmp_path / "leaf.toml")
    assert doc.data["policy"]["version"] == "1"
    assert doc.data["policy"]["description"] == "from b"
    assert [Path(p).name for p in doc.layers] == ["b.toml", "a.toml", "leaf.toml"]


def test_missing_bases_name_what_was_tried(tmp_path: Path) -> None:
    text = (
        '[policy]\nid = "x"\nversion = "1"\n'
        'extends = ["nope.toml", "kamcore:base/nope.toml", "kamcore_no_such_pkg:a.toml"]\n'
    )
    root = policies_root()
    assert problems_of(text, name="p.toml", base_dir=tmp_path) == [
        (
            f"base policy `nope.toml` not found (looked for `{tmp_path / 'nope.toml'}`)",
            4,
            12,
            "policy.extends[0]",
        ),
        (
            "base policy `kamcore:base/nope.toml` not found (looked for `base/nope.toml` in "
            f"package `kamcore`, at `{root}`)",
            4,
            25,
            "policy.extends[1]",
        ),
        (
            "base policy `kamcore_no_such_pkg:a.toml` names package `kamcore_no_such_pkg`, "
            "which cannot be imported (is it installed?)",
            4,
            51,
            "policy.extends[2]",
        ),
    ]


def test_extends_must_be_an_array_of_strings() -> None:
    assert problems_of('[policy]\nid = "x"\nextends = "base.toml"\n') == [
        (
            '`extends` must be an array of strings, got the string "base.toml"',
            3,
            1,
            "policy.extends",
        )
    ]
    assert problems_of('[policy]\nid = "x"\nextends = [1]\n') == [
        ("`extends[0]` must be a string, got the integer 1", 3, 12, "policy.extends[0]")
    ]


def test_an_extends_cycle_is_an_error() -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(DATA / "cycle" / "a.toml")
    (problem,) = info.value.problems
    a, b = str(DATA / "cycle" / "a.toml"), str(DATA / "cycle" / "b.toml")
    assert problem.message == f"extends cycle: {a} -> {b} -> {a}"
    assert problem.location == Location(b, 4, 12, "policy.extends[0]")


def test_a_file_extending_itself_is_a_cycle(tmp_path: Path) -> None:
    (tmp_path / "me.toml").write_text('[policy]\nid = "me"\nextends = ["me.toml"]\n')
    with pytest.raises(PolicyError, match=r"extends cycle: .*me\.toml -> .*me\.toml"):
        load_policy(tmp_path / "me.toml")


def test_a_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(tmp_path / "absent.toml")
    (problem,) = info.value.problems
    assert problem.message == (
        f"cannot read policy file `{tmp_path / 'absent.toml'}`: No such file or directory"
    )


# --- TOML syntax errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[policy]\nid = "x"\n\n[metrics]\ngrowth = revenue_12m\n',
            ('TOML syntax error: invalid value (text must be in quotes: "like this")', 5, 10),
        ),
        (
            '[policy]\nid = "x"\n[[alerts]]\nid "a"\n',
            ("TOML syntax error: expected `=` after the key", 4, 4),
        ),
        (
            '[policy]\nid = "x"\nid = "y"\n',
            ("TOML syntax error: this key is already set", 3, 9),
        ),
        (
            '[policy]\nid = "x\n',
            ("TOML syntax error: this string is not closed on its line", 2, 8),
        ),
        (
            "[tier]\n[tier]\n",
            ("TOML syntax error: table [tier] is declared twice", 2, 6),
        ),
    ],
)
def test_syntax_errors_are_located_in_plain_words(
    text: str, expected: tuple[str, int, int]
) -> None:
    ((message, line, column, _key),) = problems_of(text, name="p.toml")
    assert (message, line, column) == expected


def test_a_syntax_error_names_the_table_it_is_in() -> None:
    text = '[policy]\nid = "x"\n\n[[alerts]]\nid = "a"\n\n[[alerts]]\nid = "b"\nwhen = x > 1\n'
    ((message, line, column, key_path),) = problems_of(text)
    assert (line, column, key_path) == (9, 8, "alerts[b]")
    assert message.startswith("TOML syntax error: ")


def test_syntax_errors_in_several_layers_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text("[policy\n")
    (tmp_path / "b.toml").write_text("[policy]\nid = \n")
    text = '[policy]\nid = "leaf"\nextends = ["a.toml", "b.toml"]\n'
    with pytest.raises(PolicyError) as info:
        load_policy_text(text, base_dir=tmp_path)
    assert [(Path(p.location.file or "").name, p.location.line) for p in info.value.problems] == [
        ("a.toml", 1),
        ("b.toml", 2),
    ]


# --- locate, effective ------------------------------------------------------------------------


def test_locate_accepts_id_and_index_forms() -> None:
    doc = load_policy(DATA / "tricky.toml")
    by_id = doc.locate("tables.tier.rules[standard].when[1]")
    by_index = doc.locate("tables.tier.rules[1].when[1]")
    assert (by_id.line, by_id.column) == (by_index.line, by_index.column) == (45, 9)
    assert by_id.key_path == "tables.tier.rules[standard].when[1]"
    assert by_index.key_path == "tables.tier.rules[1].when[1]"
    # tricky.toml extends the generic base: its alerts come after the base's four
    assert doc.locate("alerts[4].when").line == 69
    assert doc.locate("alerts[dated].when").line == 69


def test_locate_falls_back_to_the_nearest_ancestor_then_the_leaf() -> None:
    doc = load_policy(DATA / "tricky.toml")
    missing = doc.locate("alerts[dated].points")
    assert (missing.line, missing.key_path) == (67, "alerts[dated].points")
    assert doc.locate("nothing.here") == Location(
        str(DATA / "tricky.toml"), None, None, "nothing.here"
    )
    assert doc.locate("<internal>").file == str(DATA / "tricky.toml")
    assert doc.locate('metrics."quoted.name"').line == 20


def test_effective_lists_every_value_in_document_order() -> None:
    doc = load_policy_text(
        '[policy]\nid = "x"\nversion = "1"\n\n[[alerts]]\nid = "a"\nwhen = "x > 1"\n'
        "\n[config.p]\nempty = {}\n",
        name="p.toml",
    )
    rows = [(path, value, (loc.line, loc.column)) for path, value, loc in doc.effective()]
    assert rows == [
        ("policy.id", "x", (2, 1)),
        ("policy.version", "1", (3, 1)),
        ("alerts[a].id", "a", (6, 1)),
        ("alerts[a].when", "x > 1", (7, 1)),
        ("config.p.empty", {}, (10, 1)),
    ]


def test_format_effective() -> None:
    doc = load_policy_text(
        '[policy]\nid = "x"\nversion = "1"\nplugins = ["a", "b"]\n\n[tables.tier]\nhit = "FIRST"\n',
        name="base.toml",
    )
    assert format_effective(doc) == (
        'policy.id = "x"                # base.toml:2:1\n'
        'policy.version = "1"           # base.toml:3:1\n'
        'policy.plugins = ["a", "b"]    # base.toml:4:1\n'
        'tables.tier.hit = "FIRST"      # base.toml:7:1\n'
    )


# --- content hash -----------------------------------------------------------------------------

POLICY = """
[policy]
id = "h"
version = "1"

[metrics]
a = "1"
b = "2"

[[tests]]
id = "t"
as_of = 2024-06-30
"""


def test_hash_is_stable_under_reordering_and_comments() -> None:
    reordered = """
# a comment
[[tests]]
as_of = 2024-06-30   # same date
id = "t"

[metrics]
b = "2"
a = "1"

[policy]
version = "1"
id = "h"
"""
    first = load_policy_text(POLICY).content_hash
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", first)
    assert load_policy_text(reordered).content_hash == first


def test_hash_changes_with_a_value() -> None:
    first = load_policy_text(POLICY).content_hash
    assert load_policy_text(POLICY.replace('b = "2"', 'b = "3"')).content_hash != first
    assert load_policy_text(POLICY.replace("2024-06-30", "2024-07-01")).content_hash != first


def test_dates_stay_dates() -> None:
    doc = load_policy_text(POLICY)
    assert doc.data["tests"][0]["as_of"] == date(2024, 6, 30)
