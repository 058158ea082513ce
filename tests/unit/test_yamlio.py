"""kubecore.core.yamlio: YAML read as Kubernetes' JSON of it, without kubectl.

The kubectl comparison for many more scalars is ``tests/integration/test_yaml_vs_kubectl.py``;
these are the QA findings, what kubectl cannot show deterministically, and the loader's
own guarantees (bounds, marks, no quoted values, shared aliases).
"""

from __future__ import annotations

import json
import math

import orjson
import pytest
import yaml

from kubecore.core import yamlio
from kubecore.core.unstructured import load_yaml
from kubecore.core.yamlscalars import Scalar, json_key, json_number, resolve_plain


def _load(text: str) -> object:
    return yamlio.load(text)


def test_qa_findings() -> None:
    doc = _load("data: {s: 1:30}\nx: 1e3\nlabels: {1: a, true: b}\nb: !!binary aGVsbG8=\n")
    assert doc == {
        "data": {"s": "1:30"},
        "x": 1000,
        "labels": {"1": "a", "true": "b"},
        "b": "hello",
    }
    assert type(doc["x"]) is int  # type: ignore[index]
    assert _load("s: !!set {a, b}\no: !!omap [{a: 1}]") == {
        "s": {"a": None, "b": None},
        "o": [{"a": 1}],
    }


def test_result_is_plain_json_data() -> None:
    text = "a: [0x10, 1.5, y, ~, 2001-12-14, !!binary /w==, {1.0: x, 2: z}]\n"
    doc = _load(text)
    assert doc == {"a": [16, 1.5, True, None, "2001-12-14", "\ufffd", {"1": "x", "2": "z"}]}
    assert json.loads(orjson.dumps(doc)) == doc


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e3", 1000),
        ("1.0", 1),
        ("-0.0", 0),
        ("0.5", 0.5),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", 9.223372036854776e18),  # uint64: float64 after the JSON trip
        ("99999999999999999999", 1e20),
        ("1e21", 1e21),
        ("0777777777777777777777777", 7.777777777777778e23),
        ("08", 8),
        ("0x1F", 31),
        ("-0b101", -5),
        ("1_000", 1000),
        ("_1", "_1"),
        ("1e400", "1e400"),
        ("0xFFFFFFFFFFFFFFFFFF", "0xFFFFFFFFFFFFFFFFFF"),
        ("12:30", "12:30"),
        ("2001-12-14T21:59:43.10Z", "2001-12-14T21:59:43.10Z"),
        ("yes", True),
        ("Off", False),
        ("oFF", "oFF"),
        ("~", None),
        ("=", "="),
    ],
)
def test_plain_scalars(text: str, value: object) -> None:
    loaded = _load(f"v: {text}")
    assert loaded == {"v": value}
    assert type(loaded["v"]) is type(value)  # type: ignore[index]


@pytest.mark.parametrize(
    ("key", "text"),
    [
        (Scalar("float", 1e7), "1e+07"),
        (Scalar("float", 123456789.0), "1.2345679e+08"),
        (Scalar("float", 0.1), "0.1"),
        (Scalar("float", 1e-5), "1e-05"),
        (Scalar("float", 0.0001), "0.0001"),
        (Scalar("float", 123456.0), "123456"),
        (Scalar("float", -0.0), "-0"),
        (Scalar("float", 1e300), ".inf"),  # float32 overflows
        (Scalar("float", math.nan), ".nan"),
        (Scalar("float", -math.inf), "-.inf"),
        (Scalar("bool", False), "false"),
        (Scalar("int", -5), "-5"),
    ],
)
def test_keys_as_go_formats_them(key: Scalar, text: str) -> None:
    assert json_key(key) == text


def test_json_number_is_int64_or_float64() -> None:
    assert json_number(1e16) == 10**16 and type(json_number(1e16)) is int
    assert type(json_number(2.0**63)) is float
    assert resolve_plain("18446744073709551615") == Scalar("uint", 2**64 - 1)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: 1\nb: {1: x, '1': y}\n", 2, "two different keys both become the JSON key '1'"),
        ("a: 1\nb: {1: x, 1.0: y}\n", 2, "two different keys both become the JSON key '1'"),
        ("a: 1\nb: {<<: {'1': x}, 1: y}\n", 2, "two different keys"),
        ("a: 1\nb: {~: x}\n", 2, "unsupported map key of type nil"),
        ("a: 1\nb: {18446744073709551615: x}\n", 2, "unsupported map key of type uint64"),
        ("a: 1\nb: {[1]: x}\n", 2, "a mapping key must be a scalar"),
        ("a: 1\nb: .nan\n", 2, "no JSON form"),
        ("a: 1\nb: !!int secret-token\n", 2, "cannot decode a !!str scalar as a !!int"),
        ("a: 1\nb: !!binary 'secret token'\n", 2, "invalid base64"),
        ("a: 1\nb: &x [1, *x]\n", 2, "an alias refers to a value that contains it"),
        ("a: 1\nb: &x {c: {<<: *x}}\n", 2, "an alias refers to a value that contains it"),
        ("a: 1\nb: {<<: [{c: 1}, 2]}\n", 2, "map merge requires map or sequence of maps"),
    ],
)
def test_refusals_name_the_line_and_never_the_value(text: str, line: int, words: str) -> None:
    with pytest.raises(yaml.YAMLError) as info:
        yamlio.load_all(text)
    err = info.value
    assert isinstance(err, yaml.MarkedYAMLError)
    assert err.problem_mark is not None and err.problem_mark.line + 1 == line, err
    assert words in str(err.problem), err
    assert "secret" not in str(err), err


def test_merge_keys_follow_go_yaml_v2_order() -> None:
    doc = _load(
        "base: &b {a: 1, b: 1}\n"
        "over: {a: 0, <<: *b}\n"  # the merge overwrites a key set before it
        "under: {<<: *b, a: 0}\n"  # a later key overwrites the merge
        "seq: {<<: [{a: 1}, {a: 2, c: 2}]}\n"  # in a list, the first map wins
    )
    assert doc["over"] == {"a": 1, "b": 1}  # type: ignore[index]
    assert doc["under"] == {"a": 0, "b": 1}  # type: ignore[index]
    assert doc["seq"] == {"a": 1, "c": 2}  # type: ignore[index]


def test_merges_are_bounded() -> None:
    big = "{" + ", ".join(f"k{i}: {i}" for i in range(1000)) + "}"
    refs = "\n".join(f"m{i}: {{<<: *big}}" for i in range(1001))
    with pytest.raises(yaml.YAMLError, match="merge keys copy more than 1,000,000 entries"):
        yamlio.load_all(f"big: &big {big}\n{refs}\n")


def test_aliases_share_one_object_and_deep_nesting_does_not_recurse() -> None:
    doc = _load("a: &x {b: [1, 2]}\nc: *x\n")
    assert doc["a"] is doc["c"]  # type: ignore[index]
    depth = 900  # construction is iterative: deeper than Python's recursion limit allows
    (deep,) = yamlio.load_all("[" * depth + "]" * depth)
    for _ in range(depth - 1):
        deep = deep[0]
    assert deep == []


def test_documents_and_callers() -> None:
    assert yamlio.load_all("---\n---\na: 1\n---\n") == [{"a": 1}]
    assert yamlio.load("") is None
    assert yamlio.load_all("just text\n---\n- 0x10\n") == ["just text", [16]]
    (obj,) = load_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, labels: {1: z}}\n")
    assert obj.object["metadata"]["labels"] == {"1": "z"}
