"""Kubernetes' CEL extension libraries as Python functions (see validation.cel).

IPs and CIDRs live in :mod:`cel_net`, semver in :mod:`cel_semver`, the ``format`` library in
:mod:`cel_format`; functions two libraries share a name for (``compareTo``, ``isLessThan``,
``isGreaterThan``: quantity and semver; ``ip``: parse a string, or a CIDR's address) pick
the overload by the receiver, as cel-go's overload resolution does.

URLs and quantities are returned as small marker maps (``{"__url__": text}``,
``{"__quantity__": text}``) that only these functions read: the CEL library has no opaque
Python values. So ``quantity('1') == quantity('1000m')`` is false here; use
``compareTo`` / ``isLessThan``, as Kubernetes' documentation recommends anyway.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from kubecore.core.quantity import Quantity
from kubecore.core.validation import cel_format, cel_net, cel_semver

NET_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ip": cel_net.ip,
    "cidr": cel_net.cidr,
    "isIP": cel_net.is_ip,
    "isCIDR": cel_net.is_cidr,
    "isCanonical": cel_net.is_canonical,
    "family": cel_net.family,
    "isUnspecified": cel_net.is_unspecified,
    "isLoopback": cel_net.is_loopback,
    "isLinkLocalMulticast": cel_net.is_link_local_multicast,
    "isLinkLocalUnicast": cel_net.is_link_local_unicast,
    "isGlobalUnicast": cel_net.is_global_unicast,
    "containsIP": cel_net.contains_ip,
    "containsCIDR": cel_net.contains_cidr,
    "masked": cel_net.masked,
    "prefixLength": cel_net.prefix_length,
}
SEMVER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "semver": cel_semver.semver,
    "isSemver": cel_semver.is_semver,
    "major": cel_semver.major,
    "minor": cel_semver.minor,
    "patch": cel_semver.patch,
}
#: Library namespaces the CEL library parses as variables (``format.dns1123Label()``,
#: ``ip.isCanonical(s)``): name -> the marker value bound to it.
NAMESPACES: dict[str, dict[str, str]] = {
    "format": cel_format.LIBRARY,
    "ip": cel_net.LIBRARY,
}


def _index_of(target: Any, item: Any, *start: Any) -> int:
    if isinstance(target, str):
        return target.find(item, *start)
    for index, value in enumerate(target):
        if value == item:
            return index
    return -1


def _last_index_of(target: Any, item: Any, *end: Any) -> int:
    if isinstance(target, str):
        return target.rfind(item, 0, *end) if end else target.rfind(item)
    for index in range(len(target) - 1, -1, -1):
        if target[index] == item:
            return index
    return -1


def _replace(text: str, old: str, new: str, *count: int) -> str:
    limit = count[0] if count else -1
    return text.replace(old, new, limit)


def _split(text: str, sep: str, *count: int) -> list[str]:
    if count:
        if count[0] == 0:
            return []
        return text.split(sep, count[0] - 1) if count[0] > 0 else text.split(sep)
    return text.split(sep)


def _substring(text: str, start: int, *end: int) -> str:
    if start < 0 or start > len(text) or (end and (end[0] < start or end[0] > len(text))):
        raise ValueError(f"substring out of range: {start}")
    return text[start : end[0]] if end else text[start:]


def _char_at(text: str, index: int) -> str:
    """cel-go: the code point at ``index``; ``""`` at the end; out of range is an error."""
    if index < 0 or index > len(text):
        raise ValueError(f"index out of range: {index}")
    return text[index] if index < len(text) else ""


def _size(value: Any) -> int:
    """CEL ``size``: code points of a string, bytes of bytes, entries of a list or map."""
    if isinstance(value, str | bytes | list | dict):
        return len(value)
    raise ValueError(f"no such overload: size({type(value).__name__})")


def _join(items: list[str], *sep: str) -> str:
    return (sep[0] if sep else "").join(items)


def _url(text: str) -> dict[str, str]:
    if not _is_url(text):
        raise ValueError(f"URL parse error during conversion from string: {text}")
    return {"__url__": text}


def _is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return bool(parts.scheme) or text.startswith("/")


def _parts(value: Any) -> Any:
    return urlsplit(value["__url__"] if isinstance(value, dict) else str(value))


def _host(value: Any) -> str:
    return str(_parts(value).netloc.rsplit("@", 1)[-1])


def _hostname(value: Any) -> str:
    return _parts(value).hostname or ""


def _port(value: Any) -> str:
    host = _host(value)
    if host.startswith("["):
        tail = host.rsplit("]", 1)[-1]
        return tail[1:] if tail.startswith(":") else ""
    return host.rsplit(":", 1)[1] if ":" in host else ""


def _quantity(text: Any) -> dict[str, Any]:
    Quantity(text).to_decimal()
    return {"__quantity__": text}


def _q(value: Any) -> Decimal:
    raw = value["__quantity__"] if isinstance(value, dict) else value
    return Quantity(raw).to_decimal()


def _is_quantity(text: Any) -> bool:
    try:
        Quantity(text).to_decimal()
    except (ValueError, ArithmeticError):
        return False
    return True


def _compare(a: Any, b: Any) -> int:
    x, y = _q(a), _q(b)
    return (x > y) - (x < y)


def _as_integer(value: Any) -> int:
    number = _q(value)
    if number != number.to_integral_value():
        raise ValueError("cannot convert value to integer")
    return int(number)


def _compare_to(a: Any, b: Any) -> int:
    """``compareTo`` of the quantity and semver libraries (by the receiver's kind)."""
    return cel_semver.compare(a, b) if cel_semver.is_semver_value(a) else _compare(a, b)


def _string(value: Any) -> str:
    """``string(<IP>)`` / ``string(<CIDR>)``; CEL's own ``string()`` overloads come first."""
    if cel_net.is_ip_value(value) or cel_net.is_cidr_value(value):
        return cel_net.to_string(value)
    raise TypeError(f"no such overload: string({type(value).__name__})")


FUNCTIONS: dict[str, Callable[..., Any]] = {
    # IP addresses and CIDRs (cel_net), semver (cel_semver), format (cel_format)
    **NET_FUNCTIONS,
    **SEMVER_FUNCTIONS,
    **cel_format.FUNCTIONS,
    "string": _string,
    # lists
    "isSorted": lambda items: list(items) == sorted(items),
    "sum": lambda items: sum(items),
    "min": lambda *items: min(items[0] if len(items) == 1 else items),
    "max": lambda *items: max(items[0] if len(items) == 1 else items),
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    # strings
    "charAt": _char_at,
    # size() of a string counts code points (cel_source renames the built-in's calls)
    "k8sSize": _size,
    "lowerAscii": lambda text: "".join(c.lower() if c.isascii() else c for c in text),
    "upperAscii": lambda text: "".join(c.upper() if c.isascii() else c for c in text),
    "replace": _replace,
    "split": _split,
    "substring": _substring,
    "trim": lambda text: text.strip(),
    "join": _join,
    # regex
    "find": lambda text, pattern: (m.group(0) if (m := re.search(pattern, text)) else ""),
    "findAll": lambda text, pattern, *limit: [m.group(0) for m in re.finditer(pattern, text)][
        : limit[0] if limit and limit[0] >= 0 else None
    ],
    # URLs
    "isURL": _is_url,
    "url": _url,
    "getScheme": lambda u: _parts(u).scheme,
    "getHost": _host,
    "getHostname": _hostname,
    "getPort": _port,
    "getEscapedPath": lambda u: _parts(u).path,
    "getQuery": lambda u: {
        k: v for k, v in __import__("urllib.parse").parse.parse_qs(_parts(u).query).items()
    },
    # quantities
    "isQuantity": _is_quantity,
    "quantity": _quantity,
    "isInteger": lambda q: _q(q) == _q(q).to_integral_value(),
    "asInteger": _as_integer,
    "asApproximateFloat": lambda q: float(_q(q)),
    "sign": lambda q: (_q(q) > 0) - (_q(q) < 0),
    "add": lambda a, b: {"__quantity__": str(_q(a) + _q(b))},
    "sub": lambda a, b: {"__quantity__": str(_q(a) - _q(b))},
    "compareTo": _compare_to,
    "isLessThan": lambda a, b: _compare_to(a, b) < 0,
    "isGreaterThan": lambda a, b: _compare_to(a, b) > 0,
}
