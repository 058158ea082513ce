"""Python source fragments computed from IR types: annotations, decode and encode code.

Everything that turns input text into source goes through ``string_literal`` or
``docstring``, which produce literals that evaluate back to the text, so no
description, property name or enum value can become code.
"""

from __future__ import annotations

from collections.abc import Callable

from kube_clientgen import ir

# --- literals ------------------------------------------------------------------


def string_literal(text: str) -> str:
    """A Python string literal for ``text``; ``repr`` escapes quotes, backslashes and controls."""
    return repr(str(text))


def docstring(text: str) -> str:
    """A triple-quoted literal whose value is ``text`` (tidied), or ``""`` if empty.

    Backslashes, quote runs that could close the literal, and every character that is
    not printable (controls, line separators, lone surrogates) are escaped.
    """
    lines = [line.rstrip() for line in str(text).strip().split("\n")]
    body = "\n".join(lines).strip()
    if not body:
        return ""
    out: list[str] = []
    for ch in body:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n" or ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    if out[-1] == '"':  # a quote right before the closing quotes: formatters disagree on it
        out[-1] = "\\x22"
    escaped = "".join(out)
    if '"""' in escaped:
        escaped = escaped.replace('"', '\\"')
    if "\n" in escaped:  # closing quotes on their own line: black and ruff agree on that
        escaped += "\n"
    return f'"""{escaped}"""'


# --- type expressions ------------------------------------------------------------

NameOf = Callable[[str], str]  # type id -> class expression in the current module


class TypeCode:
    """Builds annotation / decode / encode code for IR types in one module."""

    def __init__(self, api: ir.Api, class_expr: NameOf) -> None:
        self.api = api
        self.class_expr = class_expr

    def is_enum(self, t: ir.TypeRef) -> bool:
        return isinstance(t, ir.Ref) and t.type_id in self.api.enums

    def annotation(self, t: ir.TypeRef) -> str:
        if isinstance(t, ir.Primitive):
            return t.name
        if isinstance(t, ir.Special):
            return "_" + t.name
        if isinstance(t, ir.AnyJson):
            return "dict[str, Any]" if t.object_only else "Any"
        if isinstance(t, ir.Ref):
            name = self.class_expr(t.type_id)
            return f"{name} | str" if self.is_enum(t) else name
        if isinstance(t, ir.ListOf):
            return f"list[{self.annotation(t.item)}]"
        if isinstance(t, ir.MapOf):
            return f"dict[str, {self.annotation(t.value)}]"
        return " | ".join(dict.fromkeys(self._wire_annotation(o) for o in t.options))

    def _wire_annotation(self, t: ir.TypeRef) -> str:
        if isinstance(t, ir.Special):
            return {"Quantity": "str | int | float", "IntOrString": "int | str"}.get(t.name, "str")
        return self.annotation(t)

    def needs_conversion(self, t: ir.TypeRef) -> bool:
        if isinstance(t, ir.Special):
            return t.name != "IntOrString"
        if isinstance(t, ir.Ref):
            return True
        if isinstance(t, ir.ListOf):
            return self.needs_conversion(t.item)
        if isinstance(t, ir.MapOf):
            return self.needs_conversion(t.value)
        return False

    def check(
        self, t: ir.TypeRef, var: str, depth: int = 0, trust_items: bool = False
    ) -> str | None:
        """A condition that the non-null wire value ``var`` fits ``t`` all the way down,
        or None when any JSON fits. Subclasses pass (``to_dict`` output holds Time and enums).

        Inside lists and maps only items that are converted are checked (times, enums,
        models): a primitive, Quantity or int-or-string item of another JSON type is kept
        as it came and round-trips; checking every label and argument would cost about a
        microsecond per list or map. With ``trust_items``, models inside lists and maps are
        not checked either: their decoder raises AttributeError on a value that is not an
        object, which the caller catches (free when nothing is raised).
        """
        if depth > 0 and not self._item_needs_check(t):
            return None
        if isinstance(t, ir.Primitive):
            return {
                "str": f"isinstance({var}, str)",
                "bool": f"{var}.__class__ is bool",
                "int": f"isinstance({var}, int) and {var}.__class__ is not bool",
                "float": f"isinstance({var}, (float, int)) and {var}.__class__ is not bool",
            }[t.name]
        if isinstance(t, ir.Special):
            if t.name == "Quantity":
                return f"isinstance({var}, (str, int, float)) and {var}.__class__ is not bool"
            if t.name == "IntOrString":
                return f"isinstance({var}, (str, int)) and {var}.__class__ is not bool"
            return f"isinstance({var}, str)"
        if isinstance(t, ir.AnyJson):
            return f"isinstance({var}, dict)" if t.object_only else None
        if isinstance(t, ir.Ref):
            if self.is_enum(t):
                return f"isinstance({var}, str)"
            return None if trust_items and depth > 0 else f"isinstance({var}, dict)"
        item = f"i{depth}"
        if isinstance(t, ir.ListOf):
            inner = self.check(t.item, item, depth + 1, trust_items)
            if inner is None:
                return f"isinstance({var}, list)"
            return f"isinstance({var}, list) and all({inner} for {item} in {var})"
        if isinstance(t, ir.MapOf):
            inner = self.check(t.value, item, depth + 1, trust_items)
            if inner is None:
                return f"isinstance({var}, dict)"
            return f"isinstance({var}, dict) and all({inner} for {item} in {var}.values())"
        options = [self.check(o, var, depth, trust_items) for o in t.options]
        if any(o is None for o in options):
            return None
        return " or ".join(f"({o})" for o in dict.fromkeys(options))

    def _item_needs_check(self, t: ir.TypeRef) -> bool:
        if isinstance(t, ir.Special):
            return t.name in ("Time", "MicroTime")
        if isinstance(t, ir.Ref):
            return True
        if isinstance(t, ir.ListOf):
            return self._item_needs_check(t.item)
        if isinstance(t, ir.MapOf):
            return self._item_needs_check(t.value)
        return False

    def decode(self, t: ir.TypeRef, var: str, depth: int = 0) -> str:
        """An expression turning the wire value ``var``, known to fit ``t``, into its value."""
        if not self.needs_conversion(t):
            return var
        if isinstance(t, ir.Special):
            return f"_{t.name}({var})"
        if isinstance(t, ir.Ref):
            if self.is_enum(t):
                return f"_enum_value({self.class_expr(t.type_id)}, {var})"
            return f"{self.class_expr(t.type_id)}._decode({var})"
        item = f"i{depth}"
        if isinstance(t, ir.ListOf):
            return f"[{self.decode(t.item, item, depth + 1)} for {item} in {var}]"
        assert isinstance(t, ir.MapOf)
        return f"{{k{depth}: {self.decode(t.value, item, depth + 1)} for k{depth}, {item} in {var}.items()}}"

    def empty(self, t: ir.TypeRef) -> str | None:
        """The empty value of ``t`` (Go's zero value, never encoded while a field is absent),
        or None when ``t`` has no honest empty value (times, quantities, unions, any JSON)."""
        if isinstance(t, ir.Primitive):
            return {"str": '""', "int": "0", "float": "0.0", "bool": "False"}[t.name]
        if isinstance(t, ir.Ref):
            return '""' if self.is_enum(t) else f"{self.class_expr(t.type_id)}()"
        if isinstance(t, ir.ListOf):
            return "[]"
        if isinstance(t, ir.MapOf) or (isinstance(t, ir.AnyJson) and t.object_only):
            return "{}"
        return None

    def param_annotation(self, t: ir.TypeRef) -> str:
        """The ``__init__`` parameter type: what the attribute holds, plus what converts into it
        (plain text and numbers for quantities, text and aware datetimes for times, the
        known values of an enum as a Literal)."""
        if isinstance(t, ir.Special):
            return {
                "Quantity": "_Quantity | str | int | float",
                "Time": "_Time | str | _datetime",
                "MicroTime": "_MicroTime | str | _datetime",
            }.get(t.name, self.annotation(t))
        if isinstance(t, ir.Ref) and self.is_enum(t):
            values = ", ".join(string_literal(v) for v in self.api.enums[t.type_id].values)
            return f"_Literal[{values}] | {self.class_expr(t.type_id)}"
        if isinstance(t, ir.ListOf):
            return f"list[{self.param_annotation(t.item)}]"
        if isinstance(t, ir.MapOf):
            value = self.param_annotation(t.value)
            if value != self.annotation(t.value):
                return f"_Mapping[str, {value}]"
            return f"dict[str, {value}]"
        return self.annotation(t)

    def init_convert(self, t: ir.TypeRef, var: str, where: str, depth: int = 0) -> str | None:
        """An expression turning the non-null ``__init__`` argument ``var`` into the attribute
        value (None: stored as given). Models are checked, not copied; ``where`` names the
        parameter in a TypeError."""
        if isinstance(t, ir.Special):
            if t.name == "IntOrString":
                return None
            return f"_{t.name}.coerce({var})"
        if isinstance(t, ir.Ref):
            if self.is_enum(t):
                return f"_enum_value({self.class_expr(t.type_id)}, {var})"
            return f"_model_arg({var}, {self.class_expr(t.type_id)}, {where})"
        item = f"i{depth}"
        if isinstance(t, ir.ListOf):
            inner = self.init_convert(t.item, item, where, depth + 1)
            return None if inner is None else f"[{inner} for {item} in {var}]"
        if isinstance(t, ir.MapOf):
            inner = self.init_convert(t.value, item, where, depth + 1)
            if inner is None:
                return None
            return f"{{k{depth}: {inner} for k{depth}, {item} in {var}.items()}}"
        return None
