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

    def decode(self, t: ir.TypeRef, var: str, depth: int = 0) -> str:
        """An expression turning the non-null wire value ``var`` into the Python value."""
        if not self.needs_conversion(t):
            return var
        if isinstance(t, ir.Special):
            return f"_{t.name}({var})"
        if isinstance(t, ir.Ref):
            if self.is_enum(t):
                return f"{self.class_expr(t.type_id)}._value2member_map_.get({var}, {var})"
            return f"{self.class_expr(t.type_id)}.from_dict({var})"
        item = f"i{depth}"
        if isinstance(t, ir.ListOf):
            return f"[{self.decode(t.item, item, depth + 1)} for {item} in {var}]"
        assert isinstance(t, ir.MapOf)
        return f"{{k{depth}: {self.decode(t.value, item, depth + 1)} for k{depth}, {item} in {var}.items()}}"

    def encode(self, t: ir.TypeRef, var: str, depth: int = 0) -> str:
        """An expression turning the non-null Python value ``var`` into wire data."""
        if isinstance(t, ir.Special) and t.name == "Quantity":
            return f"_quantity_wire({var})"
        if isinstance(t, ir.Ref) and not self.is_enum(t):
            return f"{var}.to_dict()"
        item = f"i{depth}"
        if isinstance(t, ir.ListOf) and self._encode_converts(t.item):
            return f"[{self.encode(t.item, item, depth + 1)} for {item} in {var}]"
        if isinstance(t, ir.MapOf) and self._encode_converts(t.value):
            return f"{{k{depth}: {self.encode(t.value, item, depth + 1)} for k{depth}, {item} in {var}.items()}}"
        return var

    def _encode_converts(self, t: ir.TypeRef) -> bool:
        if isinstance(t, ir.Special):
            return t.name == "Quantity"
        if isinstance(t, ir.Ref):
            return not self.is_enum(t)
        if isinstance(t, ir.ListOf):
            return self._encode_converts(t.item)
        if isinstance(t, ir.MapOf):
            return self._encode_converts(t.value)
        return False
