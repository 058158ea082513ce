"""CEL validation rules (``x-kubernetes-validations``) evaluated as kube-apiserver does.

The CEL library is ``common-expression-language`` (PyPI; Rust's cel-interpreter under
Python bindings), installed with ``kube-clientgen[validation]``. Measured here on
``self.replicas >= self.minReplicas && self.items.all(x, x.name.size() < 10)``: about 36 µs
per evaluation, against about 1.8 ms for the pure-Python ``cel-python``; its custom functions
are plain Python callables that also work in method style (``self.name.lowerAscii()``),
which is how the Kubernetes extension libraries are provided here.

Per rule: ``rule`` (required), ``message``, ``messageExpression`` (a string-valued CEL
expression; when it fails, is empty or has a line break, ``message`` or the default
``failed rule: <rule>`` is used, as kube-apiserver does), ``reason``
(``FieldValueInvalid`` (default), ``FieldValueForbidden``, ``FieldValueRequired``,
``FieldValueDuplicate``) and ``fieldPath`` (a relative path such as ``.spec.replicas`` or
``.labels['x']``, appended to the rule's location). A rule that mentions ``oldSelf`` is a
transition rule: evaluated only on update, when the old object has a value at the same
place (object properties and map values correlate by key, ``x-kubernetes-list-type: map``
items by their keys; other list items never correlate).

Supported beyond standard CEL (``size``, ``has``, ``all``, ``exists``, ``exists_one``,
``map``, ``filter``, ``matches``, ``contains``, ``startsWith``, ``endsWith``, conversions,
``duration``/``timestamp``) and its optional values (``optional.of``/``none``/
``ofNonZeroValue``, ``hasValue``, ``value``, ``orValue``, ``or``): Kubernetes' list library
(``isSorted``, ``sum``, ``min``, ``max``, ``indexOf``, ``lastIndexOf``), the strings library
(``charAt``, ``indexOf``, ``lastIndexOf``, ``lowerAscii``, ``upperAscii``, ``replace``,
``split``, ``substring``, ``trim``, ``join``), regex (``find``, ``findAll``), URLs (``isURL``,
``url``, ``getScheme``, ``getHost``, ``getHostname``, ``getPort``, ``getEscapedPath``,
``getQuery``), quantities (``isQuantity``, ``quantity``, ``isInteger``, ``asInteger``,
``asApproximateFloat``, ``sign``, ``add``, ``sub``, ``compareTo``, ``isLessThan``,
``isGreaterThan``), IPs and CIDRs (:mod:`cel_net`), semver (:mod:`cel_semver`) and
``format`` (:mod:`cel_format`). Not supported: the optional syntax (``self.?x``,
``m[?k]``, ``{?k: v}``) that the library's parser refuses, ``optMap``/``optFlatMap``,
``authz``, and ``duration``/``timestamp`` typing of ``format: date-time``/``duration``
strings. A rule using anything unsupported raises :class:`CelUnsupported`, and one that
does not compile :class:`CelError`, when its CRD is added: one line per rule naming the CRD
file, the JSON pointer of the rule and what is wrong; it is never silently passed.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from kubecore.core.validation import cel_functions
from kubecore.core.validation import errors as fe
from kubecore.core.validation.cel_source import renamed_calls

#: Function names a rule may call: standard CEL (macros such as ``has``/``all``/``map`` are
#: expanded by the parser and need no entry), the optional-value functions the CEL library
#: provides, and the Kubernetes libraries of :mod:`cel_functions`.
SUPPORTED_FUNCTIONS = frozenset(
    {
        # standard CEL and conversions
        "size", "matches", "contains", "startsWith", "endsWith", "int", "uint", "double",
        "string", "bytes", "bool", "duration", "timestamp", "type", "dyn", "getDate",
        "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getFullYear", "getHours",
        "getMilliseconds", "getMinutes", "getMonth", "getSeconds",
        # optional values (optional.of / none / ofNonZeroValue, orValue, hasValue, value, or)
        "of", "none", "ofNonZeroValue", "orValue", "hasValue", "value", "or",
    }
    | set(cel_functions.FUNCTIONS)
)  # fmt: skip
#: The parser's words for the optional syntax it cannot read, and what to call it.
_OPTIONAL_SYNTAX = {
    "'.?'": "optional field selection 'x.?field'",
    "'[?'": "optional index 'x[?key]'",
    "'?'": "optional entry '{?key: value}' / '[?value]'",
}
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_FUNCTION_ERROR = re.compile(r"Python function call failed: \w+: (.*?)\. Check function arguments")
_OLD_SELF = re.compile(r"\boldSelf\b")
_REASONS = {"FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"}


class CelError(ValueError):
    """A CEL rule that cannot be compiled or uses an unsupported function (at CRD load)."""


class CelUnsupported(CelError):
    """A rule that is valid Kubernetes CEL but uses what this validator cannot evaluate.

    Raised (like every :class:`CelError`) when the CRD is added, never at evaluation:
    silently passing the rule would let objects through that kube-apiserver refuses.
    """


def _cel() -> Any:
    try:
        import cel
    except ImportError as err:  # pragma: no cover - depends on the install
        raise CelError(
            "x-kubernetes-validations need the CEL library: pip install 'kube-clientgen[validation]'"
        ) from err
    _quiet_function_failures()
    return cel


class _FunctionFailures(logging.Filter):
    """Drops the CEL package's warning for a library function that raised: the failure
    is already the rule's error (with the same text), and the warning would print the
    value the rule was given to stderr of every program that validates."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Python function")


def _quiet_function_failures() -> None:
    logger = logging.getLogger("cel")
    if not any(isinstance(f, _FunctionFailures) for f in logger.filters):
        logger.addFilter(_FunctionFailures())


class _Rule:
    __slots__ = ("text", "program", "message", "message_program", "reason", "field_path", "old")

    def __init__(self, raw: dict[str, Any], where: str) -> None:
        cel = _cel()
        self.text = str(raw.get("rule", ""))
        self.program = _compile(cel, self.text, where)
        self.message = raw.get("message") if isinstance(raw.get("message"), str) else None
        expression = raw.get("messageExpression")
        self.message_program = (
            _compile(cel, expression, where) if isinstance(expression, str) and expression else None
        )
        reason = raw.get("reason")
        if reason is not None and reason not in _REASONS:
            raise CelError(f"{where}: unsupported reason {reason!r} in rule {self.text!r}")
        self.reason = reason or fe.INVALID
        self.field_path = _field_path(str(raw.get("fieldPath") or ""))
        self.old = bool(_OLD_SELF.search(_STRING.sub("''", self.text)))


def _compile(cel: Any, text: str, where: str) -> Any:
    try:
        program = cel.compile(renamed_calls(text))
    except (ValueError, RuntimeError) as err:
        message = str(err)
        for token, what in _OPTIONAL_SYNTAX.items():
            if f"unsupported syntax {token}" in message:
                raise CelUnsupported(
                    f"{where}: rule {text!r} uses CEL optional syntax ({what}), which the CEL "
                    "library cannot parse; write it with has() or optional.of()/orValue()"
                ) from err
        first = message.splitlines()[0] if message else type(err).__name__
        raise CelError(f"{where}: rule {text!r} does not compile: {first}") from err
    unsupported = sorted(
        name
        for name in program.functions()
        if name[:1] not in ("_", "@", "!") and name not in SUPPORTED_FUNCTIONS
    )
    if unsupported:
        raise CelUnsupported(
            f"{where}: rule {text!r} uses unsupported CEL function(s): {', '.join(unsupported)}"
        )
    return program


def _field_path(text: str) -> str:
    """``.spec.x['a.b'][0]`` -> ``.spec.x[a.b][0]`` (field.Path rendering)."""
    return re.sub(r"\[['\"](.*?)['\"]\]", r"[\1]", text)


class _Node:
    __slots__ = ("rules", "type", "props", "additional", "items", "map_keys")

    def __init__(self) -> None:
        self.rules: list[_Rule] = []
        self.type = "object"
        self.props: dict[str, _Node] = {}
        self.additional: _Node | None = None
        self.items: _Node | None = None
        self.map_keys: tuple[str, ...] = ()


def _build(schema: Any, where: str, problems: list[CelError]) -> _Node | None:
    if not isinstance(schema, dict):
        return None
    node = _Node()
    node.type = str(schema.get("type") or ("object" if "properties" in schema else "any"))
    for index, raw in enumerate(schema.get("x-kubernetes-validations") or ()):
        if isinstance(raw, dict):
            try:
                node.rules.append(_Rule(raw, f"{where}/x-kubernetes-validations/{index}"))
            except CelError as err:
                problems.append(err)
    for name, sub in (schema.get("properties") or {}).items():
        child = _build(sub, f"{where}/properties/{name}", problems)
        if child is not None:
            node.props[name] = child
    node.additional = _build(
        schema.get("additionalProperties"), f"{where}/additionalProperties", problems
    )
    node.items = _build(schema.get("items"), f"{where}/items", problems)
    if schema.get("x-kubernetes-list-type") == "map":
        node.map_keys = tuple(str(k) for k in schema.get("x-kubernetes-list-map-keys") or ())
    if node.rules or node.props or node.additional or node.items:
        return node
    return None


class CelPlan:
    """The CEL rules of one schema, compiled, laid out along the schema's shape."""

    def __init__(self, root: _Node) -> None:
        self._root = root

    def evaluate(self, obj: Any, old: Any, errs: list[fe.FieldError]) -> None:
        """Append one FieldError per failing rule of ``obj`` (``old``: the stored object)."""
        _walk(self._root, obj, old, "", errs)


def compile_rules(schema: dict[str, Any], *, where: str = "") -> CelPlan | None:
    """Compile every ``x-kubernetes-validations`` rule of a schema; None if it has none.

    Raises :class:`CelError` naming every rule that does not compile, one line each (a
    :class:`CelUnsupported` when all of them are valid CEL this validator cannot evaluate).
    """
    problems: list[CelError] = []
    root = _build(schema, where, problems)
    if problems:
        kind = CelUnsupported if all(isinstance(p, CelUnsupported) for p in problems) else CelError
        raise kind("\n".join(str(p) for p in problems)) from problems[0]
    return CelPlan(root) if root is not None and _has_rules(root) else None


def _has_rules(node: _Node) -> bool:
    return bool(
        node.rules
        or any(_has_rules(c) for c in node.props.values())
        or (node.additional is not None and _has_rules(node.additional))
        or (node.items is not None and _has_rules(node.items))
    )


def _walk(node: _Node, value: Any, old: Any, path: str, errs: list[fe.FieldError]) -> None:
    if value is None:
        return
    for rule in node.rules:
        if rule.old and old is None:
            continue
        _run(rule, node, value, old, path, errs)
    if isinstance(value, dict):
        old_map = old if isinstance(old, dict) else {}
        prefix = f"{path}." if path else ""
        for key, item in value.items():
            child = node.props.get(key)
            if child is None and key not in node.props:
                child = node.additional
            if child is not None:
                _walk(child, item, old_map.get(key), prefix + key, errs)
    elif isinstance(value, list) and node.items is not None:
        olds: dict[Any, Any] = {}
        if node.map_keys and isinstance(old, list):
            olds = {
                tuple(repr(o.get(k)) for k in node.map_keys): o for o in old if isinstance(o, dict)
            }
        for index, item in enumerate(value):
            old_item = None
            if olds and isinstance(item, dict):
                old_item = olds.get(tuple(repr(item.get(k)) for k in node.map_keys))
            _walk(node.items, item, old_item, f"{path}[{index}]", errs)


def _run(
    rule: _Rule, node: _Node, value: Any, old: Any, path: str, errs: list[fe.FieldError]
) -> None:
    context = _context(value, old)
    where = path + rule.field_path if rule.field_path else path
    where = where.lstrip(".")
    try:
        result = rule.program.execute(context)
    except Exception as err:  # the library raises several types; each is a rule failure
        errs.append(
            fe.invalid(where, node.type, f"{_eval_error(err)} evaluating rule: {_rule_name(rule)}")
        )
        return
    if result is True:
        return
    if result is not False:
        errs.append(
            fe.invalid(where, node.type, f"rule did not evaluate to a bool: {_rule_name(rule)}")
        )
        return
    message = _message(rule, context)
    if rule.reason == fe.REQUIRED:
        errs.append(fe.required(where, message))
    elif rule.reason == fe.FORBIDDEN:
        errs.append(fe.forbidden(where, message))
    elif rule.reason == fe.DUPLICATE:
        errs.append(fe.FieldError(where, fe.DUPLICATE, node.type, message))
    else:
        errs.append(fe.invalid(where, node.type, message))


def _eval_error(err: Exception) -> str:
    """The CEL runtime error in cel-go's words where they differ (``no such key: x``)."""
    if isinstance(err, KeyError) and err.args:
        return f"no such key: {err.args[0]}"
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    raised = _FUNCTION_ERROR.search(text)
    if raised:  # a library function's own message, as kube-apiserver reports it
        return raised.group(1)
    return text


def _rule_name(rule: _Rule) -> str:
    return rule.message.strip() if rule.message else rule.text.strip()


def _default_message(rule: _Rule) -> str:
    return rule.message if rule.message else f"failed rule: {rule.text}"


def _message(rule: _Rule, context: Any) -> str:
    if rule.message_program is not None:
        try:
            text = rule.message_program.execute(context)
        except Exception:  # a failing messageExpression falls back, as kube-apiserver
            text = None
        if isinstance(text, str) and text.strip() and "\n" not in text:
            return text
    return _default_message(rule)


_local = threading.local()


def _context(value: Any, old: Any) -> Any:
    base = getattr(_local, "context", None)
    if base is None:
        base = _cel().Context()
        for name, function in cel_functions.FUNCTIONS.items():
            base.add_function(name, function)
        for name, marker in cel_functions.NAMESPACES.items():
            base.add_variable(name, marker)
        _local.context = base
    base.add_variable("self", value)
    base.add_variable("oldSelf", old)
    return base
