"""``python -m kubecore.testing`` and ``/version`` (issue 7 §6).

* a port in use: one line on stderr, exit status 1;
* a manifest given as SPEC: its objects are stored (and served), or the run is refused
  with the file and document named (exit 2) — never silently ignored;
* ``/version`` reports the served spec's Kubernetes release (1.36 for the vendored
  spec), and the pinned kubectl (1.36) agrees.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubecore import load_config
from kubecore.client.dynamic import DynamicClient
from kubecore.core.unstructured import GroupVersionResource
from kubecore.testing import TestApiServer
from tests.conftest import REPO

CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
SPEC = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
KUBECTL = Path(sys.executable).parent / "kubectl"
VMS = GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")

MANIFEST = """\
apiVersion: cloud.waibizi.com/v1
kind: VirtualMachine
metadata: {name: vm1, namespace: default}
spec: {image: ubuntu}
---
apiVersion: v1
kind: List
items:
- apiVersion: cloud.waibizi.com/v1
  kind: VirtualMachine
  metadata: {name: vm2, namespace: team}
  spec: {image: debian}
"""


def _cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kubecore.testing", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"},
    )


@pytest.fixture()
def busy_port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


def test_port_in_use_is_one_line_and_a_failure(busy_port: int, tmp_path: Path) -> None:
    proc = _cli("--port", str(busy_port), "--kubeconfig", str(tmp_path / "kc"), str(CRD))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert f"127.0.0.1:{busy_port}" in lines[0] and "in use" in lines[0].lower()
    assert "Traceback" not in proc.stderr


def test_unwritable_kubeconfig_is_named_not_called_a_listen_failure(tmp_path: Path) -> None:
    """Was 'cannot listen on 127.0.0.1:0: No such file or directory'."""
    target = tmp_path / "missing" / "kc"
    proc = _cli("--port", "0", "--kubeconfig", str(target), str(CRD))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "cannot write the kubeconfig" in lines[0] and str(target) in lines[0]
    assert "listen" not in lines[0] and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("just a string\n", "document 1 is neither"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- a list\n", "document"),
        ("metadata: {name: no-kind}\n", "document 1 is neither"),
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "ConfigMap"),
        ("a: [unclosed\n", "not valid YAML at line"),
    ],
)
def test_unusable_documents_are_refused_with_file_and_place(
    tmp_path: Path, content: str, expected: str
) -> None:
    bad = tmp_path / "manifest.yaml"
    bad.write_text(content)
    proc = _cli("--kubeconfig", str(tmp_path / "kc"), str(CRD), str(bad))
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and expected in lines[0], proc.stderr
    assert not (tmp_path / "kc").exists()  # refused before listening


def test_a_manifest_given_as_spec_is_served(tmp_path: Path) -> None:
    manifest = tmp_path / "vms.yaml"
    manifest.write_text(MANIFEST)
    kubeconfig = tmp_path / "kc"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubecore.testing", "--kubeconfig", str(kubeconfig)]
        + [str(CRD), str(manifest), "--kubernetes-version", "1.33"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("serving on "), proc.stderr.read() if proc.stderr else line
        with DynamicClient(load_config(kubeconfig)) as dyn:
            names = sorted(
                (vm.namespace, vm.name, vm.nested_string("spec", "image")[0])
                for vm in dyn.resource(VMS).list().items
            )
            assert names == [("default", "vm1", "ubuntu"), ("team", "vm2", "debian")]
            assert dyn.rest.get_json("/version")["minor"] == "33"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_version_reports_the_served_spec_release() -> None:
    with TestApiServer([str(SPEC)]) as server:
        with DynamicClient(load_config(server.kubeconfig_path)) as dyn:
            info = dyn.rest.get_json("/version")
        assert (info["major"], info["minor"]) == ("1", "36")
        assert info["gitVersion"].startswith("v1.36.")
        if not KUBECTL.is_file():
            pytest.fail(f"kubectl not found at {KUBECTL}: install the dev dependencies")
        out = subprocess.run(
            [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path), "version", "-o", "json"],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            env={"HOME": str(server.kubeconfig_path.parent), "PATH": "/usr/bin:/bin"},
        )
        assert out.returncode == 0, out.stderr
        versions = json.loads(out.stdout)
        assert versions["serverVersion"]["minor"] == "36"
        # the kubectl the tests use is pinned to the served minor version
        assert versions["clientVersion"]["minor"] == versions["serverVersion"]["minor"]


def test_version_without_a_release_in_the_specs(tmp_path: Path) -> None:
    with TestApiServer([str(CRD)]) as crds_only:
        with DynamicClient(load_config(crds_only.kubeconfig_path)) as dyn:
            assert dyn.rest.get_json("/version")["minor"] == "36"  # the vendored spec's
    named = tmp_path / "kubernetes-1.31.swagger.json"
    named.write_text('{"swagger": "2.0", "info": {"version": "unversioned"}, "paths": {}}')
    assert TestApiServer([str(named)]).version_info["minor"] == "31"
    tagged = tmp_path / "spec.json"
    tagged.write_text('{"swagger": "2.0", "info": {"version": "v1.29.3"}, "paths": {}}')
    assert TestApiServer([str(tagged)]).version_info["minor"] == "29"
    assert TestApiServer([str(CRD)], kubernetes_version="v1.30.2").version_info["minor"] == "30"
    with pytest.raises(ValueError, match="not a Kubernetes release"):
        TestApiServer([str(CRD)], kubernetes_version="latest")


def test_an_object_in_a_namespace_that_does_not_exist_is_one_line_and_exit_2(
    tmp_path: Path,
) -> None:
    """QA: with the built-in spec, namespaces must exist; the preload's 404 was a
    traceback instead of the file, the document and the reason."""
    manifest = tmp_path / "vms.yaml"
    manifest.write_text(MANIFEST)
    proc = _cli("--kubeconfig", str(tmp_path / "kc"), "kubernetes", str(CRD), str(manifest))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        f'python -m kubecore.testing: {manifest}: document 2: namespaces "team" not found'
    )


def test_an_unknown_built_in_release_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = _cli("--kubeconfig", str(tmp_path / "kc"), "kubernetes:1.20")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "python -m kubecore.testing: unknown built-in spec 'kubernetes:1.20': "
        "available: kubernetes:1.36"
    )


def test_a_directory_spec_serves_its_crds_and_skips_other_documents(tmp_path: Path) -> None:
    """QA: a CRD folder was refused (``cannot read ...: Is a directory``) although
    ``kube-clientgen generate`` takes one; inside a folder, as for the generator, documents
    that are neither specs nor CRDs are skipped (a file named directly still stores them)."""
    folder = tmp_path / "crds"
    folder.mkdir()
    (folder / "vm.yaml").write_text(CRD.read_text())
    (folder / "kustomization.yaml").write_text("resources: [vm.yaml]\n")
    manifest = tmp_path / "vms.yaml"
    manifest.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n" + MANIFEST)
    kubeconfig = tmp_path / "kc"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubecore.testing", "--kubeconfig", str(kubeconfig)]
        + ["kubernetes", str(folder), str(manifest)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("serving on "), proc.stderr.read() if proc.stderr else line
        with DynamicClient(load_config(kubeconfig)) as dyn:
            names = sorted(vm.name for vm in dyn.resource(VMS).list().items)
            assert names == ["vm1", "vm2"]
            pods = GroupVersionResource("", "v1", "pods")
            assert dyn.resource(pods).namespace("default").list().items == []
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
