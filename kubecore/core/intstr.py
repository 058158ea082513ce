"""Kubernetes ``intstr.IntOrString``: a value that is an int or a string on the wire.

Fields of this type keep exactly what was sent (``3`` stays ``3``, ``"25%"`` stays
``"25%"``), so the type is just ``int | str``.  The helpers below give the meaning
that controllers attach to such fields (``maxSurge``, ``maxUnavailable``, ...).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias

__all__ = ["IntOrString", "int_or_percent", "is_percent", "parse_percent"]

IntOrString: TypeAlias = int | str


def _percent_digits(text: str) -> str | None:
    """The signed integer text before a trailing '%', or None if ``text`` is not one."""
    if not text.endswith("%"):
        return None
    number = text[:-1]
    digits = number[1:] if number[:1] in ("+", "-") else number
    if not digits or not (digits.isascii() and digits.isdigit()):
        return None
    return number


def is_percent(value: object) -> bool:
    """Whether ``value`` is a well-formed percentage string such as ``"25%"``."""
    return isinstance(value, str) and _percent_digits(value) is not None


def parse_percent(value: str) -> int:
    """The integer in a percentage string (``"25%"`` -> 25); ValueError otherwise."""
    number = _percent_digits(value)
    if number is None:
        raise ValueError(f"invalid percentage {value!r}: expected an integer followed by '%'")
    return int(number)


def int_or_percent(value: IntOrString, total: int, round_up: bool) -> int:
    """Scale an int-or-percent value against ``total``.

    An int is returned unchanged.  A percentage string gives ``percent * total / 100``
    rounded up (ceiling) when ``round_up`` is true and down (floor) otherwise, computed
    exactly in integers.  Any other string raises ValueError.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"expected an int or a percentage string, got {type(value).__name__}")
    if isinstance(value, int):
        return value
    number = _percent_digits(value)
    if number is None:
        raise ValueError(
            f"invalid value for IntOrString {value!r}: a string must be a percentage "
            "such as '25%'"
        )
    scaled = int(number) * total
    if round_up:
        return -(-scaled // 100)
    return scaled // 100
