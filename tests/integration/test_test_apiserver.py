"""kubecore.testing.TestApiServer over plain HTTP: discovery, CRUD rules, patches, watch."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubecore.testing import TestApiServer, load_table
from kubecore.testing.discovery import ResourceTable

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO.parent / "shared" / "specs"
SWAGGER = SPECS / "kubernetes" / "swagger.json"
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"

requires_shared = pytest.mark.skipif(
    not SPECS.is_dir(), reason=f"needs the real specs in {SPECS} (../shared beside the repo)"
)

VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"
CMS = "/api/v1/namespaces/default/configmaps"


@pytest.fixture(scope="module")
def crd_server() -> Iterator[TestApiServer]:
    with TestApiServer([CRD]) as server:
        yield server


@pytest.fixture(scope="module")
def full_server() -> Iterator[TestApiServer]:
    if not SPECS.is_dir():
        pytest.skip(f"needs the real specs in {SPECS}")
    with TestApiServer([SWAGGER, CRD]) as server:
        yield server


def client(server: TestApiServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=10)


def vm(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": name},
        "spec": {"image": "centos", **spec},
    }


def test_crd_table() -> None:
    table = load_table([CRD])
    res = table.get("cloud.waibizi.com", "v1", "virtualmachines")
    assert res is not None
    assert (res.kind, res.singular, res.list_kind) == (
        "VirtualMachine",
        "virtualmachine",
        "VirtualMachineList",
    )
    assert res.short_names == ("vm",) and res.namespaced and res.has_status


@requires_shared
def test_openapi_table() -> None:
    table = ResourceTable()
    table.add_spec_file(SWAGGER)
    pods = table.get("", "v1", "pods")
    assert pods is not None and pods.namespaced and pods.kind == "Pod"
    assert "status" in pods.subresources and {"get", "list", "watch", "create"} <= set(pods.verbs)
    nodes = table.get("", "v1", "nodes")
    assert nodes is not None and not nodes.namespaced
    assert table.group_versions()["apps"][0] == "v1"
    assert table.schema_for_kind("apps", "v1", "Deployment") is not None


def test_discovery(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        assert c.get("/version").json()["major"] == "1"
        groups = c.get("/apis").json()
        assert groups["kind"] == "APIGroupList"
        assert groups["groups"][0]["preferredVersion"]["groupVersion"] == "cloud.waibizi.com/v1"
        resources = c.get("/apis/cloud.waibizi.com/v1").json()["resources"]
        names = {r["name"]: r for r in resources}
        assert names["virtualmachines"]["shortNames"] == ["vm"]
        assert names["virtualmachines"]["singularName"] == "virtualmachine"
        assert "virtualmachines/status" in names


def test_crud_and_errors(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        created = c.post(VMS, json=vm("a", memory=1))
        assert created.status_code == 201
        meta = created.json()["metadata"]
        assert meta["generation"] == 1 and meta["uid"] and meta["creationTimestamp"].endswith("Z")
        dup = c.post(VMS, json=vm("a"))
        assert dup.status_code == 409 and dup.json()["reason"] == "AlreadyExists"
        assert dup.json()["details"] == {
            "name": "a",
            "group": "cloud.waibizi.com",
            "kind": "virtualmachines",
        }
        nameless = vm("")
        assert c.post(VMS, json=nameless).json()["reason"] == "Invalid"
        nameless["metadata"] = {"generateName": "gen-"}
        generated = c.post(VMS, json=nameless).json()["metadata"]["name"]
        assert generated.startswith("gen-") and len(generated) > 4
        missing = c.get(f"{VMS}/nope").json()
        assert (missing["kind"], missing["status"], missing["code"]) == ("Status", "Failure", 404)
        obj = c.get(f"{VMS}/a").json()
        obj["spec"]["memory"] = 2
        obj["status"] = {"phase": "ignored"}
        updated = c.put(f"{VMS}/a", json=obj).json()
        assert updated["metadata"]["generation"] == 2 and "status" not in updated
        assert int(updated["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
        stale = c.put(f"{VMS}/a", json=obj)
        assert stale.status_code == 409 and stale.json()["reason"] == "Conflict"
        updated["status"] = {"phase": "Running"}
        updated["spec"]["memory"] = 99
        after = c.put(f"{VMS}/a/status", json=updated).json()
        assert after["status"] == {"phase": "Running"} and after["spec"]["memory"] == 2
        assert after["metadata"]["generation"] == 2
        other_ns = c.post(
            "/apis/cloud.waibizi.com/v1/namespaces/elsewhere/virtualmachines", json=vm("b")
        )
        assert other_ns.status_code == 201  # no namespaces resource served: any namespace
        everything = c.get("/apis/cloud.waibizi.com/v1/virtualmachines").json()
        assert everything["kind"] == "VirtualMachineList"
        assert {i["metadata"]["name"] for i in everything["items"]} >= {"a", "b", generated}


def test_finalizers_selectors_pages(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        body = vm("fin")
        body["metadata"]["finalizers"] = ["x/y"]
        c.post(VMS, json=body)
        deleting = c.delete(f"{VMS}/fin").json()
        assert deleting["metadata"]["deletionTimestamp"]
        assert c.get(f"{VMS}/fin").status_code == 200
        c.patch(
            f"{VMS}/fin",
            content=json.dumps({"metadata": {"finalizers": None}}),
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert c.get(f"{VMS}/fin").status_code == 404
        for i, (tier, env) in enumerate([("web", "prod"), ("db", "prod"), ("web", "dev")]):
            body = vm(f"sel{i}")
            body["metadata"]["labels"] = {"tier": tier, "env": env}
            c.post(VMS, json=body)

        def names(**params: str) -> set[str]:
            return {i["metadata"]["name"] for i in c.get(VMS, params=params).json()["items"]}

        assert names(labelSelector="tier=web,env==prod") == {"sel0"}
        assert names(labelSelector="tier in (web, db),env!=dev") == {"sel0", "sel1"}
        assert names(labelSelector="env notin (prod),tier") == {"sel2"}
        assert names(labelSelector="!tier") & {"sel0", "sel1", "sel2"} == set()
        assert names(fieldSelector="metadata.name=sel1") == {"sel1"}
        assert c.get(VMS, params={"fieldSelector": "spec.x=1"}).status_code == 400
        pages: list[str] = []
        token = ""
        while True:
            params = {"limit": "2", "labelSelector": "tier"}
            if token:
                params["continue"] = token
            page = c.get(VMS, params=params).json()
            pages += [i["metadata"]["name"] for i in page["items"]]
            token = page["metadata"].get("continue", "")
            if not token:
                break
        assert pages == ["sel0", "sel1", "sel2"]
        gone = c.delete(VMS, params={"labelSelector": "env=prod"}).json()
        assert len(gone["items"]) == 2 and names(labelSelector="tier") == {"sel2"}


def test_patches(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        c.post(VMS, json=vm("p", memory=1, disk=2))
        merged = c.patch(
            f"{VMS}/p",
            content=json.dumps({"spec": {"memory": 5, "disk": None}}),
            headers={"Content-Type": "application/merge-patch+json"},
        ).json()
        assert merged["spec"] == {"image": "centos", "memory": 5}
        ops = [{"op": "replace", "path": "/spec/image", "value": "ubuntu"}]
        patched = c.patch(
            f"{VMS}/p",
            content=json.dumps(ops),
            headers={"Content-Type": "application/json-patch+json"},
        ).json()
        assert patched["spec"]["image"] == "ubuntu"
        strategic = c.patch(
            f"{VMS}/p",
            content=b"{}",
            headers={"Content-Type": "application/strategic-merge-patch+json"},
        )
        assert strategic.status_code == 415


def test_watch(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        rv = c.get(VMS).json()["metadata"]["resourceVersion"]
        events: list[dict[str, Any]] = []

        def watch() -> None:
            params = {"watch": "1", "resourceVersion": rv, "timeoutSeconds": "2"}
            params["allowWatchBookmarks"] = "true"
            with httpx.stream("GET", crd_server.url + VMS, params=params, timeout=10) as response:
                for line in response.iter_lines():
                    if line:
                        events.append(json.loads(line))

        thread = threading.Thread(target=watch)
        thread.start()
        c.post(VMS, json=vm("w"))
        c.delete(f"{VMS}/w")
        thread.join(10)
        types = [e["type"] for e in events]
        assert types[0] == "BOOKMARK" and types[-1] == "BOOKMARK"
        assert [t for t in types if t != "BOOKMARK"] == ["ADDED", "DELETED"]


def test_watch_too_old() -> None:
    with TestApiServer([CRD], history=2) as server, client(server) as c:
        for i in range(5):
            c.post(VMS, json=vm(f"o{i}"))
        gone = c.get(VMS, params={"watch": "true", "resourceVersion": "1"})
        assert gone.status_code == 410 and gone.json()["reason"] == "Expired"


@requires_shared
def test_builtin_namespaces_and_strategic_patch(full_server: TestApiServer) -> None:
    with client(full_server) as c:
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
        missing = c.post("/api/v1/namespaces/nowhere/configmaps", json=cm)
        assert missing.status_code == 404 and missing.json()["details"]["kind"] == "namespaces"
        assert c.post("/api/v1/namespaces", json={"metadata": {"name": "nowhere"}}).is_success
        assert c.post("/api/v1/namespaces/nowhere/configmaps", json=cm).status_code == 201
        deployment = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "a", "image": "1", "env": [{"name": "X", "value": "1"}]},
                            {"name": "b", "image": "2"},
                        ]
                    }
                }
            },
        }
        c.post("/apis/apps/v1/namespaces/default/deployments", json=deployment)
        patch = {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "a", "env": [{"name": "Y", "value": "2"}]},
                            {"name": "b", "$patch": "delete"},
                            {"name": "c", "image": "3"},
                        ]
                    }
                }
            }
        }
        result = c.patch(
            "/apis/apps/v1/namespaces/default/deployments/d",
            content=json.dumps(patch),
            headers={"Content-Type": "application/strategic-merge-patch+json"},
        ).json()
        containers = result["spec"]["template"]["spec"]["containers"]
        assert [x["name"] for x in containers] == ["a", "c"]
        assert containers[0]["image"] == "1"
        assert containers[0]["env"] == [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]


def test_cli_serves_until_stopped(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    kubeconfig = tmp_path / "kubeconfig"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubecore.testing", "--kubeconfig", str(kubeconfig), str(CRD)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and "serving on" in proc.stdout.readline()
        deadline = time.monotonic() + 10
        while not kubeconfig.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        server = json.loads(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        assert httpx.get(server + "/apis/cloud.waibizi.com/v1", timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
