"""Every real example object validates clean against the built-in API and the corpus CRDs.

The few examples a real kube-apiserver would refuse too are listed with the reason and the
problem they must get (a fragment captured without its spec, a placeholder where base64
is required, a design-doc draft): the test fails if any other object gets a problem, or if
a listed one stops getting its problem. The count of clean objects is printed.
"""

from __future__ import annotations

from typing import Any

import pytest

from kubecore.core.validation import SchemaNotFound, Validator
from kubecore.core.yamlio import load_all
from tests.conftest import SPECS, requires_shared

pytestmark = requires_shared

# file (relative to examples/), document index -> the fields that get a problem, and why.
KNOWN_INVALID: dict[tuple[str, int], tuple[set[str], str]] = {
    ("kubernetes/ingress-nginx/auth/oauth-external-auth/vouch-proxy.yaml", 0): (
        {"spec.template.spec.containers[0].env[0].value"},
        "env value `true` is a YAML boolean; Go's decoder refuses it for a string",
    ),
    ("kubernetes/ingress-nginx/customization/ssl-dh-param/ssl-dh-param.yaml", 0): (
        {"data.dhparam.pem"},
        "Secret data is a placeholder, not base64",
    ),
    ("external-snapshotter/invalid-snapshot-v1.yaml", 0): (
        {"spec.source"},
        "the project's own example of an invalid object (CEL rule)",
    ),
    ("cert-manager/website/certificate-defaults_cert-test-minimal.yaml", 0): (
        {"spec.issuerRef", "spec.secretName"},
        "a documentation fragment without required fields",
    ),
    ("prometheus-operator/user-guides/scrapeclass/scrapeclass-example-podmonitor.yaml", 0): (
        {"spec.selector"},
        "guide snippet without the required selector",
    ),
    ("prometheus-operator/user-guides/scrapeclass/scrapeclass-example-servicemonitor.yaml", 0): (
        {"spec.selector"},
        "guide snippet without the required selector",
    ),
    ("argo-cd/operator-manual/applicationset.yaml", 0): (
        {"spec.generators[6].matrix.generators"},
        "manual page listing with an empty matrix generator",
    ),
}
# Argo CD / external-snapshotter testdata are status captures with spec or metadata cut,
# and the ApplicationSet design documents predate required fields: all missing-required.
_FRAGMENT_DIRS = ("argocd-testdata/", "applicationset/examples/design-doc/")


def _validator() -> Validator:
    validator = Validator.builtin()
    for path in sorted((SPECS / "crds").rglob("*.yaml")):
        for doc in load_all(path.read_bytes()):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                # every rule of the corpus compiles (test_cel_corpus): a CelError fails here
                validator.add_crd(doc, where=str(path))
    return validator


def _documents() -> list[tuple[str, int, dict[str, Any]]]:
    out = []
    root = SPECS / "examples"
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        for index, doc in enumerate(load_all(path.read_bytes())):
            if isinstance(doc, dict) and doc.get("kind"):
                out.append((str(path.relative_to(root)), index, doc))
    return out


def test_every_real_example_validates_clean(capsys: pytest.CaptureFixture[str]) -> None:
    validator = _validator()
    clean = missing = 0
    unexpected: list[str] = []
    seen_known: set[tuple[str, int]] = set()
    for name, index, doc in _documents():
        try:
            problems = validator.validate(doc)
        except SchemaNotFound:
            missing += 1
            continue
        if not problems:
            clean += 1
            continue
        fields = {p.field for p in problems}
        known = KNOWN_INVALID.get((name, index))
        if known is not None:
            assert fields == known[0], (name, [str(p) for p in problems])
            seen_known.add((name, index))
        elif any(part in name for part in _FRAGMENT_DIRS):
            assert all(p.type == "FieldValueRequired" for p in problems) or any(
                "both spec.volumeSnapshotRef" in str(p) for p in problems
            ), (name, [str(p) for p in problems])
        else:
            unexpected.extend(f"{name}[{index}] {p}" for p in problems)
    assert unexpected == []
    assert seen_known == set(KNOWN_INVALID)
    assert clean > 800
    with capsys.disabled():
        print(
            f"\nvalidation corpus: {clean} objects clean, {len(KNOWN_INVALID)} known invalid, "
            f"{missing} without a schema (kustomize, legacy versions, unsupplied CRDs)"
        )
