"""Rule text the CEL library evaluates differently from cel-go, renamed to our functions.

The library's built-in ``size()`` counts the UTF-8 bytes of a string, where CEL (and so
kube-apiserver) counts code points: ``"日本".size()`` is 2, not 6, so a rule
``self.title.size() <= 10`` would refuse a 6-character Japanese title. Built-ins cannot
be overridden in the library's context, so calls of ``size`` (as a function or a method) are
renamed to a function of ours before compiling. The scan knows CEL's lexical forms (string
and bytes literals, raw and triple-quoted ones, ``//`` comments), so a ``size(`` inside a
literal is left as it is; messages always quote the rule as it was written.
"""

from __future__ import annotations

import re

#: Built-in calls renamed, to what (registered in :mod:`cel_functions`).
RENAMED_CALLS = {"size": "k8sSize"}

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CALL_AFTER = re.compile(r"\s*\(")
_STRING_PREFIX = re.compile(r"[rRbB]{1,2}")


def renamed_calls(source: str) -> str:
    """``source`` with each call of a :data:`RENAMED_CALLS` name renamed; all else kept."""
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char in "\"'":
            end = _string_end(source, i, raw=False)
            out.append(source[i:end])
            i = end
        elif source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            out.append(source[i:end])
            i = end
        elif char.isalpha() or char == "_":
            word = _IDENTIFIER.match(source, i)
            assert word is not None
            name, end = word.group(), word.end()
            if end < n and source[end] in "\"'" and _STRING_PREFIX.fullmatch(name):
                literal_end = _string_end(source, end, raw="r" in name.lower())
                out.append(source[i:literal_end])
                i = literal_end
                continue
            if name in RENAMED_CALLS and _CALL_AFTER.match(source, end):
                name = RENAMED_CALLS[name]
            out.append(name)
            i = end
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _string_end(source: str, start: int, raw: bool) -> int:
    """Where the literal opening at ``start`` ends (past its closing quote, or the end)."""
    quote = source[start]
    closing = quote * 3 if source.startswith(quote * 3, start) else quote
    i = start + len(closing)
    while i < len(source):
        if not raw and source[i] == "\\":
            i += 2
            continue
        if source.startswith(closing, i):
            return i + len(closing)
        i += 1
    return len(source)
