"""Kubeconfig text to data, with the scalar rules kubectl applies.

kubectl reads a kubeconfig with ``sigs.k8s.io/yaml`` (go-yaml v2 turned into JSON), so
that is the reference here, not PyYAML's YAML 1.1 defaults. Where they differ:

* ``y``/``Y``/``n``/``N`` (besides ``yes``/``no``/``on``/``off``/``true``/``false`` in
  three casings) are booleans;
* numbers follow Go's ``strconv.ParseInt(s, 0, 64)`` after dropping ``_``: ``0x1F``,
  ``0o17``, ``017``, ``0b101``, ``1_000``; and go-yaml's float form (``1e3``, ``.5``,
  ``08``, ``.inf``, ``.nan``);
* sexagesimal ``12:30`` and timestamps stay strings, as written;
* ``!!binary`` gives the decoded text, an unknown local tag (``!foo x``) is ignored,
  ``=`` is the string ``"="``;
* a document that is JSON is read as JSON (tabs and all), as kubectl does.

Everything else (anchors, aliases, merge keys ``<<``, block scalars, flow style,
``!!str``, duplicate keys where the last wins) is standard YAML and behaves the same.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

import yaml

__all__ = ["KubeconfigYamlError", "load_kubeconfig_text"]

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_BOOL_TRUE = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"}
_BOOL_FALSE = {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"}
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile("^(?:" + "|".join(sorted(_BOOL_TRUE | _BOOL_FALSE)) + ")$")
# Go's ParseInt(s, 0, 64) forms, underscores allowed (go-yaml drops them first).
_INT = re.compile(
    r"^[-+]?(?:0[xX][0-9a-fA-F_]*[0-9a-fA-F][0-9a-fA-F_]*|0[oO]_*[0-7][0-7_]*|0[bB]_*[01][01_]*|0[0-7_]*|[1-9][0-9_]*)$"
)
# go-yaml v2's yamlStyleFloat, applied after dropping underscores; plus .inf / .nan.
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class KubeconfigYamlError(ValueError):
    """The text is not YAML (or JSON); the message has the position, never the text."""


class _KubectlLoader(_Base):  # type: ignore[misc]
    """A safe loader whose implicit types are go-yaml v2's (see the module docstring)."""


_KubectlLoader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:bool", _BOOL, list("yYnNtTfFoO")),
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", _INT, list("-+0123456789")),
    ("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789")),
    ("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"]),
):
    _KubectlLoader.add_implicit_resolver(_tag, _regexp, _first)


def _construct_bool(loader: Any, node: yaml.ScalarNode) -> bool:
    value = loader.construct_scalar(node)
    if value in _BOOL_TRUE:
        return True
    if value in _BOOL_FALSE:
        return False
    raise yaml.constructor.ConstructorError(
        None, None, "not a boolean (expected true or false)", node.start_mark
    )


def _parse_go_int(text: str) -> int:
    plain = text.replace("_", "")
    sign = -1 if plain.startswith("-") else 1
    digits = plain.lstrip("+-")
    lowered = digits.lower()
    if lowered.startswith(("0x", "0o", "0b")):
        return sign * int(digits, 0)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits)


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int | float:
    text = loader.construct_scalar(node)
    try:
        return _parse_go_int(text)
    except ValueError:
        # An explicit !!int on something else: as go-yaml, fall back to a float.
        return float(text.replace("_", ""))


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    text = loader.construct_scalar(node).replace("_", "")
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


def _construct_binary(loader: Any, node: yaml.ScalarNode) -> str:
    text = loader.construct_scalar(node)
    try:
        raw = base64.b64decode(re.sub(r"\s", "", text), validate=True)
    except (binascii.Error, ValueError):
        raise yaml.constructor.ConstructorError(
            None, None, "!!binary value is not valid base64", node.start_mark
        ) from None
    # Go keeps the bytes in a string; JSON then replaces invalid UTF-8.
    return raw.decode("utf-8", "replace")


def _construct_untagged(loader: Any, node: yaml.Node) -> Any:
    """A node with a tag go-yaml ignores (``!foo``, ``=``, timestamps): its plain value."""
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_KubectlLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
_KubectlLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_KubectlLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_KubectlLoader.add_constructor("tag:yaml.org,2002:binary", _construct_binary)
_KubectlLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_untagged)
_KubectlLoader.add_constructor("tag:yaml.org,2002:value", _construct_untagged)
_KubectlLoader.add_constructor(None, _construct_untagged)


#: Deepest nesting of mappings and sequences a kubeconfig may have (real ones have about 5).
#: Checked on the parser's events before anything is composed: libyaml's composer recurses
#: in C, and PyYAML releases without a depth bound of their own crash the process on
#: deeper input instead of raising.
_MAX_DEPTH = 1000


def _check_depth(raw: bytes) -> None:
    """Raise ``KubeconfigYamlError`` (with the line) if ``raw`` nests deeper than _MAX_DEPTH;
    YAML syntax errors come out as ``yaml.YAMLError``."""
    loader = _KubectlLoader(raw)
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > _MAX_DEPTH:
                    raise KubeconfigYamlError(
                        f"not valid YAML{_position(event.start_mark)}: "
                        f"nesting depth exceeds {_MAX_DEPTH}"
                    )
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _position(mark: Any) -> str:
    """`` at line L, column C`` (1-based) of a YAML mark, or nothing without one."""
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def load_kubeconfig_text(raw: bytes) -> Any:
    """The data of one kubeconfig document (``None`` when empty).

    Raises ``KubeconfigYamlError`` with the line and column and the parser's description,
    never the offending text (a kubeconfig line may hold a secret).
    """
    stripped = raw.lstrip()
    if stripped.startswith(b"{"):
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            # Not JSON after all, or nested too deep for the stdlib decoder: YAML (a
            # superset) gets its say and its message (a bounded nesting depth, with the line).
            pass
    if not raw.strip():
        return None
    try:
        _check_depth(raw)
        return yaml.load(raw, Loader=_KubectlLoader)  # noqa: S506 - a safe loader subclass
    except RecursionError:  # the pure-Python loader (no libyaml) below _MAX_DEPTH
        raise KubeconfigYamlError("not valid YAML: nesting depth too deep") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "syntax error"
        position = _position(getattr(exc, "problem_mark", None))
        raise KubeconfigYamlError(f"not valid YAML{position}: {problem}") from None
