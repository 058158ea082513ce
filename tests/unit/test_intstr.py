"""Tests for kubecore.core.intstr."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubecore.core.intstr import IntOrString, int_or_percent, is_percent, parse_percent


def test_alias_accepts_both_wire_forms() -> None:
    values: list[IntOrString] = [3, "25%", "http"]
    assert [type(v) for v in values] == [int, str, str]
    assert isinstance(3, IntOrString)
    assert isinstance("x", IntOrString)


SCALE_CASES: list[tuple[IntOrString, int, bool, int]] = [
    # ints are returned as they are, whatever the total
    (5, 10, True, 5),
    (5, 10, False, 5),
    (0, 100, True, 0),
    (-3, 10, False, -3),
    (150, 10, False, 150),
    # percentages
    ("25%", 100, True, 25),
    ("25%", 100, False, 25),
    ("25%", 10, True, 3),  # 2.5 up
    ("25%", 10, False, 2),  # 2.5 down
    ("10%", 3, True, 1),  # 0.3 up
    ("10%", 3, False, 0),  # 0.3 down
    ("0%", 10, True, 0),
    ("100%", 7, False, 7),
    ("200%", 7, True, 14),
    ("33%", 3, True, 1),  # 0.99 up
    ("33%", 3, False, 0),
    ("50%", 0, True, 0),
    ("+50%", 5, False, 2),
    ("-50%", 5, True, -2),  # ceil(-2.5)
    ("-50%", 5, False, -3),  # floor(-2.5)
    ("1%", 10**20, False, 10**18),  # exact integer arithmetic, no float error
    ("007%", 100, True, 7),
]


@pytest.mark.parametrize(("value", "total", "round_up", "expected"), SCALE_CASES)
def test_int_or_percent(value: IntOrString, total: int, round_up: bool, expected: int) -> None:
    assert int_or_percent(value, total, round_up) == expected


@pytest.mark.parametrize(
    "value",
    ["25", "", "%", "abc%", "25 %", " 25%", "2.5%", "25%%", "1_0%", "\uff12%", "+%"],
)
def test_int_or_percent_rejects_non_percent_strings(value: str) -> None:
    with pytest.raises(ValueError, match="percentage"):
        int_or_percent(value, 10, True)


@pytest.mark.parametrize("value", [None, 2.5, True, [1]])
def test_int_or_percent_rejects_other_types(value: object) -> None:
    with pytest.raises(TypeError):
        int_or_percent(value, 10, True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("25%", True),
        ("0%", True),
        ("-5%", True),
        ("+5%", True),
        ("25", False),
        ("%", False),
        ("x%", False),
        ("2.5%", False),
        (25, False),
        (None, False),
    ],
)
def test_is_percent(value: object, expected: bool) -> None:
    assert is_percent(value) is expected


def test_parse_percent() -> None:
    assert parse_percent("25%") == 25
    assert parse_percent("-5%") == -5
    with pytest.raises(ValueError, match="invalid percentage"):
        parse_percent("25")


@given(
    percent=st.integers(min_value=0, max_value=1000),
    total=st.integers(min_value=0, max_value=10**6),
)
def test_rounding_brackets_exact_value(percent: int, total: int) -> None:
    text = f"{percent}%"
    up = int_or_percent(text, total, True)
    down = int_or_percent(text, total, False)
    exact = Fraction(percent * total, 100)
    assert down == math.floor(exact)
    assert up == math.ceil(exact)
    assert (up == down) == (exact.denominator == 1)
