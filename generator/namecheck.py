"""A last check on rendered modules: no module binds one top-level name twice.

The layout makes every generated name distinct (``generator.layout``); this check makes a
slip in any template or naming rule fail loudly (exit 2) instead of shipping a module in
which one class silently replaces another. It reads the unformatted template output with a
regular expression (modules, classes, functions, assignments, and imports at module level
or in the ``if TYPE_CHECKING:`` block), which costs milliseconds where parsing every module
would cost seconds.
"""

from __future__ import annotations

import re

from kube_clientgen.errors import GenerationError

_BINDING = re.compile(
    r"^(?:class|def) (?P<defined>\w+)"
    r"|^(?P<assigned>\w+)(?:: [^=\n]+)? = "
    r"|^(?: {4})?from \S+ import (?P<from_names>[^(\n]+)$"
    r"|^(?: {4})?import (?P<names>[^\n]+)$",
    re.MULTILINE,
)


def check_unique_bindings(files: dict[str, str]) -> None:
    """Raise ``GenerationError`` naming the module and the name bound twice.

    ``files`` maps package-relative paths to (unformatted) sources.
    """
    for path in sorted(files):
        if not path.endswith(".py"):
            continue
        seen: set[str] = set()
        for match in _BINDING.finditer(files[path]):
            for name in dict.fromkeys(_names(match)):  # ``import A, A`` binds A once
                if name in seen:
                    raise GenerationError(
                        f"generated names collide: {path} would define {name!r} twice"
                    )
                seen.add(name)


def _names(match: re.Match[str]) -> list[str]:
    single = match["defined"] or match["assigned"]
    if single:
        return [] if single == "__all__" else [single]
    names = match["from_names"] or match["names"] or ""
    return [
        part.split(" as ")[-1].strip().split(".")[0] for part in names.split(",") if part.strip()
    ]
