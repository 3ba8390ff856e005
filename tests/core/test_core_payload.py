"""Strict payload parsing and value validators (personalized_path.core.payload)."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personalized_path.core.payload import (
    MAX_DEPTH, PayloadError, as_int, as_number, as_slug, as_text, only_keys, parse_object,
)
from personalized_path.core.state import TEXT, ListOf, Record, StateShape, StateShapeError


@pytest.mark.parametrize("body, fragment", [
    (b"", "empty"),
    (b"not json", "not valid JSON"),
    (b"\xff\xfe", "not valid JSON"),
    (b"[]", "must be a JSON object"),
    (b'"text"', "must be a JSON object"),
    (b"3", "must be a JSON object"),
    (b"null", "must be a JSON object"),
    (b'{"a": NaN}', "NaN"),
    (b'{"a": Infinity}', "Infinity"),
    (b'{"a": -Infinity}', "Infinity"),
    (b'{"a": ' + b"[" * 100000 + b"]" * 100000 + b"}", "nested"),
    (json.dumps({"a": [[[[[[[[[1]]]]]]]]]}).encode(), "nested"),
])
def test_parse_object_refuses_what_is_not_a_plain_object(body, fragment):
    with pytest.raises(PayloadError) as caught:
        parse_object(body)
    assert fragment in caught.value.render()


def test_parse_object_accepts_nesting_up_to_the_limit():
    value = 1
    for _ in range(MAX_DEPTH - 1):
        value = [value]
    assert parse_object(json.dumps({"a": value}).encode()) == {"a": value}


@given(st.dictionaries(st.text(max_size=10), st.integers() | st.text(max_size=20) | st.booleans(), max_size=5))
def test_parse_object_round_trips_flat_objects(value):
    assert parse_object(json.dumps(value).encode()) == value


@pytest.mark.parametrize("value", [True, False, 1.0, "1", None, [1]])
def test_as_int_refuses_non_integers_including_booleans(value):
    with pytest.raises(PayloadError) as caught:
        as_int(value, "level")
    assert caught.value.field == "level"


def test_as_int_bounds_name_the_range():
    with pytest.raises(PayloadError) as caught:
        as_int(7, "level", 1, 5)
    assert caught.value.render() == "level: Expected a number from 1 to 5."


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, "2"])
def test_as_number_refuses_non_finite_and_non_numbers(value):
    with pytest.raises(PayloadError):
        as_number(value, "score")


def test_as_text_counts_characters_and_bytes_separately():
    assert as_text("é" * 10, "t", max_chars=10, max_bytes=20) == "é" * 10
    with pytest.raises(PayloadError, match="characters"):
        as_text("a" * 11, "t", max_chars=10)
    with pytest.raises(PayloadError, match="bytes"):
        as_text("😀" * 10, "t", max_chars=10, max_bytes=30)


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[0m", "c1\x85", "del\x7f"])
def test_as_text_refuses_control_characters(text):
    with pytest.raises(PayloadError, match="control characters"):
        as_text(text, "t", max_chars=100)


def test_as_text_keeps_markup_and_line_breaks_as_typed():
    typed = "<script>alert(1)</script>\n  & more  "
    assert as_text(typed, "t", max_chars=100) == typed
    with pytest.raises(PayloadError):
        as_text("one\ntwo", "t", max_chars=100, multiline=False)


def test_as_slug_and_only_keys():
    assert as_slug("fractions-2_b", "skill") == "fractions-2_b"
    for bad in ("", "Upper", "has space", "x" * 65, 3):
        with pytest.raises(PayloadError):
            as_slug(bad, "skill")
    with pytest.raises(PayloadError) as caught:
        only_keys({"ratings": {}, "extra": 1}, ("ratings",))
    assert caught.value.field == "extra"


def _check(state):
    if len(state["items"]) > 5:
        raise StateShapeError("items")


SHAPE = StateShape(version=2, default=lambda: {"version": 2, "items": []},
                   shape=Record(required={"items": ListOf(TEXT)}), check=_check,
                   migrations={0: lambda s: {"items": s.get("old", [])},
                               1: lambda s: dict(s, items=s["items"] + ["v2"])})


def test_state_shape_migrates_into_a_copy_step_by_step():
    stored = {"old": ["a"]}
    state, problem = SHAPE.read(stored)
    assert problem is None
    assert state == {"version": 2, "items": ["a", "v2"]}
    assert stored == {"old": ["a"]}


@pytest.mark.parametrize("stored", [[1, 2], {"version": 9}, {"version": "1"}, {"version": 2, "items": "x"},
                                    {"version": True}, {"version": 2, "items": ["a", 1]},
                                    {"version": 2, "items": ["a"] * 6}])
def test_state_shape_falls_back_to_defaults_with_a_reason(stored):
    state, problem = SHAPE.read(stored)
    assert state == {"version": 2, "items": []}
    assert problem
