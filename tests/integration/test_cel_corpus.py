"""Every CEL rule of the real CRDs compiles, and the library rules evaluate as on a cluster.

Before the IP/CIDR, semver and format libraries, 930 of the corpus' 931 rules compiled: the
gateway-api experimental XBackend rule ``format.dns1123Label().validate(self) == null`` was
reported as unsupported (and its CRD could not be added). Now every rule compiles; the count
is printed. No example under ``../shared/specs/examples`` is an XBackend, so its rule is
evaluated on objects written here; the TLSRoute ``!isIP(h)`` rules also run on the real
TLSRoute examples in test_validation_corpus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubecore.core.validation import Validator
from kubecore.core.yamlio import load_all
from tests.conftest import SPECS, requires_shared

pytestmark = requires_shared

GATEWAY = SPECS / "crds" / "gateway-api"


def _crds(path: Path) -> list[dict[str, Any]]:
    return [
        doc
        for doc in load_all(path.read_bytes())
        if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition"
    ]


def _rules(schema: Any) -> int:
    if not isinstance(schema, dict):
        return 0
    count = len(schema.get("x-kubernetes-validations") or ())
    count += sum(_rules(sub) for sub in (schema.get("properties") or {}).values())
    return count + _rules(schema.get("additionalProperties")) + _rules(schema.get("items"))


def test_every_rule_of_the_corpus_compiles(capsys: pytest.CaptureFixture[str]) -> None:
    rules = crds = 0
    for path in sorted((SPECS / "crds").rglob("*.yaml")):
        for crd in _crds(path):
            Validator().add_crd(crd, where=str(path))  # raises CelError naming the rule
            crds += 1
            for version in crd["spec"].get("versions") or ():
                rules += _rules((version.get("schema") or {}).get("openAPIV3Schema"))
    assert rules > 900
    with capsys.disabled():
        print(f"\nCEL corpus: all {rules} rules of {crds} CRDs compile")


def _xbackend_validator() -> Validator:
    validator = Validator.builtin()
    path = GATEWAY / "experimental" / "gateway.networking.x-k8s.io_xbackends.yaml"
    for crd in _crds(path):
        validator.add_crd(crd, where=str(path))
    return validator


def _xbackend(port: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "gateway.networking.x-k8s.io/v1alpha1",
        "kind": "XBackend",
        "metadata": {"name": "api", "namespace": "default"},
        "spec": {
            "type": "ExternalHostname",
            "externalHostname": {"hostname": "api.example.com"},
            "port": port,
        },
    }


def test_the_xbackend_format_rule_evaluates_as_kube_apiserver() -> None:
    validator = _xbackend_validator()
    assert validator.validate(_xbackend({"port": 443})) == []
    assert validator.validate(_xbackend({"port": 443, "name": ""})) == []
    # An optional never equals null in cel-go: the shipped rule refuses every non-empty
    # name, valid or not (gateway-api later rewrote it as `!...validate(self).hasValue()`).
    for name in ("https", "Not_A_Label"):
        problems = validator.validate(_xbackend({"port": 443, "name": name}))
        assert [str(p) for p in problems] == [
            'spec.port.name: Invalid value: "string": Name must be a valid DNS label'
        ]


def test_the_tlsroute_isip_rule_refuses_an_ip_hostname() -> None:
    validator = Validator.builtin()
    path = GATEWAY / "standard" / "gateway.networking.k8s.io_tlsroutes.yaml"
    for crd in _crds(path):
        validator.add_crd(crd, where=str(path))
    route: dict[str, Any] = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "TLSRoute",
        "metadata": {"name": "r", "namespace": "default"},
        "spec": {
            "hostnames": ["foo.example.com"],
            "rules": [{"backendRefs": [{"name": "svc", "port": 443}]}],
        },
    }
    assert validator.validate(route) == []
    route["spec"]["hostnames"] = ["foo.example.com", "10.0.0.1"]
    assert [str(p) for p in validator.validate(route)] == [
        'spec.hostnames: Invalid value: "array": Hostnames cannot contain an IP'
    ]
