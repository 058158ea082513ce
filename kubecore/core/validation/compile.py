"""Compile an OpenAPI schema once into a tree of closures that validate JSON values.

A compiled schema is a :data:`Check`: ``check(value, path, errors)`` appends a
:class:`~kubecore.core.validation.errors.FieldError` per problem to ``errors``. Compiling
walks the schema once (``$ref`` targets are compiled once and shared, recursive schemas
included); validating then costs one closure call per value, with no dictionary lookups in
the schema, which is what makes it several times faster than a generic JSON Schema
validator (see ``make bench``).

Semantics are kube-openapi's, as kube-apiserver runs it for custom resources, with the
wording of apiextensions-apiserver's conversion to field errors:

* a wrong type: ``Invalid value: "string": spec.replicas in body must be of type integer:
  "string"`` (the value shown is the JSON type of what was sent);
* ``required``: ``Required value``; ``enum``: ``Unsupported value: ... supported values``;
* ``maxLength``: ``Too long``; ``maxItems``/``maxProperties``: ``Too many``; ``minimum``,
  ``minLength``, ``pattern``, formats and the rest: ``Invalid value`` with kube-openapi's text;
* ``x-kubernetes-list-type`` ``set``/``map``: ``Duplicate value``;
* ``x-kubernetes-embedded-resource``: ``apiVersion`` and ``kind`` required.

``null`` in an object property counts as absent (kube-apiserver drops nulls of
non-nullable fields before validating, and Go's decoder does the same for built-in kinds);
a ``null`` list item is an error unless the item schema is ``nullable``.

``builtin=True`` compiles a built-in kind's swagger definitions the way Go's decoder reads
them: ``Quantity`` accepts a number or a string in quantity syntax, ``IntOrString`` an
integer or a string.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from kubecore.core.validation import errors as fe
from kubecore.core.validation.formats import FORMATS

Check = Callable[[Any, str, list[fe.FieldError]], None]

_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_JSON_TYPES = {"string", "integer", "number", "boolean", "array", "object"}


def json_type(value: Any) -> str:
    """The JSON type name kube-openapi reports for a value (``"integer"``, ``"object"``, ...)."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is(kind: str) -> Callable[[Any], bool]:
    if kind == "string":
        return lambda v: isinstance(v, str)
    if kind == "integer":
        return lambda v: (type(v) is int) or (type(v) is float and v.is_integer())
    if kind == "number":
        return lambda v: type(v) is int or type(v) is float
    if kind == "boolean":
        return lambda v: v is True or v is False
    if kind == "array":
        return lambda v: type(v) is list
    return lambda v: type(v) is dict


def _in_body(path: str) -> str:
    return f"{path} in body" if path else "in body"


def _num(value: Any) -> str:
    return fe.go_value(value)


def _quantity_ok(value: Any) -> bool:
    if type(value) is int or type(value) is float:
        return True
    if not isinstance(value, str):
        return False
    from kubecore.core.quantity import _parse_text

    try:
        _parse_text(value)
    except (ValueError, ArithmeticError):
        return False
    return True


def _key_of(item: Any, keys: tuple[str, ...]) -> Any:
    if not isinstance(item, dict):
        return None
    return tuple(_hashable(item.get(k)) for k in keys)


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return ("\x00map", tuple(sorted((k, _hashable(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("\x00list", tuple(_hashable(v) for v in value))
    if isinstance(value, bool):
        return ("\x00bool", value)
    return value


class SchemaCompiler:
    """Compiles schemas that may ``$ref`` into ``definitions`` (swagger v2 ``#/definitions/``
    or OpenAPI v3 ``#/components/schemas/``), each definition once.

    ``builtin``: Go decoding semantics for Quantity and IntOrString (module docstring).
    CEL rules (``x-kubernetes-validations``) are not compiled here: they need the old object
    too, see :mod:`kubecore.core.validation.cel`.
    """

    def __init__(
        self,
        definitions: Mapping[str, Any] | None = None,
        *,
        builtin: bool = False,
    ) -> None:
        self._definitions = definitions if definitions is not None else {}
        self._builtin = builtin
        self._by_name: dict[str, Check | None] = {}
        self._pending: set[str] = set()

    def compile(self, schema: Any) -> Check | None:
        """The check for ``schema``, or None when it accepts every value."""
        if not isinstance(schema, dict):
            return None
        ref = _ref_of(schema)
        if ref is not None:
            return self._named(ref)
        return self._node(schema)

    def _named(self, name: str) -> Check | None:
        if name in self._by_name:
            found = self._by_name[name]
            if found is None and name in self._pending:
                return self._forward(name)
            return found
        if self._builtin and name == _QUANTITY:
            self._by_name[name] = _quantity_check
            return _quantity_check
        if self._builtin and name == _INT_OR_STRING:
            self._by_name[name] = _int_or_string_check
            return _int_or_string_check
        self._by_name[name] = None
        self._pending.add(name)
        check = self._node(self._definitions.get(name) or {})
        self._pending.discard(name)
        self._by_name[name] = check
        return check

    def _forward(self, name: str) -> Check:
        """A check for a recursive reference: resolved on first use."""
        by_name = self._by_name

        def check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
            target = by_name.get(name)
            if target is not None:
                target(value, path, errs)

        return check

    # -- one node -----------------------------------------------------------------------------

    def _node(self, schema: dict[str, Any]) -> Check | None:  # noqa: C901 - one pass, one place
        parts: list[Check] = []
        kind = schema.get("type")
        int_or_string = bool(schema.get("x-kubernetes-int-or-string")) or (
            schema.get("format") == "int-or-string"
        )

        if int_or_string:
            parts.append(_int_or_string_check)
        elif kind in _JSON_TYPES:
            parts.append(_type_check(kind))
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt in FORMATS and not int_or_string:
            parts.append(_format_check(fmt, FORMATS[fmt]))
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            parts.append(_enum_check(schema["enum"]))
        parts.extend(_number_checks(schema))
        parts.extend(_string_checks(schema))
        parts.extend(self._array_checks(schema))
        parts.extend(self._object_checks(schema))
        parts.extend(self._combinators(schema))
        if not parts:
            return None
        return _sequence(parts, typed=kind in _JSON_TYPES or int_or_string)

    def _array_checks(self, schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []
        items = schema.get("items")
        item_check = self.compile(items) if isinstance(items, dict) else None
        item_nullable = isinstance(items, dict) and bool(items.get("nullable"))
        item_type = items.get("type") if isinstance(items, dict) else None
        if item_check is not None or (isinstance(items, dict) and not item_nullable):

            def each(value: Any, path: str, errs: list[fe.FieldError]) -> None:
                if type(value) is not list:
                    return
                for index, item in enumerate(value):
                    if item is None:
                        if not item_nullable and item_type in _JSON_TYPES:
                            where = f"{path}[{index}]"
                            errs.append(
                                fe.FieldError(
                                    where,
                                    fe.TYPE_INVALID,
                                    "null",
                                    f'{_in_body(where)} must be of type {item_type}: "null"',
                                )
                            )
                        continue
                    if item_check is not None:
                        item_check(item, f"{path}[{index}]", errs)

            out.append(each)
        low, high = schema.get("minItems"), schema.get("maxItems")
        if isinstance(low, int) or isinstance(high, int):

            def count(value: Any, path: str, errs: list[fe.FieldError]) -> None:
                if type(value) is not list:
                    return
                if isinstance(high, int) and len(value) > high:
                    errs.append(fe.too_many(path, len(value), high))
                if isinstance(low, int) and len(value) < low:
                    errs.append(
                        fe.invalid(
                            path, len(value), f"{_in_body(path)} should have at least {low} items"
                        )
                    )

            out.append(count)
        # Built-in kinds: uniqueness is the business of each kind's own validation code
        # (duplicate container names are refused, duplicate condition types are not).
        list_type = None if self._builtin else schema.get("x-kubernetes-list-type")
        if list_type == "set" or schema.get("uniqueItems") is True:
            out.append(_set_check)
        elif list_type == "map":
            keys = tuple(str(k) for k in schema.get("x-kubernetes-list-map-keys") or ())
            if keys:
                out.append(_map_list_check(keys))
        return out

    def _object_checks(self, schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []
        properties = schema.get("properties")
        props: dict[str, Check] = {}
        nullable_props: set[str] = set()
        if isinstance(properties, dict):
            for name, sub in properties.items():
                check = self.compile(sub)
                if check is not None:
                    props[name] = check
                if isinstance(sub, dict) and sub.get("nullable"):
                    nullable_props.add(name)
        extra = schema.get("additionalProperties")
        extra_check = self.compile(extra) if isinstance(extra, dict) else None
        required = tuple(str(r) for r in schema.get("required") or () if isinstance(r, str))
        embedded = bool(schema.get("x-kubernetes-embedded-resource"))
        if embedded:
            required = tuple(dict.fromkeys(("apiVersion", "kind", *required)))
        if props or extra_check is not None:
            get_prop = props.get

            def fields(value: Any, path: str, errs: list[fe.FieldError]) -> None:
                if type(value) is not dict:
                    return
                prefix = f"{path}." if path else ""
                for key, item in value.items():
                    if item is None and key not in nullable_props:
                        continue
                    check = get_prop(key)
                    if check is not None:
                        if item is not None:
                            check(item, f"{prefix}{key}", errs)
                    elif extra_check is not None and item is not None:
                        extra_check(item, f"{prefix}{key}", errs)

            out.append(fields)
        if required:

            def need(value: Any, path: str, errs: list[fe.FieldError]) -> None:
                if type(value) is not dict:
                    return
                prefix = f"{path}." if path else ""
                for key in required:
                    if value.get(key) is None and key not in nullable_props:
                        errs.append(fe.required(prefix + key))
                    elif key not in value:
                        errs.append(fe.required(prefix + key))

            out.append(need)
        low, high = schema.get("minProperties"), schema.get("maxProperties")
        if isinstance(low, int) or isinstance(high, int):

            def count(value: Any, path: str, errs: list[fe.FieldError]) -> None:
                if type(value) is not dict:
                    return
                if isinstance(high, int) and len(value) > high:
                    errs.append(fe.too_many(path, len(value), high, "properties"))
                if isinstance(low, int) and len(value) < low:
                    errs.append(
                        fe.invalid(
                            path,
                            len(value),
                            f"{_in_body(path)} should have at least {low} properties",
                        )
                    )

            out.append(count)
        return out

    def _combinators(self, schema: dict[str, Any]) -> list[Check]:
        out: list[Check] = []
        for sub in schema.get("allOf") or ():
            check = self.compile(sub)
            if check is not None:
                out.append(check)
        any_of = [self.compile(s) for s in schema.get("anyOf") or ()]
        if any_of and all(c is not None for c in any_of):
            out.append(_any_of([c for c in any_of if c is not None]))
        one_of = [self.compile(s) for s in schema.get("oneOf") or ()]
        if one_of:
            out.append(_one_of(one_of))
        if isinstance(schema.get("not"), dict):
            negated = self.compile(schema["not"])
            out.append(_not(negated))
        return out


def _ref_of(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    if ref is None:
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1 and isinstance(all_of[0], dict):
            if len(schema) == 1 or set(schema) <= {"allOf", "description", "default"}:
                ref = all_of[0].get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


def _sequence(parts: list[Check], *, typed: bool) -> Check:
    """Run ``parts`` in order; when the first is the type check and it failed, stop."""
    if len(parts) == 1:
        return parts[0]
    first, rest = parts[0], tuple(parts[1:])
    if typed:

        def typed_then_rest(value: Any, path: str, errs: list[fe.FieldError]) -> None:
            before = len(errs)
            first(value, path, errs)
            if len(errs) != before:
                return
            for part in rest:
                part(value, path, errs)

        return typed_then_rest
    every = tuple(parts)

    def all_parts(value: Any, path: str, errs: list[fe.FieldError]) -> None:
        for part in every:
            part(value, path, errs)

    return all_parts


def _type_check(kind: str) -> Check:
    ok = _is(kind)

    def check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
        if not ok(value):
            actual = json_type(value)
            errs.append(
                fe.FieldError(
                    path,
                    fe.TYPE_INVALID,
                    actual,
                    f'{_in_body(path)} must be of type {kind}: "{actual}"',
                )
            )

    return check


def _int_or_string_check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
    if isinstance(value, str) or type(value) is int:
        return
    if type(value) is float and value.is_integer():
        return
    actual = json_type(value)
    errs.append(
        fe.FieldError(
            path,
            fe.TYPE_INVALID,
            actual,
            f'{_in_body(path)} must be of type integer,string: "{actual}"',
        )
    )


def _quantity_check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
    if not _quantity_ok(value):
        errs.append(
            fe.invalid(
                path,
                value,
                "quantities must match the regular expression "
                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            )
        )


def _format_check(name: str, ok: Callable[[Any], bool]) -> Check:
    def check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
        if not ok(value):
            shown = value if isinstance(value, str) else fe.go_value(value)
            errs.append(
                fe.invalid(
                    path,
                    value,
                    f"{_in_body(path)} must be of type {name}: {fe.go_value(str(shown))}",
                )
            )

    return check


def _enum_check(values: list[Any]) -> Check:
    allowed = {_hashable(v) for v in values}

    def check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
        if _hashable(value) not in allowed:
            errs.append(fe.not_supported(path, value, values))

    return check


def _number_checks(schema: dict[str, Any]) -> list[Check]:
    out: list[Check] = []
    low, high = schema.get("minimum"), schema.get("maximum")
    low_ex, high_ex = bool(schema.get("exclusiveMinimum")), bool(schema.get("exclusiveMaximum"))
    if isinstance(low, (int, float)) and not isinstance(low, bool):

        def minimum(value: Any, path: str, errs: list[fe.FieldError]) -> None:
            if type(value) in (int, float) and (value <= low if low_ex else value < low):
                word = "greater than" if low_ex else "greater than or equal to"
                errs.append(
                    fe.invalid(path, value, f"{_in_body(path)} should be {word} {_num(low)}")
                )

        out.append(minimum)
    if isinstance(high, (int, float)) and not isinstance(high, bool):

        def maximum(value: Any, path: str, errs: list[fe.FieldError]) -> None:
            if type(value) in (int, float) and (value >= high if high_ex else value > high):
                word = "less than" if high_ex else "less than or equal to"
                errs.append(
                    fe.invalid(path, value, f"{_in_body(path)} should be {word} {_num(high)}")
                )

        out.append(maximum)
    step = schema.get("multipleOf")
    if isinstance(step, (int, float)) and not isinstance(step, bool) and step > 0:

        def multiple(value: Any, path: str, errs: list[fe.FieldError]) -> None:
            if type(value) in (int, float) and (value / step) != int(value / step):
                errs.append(
                    fe.invalid(
                        path, value, f"{_in_body(path)} should be a multiple of {_num(step)}"
                    )
                )

        out.append(multiple)
    return out


def _string_checks(schema: dict[str, Any]) -> list[Check]:
    out: list[Check] = []
    low, high = schema.get("minLength"), schema.get("maxLength")
    if isinstance(high, int):

        def longest(value: Any, path: str, errs: list[fe.FieldError]) -> None:
            if isinstance(value, str) and len(value) > high:
                errs.append(fe.too_long(path, high))

        out.append(longest)
    if isinstance(low, int) and low > 0:

        def shortest(value: Any, path: str, errs: list[fe.FieldError]) -> None:
            if isinstance(value, str) and len(value) < low:
                errs.append(
                    fe.invalid(path, value, f"{_in_body(path)} should be at least {low} chars long")
                )

        out.append(shortest)
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            regex = re.compile(pattern)
        except re.error:
            regex = None
        if regex is not None:
            search = regex.search

            def matches(value: Any, path: str, errs: list[fe.FieldError]) -> None:
                if isinstance(value, str) and search(value) is None:
                    errs.append(
                        fe.invalid(path, value, f"{_in_body(path)} should match '{pattern}'")
                    )

            out.append(matches)
    return out


def _set_check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
    if type(value) is not list or len(value) < 2:
        return
    seen: set[Any] = set()
    for index, item in enumerate(value):
        key = _hashable(item)
        if key in seen:
            errs.append(fe.duplicate(f"{path}[{index}]", item))
        seen.add(key)


def _map_list_check(keys: tuple[str, ...]) -> Check:
    def check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
        if type(value) is not list or len(value) < 2:
            return
        seen: set[Any] = set()
        for index, item in enumerate(value):
            key = _key_of(item, keys)
            if key is None:
                continue
            if key in seen:
                shown = {k: item.get(k) for k in keys if k in item}
                errs.append(fe.duplicate(f"{path}[{index}]", shown))
            seen.add(key)

    return check


def _any_of(checks: list[Check]) -> Check:
    def check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
        for sub in checks:
            trial: list[fe.FieldError] = []
            sub(value, path, trial)
            if not trial:
                return
        errs.append(
            fe.invalid(path, value, f"{_in_body(path)} must validate at least one schema (anyOf)")
        )

    return check


def _one_of(checks: list[Check | None]) -> Check:
    def check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
        passed = 0
        for sub in checks:
            trial: list[fe.FieldError] = []
            if sub is not None:
                sub(value, path, trial)
            passed += not trial
        if passed != 1:
            errs.append(
                fe.invalid(
                    path, value, f"{_in_body(path)} must validate one and only one schema (oneOf)"
                )
            )

    return check


def _not(negated: Check | None) -> Check:
    def check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
        trial: list[fe.FieldError] = []
        if negated is not None:
            negated(value, path, trial)
        if not trial:
            errs.append(
                fe.invalid(path, value, f"{_in_body(path)} must not validate the schema (not)")
            )

    return check
