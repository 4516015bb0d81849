"""The fast JSON reader gives exactly what json.loads gives, or raises what it raises."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamcore.io.jsonfast import loads

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
_documents = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_documents)
def test_same_values_and_types_as_json(document: object) -> None:
    text = json.dumps(document, ensure_ascii=False)
    got, want = loads(text), json.loads(text)
    assert got == want
    assert json.dumps(got) == json.dumps(want)  # types too: 2**70 stays an int


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 123456789012345678901234567890}',
        '{"a": -9223372036854775809}',
        '{"a": 1, "a": 2}',
        '["\\ud800"]',
        '{"x": -0.0, "y": 1e400, "z": -1e400}',
        '{"中文": "值", "e": 1E-7}',
    ],
)
def test_edge_documents(text: str) -> None:
    got, want = loads(text), json.loads(text)
    assert repr(got) == repr(want)


def test_nan_is_read_as_json_reads_it() -> None:
    assert math.isnan(loads('{"a": NaN}')["a"])


@pytest.mark.parametrize("text", ["{bad", '{"a": 1,}', "", "[1, 2"])
def test_invalid_json_raises_the_standard_error(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as got:
        loads(text)
    with pytest.raises(json.JSONDecodeError) as want:
        json.loads(text)
    assert (got.value.msg, got.value.lineno, got.value.colno) == (
        want.value.msg,
        want.value.lineno,
        want.value.colno,
    )
