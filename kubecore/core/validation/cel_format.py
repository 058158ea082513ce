"""Kubernetes' CEL ``format`` library (``k8s.io/apiserver/pkg/cel/library/format.go``).

``format.dns1123Label()`` and its siblings return a Format; ``format.named(name)`` returns an
optional Format (``optional.none()`` for an unknown name); ``<Format>.validate(string)``
returns ``optional.none()`` when the string is valid, else ``optional.of([message, ...])``
with apimachinery's messages. In cel-go an optional never equals ``null``, so the
gateway-api rule ``format.dns1123Label().validate(self) == null`` is false for every
string (upstream fixed it to ``!...hasValue()``); it behaves the same here.

The CEL library parses ``format.dns1123Label()`` as a call of ``dns1123Label`` on a variable
``format``: that variable is a marker map (:data:`LIBRARY`) and Formats are marker maps
``{"__format__": name}`` (so ``format.named('uuid').value() == format.uuid()`` holds).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from kubecore.core.validation import names
from kubecore.core.validation.formats import FORMATS

FORMAT_KEY = "__format__"
#: The value of the CEL variable ``format``.
LIBRARY = {"__library__": "format"}


def _strfmt(name: str, message: str) -> Callable[[str], list[str]]:
    check = FORMATS[name]
    return lambda text: [] if check(text) else [message]


def _uri(text: str) -> list[str]:
    """Go's ``url.ParseRequestURI``: an absolute URI or an absolute path."""
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is not None and (parts.scheme or text.startswith("/")):
        return []
    return [f'parse "{text}": invalid URI for request']


def _prefixed(check: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    return lambda text: check(names.mask_trailing_dash(text))


#: The named formats, as ``format.go``'s ConstantFormats (name -> problems of a string).
CHECKS: dict[str, Callable[[str], list[str]]] = {
    "dns1123Label": names.is_dns1123_label,
    "dns1123Subdomain": names.is_dns1123_subdomain,
    "dns1035Label": names.is_dns1035_label,
    "qualifiedName": names.is_qualified_name,
    "dns1123LabelPrefix": _prefixed(names.is_dns1123_label),
    "dns1123SubdomainPrefix": _prefixed(names.is_dns1123_subdomain),
    "dns1035LabelPrefix": _prefixed(names.is_dns1035_label),
    "labelValue": names.is_label_value,
    "uri": _uri,
    "uuid": _strfmt("uuid", "does not match the UUID format"),
    "byte": _strfmt("byte", "invalid base64"),
    "date": _strfmt("date", "invalid date"),
    "datetime": _strfmt("datetime", "invalid datetime"),
}


def _is_library(value: Any) -> bool:
    return bool(value == LIBRARY)


def constructor(name: str) -> Callable[[Any], dict[str, str]]:
    """``format.<name>()``: the Format (called with the ``format`` variable as target)."""

    def make(library: Any) -> dict[str, str]:
        if not _is_library(library):
            raise TypeError(f"no such overload: {name}()")
        return {FORMAT_KEY: name}

    return make


def named(library: Any, name: Any) -> Any:
    """``format.named(string) -> ?Format``."""
    import cel

    if not _is_library(library) or not isinstance(name, str):
        raise TypeError("no such overload: format.named(string)")
    if name in CHECKS:
        return cel.OptionalValue.of({FORMAT_KEY: name})
    return cel.OptionalValue.none()


def validate(fmt: Any, text: Any) -> Any:
    """``<Format>.validate(string) -> ?list<string>``."""
    import cel

    if not (isinstance(fmt, dict) and fmt.get(FORMAT_KEY) in CHECKS) or not isinstance(text, str):
        raise TypeError("no such overload: <Format>.validate(string)")
    problems = CHECKS[fmt[FORMAT_KEY]](text)
    return cel.OptionalValue.of(problems) if problems else cel.OptionalValue.none()


FUNCTIONS: dict[str, Callable[..., Any]] = {
    **{name: constructor(name) for name in CHECKS},
    "named": named,
    "validate": validate,
}
