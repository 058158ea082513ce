"""Kubernetes ``metav1.Time`` and ``metav1.MicroTime``, kept as their wire text.

Both are ``str`` subclasses holding exactly the text the server sent, so encoding
writes it back unchanged and ``Time(x)`` costs no more than ``str(x)``: nothing is
parsed until :meth:`to_datetime` is called.  Equality is plain string equality.

* ``Time`` is written with second precision: ``2024-01-02T03:04:05Z``.
* ``MicroTime`` is written with microseconds: ``2024-01-02T03:04:05.123456Z``.

Reading accepts any RFC 3339 timestamp: ``Z`` or a numeric offset, and a
fractional second of any length (digits past microseconds are truncated).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

TYPE_CHECKING = False  # typing is not imported at run time: models import this module
if TYPE_CHECKING:
    from typing import Self

__all__ = ["MicroTime", "Time"]

_UTC = UTC


def _number(text: str, start: int, end: int) -> int:
    part = text[start:end]
    if len(part) != end - start or not (part.isascii() and part.isdigit()):
        raise ValueError
    return int(part)


def _parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 timestamp into an aware UTC datetime."""
    try:
        if len(text) < 20 or text[4] != "-" or text[7] != "-" or text[13] != ":":
            raise ValueError
        if text[10] not in "Tt " or text[16] != ":":
            raise ValueError
        year = _number(text, 0, 4)
        month = _number(text, 5, 7)
        day = _number(text, 8, 10)
        hour = _number(text, 11, 13)
        minute = _number(text, 14, 16)
        second = _number(text, 17, 19)
        pos = 19
        micro = 0
        if text[pos] == ".":
            pos += 1
            start = pos
            while pos < len(text) and "0" <= text[pos] <= "9":
                pos += 1
            fraction = text[start:pos]
            if not fraction:
                raise ValueError
            micro = int(fraction[:6].ljust(6, "0"))
        zone = text[pos:]
        if zone in ("Z", "z"):
            tz = _UTC
        else:
            if len(zone) != 6 or zone[0] not in "+-" or zone[3] != ":":
                raise ValueError
            off_hours = _number(zone, 1, 3)
            off_minutes = _number(zone, 4, 6)
            if off_hours > 23 or off_minutes > 59:
                raise ValueError
            offset = timedelta(hours=off_hours, minutes=off_minutes)
            tz = timezone(-offset if zone[0] == "-" else offset)
        result = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
        if tz is not _UTC:
            result = result.astimezone(_UTC)
    except (ValueError, OverflowError):
        raise ValueError(
            f"invalid RFC 3339 timestamp {text!r}: expected YYYY-MM-DDTHH:MM:SS[.frac] "
            "followed by Z or +HH:MM / -HH:MM"
        ) from None
    return result


def _as_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(
            f"naive datetime {dt.isoformat()!r}: Kubernetes times need a timezone "
            "(use datetime.now(timezone.utc) or dt.replace(tzinfo=...))"
        )
    return dt.astimezone(_UTC)


class _WireTime(str):
    """Shared behaviour of Time and MicroTime; not part of the public API."""

    __slots__ = ()

    def to_datetime(self) -> datetime:
        """The timestamp as a timezone-aware UTC datetime; ValueError if malformed."""
        return _parse_rfc3339(self)

    @classmethod
    def now(cls) -> Self:
        """The current time, formatted as the server would write it."""
        return cls.from_datetime(datetime.now(_UTC))

    @classmethod
    def from_datetime(cls, dt: datetime) -> Self:
        """Format an aware datetime in UTC; naive datetimes raise ValueError."""
        raise NotImplementedError

    @classmethod
    def coerce(cls, value: str | datetime) -> Self:
        """``value`` as this type: text is kept as given (not validated, as on decode), a
        datetime is formatted with :meth:`from_datetime` (a naive one raises ValueError:
        kube-apiserver rejects zone-less times); anything else raises TypeError."""
        if value.__class__ is cls:
            return value
        if isinstance(value, str):
            return cls(value)
        if isinstance(value, datetime):
            return cls.from_datetime(value)
        raise TypeError(
            f"expected a {cls.__name__}, str or timezone-aware datetime, got {type(value).__name__}"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str.__repr__(self)})"


class Time(_WireTime):
    """A ``metav1.Time``: RFC 3339 text with second precision, e.g. ``2024-01-02T03:04:05Z``."""

    __slots__ = ()

    @classmethod
    def from_datetime(cls, dt: datetime) -> Self:
        """Format ``dt`` in UTC with whole seconds (fractions are truncated, as in Go)."""
        u = _as_utc(dt)
        return cls(
            f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
            f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"
        )


class MicroTime(_WireTime):
    """A ``metav1.MicroTime``: RFC 3339 text with microseconds, e.g. ``...T03:04:05.000001Z``."""

    __slots__ = ()

    @classmethod
    def from_datetime(cls, dt: datetime) -> Self:
        """Format ``dt`` in UTC with exactly six fractional digits."""
        u = _as_utc(dt)
        return cls(
            f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
            f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
        )
