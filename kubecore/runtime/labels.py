"""Label selectors evaluated in memory (apimachinery's ``labels.Parse``), for listers and the
test server.

Grammar: comma-separated requirements, each one of ``key``, ``!key``, ``key=value``,
``key==value``, ``key!=value``, ``key in (a,b)``, ``key notin (a,b)``, ``key>N`` and
``key<N`` (``N`` an integer; a label matches when its value parses as an integer beyond
``N``). An empty selector matches everything. As ``labels.NewRequirement`` does, keys must
be qualified names and values valid label values (at most 63 characters), and an empty
requirement (``app=web,``) is refused: a selector that cannot mean what it says raises
``ValueError`` instead of silently matching nothing (``n>4`` used to be read as "a label
named ``n>4`` exists").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

__all__ = [
    "Requirement",
    "Selector",
    "matches_requirement",
    "parse_requirements",
    "parse_selector",
]

Selector = Callable[[Mapping[str, str]], bool]
#: (key, operator, values): operator is one of ``exists``, ``!exists``, ``=``, ``!=``,
#: ``in``, ``notin``, ``>``, ``<``.
Requirement = tuple[str, str, frozenset[str]]

_TERM = re.compile(
    r"^\s*(?:(?P<not>!)\s*(?P<nkey>[^\s=!,()<>]+)"
    r"|(?P<key>[^\s=!,()<>]+)\s*(?:(?P<op>==|=|!=|>|<)\s*(?P<value>[^\s,()<>]*)"
    r"|\s+(?P<setop>in|notin)\s*\((?P<values>[^)]*)\))?)\s*$"
)
_NAME = r"[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_KEY = re.compile(rf"(?:[a-z0-9](?:[-a-z0-9.]{{0,251}}[a-z0-9])?/)?{_NAME}")
_VALUE = re.compile(rf"(?:{_NAME})?")
_INT64 = re.compile(r"[-+]?[0-9]+")


def _terms(selector: str) -> list[str]:
    terms: list[str] = []
    current: list[str] = []
    depth = 0
    for char in selector:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    terms.append("".join(current))
    return terms if selector.strip() else []


def parse_requirements(selector: str | None) -> list[Requirement]:
    """The requirements of ``selector``; ``ValueError`` naming the bad requirement."""
    found: list[Requirement] = []
    for term in _terms(selector or ""):
        m = _TERM.match(term)
        if m is None:
            raise ValueError(f"invalid label selector requirement {term.strip()!r}")
        key = m["nkey"] or m["key"]
        if not _KEY.fullmatch(key) or len(key.rpartition("/")[2]) > 63:
            raise ValueError(f"invalid label key {key!r} in requirement {term.strip()!r}")
        if m["nkey"]:
            found.append((key, "!exists", frozenset()))
            continue
        op = {"==": "=", None: m["setop"] or "exists"}.get(m["op"], m["op"])
        values = frozenset(
            [m["value"]] if m["op"] else [v.strip() for v in (m["values"] or "").split(",")]
        )
        check = _INT64 if op in (">", "<") else _VALUE
        for value in values if op != "exists" else ():
            if not check.fullmatch(value):
                wanted = "an integer" if check is _INT64 else "a valid label value"
                raise ValueError(f"{value!r} in requirement {term.strip()!r} is not {wanted}")
        found.append((key, op, values if op != "exists" else frozenset()))
    return found


def matches_requirement(labels: Mapping[str, str], requirement: Requirement) -> bool:
    """Whether ``labels`` satisfy one requirement (apimachinery's ``Requirement.Matches``)."""
    key, op, values = requirement
    if op in ("exists", "!exists"):
        return (key in labels) == (op == "exists")
    if op in ("!=", "notin"):
        return labels.get(key) not in values
    if op in (">", "<"):
        value = labels.get(key)
        if not isinstance(value, str) or not _INT64.fullmatch(value):
            return False
        (bound,) = values
        return int(value) > int(bound) if op == ">" else int(value) < int(bound)
    return key in labels and labels[key] in values


def parse_selector(selector: str | None) -> Selector:
    """A predicate over a labels mapping. Raises ``ValueError`` naming a bad requirement."""
    requirements = parse_requirements(selector)

    def matches(labels: Mapping[str, str]) -> bool:
        return all(matches_requirement(labels, req) for req in requirements)

    return matches
