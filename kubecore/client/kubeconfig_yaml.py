"""Kubeconfig text to data, with the rules kubectl applies.

kubectl reads a kubeconfig with ``sigs.k8s.io/yaml`` (go-yaml v2 turned into JSON): the
same reading every other manifest gets, so it is ``kubecore.core.yamlio``'s loader
(``y``/``yes``/``on`` are booleans, numbers in Go's forms, ``12:30`` and timestamps stay
text, ``!!binary`` is decoded, unknown tags are ignored, ``.inf``/``.nan`` and null keys are
refused). Two things are a kubeconfig's own:

* a document that is JSON is read as JSON (tabs and all), as kubectl's YAML-or-JSON
  decoder does;
* nesting is bounded before anything is composed, and errors give the line and column,
  never the text (a kubeconfig line may hold a secret).
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from kubecore.core.yamlio import KubeYamlLoader

__all__ = ["KubeconfigYamlError", "load_kubeconfig_text"]


class KubeconfigYamlError(ValueError):
    """The text is not YAML (or JSON); the message has the position, never the text."""


#: Deepest nesting of mappings and sequences a kubeconfig may have (real ones have about 5).
#: Checked on the parser's events before anything is composed: libyaml's composer recurses
#: in C, and PyYAML releases without a depth bound of their own crash the process on
#: deeper input instead of raising.
_MAX_DEPTH = 1000


def _check_depth(raw: bytes) -> None:
    """Raise ``KubeconfigYamlError`` (with the line) if ``raw`` nests deeper than _MAX_DEPTH;
    YAML syntax errors come out as ``yaml.YAMLError``."""
    loader = KubeYamlLoader(raw)
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
        return yaml.load(raw, Loader=KubeYamlLoader)  # noqa: S506 - a safe loader subclass
    except RecursionError:  # the pure-Python loader (no libyaml) below _MAX_DEPTH
        raise KubeconfigYamlError("not valid YAML: nesting depth too deep") from None
    except yaml.reader.ReaderError as exc:  # not UTF-8 (or a control character): no mark
        before = raw[: exc.position]
        line, column = before.count(b"\n") + 1, exc.position - before.rfind(b"\n")
        where = f"at line {line}, column {column}"
        raise KubeconfigYamlError(f"not valid YAML {where}: {exc.reason}") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or "syntax error"
        position = _position(getattr(exc, "problem_mark", None))
        raise KubeconfigYamlError(f"not valid YAML{position}: {problem}") from None
