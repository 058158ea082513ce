"""generator.pycode literals: whatever the input text, it stays text."""

from __future__ import annotations

import ast

import black
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kube_clientgen.output import format_source
from kube_clientgen.pycode import docstring, string_literal

# Text biased towards what breaks literals and templates, mixed with arbitrary text
# (st.text() already yields lone surrogates, NUL and every other code point).
NASTY = [
    '"""',
    "'''",
    '"',
    "'",
    "\\",
    "\\\\",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "\x00",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\U0001f600",
    " ",
    "\xa0",
    "{{ x }}",
    "{% if x %}",
    "{#",
    "#",
    "\\x00",
    "\\N{BULLET}",
    "\\u2028",
    "__import__('os').system('true')",
    '"); import os; os.system("true',
    "a",
    "z",
]
nasty_text = st.one_of(
    st.text(),
    st.lists(st.sampled_from(NASTY) | st.text(max_size=3), max_size=12).map("".join),
)


def tidy(text: str) -> str:
    """The text ``docstring`` keeps: outer whitespace gone, and each line's trailing whitespace.

    Lines are split at ``\\n`` only (a ``\\r`` that ends a line is trailing whitespace).
    """
    lines = text.strip().split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def doc_value(text: str) -> str:
    """The value of ``docstring(text)``: the tidied text; a multi-line one ends with a line
    break, so the closing quotes stand on their own line (where black and ruff agree)."""
    body = tidy(text)
    return body + "\n" if "\n" in body else body


EXAMPLES = [
    "",
    "   ",
    "plain",
    '"""',
    '""""',
    "'''",
    'ends with a quote"',
    '"starts with a quote',
    'ends with two quotes""',
    "ends with a backslash\\",
    "ends with two backslashes\\\\",
    'backslash then quote\\"',
    "backslash at line end\\\nnext",
    "trailing spaces   \nand a tab\t\n  indented\n",
    "cr\r\nlf",
    "nul\x00 esc\x1b ls\u2028 ps\u2029 surrogate\ud800",
    "{{ jinja }} {% block x %} {# c #}",
    '""" + __import__("os").system("true") + """',
    "\\N{BULLET} \\x00 \\u1234",
]


@pytest.mark.parametrize("text", EXAMPLES)
def test_docstring_examples(text: str) -> None:
    literal = docstring(text)
    assert ast.literal_eval(literal or '""') == doc_value(text)
    if tidy(text):
        assert literal.startswith('"""') and literal.endswith('"""')
    else:
        assert literal == ""


@settings(max_examples=400, deadline=None)
@given(nasty_text)
@example('"""')
@example("a\\")
@example('a"')
@example("\ud800")
def test_docstring_evaluates_to_the_tidied_text(text: str) -> None:
    literal = docstring(text)
    assert ast.literal_eval(literal or '""') == doc_value(text)
    if literal:
        tree = ast.parse(literal)
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr)
        assert isinstance(tree.body[0].value, ast.Constant)
        literal.encode("utf-8")  # no lone surrogate reaches the file


@settings(max_examples=400, deadline=None)
@given(nasty_text)
@example("'\"")
@example("\\")
@example("\x00\ud800\u2028")
def test_string_literal_evaluates_to_the_text(text: str) -> None:
    literal = string_literal(text)
    assert ast.literal_eval(literal) == text
    assert "\n" not in literal and "\r" not in literal
    literal.encode("utf-8")


BLACK_MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100)


def class_with_doc(literal: str) -> str:
    return f"class C:\n    {literal}\n\n    x: int | None\n    {literal}\n\n\ndef f():\n    {literal}\n    return 1\n"


def assert_only_docstrings(source: str) -> None:
    """The module is exactly: class C (docstring, one annotation, attribute docstring), def f."""
    tree = ast.parse(source)
    assert [type(n) for n in tree.body] == [ast.ClassDef, ast.FunctionDef]
    cls, func = tree.body
    assert isinstance(cls, ast.ClassDef) and isinstance(func, ast.FunctionDef)
    assert [type(n) for n in cls.body] == [ast.Expr, ast.AnnAssign, ast.Expr]
    assert [type(n) for n in func.body] == [ast.Expr, ast.Return]
    for node in (cls.body[0], cls.body[2], func.body[0]):
        assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        assert isinstance(node.value.value, str)


@settings(max_examples=150, deadline=None)
@given(nasty_text.filter(lambda t: bool(tidy(t))))
@example('"""')
@example("x\\")
@example('x "')
@example("\\\n")
@example("  a\n    b\n  c\\")
def test_docstring_survives_the_formatter_and_black_inside_a_class(text: str) -> None:
    source = class_with_doc(docstring(text))
    assert_only_docstrings(source)
    formatted = format_source(source)
    compile(formatted, "<generated>", "exec")
    assert_only_docstrings(formatted)
    assert format_source(formatted) == formatted  # stable
    by_black = black.format_str(source, mode=BLACK_MODE)
    compile(by_black, "<generated>", "exec")
    assert_only_docstrings(by_black)
