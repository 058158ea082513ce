"""Kubernetes ``resource.Quantity``, kept exactly as it was on the wire.

A :class:`Quantity` holds the raw JSON value (``"500m"``, ``"1Gi"``, ``1``, ``0.5``)
in its ``raw`` slot and writes that same value back, so decode -> encode is lossless.
Constructing one does no work at all; the text is parsed the first time a value is
needed (comparison, hashing, arithmetic, conversion) and the result is cached.

The grammar is the one the API server accepts::

    <quantity> ::= <sign>? <number> <suffix>
    <number>   ::= <digits> | <digits> "." <digits>? | "." <digits>
    <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei              (BinarySI)
                 | n | u | m | "" | k | M | G | T | P | E   (DecimalSI)
                 | ("e" | "E") <sign>? <digits>             (DecimalExponent)

Values compare, hash and convert by their exact numeric value.  Formatting
(:meth:`Quantity.canonical`, :meth:`Quantity.from_decimal`) follows the server's
normalisation: non-zero values are rounded away from zero to a multiple of 1n, a
BinarySI magnitude is capped at 2**63-1, and the suffix is chosen so that the
mantissa is an integer and the exponent as large as possible.
"""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_UP, Context, Decimal

from kubecore.core.jsoneq import same_json

TYPE_CHECKING = False  # typing is not imported at run time: models import this module
if TYPE_CHECKING:
    from typing import Literal, Self, TypeAlias

__all__ = ["Quantity", "QuantityFormat", "RawQuantity"]

if TYPE_CHECKING:
    QuantityFormat: TypeAlias = Literal["DecimalSI", "BinarySI", "DecimalExponent"]
else:
    QuantityFormat = str
# What JSON may carry for a quantity: a string, or a bare number.
RawQuantity: TypeAlias = str | int | float

_DIGITS = frozenset("0123456789")

# suffix -> power of ten
_DECIMAL_SUFFIXES: dict[str, int] = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_DECIMAL_BY_EXPONENT: dict[int, str] = {e: s for s, e in _DECIMAL_SUFFIXES.items()}

# suffix -> power of two
_BINARY_SUFFIXES: dict[str, int] = {
    "Ki": 10,
    "Mi": 20,
    "Gi": 30,
    "Ti": 40,
    "Pi": 50,
    "Ei": 60,
}
_BINARY_BY_POWER: tuple[str, ...] = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")

_FORMATS: frozenset[str] = frozenset(("DecimalSI", "BinarySI", "DecimalExponent"))

# Exact arithmetic: additions, subtractions and roundings never lose digits.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, rounding=ROUND_UP)
_NANO = Decimal("1e-9")
_ONE = Decimal(1)
_BINARY_MAX = Decimal(2**63 - 1)
_INT32_MAX = 2**31 - 1


def _parse_text(text: str) -> tuple[Decimal, QuantityFormat]:
    """Parse quantity text into its exact value and its format; ValueError if malformed."""
    end = len(text)
    if end == 0:
        raise ValueError("invalid quantity '': empty string")
    pos = 0
    negative = False
    if text[0] == "+" or text[0] == "-":
        negative = text[0] == "-"
        pos = 1
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    whole = text[start:pos]
    fraction = ""
    if pos < end and text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        fraction = text[start:pos]
    if not whole and not fraction:
        raise ValueError(f"invalid quantity {text!r}: expected a number before the suffix")
    suffix = text[pos:]

    exponent = -len(fraction)
    fmt: QuantityFormat
    binary = 0
    if suffix in _DECIMAL_SUFFIXES:
        exponent += _DECIMAL_SUFFIXES[suffix]
        fmt = "DecimalSI"
    elif suffix in _BINARY_SUFFIXES:
        binary = _BINARY_SUFFIXES[suffix]
        fmt = "BinarySI"
    elif len(suffix) > 1 and suffix[0] in "eE":
        digits = suffix[2:] if suffix[1] in "+-" else suffix[1:]
        if not digits or not all(c in _DIGITS for c in digits):
            raise ValueError(
                f"invalid quantity {text!r}: exponent {suffix!r} must be e or E "
                "followed by an optionally signed integer"
            )
        if len(digits.lstrip("0")) > 10 or abs(int(suffix[1:])) > _INT32_MAX:
            raise ValueError(f"invalid quantity {text!r}: exponent out of range")
        exponent += int(suffix[1:])
        fmt = "DecimalExponent"
    else:
        raise ValueError(
            f"invalid quantity {text!r}: unknown suffix {suffix!r} (expected one of "
            "n u m k M G T P E, Ki Mi Gi Ti Pi Ei, or an exponent such as e3)"
        )
    # Built from text, so the Decimal is exact whatever the number of digits.
    value = Decimal(f"{'-' if negative else ''}{whole}{fraction}E{exponent}")
    if binary:
        value = _EXACT.multiply(value, Decimal(1 << binary))
    return value, fmt


def _parse_raw(raw: object) -> tuple[Decimal, QuantityFormat]:
    """Parse any wire value (str, int or float) into its exact value and format."""
    if isinstance(raw, str):
        return _parse_text(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return Decimal(raw), "DecimalSI"
    if isinstance(raw, float):
        # repr() gives the shortest text that reads back as this float, which is what a
        # JSON encoder writes; parsing that text keeps 0.1 == 100m.
        text = repr(raw)
        if text in ("inf", "-inf", "nan"):
            raise ValueError(f"invalid quantity {raw!r}: not a finite number")
        return _parse_text(text)
    raise TypeError(
        f"invalid quantity {raw!r}: expected str, int or float, got {type(raw).__name__}"
    )


def _to_decimal(other: object) -> Decimal | None:
    """The exact value of a comparison / arithmetic operand, or None if unsupported."""
    if isinstance(other, Quantity):
        return other.to_decimal()
    if isinstance(other, Decimal):
        if not other.is_finite():
            raise ValueError(f"cannot compare a quantity with {other!r}")
        return other
    if isinstance(other, (str, int, float)) and not isinstance(other, bool):
        return _parse_raw(other)[0]
    return None


def _exponent(value: Decimal) -> int:
    exp = value.as_tuple().exponent
    assert isinstance(exp, int), "finite Decimals have an integer exponent"
    return exp


def _normalize(value: Decimal, fmt: QuantityFormat) -> tuple[Decimal, QuantityFormat]:
    """Apply the server's normalisation: round up to 1n, cap BinarySI at 2**63-1."""
    if value.is_zero():
        return value, fmt
    if _exponent(value) < -9:
        value = value.quantize(_NANO, rounding=ROUND_UP, context=_EXACT)
    if fmt == "BinarySI":
        magnitude = value.copy_abs()
        if magnitude > _BINARY_MAX:
            value = _BINARY_MAX if value > 0 else -_BINARY_MAX
        elif magnitude < _ONE:
            fmt = "DecimalSI"
    return value, fmt


def _format(value: Decimal, fmt: QuantityFormat) -> str:
    """The canonical text of a normalised value."""
    if value.is_zero():
        return "0"
    if fmt == "BinarySI" and -1024 < value < 1024:
        fmt = "DecimalSI"
    if fmt == "BinarySI":
        if value == value.to_integral_value(context=_EXACT):
            number = int(value)
            sign = "-" if number < 0 else ""
            number = abs(number)
            power = 0
            while number % 1024 == 0 and power < 6:
                number //= 1024
                power += 1
            return f"{sign}{number}{_BINARY_BY_POWER[power]}"
        fmt = "DecimalSI"  # not an integer: do not lose precision

    sign_bit, digit_tuple, _ = value.as_tuple()
    exp = _exponent(value)
    digits = "".join(map(str, digit_tuple))
    stripped = digits.rstrip("0")
    exp += len(digits) - len(stripped)
    digits = stripped
    pad = exp % 3
    if pad:
        digits += "0" * pad
        exp -= pad
    sign = "-" if sign_bit else ""
    if fmt == "DecimalExponent":
        return f"{sign}{digits}" if exp == 0 else f"{sign}{digits}e{exp}"
    if exp > 18:
        digits += "0" * (exp - 18)
        exp = 18
    elif exp < -9:  # only reachable for values that skipped normalisation
        value = value.quantize(_NANO, rounding=ROUND_UP, context=_EXACT)
        return _format(value, fmt)
    return f"{sign}{digits}{_DECIMAL_BY_EXPONENT[exp]}"


class Quantity:
    """A Kubernetes quantity that remembers its exact wire form.

    ``Quantity(raw)`` stores ``raw`` without looking at it; use :meth:`parse` to
    validate.  ``str(q)`` is ``str(raw)`` and encoders should write ``q.raw``.
    Quantities compare, hash and order by numeric value against other quantities,
    quantity strings, ints, floats and Decimals, so ``Quantity("1Gi") == "1024Mi"``.
    Treat instances as immutable.
    """

    __slots__ = ("_value", "raw")

    raw: RawQuantity
    _value: tuple[RawQuantity, Decimal, QuantityFormat]

    def __init__(self, raw: RawQuantity) -> None:
        self.raw = raw

    # -- construction -------------------------------------------------------------

    @classmethod
    def parse(cls, value: RawQuantity) -> Self:
        """Validate ``value`` and wrap it; raises ValueError if it is not a quantity."""
        q = cls(value)
        q._parsed()
        return q

    @classmethod
    def coerce(cls, value: Quantity | RawQuantity) -> Quantity:
        """``value`` as a Quantity: a Quantity is returned as is, a str, int or float is
        wrapped unchanged (validated lazily, as on decode); anything else raises TypeError."""
        if isinstance(value, Quantity):
            return value
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return cls(value)
        raise TypeError(f"expected a Quantity, str, int or float, got {type(value).__name__}")

    @classmethod
    def from_decimal(cls, value: Decimal | int, fmt: QuantityFormat = "DecimalSI") -> Self:
        """The quantity for ``value`` written in canonical form in format ``fmt``.

        As on the server, a non-zero value is rounded away from zero to a multiple of
        1n and a BinarySI magnitude is capped at 2**63-1.
        """
        if fmt not in _FORMATS:
            raise ValueError(
                f"unknown quantity format {fmt!r}: "
                "expected 'DecimalSI', 'BinarySI' or 'DecimalExponent'"
            )
        if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
            raise TypeError(f"expected a Decimal or int, got {type(value).__name__}")
        dec = Decimal(value)
        if not dec.is_finite():
            raise ValueError(f"cannot make a quantity from {value!r}")
        return cls(_format(*_normalize(dec, fmt)))

    # -- values -------------------------------------------------------------------

    def _parsed(self) -> tuple[Decimal, QuantityFormat]:
        raw = self.raw
        try:
            cached = self._value
        except AttributeError:
            pass
        else:
            if cached[0] is raw:
                return cached[1], cached[2]
        value, fmt = _parse_raw(raw)
        self._value = (raw, value, fmt)
        return value, fmt

    @property
    def format(self) -> QuantityFormat:
        """The format the raw value was written in, chosen by its suffix."""
        return self._parsed()[1]

    def to_decimal(self) -> Decimal:
        """The exact value as written (no rounding)."""
        return self._parsed()[0]

    def to_float(self) -> float:
        """The value as a float (may lose precision)."""
        return float(self._parsed()[0])

    def to_int(self) -> int:
        """The value rounded away from zero to an integer, like Go's ``Value()``."""
        return int(self._parsed()[0].to_integral_value(rounding=ROUND_UP, context=_EXACT))

    def milli_value(self) -> int:
        """The value in thousandths, rounded away from zero, like Go's ``MilliValue()``."""
        milli = self._parsed()[0].scaleb(3, context=_EXACT)
        return int(milli.to_integral_value(rounding=ROUND_UP, context=_EXACT))

    def canonical(self) -> str:
        """The text the API server would write for this quantity."""
        return _format(*_normalize(*self._parsed()))

    def is_zero(self) -> bool:
        return self._parsed()[0].is_zero()

    # -- text ---------------------------------------------------------------------

    def __str__(self) -> str:
        return str(self.raw)

    def __repr__(self) -> str:
        return f"Quantity({self.raw!r})"

    def __reduce__(self) -> tuple[type[Self], tuple[RawQuantity]]:
        return (type(self), (self.raw,))

    # -- comparison ---------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        """Equal by exact value to a Quantity, quantity text, int, float or Decimal; a value
        that does not parse (``"x"``, or ``true`` sent where a quantity belongs) equals only
        the same raw JSON value (``kubecore.core.jsoneq.same_json``). NotImplemented for any
        other type (a bool, None, a list), so ``==`` falls back to identity, never raises."""
        if isinstance(other, Quantity):
            theirs_raw: object = other.raw
        elif isinstance(other, str | int | float | Decimal) and not isinstance(other, bool):
            theirs_raw = other
        else:
            return NotImplemented
        try:
            mine = self.to_decimal()
            theirs = _to_decimal(other)
        except (ValueError, TypeError):
            # Not both numbers: only the same raw JSON (``true`` is neither ``1`` nor "true").
            return same_json(self.raw, theirs_raw)
        return mine == theirs

    def __hash__(self) -> int:
        try:
            return hash(self.to_decimal())
        except (ValueError, TypeError):
            return hash(str(self.raw))

    def __lt__(self, other: object) -> bool:
        theirs = _to_decimal(other)
        if theirs is None:
            return NotImplemented
        return self.to_decimal() < theirs

    def __le__(self, other: object) -> bool:
        theirs = _to_decimal(other)
        if theirs is None:
            return NotImplemented
        return self.to_decimal() <= theirs

    def __gt__(self, other: object) -> bool:
        theirs = _to_decimal(other)
        if theirs is None:
            return NotImplemented
        return self.to_decimal() > theirs

    def __ge__(self, other: object) -> bool:
        theirs = _to_decimal(other)
        if theirs is None:
            return NotImplemented
        return self.to_decimal() >= theirs

    # -- arithmetic (result in this quantity's format, canonical text) -------------

    def __add__(self, other: object) -> Quantity:
        theirs = _to_decimal(other)
        if theirs is None:
            return NotImplemented
        value, fmt = self._parsed()
        return Quantity.from_decimal(_EXACT.add(value, theirs), fmt)

    def __radd__(self, other: object) -> Quantity:
        return self.__add__(other)

    def __sub__(self, other: object) -> Quantity:
        theirs = _to_decimal(other)
        if theirs is None:
            return NotImplemented
        value, fmt = self._parsed()
        return Quantity.from_decimal(_EXACT.subtract(value, theirs), fmt)

    def __rsub__(self, other: object) -> Quantity:
        theirs = _to_decimal(other)
        if theirs is None:
            return NotImplemented
        value, fmt = self._parsed()
        return Quantity.from_decimal(_EXACT.subtract(theirs, value), fmt)

    def __neg__(self) -> Quantity:
        value, fmt = self._parsed()
        return Quantity.from_decimal(_EXACT.minus(value), fmt)


# What the model encoder's C-level default hook reads (``operator.attrgetter``): the raw
# value, through the ``raw`` slot's own descriptor, so orjson writes a Quantity without
# running Python code (``kubecore.core.codec.encode_model_json``).
Quantity._json_value = Quantity.__dict__["raw"]  # type: ignore[attr-defined]
