"""Kubernetes' CEL IP and CIDR libraries (``k8s.io/apiserver/pkg/cel/library`` ip.go, cidr.go).

Parsing is Python's :mod:`ipaddress` with the rules Kubernetes adds to Go's ``net/netip``:
no zones (``fe80::1%eth0``), no IPv4-mapped IPv6 addresses (``::ffff:1.2.3.4``), no leading
zeros in IPv4 octets (``ipaddress`` refuses them too), and for CIDRs a decimal prefix length
after a ``/`` (``netip.ParsePrefix``: no netmask form, no leading zero). A CIDR keeps its
address as written (``cidr('192.168.0.1/24').ip()`` is ``192.168.0.1``; ``masked()`` clears
the host bits), as ``netip.Prefix`` does.

Values are marker maps (``{"__ip__": "::1"}``, ``{"__cidr__": "10.0.0.0/8"}``) holding the
canonical text (Go's ``Addr.String()``), so CEL's ``==`` compares them as kube-apiserver
does (``ip('::1') == ip('0:0::1')``); ``type(ip('::1'))`` is ``map`` here, not ``net.IP``.

``containsCIDR`` follows kube-apiserver's code, not its doc comment: the receiver's masked
prefix must equal the operand's *unmasked* address at the receiver's length, so
``cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')`` is false on a real cluster too.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Interface = ipaddress.IPv4Interface | ipaddress.IPv6Interface

IP_KEY = "__ip__"
#: The value of the CEL variable ``ip`` (``ip.isCanonical(s)`` is a call on it).
LIBRARY = {"__library__": "ip"}
CIDR_KEY = "__cidr__"
_BITS = re.compile(r"0|[1-9][0-9]{0,2}")
_CIDR_ERROR = "network address parse error during conversion from string"


def parse_ip(text: Any) -> Address:
    """An IP address as ``ip()`` accepts it; raises ValueError with kube-apiserver's message."""
    if not isinstance(text, str):
        raise TypeError(f"no such overload: ip({type(text).__name__})")
    try:
        addr = ipaddress.ip_address(text)
    except ValueError as err:
        raise ValueError(
            f'IP Address "{text}" parse error during conversion from string: '
            f'ParseAddr("{text}"): {err}'
        ) from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.scope_id is not None:
        raise ValueError(f'IP address "{text}" with zone value is not allowed')
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        raise ValueError(f'IPv4-mapped IPv6 address "{text}" is not allowed')
    return addr


def parse_cidr(text: Any) -> Interface:
    """A CIDR as ``cidr()`` accepts it (address as written plus prefix length).

    Checked in ``netip.ParsePrefix``'s order (a ``/``, the address, no zone, the bits, their
    range), then Kubernetes' refusal of IPv4-mapped addresses; raises ValueError.
    """
    if not isinstance(text, str):
        raise TypeError(f"no such overload: cidr({type(text).__name__})")
    prefix = f'{_CIDR_ERROR}: netip.ParsePrefix("{text}")'
    address, slash, bits = text.rpartition("/")
    if not slash:
        raise ValueError(f"{prefix}: no '/'")
    try:
        addr = ipaddress.ip_address(address)
    except ValueError as err:
        raise ValueError(f'{prefix}: ParseAddr("{address}"): {err}') from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.scope_id is not None:
        raise ValueError(f"{prefix}: IPv6 zones cannot be present in a prefix")
    if not _BITS.fullmatch(bits):
        raise ValueError(f'{prefix}: bad bits after slash: "{bits}"')
    if int(bits) > addr.max_prefixlen:
        raise ValueError(f"{prefix}: prefix length out of range")
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        raise ValueError(f'IPv4-mapped IPv6 address "{text}" is not allowed')
    return ipaddress.ip_interface(f"{addr}/{bits}")


def _marker_ip(addr: Address) -> dict[str, str]:
    return {IP_KEY: str(addr)}


def _marker_cidr(iface: Interface) -> dict[str, str]:
    return {CIDR_KEY: f"{iface.ip}/{iface.network.prefixlen}"}


def is_ip_value(value: Any) -> bool:
    return isinstance(value, dict) and IP_KEY in value


def is_cidr_value(value: Any) -> bool:
    return isinstance(value, dict) and CIDR_KEY in value


def _addr(value: Any) -> Address:
    if not is_ip_value(value):
        raise TypeError("no such overload: expected an IP address (ip())")
    return ipaddress.ip_address(value[IP_KEY])


def _iface(value: Any) -> Interface:
    if not is_cidr_value(value):
        raise TypeError("no such overload: expected a CIDR (cidr())")
    return ipaddress.ip_interface(value[CIDR_KEY])


def ip(value: Any) -> dict[str, str]:
    """``ip(string)`` (parse) and ``<CIDR>.ip()`` (the CIDR's address as written)."""
    if is_cidr_value(value):
        return _marker_ip(_iface(value).ip)
    return _marker_ip(parse_ip(value))


def cidr(value: Any) -> dict[str, str]:
    """``cidr(string)``; a parse error is prefixed once more, as kube-apiserver words it."""
    try:
        return _marker_cidr(parse_cidr(value))
    except ValueError as err:
        raise ValueError(f"{_CIDR_ERROR}: {err}") from None


def is_ip(text: Any) -> bool:
    """``isIP(string)``: whether ``ip(text)`` would succeed."""
    try:
        parse_ip(text)
    except ValueError:
        return False
    return True


def is_cidr(text: Any) -> bool:
    """``isCIDR(string)``: whether ``cidr(text)`` would succeed."""
    try:
        parse_cidr(text)
    except ValueError:
        return False
    return True


def is_canonical(library: Any, text: Any) -> bool:
    """``ip.isCanonical(string)``: Go's ``Addr.String()`` gives back the same text."""
    if library != LIBRARY:
        raise TypeError("no such overload: ip.isCanonical(string)")
    return bool(str(parse_ip(text)) == text)


def to_string(value: Any) -> str:
    """``string(<IP>)`` / ``string(<CIDR>)``: the canonical text."""
    return str(value[IP_KEY] if is_ip_value(value) else value[CIDR_KEY])


def family(value: Any) -> int:
    return _addr(value).version


def _first16(addr: Address) -> int:
    return int(addr) >> 112 if addr.version == 6 else -1


def is_unspecified(value: Any) -> bool:
    return _addr(value).is_unspecified


def is_loopback(value: Any) -> bool:
    return _addr(value).is_loopback


def is_link_local_multicast(value: Any) -> bool:
    """Go's ``IsLinkLocalMulticast``: 224.0.0.0/24, or ff02::/16 (any flags nibble)."""
    addr = _addr(value)
    if addr.version == 4:
        return addr in ipaddress.IPv4Network("224.0.0.0/24")
    return _first16(addr) & 0xFF0F == 0xFF02


def is_link_local_unicast(value: Any) -> bool:
    """Go's ``IsLinkLocalUnicast``: 169.254.0.0/16, or fe80::/10."""
    addr = _addr(value)
    if addr.version == 4:
        return addr in ipaddress.IPv4Network("169.254.0.0/16")
    return _first16(addr) & 0xFFC0 == 0xFE80


def is_global_unicast(value: Any) -> bool:
    """Go's ``IsGlobalUnicast``: private ranges count; not unspecified, broadcast, loopback,
    multicast or link-local unicast."""
    addr = _addr(value)
    if addr.version == 4 and addr == ipaddress.IPv4Address("255.255.255.255"):
        return False
    return not (
        addr.is_unspecified or addr.is_loopback or addr.is_multicast or is_link_local_unicast(value)
    )


def contains_ip(value: Any, other: Any) -> bool:
    """``<CIDR>.containsIP(IP or string)``; an address of the other family is not contained."""
    addr = _addr(other) if is_ip_value(other) else parse_ip(other)
    return addr in _iface(value).network


def contains_cidr(value: Any, other: Any) -> bool:
    """``<CIDR>.containsCIDR(CIDR or string)`` (see the module docstring)."""
    outer = _iface(value)
    inner = _iface(other) if is_cidr_value(other) else parse_cidr(other)
    if outer.version != inner.version:
        return False
    bits = outer.network.prefixlen
    return outer.network.network_address == inner.ip and bits <= inner.network.prefixlen


def masked(value: Any) -> dict[str, str]:
    iface = _iface(value)
    return _marker_cidr(ipaddress.ip_interface(str(iface.network)))


def prefix_length(value: Any) -> int:
    return _iface(value).network.prefixlen
