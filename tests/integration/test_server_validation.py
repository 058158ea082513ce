"""The test API server validates, prunes and defaults like kube-apiserver (issue #10)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubecore.core.validation import CelError
from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"

_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1beta1
    served: true
    storage: false
    deprecated: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            x-kubernetes-validations:
            - rule: "self.size <= self.maxSize"
              message: size may not exceed maxSize
            - rule: "self.size >= oldSelf.size"
              messageExpression: "'size may not shrink from ' + string(oldSelf.size)"
            properties:
              size: {type: integer, minimum: 1}
              maxSize: {type: integer, default: 10}
              tier: {type: string, enum: [a, b]}
              mode: {type: string, default: Fast}
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    port: {type: integer}
              extra:
                type: object
                x-kubernetes-preserve-unknown-fields: true
          status:
            type: object
            properties:
              phase: {type: string}
"""
WIDGETS = "/apis/example.com/v1/namespaces/default/widgets"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestApiServer]:
    crd = tmp_path_factory.mktemp("crd") / "widget.yaml"
    crd.write_text(_CRD)
    with TestApiServer([SWAGGER, crd]) as srv:
        yield srv


@pytest.fixture
def c(server: TestApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        yield http


def _widget(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": name},
        "spec": {"size": 1, **spec},
    }


def _causes(response: httpx.Response) -> list[tuple[str, str, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["reason"] == "Invalid"
    return [(c["field"], c["reason"], c["message"]) for c in body["details"]["causes"]]


def test_invalid_custom_resources_get_422_with_kube_apiserver_causes(c: httpx.Client) -> None:
    response = c.post(WIDGETS, json=_widget("w1", size="two", tier="premum"))
    assert _causes(response) == [
        (
            "spec.size",
            "FieldValueTypeInvalid",
            'Invalid value: "string": spec.size in body must be of type integer: "string"',
        ),
        (
            "spec.tier",
            "FieldValueNotSupported",
            'Unsupported value: "premum": supported values: "a", "b"',
        ),
        (
            "<nil>",
            "FieldValueInvalid",
            'Invalid value: "null": some validation rules were not checked because the object '
            "was invalid; correct the existing errors to complete validation",
        ),
    ]
    assert response.json()["message"].startswith('Widget.example.com "w1" is invalid: [spec.size:')
    assert response.json()["details"]["kind"] == "Widget"
    assert _causes(c.post(WIDGETS, json=_widget("w2", size=0))) == [
        (
            "spec.size",
            "FieldValueInvalid",
            "Invalid value: 0: spec.size in body should be greater than or equal to 1",
        )
    ]
    missing = _widget("w3")
    del missing["spec"]["size"]
    assert _causes(c.post(WIDGETS, json=missing)) == [
        ("spec.size", "FieldValueRequired", "Required value"),
        (
            "spec",
            "FieldValueInvalid",
            'Invalid value: "object": no such key: size evaluating rule: '
            "size may not exceed maxSize",
        ),
    ]
    assert _causes(c.post(WIDGETS, json=_widget("w4", size=20))) == [
        ("spec", "FieldValueInvalid", 'Invalid value: "object": size may not exceed maxSize')
    ]
    duplicated = _widget("w5", ports=[{"name": "http"}, {"name": "http", "port": 2}])
    assert _causes(c.post(WIDGETS, json=duplicated)) == [
        (
            "spec.ports[1]",
            "FieldValueDuplicate",
            'Duplicate value: map[string]interface {}{"name":"http"}',
        )
    ]
    assert c.get(f"{WIDGETS}/w1").status_code == 404


def test_defaults_pruning_and_field_validation(c: httpx.Client) -> None:
    body = _widget("d1", unknown=1, extra={"kept": {"deep": True}})
    body["spec"]["ports"] = [{"name": "a", "surplus": True}]
    strict = c.post(WIDGETS, params={"fieldValidation": "Strict"}, json=body)
    assert strict.status_code == 400
    assert strict.json()["message"].endswith(
        'strict decoding error: unknown field "spec.unknown", unknown field "spec.ports[0].surplus"'
    )
    warned = c.post(WIDGETS, json=body)
    assert warned.status_code == 201
    assert warned.headers.get_list("Warning") == [
        '299 - "unknown field \\"spec.unknown\\""',
        '299 - "unknown field \\"spec.ports[0].surplus\\""',
    ]
    spec = warned.json()["spec"]
    assert spec == {
        "size": 1,
        "maxSize": 10,
        "mode": "Fast",
        "extra": {"kept": {"deep": True}},
        "ports": [{"name": "a"}],
    }
    ignored = c.post(
        WIDGETS, params={"fieldValidation": "Ignore"}, json={**body, "metadata": {"name": "d2"}}
    )
    assert ignored.status_code == 201 and "Warning" not in ignored.headers
    assert "unknown" not in ignored.json()["spec"]


def test_transition_rules_see_the_stored_object(c: httpx.Client) -> None:
    created = c.post(WIDGETS, json=_widget("t1", size=5)).json()
    created["spec"]["size"] = 3
    assert _causes(c.put(f"{WIDGETS}/t1", json=created)) == [
        ("spec", "FieldValueInvalid", 'Invalid value: "object": size may not shrink from 5')
    ]
    patched = c.patch(
        f"{WIDGETS}/t1",
        content=json.dumps({"spec": {"size": 2}}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert _causes(patched)[0][2] == 'Invalid value: "object": size may not shrink from 5'
    grown = c.patch(
        f"{WIDGETS}/t1",
        content=json.dumps({"spec": {"size": 6}}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert grown.status_code == 200 and grown.json()["spec"]["size"] == 6


def test_server_side_apply_validates_the_merged_object(c: httpx.Client) -> None:
    applied = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "a1"}}
    applied["spec"] = {"size": 0}
    response = c.patch(
        f"{WIDGETS}/a1",
        params={"fieldManager": "me"},
        content=json.dumps(applied),
        headers={"Content-Type": "application/apply-patch+yaml"},
    )
    assert [cause[0] for cause in _causes(response)] == ["spec.size"]
    applied["spec"] = {"size": 2}
    ok = c.patch(
        f"{WIDGETS}/a1",
        params={"fieldManager": "me"},
        content=json.dumps(applied),
        headers={"Content-Type": "application/apply-patch+yaml"},
    )
    assert ok.is_success and ok.json()["spec"]["maxSize"] == 10


def test_deprecated_versions_warn(c: httpx.Client) -> None:
    response = c.get("/apis/example.com/v1beta1/namespaces/default/widgets")
    assert response.status_code == 200
    assert response.headers.get_list("Warning") == [
        '299 - "example.com/v1beta1 Widget is deprecated"'
    ]
    assert "Warning" not in c.get(WIDGETS).headers


def test_invalid_builtin_objects_get_422(c: httpx.Client) -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
    }
    response = c.post("/apis/apps/v1/namespaces/default/deployments", json=deployment)
    assert _causes(response) == [("spec.selector", "FieldValueRequired", "Required value")]
    assert response.json()["message"] == (
        'Deployment.apps "web" is invalid: spec.selector: Required value'
    )
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}
    assert _causes(c.post("/api/v1/namespaces/default/pods", json=pod)) == [
        ("spec.containers", "FieldValueRequired", "Required value")
    ]
    # A wrong JSON type never reaches validation: Go's decoder refuses it first (400).
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": 1}}
    decoded = c.post("/api/v1/namespaces/default/configmaps", json=cm)
    assert decoded.status_code == 400
    assert decoded.json()["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal '
        "number into Go struct field ConfigMap.data of type string"
    )


def test_go_code_rules_of_builtin_kinds_get_422(c: httpx.Client) -> None:
    """Rules kube-apiserver checks in Go code, not in the OpenAPI schema (ValidatePodSpec,
    ValidateDeployment and its update): an empty container list, duplicate container names,
    a selector that does not select the template, a changed apps/v1 selector. The test
    server stored all four."""
    pods = "/api/v1/namespaces/default/pods"
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "empty"}}
    assert _causes(c.post(pods, json={**pod, "spec": {"containers": []}})) == [
        ("spec.containers", "FieldValueRequired", "Required value")
    ]
    twice = {
        "initContainers": [{"name": "c", "image": "busybox"}],
        "containers": [{"name": "c", "image": "nginx"}],
    }
    assert _causes(c.post(pods, json={**pod, "spec": twice})) == [
        ("spec.initContainers[0].name", "FieldValueDuplicate", 'Duplicate value: "c"')
    ]
    deployments = "/apis/apps/v1/namespaces/default/deployments"
    template = {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "sel"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {**template, "metadata": {"labels": {"app": "db"}}},
        },
    }
    assert _causes(c.post(deployments, json=deployment)) == [
        (
            "spec.template.metadata.labels",
            "FieldValueInvalid",
            'Invalid value: map[string]string{"app":"db"}: `selector` does not match template '
            "`labels`",
        )
    ]
    deployment["spec"]["template"]["metadata"] = {"labels": {"app": "web", "tier": "a"}}
    assert c.post(deployments, json=deployment).status_code == 201
    moved = c.patch(
        f"{deployments}/sel",
        json={"spec": {"selector": {"matchLabels": {"tier": "a"}}}},
        headers={"Content-Type": "application/strategic-merge-patch+json"},
    )
    assert _causes(moved) == [
        (
            "spec.selector",
            "FieldValueInvalid",
            "Invalid value: &LabelSelector{MatchLabels:map[string]string{app: web,tier: a,},"
            "MatchExpressions:[]LabelSelectorRequirement{},}: field is immutable",
        )
    ]


def test_a_pod_spec_changes_only_where_kube_apiserver_allows(c: httpx.Client) -> None:
    """ValidatePodUpdate: images, the active deadline and added tolerations may change; a
    renamed container, a new port or a set nodeName is 422 ``spec: Forbidden`` (the test
    server stored them, so a controller's pod update passed here and failed on a cluster)."""
    pods = "/api/v1/namespaces/default/pods"
    merge = {"Content-Type": "application/merge-patch+json"}
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "frozen"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1"}]},
    }
    stored = c.post(pods, json=pod).json()
    stored["spec"]["containers"][0]["image"] = "nginx:2"
    stored["spec"]["activeDeadlineSeconds"] = 30
    stored["spec"]["tolerations"] = [{"key": "k", "operator": "Exists"}]
    assert c.put(f"{pods}/frozen", json=stored).status_code == 200
    for change in (
        {"spec": {"nodeName": "node-1"}},
        {"spec": {"containers": [{"name": "d", "image": "nginx:2"}]}},
        {"spec": {"tolerations": []}},
    ):
        refused = c.patch(f"{pods}/frozen", json=change, headers=merge)
        [(field, reason, message)] = _causes(refused)
        assert (field, reason) == ("spec", "FieldValueForbidden")
        assert message.startswith(
            "Forbidden: pod updates may not change fields other than `spec.containers[*].image`"
        )
    labelled = c.patch(f"{pods}/frozen", json={"metadata": {"labels": {"a": "b"}}}, headers=merge)
    assert labelled.status_code == 200


def test_a_volume_has_exactly_one_source(c: httpx.Client) -> None:
    """validateVolumeSource: a strategic merge patch that sets another source of a volume
    without ``$retainKeys`` leaves two, which kube-apiserver refuses (the test server
    stored it); with ``$retainKeys``, as kubectl sends it, the old source goes."""
    deployments = "/apis/apps/v1/namespaces/default/deployments"
    smp = {"Content-Type": "application/strategic-merge-patch+json"}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "vols"},
        "spec": {
            "selector": {"matchLabels": {"app": "v"}},
            "template": {
                "metadata": {"labels": {"app": "v"}},
                "spec": {
                    "volumes": [{"name": "data", "emptyDir": {}}],
                    "containers": [{"name": "c", "image": "nginx"}],
                },
            },
        },
    }
    assert c.post(deployments, json=deployment).status_code == 201
    volume = {"name": "data", "configMap": {"name": "cfg"}}
    two = c.patch(
        f"{deployments}/vols",
        json={"spec": {"template": {"spec": {"volumes": [volume]}}}},
        headers=smp,
    )
    assert _causes(two) == [
        (
            "spec.template.spec.volumes[0].configMap",
            "FieldValueForbidden",
            "Forbidden: may not specify more than 1 volume type",
        )
    ]
    retained = {**volume, "$retainKeys": ["configMap", "name"]}
    one = c.patch(
        f"{deployments}/vols",
        json={"spec": {"template": {"spec": {"volumes": [retained]}}}},
        headers=smp,
    )
    assert one.status_code == 200, one.text
    # SetDefaults_ConfigMapVolumeSource: defaultMode 0644
    defaulted = {**volume, "configMap": {"name": "cfg", "defaultMode": 420}}
    assert one.json()["spec"]["template"]["spec"]["volumes"] == [defaulted]
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "novol"},
        "spec": {"volumes": [{"name": "x"}], "containers": [{"name": "c", "image": "i"}]},
    }
    # SetDefaults_Volume runs before validation: a volume without a source is an emptyDir
    created = c.post("/api/v1/namespaces/default/pods", json=pod)
    assert created.status_code == 201, created.text
    assert created.json()["spec"]["volumes"] == [{"name": "x", "emptyDir": {}}]


def test_config_map_and_secret_rules(c: httpx.Client) -> None:
    """ValidateConfigMap / ValidateSecret and their updates: config keys, one bag per key,
    immutable data once ``immutable`` is true, a Secret's type fixed. All were stored."""
    cms, secrets = "/api/v1/namespaces/default/configmaps", "/api/v1/namespaces/default/secrets"
    merge = {"Content-Type": "application/merge-patch+json"}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "keys"}}
    slash = c.post(cms, json={**cm, "data": {"a/b": "1"}})
    assert _causes(slash) == [
        (
            "data[a/b]",
            "FieldValueInvalid",
            'Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '
            "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
            "validation is '[-._a-zA-Z0-9]+')",
        )
    ]
    both = c.post(cms, json={**cm, "data": {"k": "1"}, "binaryData": {"k": "MQ=="}})
    assert _causes(both) == [
        (
            "data[k]",
            "FieldValueInvalid",
            'Invalid value: "k": duplicate of key present in binaryData',
        )
    ]
    frozen = {**cm, "metadata": {"name": "frozen"}, "immutable": True, "data": {"k": "1"}}
    assert c.post(cms, json=frozen).status_code == 201
    changed = c.patch(f"{cms}/frozen", json={"data": {"k": "2"}}, headers=merge)
    assert _causes(changed) == [
        ("data", "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set")
    ]
    thawed = c.patch(f"{cms}/frozen", json={"immutable": False}, headers=merge)
    assert [f for f, _, _ in _causes(thawed)] == ["immutable"]
    labelled = c.patch(f"{cms}/frozen", json={"metadata": {"labels": {"a": "b"}}}, headers=merge)
    assert labelled.status_code == 200
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tls"}, "type": "Opaque"}
    assert c.post(secrets, json=secret).status_code == 201
    retyped = c.patch(f"{secrets}/tls", json={"type": "kubernetes.io/tls"}, headers=merge)
    assert [f for f, _, _ in _causes(retyped)] == ["type"]


def test_service_ports(c: httpx.Client) -> None:
    """ValidateService: ports unless headless or ExternalName; several ports are named,
    uniquely. All three mistakes were stored."""
    services = "/api/v1/namespaces/default/services"

    def service(name: str, **spec: Any) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}

    assert _causes(c.post(services, json=service("bare"))) == [
        ("spec.ports", "FieldValueRequired", "Required value")
    ]
    unnamed = service("two", ports=[{"name": "http", "port": 80}, {"port": 443}])
    assert _causes(c.post(services, json=unnamed)) == [
        ("spec.ports[1].name", "FieldValueRequired", "Required value")
    ]
    twice = service("twice", ports=[{"name": "p", "port": 80}, {"name": "p", "port": 81}])
    assert _causes(c.post(services, json=twice)) == [
        ("spec.ports[1].name", "FieldValueDuplicate", 'Duplicate value: "p"')
    ]
    for ok in (
        service("headless", clusterIP="None"),
        service("external", type="ExternalName", externalName="example.com"),
        service("one", ports=[{"port": 80}]),
    ):
        assert c.post(services, json=ok).status_code == 201, ok


def test_a_pod_names_an_image_a_template_need_not(c: httpx.Client) -> None:
    """QA 8: a Pod without an image was stored; kube-apiserver answers 422
    ``spec.containers[0].image: Required value`` (a workload template may leave it empty)."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "no-image"},
        "spec": {"containers": [{"name": "c"}], "initContainers": [{"name": "i"}]},
    }
    assert _causes(c.post("/api/v1/namespaces/default/pods", json=pod)) == [
        ("spec.containers[0].image", "FieldValueRequired", "Required value"),
        ("spec.initContainers[0].image", "FieldValueRequired", "Required value"),
    ]
    template = {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c"}]}}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "no-image"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": template},
    }
    answer = c.post("/apis/apps/v1/namespaces/default/deployments", json=deployment)
    assert answer.status_code == 201, answer.text


def test_a_recreate_deployment_has_no_rolling_update(c: httpx.Client) -> None:
    """QA 8: a strategic merge patch setting only ``strategy.type: Recreate`` keeps the
    defaulted ``rollingUpdate`` (no ``$retainKeys``), which ValidateDeploymentStrategy
    refuses; the test server stored it."""
    deployments = "/apis/apps/v1/namespaces/default/deployments"
    template = {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c"}]}}
    spec = {"selector": {"matchLabels": {"a": "b"}}, "template": template}
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "rc"}}
    assert c.post(deployments, json={**body, "spec": spec}).status_code == 201
    smp = {"Content-Type": "application/strategic-merge-patch+json"}
    patch = json.dumps({"spec": {"strategy": {"type": "Recreate"}}})
    assert _causes(c.patch(f"{deployments}/rc", content=patch, headers=smp)) == [
        (
            "spec.strategy.rollingUpdate",
            "FieldValueForbidden",
            "Forbidden: may not be specified when strategy `type` is 'Recreate'",
        )
    ]
    retained = {"spec": {"strategy": {"type": "Recreate", "$retainKeys": ["type"]}}}
    answer = c.patch(f"{deployments}/rc", content=json.dumps(retained), headers=smp)
    assert answer.status_code == 200, answer.text
    assert answer.json()["spec"]["strategy"] == {"type": "Recreate"}


def test_a_crd_whose_rule_does_not_compile_stops_the_server(tmp_path: Path) -> None:
    crd = tmp_path / "bad.yaml"
    crd.write_text(_CRD.replace("self.size <= self.maxSize", "self.size <="))
    with pytest.raises(CelError, match="CustomResourceDefinition widgets.example.com"):
        TestApiServer([crd])


def test_delete_options_are_checked(c: httpx.Client) -> None:
    assert c.post(WIDGETS, json=_widget("del1")).status_code == 201
    response = c.request("DELETE", f"{WIDGETS}/del1", json={"propagationPolicy": "foreground"})
    assert response.status_code == 422
    assert response.json()["message"] == (
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: '
        '"foreground": supported values: "Foreground", "Background", "Orphan"'
    )
    both = c.request(
        "DELETE",
        f"{WIDGETS}/del1",
        params={"propagationPolicy": "Orphan"},
        json={"orphanDependents": True},
    )
    assert _causes(both) == [
        (
            "propagationPolicy",
            "FieldValueInvalid",
            'Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set',
        )
    ]
    assert c.get(f"{WIDGETS}/del1").status_code == 200
    assert c.request(
        "DELETE", f"{WIDGETS}/del1", json={"propagationPolicy": "Foreground"}
    ).is_success
