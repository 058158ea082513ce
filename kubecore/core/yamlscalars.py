"""YAML scalars resolved as Kubernetes resolves them: go-yaml v2's rules, then JSON's.

kubectl and kube-apiserver turn YAML into JSON with ``sigs.k8s.io/yaml`` (``YAMLToJSON``):
go-yaml v2 resolves each scalar to a Go value (``resolve.go``), ``convertToJSONableObject``
turns map keys into strings, ``encoding/json`` writes the JSON, and the apiserver (or
kubectl's unstructured objects) reads numbers back as ``int64`` or else ``float64``. This
module is that chain for one scalar; ``kubecore.core.yamlio`` applies it to whole streams.

A scalar resolves to a ``Scalar``: a go-yaml kind (``str``, ``int``, ``uint``, ``float``,
``bool``, ``null``) and a value. ``json_value`` gives what the JSON holds; ``json_key``
the string a mapping key becomes. Neither ever quotes the scalar's text in an error: a
kubeconfig value may be a secret.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import math
import re
import struct
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

__all__ = [
    "HINTED",
    "Scalar",
    "ScalarError",
    "json_key",
    "json_value",
    "resolve_plain",
    "resolve_tagged",
]

STR_TAG = "tag:yaml.org,2002:str"
_TAG = "tag:yaml.org,2002:"
_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(2**63), 2**63 - 1, 2**64 - 1


class ScalarError(ValueError):
    """A scalar Kubernetes refuses; the message never holds the scalar's text."""


class Scalar(NamedTuple):
    """A scalar as go-yaml v2 decodes it into ``interface{}``.

    ``kind`` is go-yaml's resolved tag without its prefix (``str``, ``int`` for Go's
    ``int``/``int64``, ``uint`` for ``uint64``, ``float``, ``bool``, ``null``); ``value``
    the Python value of that Go value (timestamps and ``!!binary`` are ``str``).
    """

    kind: str
    value: Any


# go-yaml v2's resolveMap: looked up only when the first character is one of these.
HINTED = frozenset("+-0123456789yYnNtTfFoO~.")
_MAP: dict[str, Scalar] = {}
for _value, _kind, _words in (
    (True, "bool", "y Y yes Yes YES true True TRUE on On ON"),
    (False, "bool", "n N no No NO false False FALSE off Off OFF"),
    (None, "null", "~ null Null NULL"),
    (math.nan, "float", ".nan .NaN .NAN"),
    (math.inf, "float", ".inf .Inf .INF +.inf +.Inf +.INF"),
    (-math.inf, "float", "-.inf -.Inf -.INF"),
):
    for _word in _words.split():
        _MAP[_word] = Scalar(_kind, _value)
_MAP[""] = Scalar("null", None)

# go-yaml v2's yamlStyleFloat, matched after dropping underscores.
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
# What Go's strconv.ParseFloat accepts from a scalar that starts with "." (underscores
# dropped after Go's underscoreOK check).
_DOT_FLOAT = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?")
_DIGITS = {16: "0123456789abcdefABCDEF", 8: "01234567", 2: "01", 10: "0123456789"}
# The layouts go-yaml v2 tries for !!timestamp (allowedTimestampFormats).
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
    r"| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?)?"
)


def _go_parse_int(plain: str, *, signed: bool) -> int | None:
    """Go's ``strconv.ParseInt(plain, 0, 64)`` (``signed``) or ``ParseUint(plain, 0, 64)``:
    the value, or None on a syntax or range error. ``plain`` has no underscores."""
    text, negative = plain, False
    if signed and text[:1] in ("+", "-"):
        negative, text = text[0] == "-", text[1:]
    base = 10
    if len(text) > 1 and text[0] == "0":
        base = {"x": 16, "X": 16, "o": 8, "O": 8, "b": 2, "B": 2}.get(text[1], 8)
        text = text[1:] if base == 8 and text[1] not in "oO" else text[2:]
    if not text or any(c not in _DIGITS[base] for c in text):
        return None
    value = -int(text, base) if negative else int(text, base)
    low, high = (_INT64_MIN, _INT64_MAX) if signed else (0, _UINT64_MAX)
    return value if low <= value <= high else None


def _go_underscore_ok(text: str) -> bool:
    """Go's ``strconv.underscoreOK`` for a decimal literal: each ``_`` between digits."""
    saw = "^"
    for char in text.lstrip("+-"):
        if char.isdigit():
            saw = "0"
        elif char == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def _finite(text: str) -> float | None:
    """``float(text)``, or None where Go's ParseFloat reports a range error (overflow)."""
    value = float(text)
    return value if math.isfinite(value) else None


def resolve_plain(text: str, tag: str = "") -> Scalar:
    """go-yaml v2's ``resolve(tag, text)`` for a plain scalar (``tag`` empty) or a scalar
    with an explicit resolvable tag (``!!int`` ... given as the full tag), before the tag
    check. Timestamps stay strings, as go-yaml hands them to ``interface{}``."""
    if not text:
        return _MAP[""]
    if text[0] not in HINTED:
        return Scalar("str", text)
    known = _MAP.get(text)
    if known is not None:
        return known
    if text[0] == ".":
        if _go_underscore_ok(text) and _DOT_FLOAT.fullmatch(text.replace("_", "")):
            value = _finite(text.replace("_", ""))
            if value is not None:
                return Scalar("float", value)
        return Scalar("str", text)
    if text[0] in "+-0123456789" and tag == _TAG + "timestamp" and _is_timestamp(text):
        return Scalar("timestamp", text)
    if text[0] not in "+-0123456789":
        return Scalar("str", text)
    plain = text.replace("_", "")
    integer = _go_parse_int(plain, signed=True)
    if integer is not None:
        return Scalar("int", integer)
    unsigned = _go_parse_int(plain, signed=False)
    if unsigned is not None:
        return Scalar("uint", unsigned)
    if _YAML_STYLE_FLOAT.fullmatch(plain):
        value = _finite(plain)
        if value is not None:
            return Scalar("float", value)
    return Scalar("str", text)


def _is_timestamp(text: str) -> bool:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return False
    year, month, day = (int(g) for g in match.group(1, 2, 3))
    clock = match.group(4, 5, 6) if match.group(4) else match.group(7, 8, 9)
    try:
        date(year, month, day)
    except ValueError:
        return False
    if clock[0] is None:
        return True
    hour, minute, second = (int(g) for g in clock)
    return hour < 24 and minute < 60 and second < 60


_RESOLVABLE = {"str", "bool", "int", "float", "null", "timestamp"}


def resolve_tagged(text: str, tag: str) -> Scalar:
    """A scalar with an explicit tag, as go-yaml v2 decodes it.

    ``!!str`` keeps the text; ``!!binary`` is base64-decoded (Go's decoder skips line
    breaks); ``!!int``/``!!float``/``!!bool``/``!!null``/``!!timestamp`` must resolve to
    that type (``!!float`` also takes an int) or raise ``ScalarError``; any other tag
    (``!foo``, ``!!set``, ``!!merge``) is ignored and the text stays a string.
    """
    short = tag[len(_TAG) :] if tag.startswith(_TAG) else None
    if short == "binary":
        return Scalar("str", _decode_binary(text))
    if short not in _RESOLVABLE or short == "str":
        return Scalar("str", text)
    resolved = resolve_plain(text, tag)
    if resolved.kind == short or (short == "timestamp" and resolved.kind == "timestamp"):
        return Scalar("str", text) if short == "timestamp" else resolved
    if short == "float" and resolved.kind == "int":
        return Scalar("float", float(resolved.value))
    got = "str" if resolved.kind == "timestamp" else resolved.kind
    got = "int" if got == "uint" else got
    raise ScalarError(f"cannot decode a !!{got} scalar as a !!{short}")


def _go_replace(error: UnicodeError) -> tuple[str, int]:
    """Go's JSON encoder writes U+FFFD for each byte that is not valid UTF-8."""
    assert isinstance(error, UnicodeDecodeError)
    return "\ufffd", error.start + 1


codecs.register_error("kubecore-go-json-replace", _go_replace)


def _decode_binary(text: str) -> str:
    try:
        raw = base64.b64decode(text.replace("\r", "").replace("\n", ""), validate=True)
    except (binascii.Error, ValueError):
        raise ScalarError("!!binary value contains invalid base64 data") from None
    return raw.decode("utf-8", "kubecore-go-json-replace")


def json_number(value: float) -> int | float:
    """A Go ``float64`` as the apiserver holds it after the JSON trip: ``encoding/json``
    writes an integral value below 1e21 without fraction or exponent (``1e3`` -> ``1000``),
    and Kubernetes' JSON decoder reads a number as ``int64`` when it is an integer in range,
    else as ``float64``. So: an int when integral and within int64, else the float."""
    if value == int(value) and abs(value) < 1e21:
        integer = int(Decimal(repr(value)))  # Go's digits: 1e16 -> 10000000000000000
        if _INT64_MIN <= integer <= _INT64_MAX:
            return integer
    return value


def json_value(scalar: Scalar) -> Any:
    """The JSON value of a resolved scalar, as the apiserver reads it: ``int64`` stays an
    int, ``uint64`` and floats become ``float64`` (``json_number``); NaN and infinities
    raise ``ScalarError``, as ``json.Marshal`` refuses them."""
    kind, value = scalar
    if kind == "int":
        return value
    if kind in ("uint", "float"):
        if not math.isfinite(value):
            raise ScalarError(
                "a .inf or .nan value has no JSON form (Kubernetes: json: unsupported value)"
            )
        return json_number(float(value))
    return value


def json_key(scalar: Scalar) -> str:
    """The string a mapping key becomes (``convertToJSONableObject``): ints in decimal,
    ``true``/``false``, floats as Go's ``FormatFloat(f, 'g', -1, 32)`` (``1e+07``,
    ``.inf``). A null or ``uint64`` key raises ``ScalarError``, as in Kubernetes."""
    kind, value = scalar
    if kind in ("str", "timestamp"):
        return str(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "int":
        return str(value)
    if kind == "float":
        return _go_float32_g(value)
    raise ScalarError(f"unsupported map key of type {'uint64' if kind == 'uint' else 'nil'}")


def _go_float32_g(value: float) -> str:
    """Go's ``strconv.FormatFloat(value, 'g', -1, 32)``, with go-yaml's ``.inf``/``.nan``."""
    if math.isnan(value):
        return ".nan"
    try:
        single = struct.unpack("f", struct.pack("f", value))[0]
    except OverflowError:
        single = math.copysign(math.inf, value)
    if math.isinf(single):
        return ".inf" if single > 0 else "-.inf"
    if single == 0:
        return "-0" if math.copysign(1, single) < 0 else "0"
    for digits in range(1, 10):  # the shortest decimal that reads back as this float32
        text = f"{single:.{digits - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            break
    exponent = int(text.split("e")[1])
    if exponent < -4 or exponent >= 6:  # %e for shortest 'g' (Go uses precision 6 here)
        mantissa, _, exp = text.partition("e")
        return f"{mantissa}e{exp[0]}{exp[1:].lstrip('0').rjust(2, '0')}"
    return f"{single:.{max(digits - exponent - 1, 0)}f}"
