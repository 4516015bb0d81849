"""Ranges and the band checks."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcore.expr import Interval, check_bands, parse_interval


@pytest.mark.parametrize(
    ("text", "interval", "shown"),
    [
        ("[0..40)", Interval(0, True, 40, False), "[0..40)"),
        ("(0..1]", Interval(0, False, 1, True), "(0..1]"),
        ("[50..)", Interval(50, True, None, False), "[50..)"),
        ("(..0)", Interval(None, False, 0, False), "(..0)"),
        (">= 50", Interval(50, True, None, False), "[50..)"),
        ("> 50", Interval(50, False, None, False), "(50..)"),
        ("< 0", Interval(None, False, 0, False), "(..0)"),
        ("<= 0", Interval(None, False, 0, True), "(..0]"),
        ("]0..1[", Interval(0, False, 1, False), "(0..1)"),
        (" [ 0.5 .. 1.5 ] ", Interval(0.5, True, 1.5, True), "[0.5..1.5]"),
        ("[-1..1]", Interval(-1, True, 1, True), "[-1..1]"),
        ("[1_000_000..)", Interval(1_000_000, True, None, False), "[1_000_000..)"),
    ],
)
def test_parse_interval(text: str, interval: Interval, shown: str) -> None:
    assert parse_interval(text) == interval
    assert str(parse_interval(text)) == shown
    assert parse_interval(shown) == interval


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "cannot read the range 'abc': write it like [0..40), (0..1], [50..) or >= 50"),
        ("0..4", "cannot read the range '0..4': write it like [0..40), (0..1], [50..) or >= 50"),
        ("== 5", "cannot read the range '== 5': write it like [0..40), (0..1], [50..) or >= 50"),
        ("[40..40)", "the range '[40..40)' is empty: no number is in it"),
        ("[70..40]", "the range '[70..40]' is empty: no number is in it"),
        ("[..]", "the range '[..]' has no bound; give at least one, as in [50..)"),
        ("[1e999..)", "the range '[1e999..)' has a bound that is not a finite number"),
        (
            "[1,000..2)",
            "thousands separators are not allowed in the range '[1,000..2)': write `1_000`",
        ),
    ],
)
def test_parse_interval_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="range") as info:
        parse_interval(text)
    assert str(info.value) == message


def test_contains_respects_closed_and_open_ends() -> None:
    band = parse_interval("[40..70)")
    assert [band.contains(x) for x in (39.99, 40, 69.99, 70)] == [False, True, True, False]
    assert parse_interval("(..0]").contains(-1e300)
    assert parse_interval("[50..)").contains(1e300)


def test_point_interval() -> None:
    assert parse_interval("[5..5]").contains(5)


P = parse_interval
SCORE = P("[0..100]")


def test_bands_that_tile_the_range_are_fine_in_any_order() -> None:
    bands = [("green", P("[70..100]")), ("red", P("[0..40)")), ("amber", P("[40..70)"))]
    assert check_bands(bands, SCORE) == []


def test_overlap_at_a_shared_closed_end() -> None:
    bands = [("red", P("[0..40)")), ("green", P("[70..100]")), ("amber", P("[40..70]"))]
    assert check_bands(bands, SCORE) == [
        "bands `amber` [40..70] and `green` [70..100] overlap at 70"
    ]


def test_gap_at_a_shared_open_end() -> None:
    bands = [("red", P("[0..40)")), ("amber", P("(40..70)")), ("green", P("[70..100]"))]
    assert check_bands(bands, SCORE) == [
        "gap between bands `red` [0..40) and `amber` (40..70): 40 belongs to neither"
    ]


def test_overlap_and_gap_over_ranges() -> None:
    bands = [("a", P("[0..50)")), ("b", P("[40..60)")), ("c", P("[70..100]"))]
    assert check_bands(bands, SCORE) == [
        "bands `a` [0..50) and `b` [40..60) overlap at [40..50)",
        "gap between bands `b` [40..60) and `c` [70..100]: [60..70) belongs to neither",
    ]


def test_a_wide_band_overlaps_every_band_it_spans() -> None:
    bands = [("low", P("[0..30)")), ("mid", P("[30..60)")), ("all", P("[10..100]"))]
    assert check_bands(bands, SCORE) == [
        "bands `low` [0..30) and `all` [10..100] overlap at [10..30)",
        "bands `all` [10..100] and `mid` [30..60) overlap at [30..60)",
    ]


def test_uncovered_ends_of_the_domain() -> None:
    bands = [("red", P("(0..40)")), ("amber", P("[40..70)")), ("green", P("[70..100)"))]
    assert check_bands(bands, SCORE) == [
        "no band covers 0 at the low end of [0..100]",
        "no band covers 100 at the high end of [0..100]",
    ]
    short = [("red", P("[10..40)")), ("green", P("[40..90)"))]
    assert check_bands(short, SCORE) == [
        "no band covers [0..10) at the low end of [0..100]",
        "no band covers [90..100] at the high end of [0..100]",
    ]


def test_unbounded_domain() -> None:
    assert check_bands([("low", P("[0..10)")), ("high", P("[10..)"))], P("[0..)")) == []
    assert check_bands([("low", P("[0..10)"))], P("[0..)")) == [
        "no band covers [10..) at the high end of [0..)"
    ]


def test_no_domain_checks_only_between_bands() -> None:
    assert check_bands([("a", P("[5..10)")), ("b", P("[10..20)"))], None) == []
    assert check_bands([("a", P("< 0")), ("b", P(">= 0"))], None) == []


def test_no_bands() -> None:
    assert check_bands([], SCORE) == ["there are no bands to cover [0..100]"]
    assert check_bands([], None) == []


def test_an_empty_band_is_reported() -> None:
    messages = check_bands([("x", Interval(5, True, 5, False)), ("all", P("[0..100]"))], SCORE)
    assert messages[0] == "band `x` [5..5) is empty: no number is in it"


@st.composite
def tilings(draw: st.DrawFn) -> list[tuple[str, Interval]]:
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=0, max_size=8)))
    edges = [0, *cuts, 100]
    bands = []
    for i, (lo, hi) in enumerate(itertools.pairwise(edges)):
        last = i == len(edges) - 2
        bands.append((f"b{i}", Interval(lo, True, hi, last)))
    return draw(st.permutations(bands))


@settings(max_examples=200, deadline=None)
@given(tilings())
def test_every_tiling_passes(bands: list[tuple[str, Interval]]) -> None:
    assert check_bands(bands, SCORE) == []
    for x in (0, 0.5, 33, 99.99, 100):
        assert sum(interval.contains(x) for _, interval in bands) == 1


@settings(max_examples=200, deadline=None)
@given(tilings(), st.data())
def test_flipping_one_inner_boundary_is_always_reported(
    bands: list[tuple[str, Interval]], data: st.DataObject
) -> None:
    ordered = sorted(bands, key=lambda band: band[1].lo or 0)
    if len(ordered) < 2:
        return
    i = data.draw(st.integers(0, len(ordered) - 2))
    (name, band), (next_name, after) = ordered[i], ordered[i + 1]
    if data.draw(st.booleans()):  # both ends claim the boundary: an overlap
        ordered[i] = (name, Interval(band.lo, band.lo_closed, band.hi, True))
        expected = "overlap at"
    else:  # neither does: a gap
        ordered[i + 1] = (next_name, Interval(after.lo, False, after.hi, after.hi_closed))
        expected = "belongs to neither"
    messages = check_bands(ordered, SCORE)
    assert len(messages) == 1
    assert expected in messages[0]
