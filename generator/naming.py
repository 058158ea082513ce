"""Python names for everything the generator emits: deterministic, collision-free, inert.

Rules (also in the README):

* Attributes are snake_case of the wire name (``podIPs`` -> ``pod_ips``). Characters that
  cannot appear in an identifier become ``_`` (``x-kubernetes-list-type`` ->
  ``x_kubernetes_list_type``); ``$`` becomes ``dollar_`` (``$ref`` -> ``dollar_ref``);
  non-ASCII characters become ``uXXXX``; a name that would start with a digit or an
  underscore gets the prefix ``f_``. Python keywords (not soft keywords: ``type`` stays)
  and names the model base class uses get a trailing ``_`` (``from`` -> ``from_``), and so do the
  builtin type names annotations use (``bool`` -> ``bool_``).
* When two wire names map to the same attribute (Istio's ``mirrorPercent`` beside
  ``mirror_percent``), the wire name that already *is* the attribute keeps it; the others,
  in sorted order, get ``_2``, ``_3``, ...
* Class names are PascalCase; the same prefix, keyword and collision rules apply within a
  module (numeric suffixes in a deterministic order).
* Group packages: the core group is ``core``; groups of the Kubernetes project (``*.k8s.io``
  and the legacy dot-less groups) use their first label (``rbac.authorization.k8s.io`` ->
  ``rbac``), as client-go does; every other group uses the whole group name in snake_case
  (``cloud.waibizi.com`` -> ``cloud_waibizi_com``), so adding a CRD never renames a package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Names a generated model must not shadow: the Model API and the typing names used in
# annotations inside class bodies.
_RESERVED_ATTRIBUTES = frozenset(
    {
        "from_dict",
        "to_dict",
        "from_json",
        "to_json",
        "extra_fields",
        "deep_copy",
        "validate",
        "FIELDS",
        "API_VERSION",
        "KIND",
        "RESOURCE",
        "self",
        "cls",
        # builtins that annotations in the class body refer to
        "bool",
        "dict",
        "float",
        "frozenset",
        "int",
        "list",
        "str",
        "tuple",
    }
)
# Names the generated modules bind besides their classes (models, resource and client
# modules import ``Protocol`` and define ``TYPE_CHECKING``).
_RESERVED_CLASS_NAMES = frozenset(
    {"Any", "ClassVar", "Model", "FieldInfo", "annotations", "Protocol", "TYPE_CHECKING"}
)

_PLURAL_ACRONYM = re.compile(r"([A-Z]{2,})s(?![a-z])")
_CAMEL_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_IDENT = re.compile(r"[^0-9A-Za-z_]")


def _ascii_only(text: str) -> str:
    return "".join(ch if ord(ch) < 128 else f"u{ord(ch):04x}" for ch in text)


# Hard keywords spelled out, so output does not depend on the running Python's keyword list.
_KEYWORDS = frozenset(
    "False None True and as assert async await break class continue def del elif else "
    "except finally for from global if import in is lambda nonlocal not or pass raise "
    "return try while with yield".split()
)


def _is_keyword(name: str) -> bool:
    return name in _KEYWORDS


def snake_case(wire_name: str) -> str:
    """The attribute name for a wire name, before collision handling."""
    text = _ascii_only(wire_name.replace("$", "dollar_"))
    text = _PLURAL_ACRONYM.sub(lambda m: m.group(1) + "S", text)
    text = _CAMEL_1.sub(r"\1_\2", text)
    text = _CAMEL_2.sub(r"\1_\2", text)
    text = _NON_IDENT.sub("_", text).lower()
    text = re.sub(r"_+", "_", text).rstrip("_") or "field"
    if text[0].isdigit() or text[0] == "_":
        text = "f_" + text.lstrip("_")
    if _is_keyword(text) or text in _RESERVED_ATTRIBUTES:
        text += "_"
    return text


def pascal_case(text: str) -> str:
    """A class-name fragment: ``spec.template`` -> ``SpecTemplate``, ``x-foo`` -> ``XFoo``."""
    text = _ascii_only(text.replace("$", "Dollar_"))
    parts = [p for p in (q.lstrip("_") for q in _NON_IDENT.split(text)) if p]  # no private names
    name = "".join(p[:1].upper() + p[1:] for p in parts) or "Type"
    if name[0].isdigit():
        name = "T" + name
    if _is_keyword(name) or name in _RESERVED_CLASS_NAMES:
        name += "_"
    return name


def assign_unique(wanted: dict[str, str], *, taken: Iterable[str] = ()) -> dict[str, str]:
    """Map each key to its wanted name, resolving collisions deterministically.

    A key whose wanted name equals the key itself keeps it (even when another key's
    numbered name would be the same: ``mirror_percent_2`` beside ``mirrorPercent`` and
    ``mirror_percent``); the rest, in sorted key order, get ``_2``, ``_3``, ... until unique.
    """
    result: dict[str, str] = {}
    used = set(taken)
    for key in sorted(wanted):
        if wanted[key] == key and key not in used:
            used.add(key)
            result[key] = key
    by_name: dict[str, list[str]] = {}
    for key, name in wanted.items():
        if key not in result:
            by_name.setdefault(name, []).append(key)
    for name in sorted(by_name):
        n = 1  # numbers below the last one given are all taken: linear, not quadratic
        for key in sorted(by_name[name]):
            candidate = name if n == 1 else f"{name}_{n}"
            while candidate in used:
                n += 1
                candidate = f"{name}_{n}"
            used.add(candidate)
            result[key] = candidate
    return result


def group_package(group: str) -> str:
    if group == "":
        return "core"
    if "." not in group or group.endswith(".k8s.io"):
        return snake_case(group.split(".", 1)[0])
    return snake_case(group.replace(".", "_").replace("-", "_"))


def version_package(version: str) -> str:
    return snake_case(version)


def group_version_attr(group: str, version: str) -> str:
    """The clientset attribute: ``core_v1``, ``apps_v1``, ``cloud_waibizi_com_v1``."""
    return f"{group_package(group)}_{version_package(version)}"


def resource_getter(kind: str, plural: str) -> str:
    """``pods``, ``virtual_machines``, ``network_policies``: plural words split like the kind."""
    kind_lower, snake_kind = kind.lower(), snake_case(kind).rstrip("_")
    if plural == kind_lower:
        name = snake_kind
    elif plural.startswith(kind_lower):
        name = snake_kind + plural[len(kind_lower) :]
    elif kind_lower.endswith("y") and plural == kind_lower[:-1] + "ies":
        name = snake_kind[:-1] + "ies"
    else:
        name = snake_case(plural).rstrip("_")
    return snake_case(name)


def enum_member(value: str) -> str:
    """An enum member name for a value: ``IfNotPresent`` -> ``IF_NOT_PRESENT``, ``=`` -> ``V_3D``.

    Numeric values read as numbers: ``14`` -> ``V14``, ``1.5`` -> ``V1_5``, ``-1`` ->
    ``MINUS_1``, ``+1`` -> ``PLUS_1``, ``2xx`` -> ``V2XX``.
    """
    sign = {"-": "MINUS_", "+": "PLUS_"}.get(value[:1], "") if value[1:2].isdigit() else ""
    body = value[1:] if sign else value
    text = snake_case(body).rstrip("_").upper() if re.search(r"[0-9A-Za-z]", body) else ""
    if text.startswith("F_") and body[:1].isdigit():  # snake_case's prefix for a leading digit
        text = ("V" if not sign else "") + re.sub(r"(?<=\d)_(?=[A-Z]+$)", "", text[2:])
    text = sign + text
    if not text or not re.fullmatch(r"[A-Z][A-Z0-9_]*", text):
        text = "V_" + "_".join(f"{ord(ch):X}" for ch in value) if value else "EMPTY"
    if _is_keyword(text) or text in {"MRO", "NAME", "VALUE"}:
        text += "_"
    return text


def pascal_from_snake(name: str) -> str:
    """``core_v1`` -> ``CoreV1``, ``virtual_machines`` -> ``VirtualMachines``."""
    return pascal_case("".join(part[:1].upper() + part[1:] for part in name.split("_") if part))
