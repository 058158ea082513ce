"""A last check on rendered modules: no module binds one top-level name twice.

The layout makes every generated name distinct (``generator.layout``); this check makes a
slip in any template or naming rule fail loudly (exit 2) instead of shipping a module in
which one class silently replaces another. It reads the unformatted template output line by
line: classes, functions and assignments at column 0, and imports at column 0 or directly
inside an ``if TYPE_CHECKING:`` block (imports inside functions are local and not counted).
That costs milliseconds where parsing every module would cost seconds.
"""

from __future__ import annotations

import re

from kube_clientgen.errors import GenerationError

_DEFINED = re.compile(r"(?:class|def) (\w+)|(\w+)(?:: [^=]+)? = ")
_IMPORT = re.compile(r"(?:from \S+ )?import ([^(]+)$")


def check_unique_bindings(files: dict[str, str]) -> None:
    """Raise ``GenerationError`` naming the module and the name bound twice.

    ``files`` maps package-relative paths to (unformatted) sources.
    """
    for path in sorted(files):
        if path.endswith(".py"):
            _check_module(path, files[path])


def _check_module(path: str, source: str) -> None:
    seen: set[str] = set()
    type_checking = False
    for line in source.splitlines():
        if not line or line[0] == "#":
            continue
        indented = line.startswith("    ") and not line.startswith("     ")
        if line[0] != " ":
            type_checking = line == "if TYPE_CHECKING:"
        elif not (type_checking and indented):
            continue
        names = _bound_names(line.strip())
        for name in dict.fromkeys(names):  # ``import A, A`` binds A once
            if name in seen:
                raise GenerationError(
                    f"generated names collide: {path} would define {name!r} twice"
                )
            seen.add(name)


def _bound_names(statement: str) -> list[str]:
    imported = _IMPORT.match(statement)
    if imported:
        parts = imported[1].split(",")
        return [p.split(" as ")[-1].strip().split(".")[0] for p in parts if p.strip()]
    defined = _DEFINED.match(statement)
    if defined:
        name = defined[1] or defined[2]
        return [] if name == "__all__" else [name]
    return []
