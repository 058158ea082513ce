"""Label selectors evaluated in memory (apimachinery's ``labels.Parse``), for listers.

Grammar: comma-separated requirements, each one of ``key``, ``!key``, ``key=value``,
``key==value``, ``key!=value``, ``key in (a,b)``, ``key notin (a,b)``. An empty selector
matches everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

__all__ = ["Selector", "parse_selector"]

Selector = Callable[[Mapping[str, str]], bool]

_TERM = re.compile(
    r"^\s*(?:(?P<not>!)\s*(?P<nkey>[^\s=!,()]+)"
    r"|(?P<key>[^\s=!,()]+)\s*(?:(?P<op>==|=|!=)\s*(?P<value>[^\s,()]*)"
    r"|\s+(?P<setop>in|notin)\s*\((?P<values>[^)]*)\))?)\s*$"
)


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
    return [t for t in terms if t.strip()]


def parse_selector(selector: str | None) -> Selector:
    """A predicate over a labels mapping. Raises ``ValueError`` naming a bad requirement."""
    checks: list[Selector] = []
    for term in _terms(selector or ""):
        m = _TERM.match(term)
        if m is None:
            raise ValueError(f"invalid label selector requirement {term.strip()!r}")
        if m["nkey"]:
            checks.append(_requirement(m["nkey"], None, True))
        elif m["op"]:
            checks.append(_requirement(m["key"], frozenset([m["value"]]), m["op"] == "!="))
        elif m["setop"]:
            values = frozenset(v.strip() for v in m["values"].split(",") if v.strip())
            checks.append(_requirement(m["key"], values, m["setop"] == "notin"))
        else:
            checks.append(_requirement(m["key"], None, False))

    def matches(labels: Mapping[str, str]) -> bool:
        return all(check(labels) for check in checks)

    return matches


def _requirement(key: str, values: frozenset[str] | None, negate: bool) -> Selector:
    """``values`` None: an existence test; else membership (``=``, ``in``), ``negate``d for
    ``!=``, ``notin`` and ``!key`` (a missing key satisfies the negated forms)."""

    def check(labels: Mapping[str, str]) -> bool:
        if values is None:
            return (key in labels) != negate
        return (labels.get(key) in values) != negate

    return check
