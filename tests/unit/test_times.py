"""Tests for kubecore.core.times.Time and MicroTime."""

from __future__ import annotations

import json
import pickle
from datetime import UTC, datetime, timedelta, timezone

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubecore.core.times import MicroTime, Time


def test_time_is_its_wire_text() -> None:
    t = Time("2024-01-02T03:04:05Z")
    assert t == "2024-01-02T03:04:05Z"
    assert isinstance(t, str)
    assert hash(t) == hash("2024-01-02T03:04:05Z")
    assert json.dumps({"t": t}) == '{"t": "2024-01-02T03:04:05Z"}'
    assert orjson.dumps({"t": t}) == b'{"t":"2024-01-02T03:04:05Z"}'
    assert repr(t) == "Time('2024-01-02T03:04:05Z')"
    assert repr(MicroTime("x")) == "MicroTime('x')"


def test_constructor_does_not_validate_or_rewrite() -> None:
    assert Time("not a time") == "not a time"
    odd = "2024-01-02T03:04:05.100+02:00"
    assert Time(odd) == odd
    assert MicroTime(odd) == odd


def test_no_instance_dict() -> None:
    assert not hasattr(Time("2024-01-02T03:04:05Z"), "__dict__")
    assert not hasattr(MicroTime("2024-01-02T03:04:05.000000Z"), "__dict__")


def test_types_are_distinct() -> None:
    assert not isinstance(MicroTime("x"), Time)
    assert not isinstance(Time("x"), MicroTime)


def test_pickle() -> None:
    t = Time("2024-01-02T03:04:05Z")
    back = pickle.loads(pickle.dumps(t))
    assert back == t and type(back) is Time


PARSE_CASES = [
    ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02t03:04:05z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02 03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05+00:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T03:04:05-00:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T05:34:05+02:30", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-01T22:04:05-05:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2024-01-02T00:30:00+01:00", datetime(2024, 1, 1, 23, 30, 0, tzinfo=UTC)),
    ("2024-01-02T03:04:05.5Z", datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)),
    ("2024-01-02T03:04:05.123Z", datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC)),
    ("2024-01-02T03:04:05.123456Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
    # nanoseconds: truncated to microseconds, never rounded into the next second
    (
        "2024-01-02T03:04:05.123456789Z",
        datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
    ),
    (
        "2024-01-02T03:04:05.999999999Z",
        datetime(2024, 1, 2, 3, 4, 5, 999999, tzinfo=UTC),
    ),
    ("2024-01-02T03:04:05.000001+01:00", datetime(2024, 1, 2, 2, 4, 5, 1, tzinfo=UTC)),
    ("2024-02-29T23:59:59Z", datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
@pytest.mark.parametrize("cls", [Time, MicroTime])
def test_to_datetime(cls: type[Time | MicroTime], text: str, expected: datetime) -> None:
    dt = cls(text).to_datetime()
    assert dt == expected
    assert dt.tzinfo is UTC
    assert dt.utcoffset() == timedelta(0)


BAD_TIMES = [
    "",
    "2024-01-02",
    "2024-01-02T03:04:05",  # no zone
    "2024-01-02T03:04Z",
    "2024-01-02T03:04:05ZZ",
    "2024-01-02T03:04:05.Z",
    "2024-01-02T03:04:05.12a Z",
    "2024-01-02T03:04:05+0100",
    "2024-01-02T03:04:05+01",
    "2024-01-02T03:04:05+24:00",
    "2024-01-02T03:04:05+01:60",
    "2024-13-02T03:04:05Z",
    "2023-02-29T03:04:05Z",
    "2024-01-02T24:00:00Z",
    "2024-01-02T03:04:60Z",
    "2024-01-02X03:04:05Z",
    "2024/01/02T03:04:05Z",
    "0000-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",  # before the first representable instant
    "2024-01-02T03:04:\uff10\uff15Z",  # fullwidth digits
    "+024-01-02T03:04:05Z",
    "null",
]


@pytest.mark.parametrize("text", BAD_TIMES)
def test_to_datetime_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="invalid RFC 3339 timestamp"):
        Time(text).to_datetime()
    with pytest.raises(ValueError, match="invalid RFC 3339 timestamp"):
        MicroTime(text).to_datetime()


FORMAT_CASES = [
    (
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.000000Z",
    ),
    (
        datetime(2024, 1, 2, 3, 4, 5, 999999, tzinfo=UTC),
        "2024-01-02T03:04:05Z",  # truncated, not rounded
        "2024-01-02T03:04:05.999999Z",
    ),
    (
        datetime(2024, 1, 2, 5, 4, 5, 12, tzinfo=timezone(timedelta(hours=2))),
        "2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.000012Z",
    ),
    (
        datetime(2024, 1, 1, 23, 0, 0, tzinfo=timezone(timedelta(hours=-5))),
        "2024-01-02T04:00:00Z",
        "2024-01-02T04:00:00.000000Z",
    ),
    (
        datetime(5, 6, 7, 8, 9, 10, tzinfo=UTC),
        "0005-06-07T08:09:10Z",  # four-digit year on every platform
        "0005-06-07T08:09:10.000000Z",
    ),
]


@pytest.mark.parametrize(("dt", "time_text", "micro_text"), FORMAT_CASES)
def test_from_datetime(dt: datetime, time_text: str, micro_text: str) -> None:
    t = Time.from_datetime(dt)
    m = MicroTime.from_datetime(dt)
    assert type(t) is Time and t == time_text
    assert type(m) is MicroTime and m == micro_text


@pytest.mark.parametrize("cls", [Time, MicroTime])
def test_naive_datetime_rejected(cls: type[Time | MicroTime]) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        cls.from_datetime(datetime(2024, 1, 2, 3, 4, 5))


def test_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    t = Time.now()
    m = MicroTime.now()
    after = datetime.now(UTC)
    assert type(t) is Time and type(m) is MicroTime
    assert len(t) == len("2024-01-02T03:04:05Z") and t.endswith("Z")
    assert len(m) == len("2024-01-02T03:04:05.000000Z") and m.endswith("Z")
    assert before <= t.to_datetime() <= after
    assert before <= m.to_datetime() <= after


def test_subclass_from_datetime_returns_subclass() -> None:
    class MyTime(Time):
        __slots__ = ()

    t = MyTime.from_datetime(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert type(t) is MyTime


_aware = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    ),
)


@given(dt=_aware)
def test_round_trip_property(dt: datetime) -> None:
    micro = MicroTime.from_datetime(dt)
    assert micro.to_datetime() == dt
    assert MicroTime.from_datetime(micro.to_datetime()) == micro
    whole = Time.from_datetime(dt)
    assert whole.to_datetime() == dt.replace(microsecond=0)
    assert Time.from_datetime(whole.to_datetime()) == whole
