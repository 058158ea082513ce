"""apimachinery's name and label checks (``k8s.io/apimachinery/pkg/util/validation``).

Pure functions, no I/O: each returns the list of problems of a string, worded as apimachinery
words them (so messages match a real cluster), and ``[]`` when the string is valid. Used by
the test API server's metadata checks (:mod:`kubecore.testing.objectmeta`) and by the CEL
``format`` library (:mod:`kubecore.core.validation.cel_format`).
"""

from __future__ import annotations

import re

__all__ = [
    "go_len",
    "is_config_map_key",
    "is_dns1035_label",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_label_value",
    "is_path_segment_name",
    "is_qualified_name",
    "mask_trailing_dash",
]

_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = _DNS1123_LABEL + "(\\." + _DNS1123_LABEL + ")*"
_DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
_LABEL_KEY = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE = "(" + _LABEL_KEY + ")?"

_DNS1123_LABEL_RE = re.compile(_DNS1123_LABEL)
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN)
_DNS1035_LABEL_RE = re.compile(_DNS1035_LABEL)
_LABEL_KEY_RE = re.compile(_LABEL_KEY)
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE)

_DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character"
)
_DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
    "an alphabetic character, and end with an alphanumeric character"
)
_LABEL_KEY_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
    "an alphanumeric character"
)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character"
)


def _regex_error(message: str, pattern: str, *examples: str) -> str:
    """apimachinery's ``RegexError``."""
    if not examples:
        return f"{message} (regex used for validation is '{pattern}')"
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{pattern}')"


def _max_len(length: int) -> str:
    return f"must be no more than {length} characters"


def go_len(value: str) -> int:
    """Go's ``len``: bytes of UTF-8, which is what every limit here counts."""
    return len(value.encode("utf-8", "surrogatepass"))


_CONFIG_MAP_KEY = "[-._a-zA-Z0-9]+"
_CONFIG_MAP_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"


def is_config_map_key(value: str) -> list[str]:
    """Problems of ``value`` as a ConfigMap or Secret key (client-go ``IsConfigMapKey``)."""
    errors = []
    if go_len(value) > 253:
        errors.append(_max_len(253))
    if not re.fullmatch(_CONFIG_MAP_KEY, value):
        errors.append(
            _regex_error(_CONFIG_MAP_KEY_MSG, _CONFIG_MAP_KEY, "key.name", "KEY_NAME", "key-name")
        )
    if value in (".", ".."):
        errors.append(f"must not be '{value}'")
    elif value.startswith(".."):
        errors.append("must not start with '..'")
    return errors


def is_dns1123_label(value: str) -> list[str]:
    """Problems of ``value`` as a DNS-1123 label (client-go ``IsDNS1123Label``); [] if valid."""
    errors = []
    if go_len(value) > 63:
        errors.append(_max_len(63))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            errors.append("must not contain dots")
        else:
            errors.append(_regex_error(_DNS1123_LABEL_MSG, _DNS1123_LABEL, "my-name", "123-abc"))
    return errors


def is_dns1123_subdomain(value: str) -> list[str]:
    """Problems of ``value`` as a DNS-1123 subdomain (client-go ``IsDNS1123Subdomain``)."""
    errors = []
    if go_len(value) > 253:
        errors.append(_max_len(253))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errors.append(_regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN, "example.com"))
    return errors


def is_dns1035_label(value: str) -> list[str]:
    """Problems of ``value`` as a DNS-1035 label (client-go ``IsDNS1035Label``)."""
    errors = []
    if go_len(value) > 63:
        errors.append(_max_len(63))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errors.append(_regex_error(_DNS1035_LABEL_MSG, _DNS1035_LABEL, "my-name", "abc-123"))
    return errors


def is_path_segment_name(value: str, prefix: bool = False) -> list[str]:
    """Problems of ``value`` as a URL path segment (client-go ``IsValidPathSegmentName``)."""
    if not prefix and value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in value]


def is_qualified_name(value: str) -> list[str]:
    """Problems of ``value`` as a label key / qualified name (client-go ``IsQualifiedName``)."""
    errors: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend("prefix part " + msg for msg in is_dns1123_subdomain(prefix))
    else:
        return [
            "a valid label key "
            + _regex_error(_LABEL_KEY_MSG, _LABEL_KEY, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errors.append("name part must be non-empty")
    elif go_len(name) > 63:
        errors.append("name part " + _max_len(63))
    if not _LABEL_KEY_RE.fullmatch(name):
        errors.append(
            "name part " + _regex_error(_LABEL_KEY_MSG, _LABEL_KEY, "MyName", "my.name", "123-abc")
        )
    return errors


def is_label_value(value: str) -> list[str]:
    """Problems of ``value`` as a label value (client-go ``IsValidLabelValue``)."""
    errors = []
    if go_len(value) > 63:
        errors.append(_max_len(63))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errors.append(_regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE, "MyValue", "my_value", "12345"))
    return errors


def mask_trailing_dash(name: str) -> str:
    """A generateName may end in '-' (the suffix follows): check it as if it did not."""
    return name[:-1] + "a" if len(name) > 1 and name.endswith("-") else name
