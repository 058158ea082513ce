"""String and number formats, as kube-openapi's format registry checks them.

Each checker takes the JSON value and answers whether it is well formed. Formats kube-openapi
does not know are not checked (kube-apiserver ignores them too). The set is what
apiextensions-apiserver allows in a CRD (``bsonobjectid``, ``uri``, ``email``, ``hostname``,
``ipv4``, ``ipv6``, ``cidr``, ``mac``, ``uuid``/``uuid3``/``uuid4``/``uuid5``, ``isbn``...,
``byte``, ``date``, ``duration``, ``date-time``/``datetime``) plus the number formats.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from typing import Any

from kubecore.core.times import _parse_rfc3339

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_UUID = re.compile(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
_UUID3 = re.compile(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$")
_UUID4 = re.compile(
    r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"
)
_UUID5 = re.compile(
    r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"
)
_HOSTNAME = re.compile(
    r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|"
    r"([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}"
    r"([a-zA-Z\p{L}]){2,63})$".replace(r"\p{S}\p{L}", "").replace(r"\p{L}", "")
)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_MAC = re.compile(
    r"^([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})$|^([0-9A-Fa-f]{2}[:-]){7}([0-9A-Fa-f]{2})$"
    r"|^([0-9A-Fa-f]{4}\.){2}([0-9A-Fa-f]{4})$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DURATION = re.compile(
    r"^[-+]?(\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))*$"
)
_GO_DURATION_ZERO = "0"
_BSON = re.compile(r"^[0-9a-fA-F]{24}$")


def _int_range(low: int, high: int) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return not isinstance(value, (int, float)) or low <= value <= high

    return check


def _string(pred: Callable[[str], bool]) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return not isinstance(value, str) or pred(value)

    return check


def _date_time(text: str) -> bool:
    try:
        _parse_rfc3339(text)
    except (ValueError, IndexError):
        return False
    return True


def _date(text: str) -> bool:
    if not _DATE.match(text):
        return False
    import datetime

    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _byte(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def _cidr(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return "/" in text


def _uri(text: str) -> bool:
    from urllib.parse import urlsplit

    try:
        urlsplit(text)
    except ValueError:
        return False
    return True


def _duration(text: str) -> bool:
    return text == _GO_DURATION_ZERO or bool(_DURATION.match(text))


FORMATS: dict[str, Callable[[Any], bool]] = {
    "int32": _int_range(*_INT32),
    "int64": _int_range(*_INT64),
    "date-time": _string(_date_time),
    "datetime": _string(_date_time),
    "date": _string(_date),
    "byte": _string(_byte),
    "uuid": _string(lambda s: bool(_UUID.match(s))),
    "uuid3": _string(lambda s: bool(_UUID3.match(s))),
    "uuid4": _string(lambda s: bool(_UUID4.match(s))),
    "uuid5": _string(lambda s: bool(_UUID5.match(s))),
    "ipv4": _string(_ipv4),
    "ipv6": _string(_ipv6),
    "cidr": _string(_cidr),
    "mac": _string(lambda s: bool(_MAC.match(s))),
    "hostname": _string(lambda s: len(s) <= 255 and bool(_HOSTNAME.match(s))),
    "email": _string(lambda s: bool(_EMAIL.match(s))),
    "uri": _string(_uri),
    "duration": _string(_duration),
    "bsonobjectid": _string(lambda s: bool(_BSON.match(s))),
}
