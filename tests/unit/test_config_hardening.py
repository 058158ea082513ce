"""Configuration: clear errors naming the entry and file, no secrets in them, no hangs.

Issue 7 §6 (``~``), issue 9 §4 (URLs, tokens, exec plugin timeout, connection resets).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kube_clientgen_api.kubernetes import Clientset
from kubecore.client import exec_plugin
from kubecore.client.config import Config, ConfigError, ExecConfig, ExecEnvVar, load_config
from kubecore.client.exec_plugin import ExecCredentialProvider, ExecPluginError
from kubecore.client.rest import NO_RETRY, RESTClient
from kubecore.client.transport import ConnectError, InvalidHeader, ReadError, TransportError
from tests.loopback_server import LoopbackServer, Reply

SENTINEL = "SENTINEL-s3cr3t-7f1c"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def write(path: Path, cluster: dict[str, Any], user: dict[str, Any] | None = None) -> Path:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "ctx",
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "clusters": [{"name": "c", "cluster": cluster}],
        "users": [{"name": "u", "user": user or {}}],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc))
    return path


# -- ~ ------------------------------------------------------------------------------------------


def test_explicit_path_expands_tilde(isolated_env: Path) -> None:
    write(isolated_env / ".kube" / "config", {"server": "https://home.test"})
    assert load_config("~/.kube/config").host == "https://home.test"
    assert load_config(Path("~/.kube/config")).host == "https://home.test"


def test_kubeconfig_env_tilde_is_taken_as_kubectl_takes_it(
    isolated_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # kubectl does not expand a literal "~" in $KUBECONFIG (the shell does, at assignment).
    write(isolated_env / "cfg", {"server": "https://env.test"})
    write(isolated_env / ".kube" / "config", {"server": "https://default.test"})
    monkeypatch.chdir(isolated_env.parent)
    monkeypatch.setenv("KUBECONFIG", f"~/cfg{os.pathsep}{isolated_env / 'cfg'}")
    with caplog.at_level(logging.WARNING):
        assert load_config().host == "https://env.test"
    assert any("'~' in $KUBECONFIG is not expanded" in r.getMessage() for r in caplog.records)


# -- server and proxy URLs ------------------------------------------------------------------------

BAD_SERVERS = [
    "https://k.test:99999",
    "https://k.test:abc",
    "https://[::1",
    "ftp://k.test",
    "https://",
    "https://:6443",
    "https://k.test:0",
    # QA: Go's url.Parse (kubectl) refuses these; urlsplit took them (dropping the tab), and
    # the first request failed with http.client.InvalidURL or looked up "k%20test"
    "https:// k.test:6443",
    "https://k.test :6443",
    "https://k%20test:6443",
    "https://k.test\t:6443",
    "https://k.test:6443\n",
]


@pytest.mark.parametrize("server", BAD_SERVERS)
def test_bad_server_urls_name_the_cluster_and_file(tmp_path: Path, server: str) -> None:
    path = write(tmp_path / "config", {"server": server})
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert type(info.value) is ConfigError
    assert "cluster 'c'" in str(info.value) and str(path) in str(info.value)


@pytest.mark.parametrize("server", BAD_SERVERS)
def test_bad_master_url_is_a_config_error(tmp_path: Path, server: str) -> None:
    path = write(tmp_path / "config", {"server": "https://fine.test"})
    with pytest.raises(ConfigError, match="master_url"):
        load_config(path, master_url=server)


@pytest.mark.parametrize(
    "proxy",
    [
        "http://",
        "socks5://:1080",
        "http://proxy.test:99999",
        "http://proxy.test:abc",
        "ftp://proxy.test",
        "http://[::1",
        f"http://user:{SENTINEL}@:3128",
        "http://proxy test:3128",
        f"http://user:{SENTINEL}@proxy.test\r:3128",
    ],
)
def test_bad_proxy_urls_name_the_cluster_and_file(tmp_path: Path, proxy: str) -> None:
    path = write(tmp_path / "config", {"server": "https://k.test", "proxy-url": proxy})
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert "cluster 'c'" in text and str(path) in text and "proxy-url" in text
    assert SENTINEL not in text


def test_scheme_less_server_still_defaults_to_http(tmp_path: Path) -> None:
    path = write(tmp_path / "config", {"server": "k.test:8080"})
    assert load_config(path).host == "http://k.test:8080"


def test_hand_built_config_with_bad_url_fails_as_config_error() -> None:
    with pytest.raises(ConfigError, match="cluster 'mine'"):
        RESTClient(Config(host="ftp://k.test", cluster_name="mine"))
    with pytest.raises(ConfigError):
        RESTClient(Config(host="http://k.test", proxy_url="http://"))


# -- tokens and header values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        f"{SENTINEL}\n",
        f"{SENTINEL}\r\nX-Evil: 1",
        f"{SENTINEL}\x00",
        f"{SENTINEL}\x7f",
        f"{SENTINEL}é",
    ],
)
def test_tokens_that_cannot_be_headers_are_refused_at_load(
    tmp_path: Path, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path / "config", {"server": "https://k.test"}, {"token": token})
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert "user 'u'" in text and str(path) in text and "token" in text
    assert SENTINEL not in text and SENTINEL not in repr(info.value)
    assert all(SENTINEL not in r.getMessage() for r in caplog.records)


def test_a_block_scalar_token_names_the_trailing_newline(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
        "clusters: [{name: c, cluster: {server: 'https://k.test'}}]\n"
        f"users:\n- name: u\n  user:\n    token: |\n      {SENTINEL}\n"
    )
    with pytest.raises(ConfigError, match="trailing newline") as info:
        load_config(path)
    assert SENTINEL not in str(info.value)


def test_token_file_and_impersonation_values_are_checked(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(f"{SENTINEL}\x01rest\n")
    path = write(tmp_path / "config", {"server": "https://k.test"}, {"tokenFile": "token"})
    with pytest.raises(ConfigError, match="user 'u'") as info:
        load_config(path)
    assert SENTINEL not in str(info.value)
    path = write(tmp_path / "config2", {"server": "https://k.test"}, {"as": "bob\nX: y"})
    with pytest.raises(ConfigError, match="'as'|the as"):
        load_config(path)


def test_no_header_value_in_exceptions_or_logs_when_a_config_is_built_by_hand(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with LoopbackServer(max_lifetime=30) as server:
        server.route("GET", "/version", Reply(200, {"major": "1"}))
        config = Config(host=server.url, token=f"{SENTINEL}\r\nX-Evil: 1")
        with caplog.at_level(logging.DEBUG), RESTClient(config, retry=NO_RETRY) as rest:
            with pytest.raises(InvalidHeader) as info:
                rest.request("GET", "/version")
        assert isinstance(info.value, TransportError) and isinstance(info.value, ValueError)
        texts = [str(info.value), repr(info.value)]
        cause: BaseException | None = info.value
        while cause is not None:
            texts.append(str(cause))
            cause = cause.__cause__ or cause.__context__
        assert all(SENTINEL not in t for t in texts)
        assert all(SENTINEL not in r.getMessage() for r in caplog.records)
        assert server.requests == []


@pytest.mark.parametrize(
    "url",
    [
        f"https://user:{SENTINEL}@k.test:abc",
        f"https://user:p@{SENTINEL}@k.test:abc",
        f"https://user:{SENTINEL}:x@k.test:99999",
        f"https://user:{SENTINEL}@[::1",
    ],
)
def test_a_password_holding_at_or_colon_is_hidden_whole(tmp_path: Path, url: str) -> None:
    """The user information ends at the authority's last ``@`` (as urllib and Go read it)."""
    for cluster in ({"server": url}, {"server": "https://k.test", "proxy-url": url}):
        path = write(tmp_path / "config", cluster)
        with pytest.raises(ConfigError) as info:
            load_config(path)
        assert "user:<redacted>@" in str(info.value)
        assert SENTINEL not in str(info.value)


def test_impersonation_extra_keys_are_escaped_into_header_names(tmp_path: Path) -> None:
    """client-go's headerKeyEscape: ``/``, ``:``, spaces, ``%`` and non-ASCII are %-encoded,
    so a domain-prefixed key is one legal header name instead of a refused request."""
    extra = {
        "authentication.kubernetes.io/pod-name": ["web-0"],
        "a: b": ["x"],
        "50%": ["v"],
        "\u00e9t\u00e9\n": ["z"],
    }
    with LoopbackServer(max_lifetime=30) as server:
        server.route("GET", "/version", Reply(200, {"major": "1"}))
        user = {"token": "t", "as": "jane", "as-user-extra": extra}
        path = write(tmp_path / "config", {"server": server.url}, user)
        with RESTClient(load_config(path), retry=NO_RETRY) as rest:
            rest.request("GET", "/version")
        (request,) = server.requests
    assert request.header("Impersonate-Extra-authentication.kubernetes.io%2Fpod-name") == "web-0"
    assert request.header("Impersonate-Extra-a%3A%20b") == "x"
    assert request.header("Impersonate-Extra-50%25") == "v"
    assert request.header("Impersonate-Extra-%C3%A9t%C3%A9%0A") == "z"


# -- exec plugins ---------------------------------------------------------------------------------


def _hanging_plugin(tmp_path: Path) -> tuple[Path, Path]:
    """A plugin that starts a helper and both sleep: the helper holds stdout open too."""
    pids = tmp_path / "pids"
    script = tmp_path / "hanging-plugin"
    script.write_text(
        "#!/bin/sh\n" f"sleep 300 & echo $! >> '{pids}'\n" f"echo $$ >> '{pids}'\n" "sleep 300\n"
    )
    script.chmod(0o755)
    return script, pids


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def _wait_gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if all(_gone(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(sys.platform != "linux", reason="checks processes through /proc")
def test_hanging_exec_plugin_times_out_is_killed_with_its_group(tmp_path: Path) -> None:
    script, pids_file = _hanging_plugin(tmp_path)
    exec_config = ExecConfig(
        command=str(script),
        api_version="client.authentication.k8s.io/v1",
        args=(f"--client-secret={SENTINEL}",),
        env=(ExecEnvVar("PLUGIN_SECRET", SENTINEL),),
        interactive_mode="Never",
    )
    config = Config(
        host="https://k.test", user_name="dev", exec_provider=exec_config, exec_timeout=0.5
    )
    with pytest.raises(ExecPluginError) as info:
        Clientset.from_config(config)
    text = str(info.value)
    assert str(script) in text and "'dev'" in text and "killed" in text
    assert SENTINEL not in text
    pids = [int(line) for line in pids_file.read_text().split()]
    assert len(pids) == 2
    assert _wait_gone(pids), "the plugin or its helper outlived the call"


@pytest.mark.skipif(sys.platform != "linux", reason="checks processes through /proc")
def test_exec_plugin_default_timeout_applies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exec_plugin, "DEFAULT_EXEC_TIMEOUT", 0.3)
    script, pids_file = _hanging_plugin(tmp_path)
    provider = ExecCredentialProvider(
        ExecConfig(
            command=str(script),
            api_version="client.authentication.k8s.io/v1",
            interactive_mode="Never",
        ),
        stderr=None,
    )
    with pytest.raises(ExecPluginError, match=r"within 0\.3 s"):
        provider.get()
    assert _wait_gone([int(line) for line in pids_file.read_text().split()])


def test_exec_plugin_token_must_be_header_safe(tmp_path: Path) -> None:
    script = tmp_path / "plugin"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1',"
        f" 'kind': 'ExecCredential', 'status': {{'token': '{SENTINEL}\\n'}}}}))\n"
    )
    script.chmod(0o755)
    provider = ExecCredentialProvider(
        ExecConfig(
            command=str(script),
            api_version="client.authentication.k8s.io/v1",
            interactive_mode="Never",
        ),
        stderr=None,
    )
    with pytest.raises(ExecPluginError, match="cannot be sent in an HTTP header") as info:
        provider.get()
    assert SENTINEL not in str(info.value)


# -- connection resets ----------------------------------------------------------------------------


class _ResetOnce:
    """Accepts connections; the first ``resets`` requests get a TCP reset, then 200s."""

    def __init__(self, resets: int) -> None:
        self.resets = resets
        self.connections = 0
        self.requests: list[bytes] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                self.connections += 1
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.requests.append(data.split(b"\r\n", 1)[0])
                if self.resets > 0:
                    self.resets -= 1
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    continue  # closing with linger 0 sends RST
                body = b'{"kind":"Status","status":"Success"}'
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )

    def __enter__(self) -> _ResetOnce:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()


@pytest.fixture()
def reset_once() -> Iterator[_ResetOnce]:
    with _ResetOnce(resets=1) as server:
        yield server


def test_get_on_a_fresh_connection_reset_is_retried_once(reset_once: _ResetOnce) -> None:
    with RESTClient(Config(host=reset_once.url), retry=NO_RETRY) as rest:
        assert rest.get_json("/api/v1/namespaces/default/configmaps/x")["status"] == "Success"
    assert reset_once.connections == 2
    assert all(line.startswith(b"GET ") for line in reset_once.requests)


def test_get_reset_twice_fails_after_one_retry() -> None:
    with _ResetOnce(resets=5) as server:
        with RESTClient(Config(host=server.url), retry=NO_RETRY) as rest:
            with pytest.raises(ReadError):
                rest.request("GET", "/version")
        assert server.connections == 2


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_non_idempotent_verbs_are_not_resent_after_a_reset(
    reset_once: _ResetOnce, method: str
) -> None:
    with RESTClient(Config(host=reset_once.url), retry=NO_RETRY) as rest:
        with pytest.raises(ReadError):
            rest.request(method, "/api/v1/namespaces/default/configmaps/x", body={"a": 1})
    assert reset_once.connections == 1


def _printing_plugin(tmp_path: Path, stdout: str) -> ExecCredentialProvider:
    """A plugin that prints ``stdout`` (read from a file: any bytes, any size) and exits 0."""
    (tmp_path / "stdout").write_text(stdout)
    script = tmp_path / "plugin"
    script.write_text(f"#!/bin/sh\ncat '{tmp_path / 'stdout'}'\n")
    script.chmod(0o755)
    config = ExecConfig(
        command=str(script), api_version="client.authentication.k8s.io/v1", interactive_mode="Never"
    )
    return ExecCredentialProvider(config, stderr=None)


def test_exec_plugin_output_nested_too_deep_is_an_exec_plugin_error(tmp_path: Path) -> None:
    """Was a bare RecursionError from the JSON decoder."""
    provider = _printing_plugin(tmp_path, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(ExecPluginError, match="did not print a JSON ExecCredential"):
        provider.get()


@pytest.mark.parametrize(
    "stamp", ["2030-01-01T00:00:00", "2030-01-01", "20300101T000000Z", "2030-01-01T00:00Z"]
)
def test_exec_plugin_expiration_must_be_rfc3339_with_a_zone(tmp_path: Path, stamp: str) -> None:
    """client-go decodes expirationTimestamp as a metav1.Time (RFC 3339): a zone-less time
    was read as UTC, a date alone as midnight."""
    status = {"token": SENTINEL, "expirationTimestamp": stamp}
    doc = {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential"}
    provider = _printing_plugin(tmp_path, json.dumps({**doc, "status": status}))
    with pytest.raises(ExecPluginError, match="expirationTimestamp that is not") as info:
        provider.get()
    assert SENTINEL not in str(info.value)


@pytest.mark.parametrize(
    "doc",
    [
        {"apiVersion": SENTINEL, "kind": "ExecCredential", "status": {"token": "t"}},
        {"apiVersion": {SENTINEL: 1}, "kind": "ExecCredential"},
        {"apiVersion": "client.authentication.k8s.io/v1", "kind": SENTINEL},
        {
            "apiVersion": "client.authentication.k8s.io/v1",
            "kind": "ExecCredential",
            "status": {"token": "t", "expirationTimestamp": SENTINEL},
        },
    ],
)
def test_exec_plugin_errors_never_quote_its_stdout(tmp_path: Path, doc: dict[str, Any]) -> None:
    """A broken plugin may print its credential in the wrong field: the error names what
    is wrong, never the text (kind, apiVersion and expirationTimestamp were quoted)."""
    provider = _printing_plugin(tmp_path, json.dumps(doc))
    with pytest.raises(ExecPluginError) as info:
        provider.get()
    assert SENTINEL not in str(info.value)


def test_exec_plugin_expiration_with_an_offset_is_read_as_utc(tmp_path: Path) -> None:
    status = {"token": "t", "expirationTimestamp": "2030-01-01T02:00:00+02:00"}
    doc = {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential"}
    provider = _printing_plugin(tmp_path, json.dumps({**doc, "status": status}))
    credential = provider.get()
    assert credential.expiration is not None
    assert credential.expiration.isoformat() == "2030-01-01T00:00:00+00:00"


def test_kubeconfig_json_nested_too_deep_is_a_config_error(tmp_path: Path) -> None:
    """Was a bare RecursionError; now YAML's bounded nesting reports the place."""
    path = tmp_path / "config"
    path.write_text('{"clusters": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ConfigError, match="nesting depth"):
        load_config(path)


@pytest.mark.parametrize("style", ["flow", "block"])
def test_kubeconfig_nesting_is_bounded_before_anything_is_built(tmp_path: Path, style: str) -> None:
    """Checked on parser events, so no PyYAML release (6.0.3 crashed) or loader recurses."""
    depth = 1_001
    if style == "flow":
        text = "preferences: " + "[" * depth + "]" * depth + "\n"
    else:
        text = "preferences:\n" + "".join(" " * i + "- \n" for i in range(1, depth + 1))
    path = tmp_path / "config"
    path.write_text(text)
    with pytest.raises(ConfigError, match="nesting depth") as info:
        load_config(path)
    assert "line " in str(info.value)
    shallow = tmp_path / "shallow"
    nested = "[" * 50 + "]" * 50
    shallow.write_text(
        "apiVersion: v1\nkind: Config\npreferences: {}\n"
        f"extensions: [{{name: x, extension: {{deep: {nested}}}}}]\n"
    )
    from kubecore.client.kubeconfig_yaml import load_kubeconfig_text

    assert load_kubeconfig_text(shallow.read_bytes())["preferences"] == {}


@pytest.mark.parametrize(
    ("raw", "place"),
    [
        (b"apiVersion: v1\nkind: Config\ncurrent-context: c\n\xff\xfe\n", "line 4, column 1"),
        (b'apiVersion: v1\ncurrent-context: "c\x07"\n', "line 2, column 20"),
    ],
)
def test_a_kubeconfig_that_is_not_utf8_text_names_the_place(
    tmp_path: Path, raw: bytes, place: str
) -> None:
    """QA: bytes PyYAML's reader refuses (not UTF-8, control characters) gave ``not valid
    YAML: syntax error`` with no place; the reader knows the offset, so the line and column
    are named, with its reason (kubectl: ``yaml: invalid leading UTF-8 octet``)."""
    path = tmp_path / "config"
    path.write_bytes(raw)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert f"not valid YAML at {place}: " in message
    assert "syntax error" not in message


# QA: these reached subprocess.Popen and escaped as a bare ValueError ("embedded null byte",
# "illegal environment variable name") at the first request, naming neither user nor file.
@pytest.mark.parametrize(
    ("exec_fields", "message"),
    [
        ({"command": "/bin/true\0x"}, "exec: command holds a NUL byte"),
        ({"command": "/bin/true", "args": ["ok", f"{SENTINEL}\0"]}, "exec: args[1] holds a NUL"),
        ({"command": "/bin/true", "env": [{"name": "X", "value": f"{SENTINEL}\0"}]}, "env[0]"),
        ({"command": "/bin/true", "env": [{"name": "X=Y", "value": SENTINEL}]}, "env[0]"),
    ],
)
def test_exec_values_no_process_can_take_are_refused_at_load(
    tmp_path: Path, exec_fields: dict[str, Any], message: str
) -> None:
    user = {"exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", **exec_fields}}
    path = write(tmp_path / "config", {"server": "https://k.test"}, user)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert type(info.value) is ConfigError and message in text
    assert "user 'u'" in text and str(path) in text and SENTINEL not in text


def test_a_hand_built_exec_config_with_a_nul_byte_is_an_exec_plugin_error() -> None:
    config = ExecConfig(
        command="/bin/true",
        api_version="client.authentication.k8s.io/v1",
        interactive_mode="Never",
        env=(ExecEnvVar("X", f"{SENTINEL}\0"),),
    )
    with pytest.raises(ExecPluginError, match="cannot start: a NUL byte") as info:
        ExecCredentialProvider(config, stderr=None).get()
    assert SENTINEL not in str(info.value)


@pytest.mark.parametrize(
    ("cluster", "user", "field"),
    [
        ({"certificate-authority": "ca\0.crt"}, {}, "certificate-authority"),
        ({}, {"tokenFile": "tok\0en"}, "tokenFile"),
        ({}, {"client-certificate": "c\0.crt", "client-key": "c.key"}, "client-certificate"),
    ],
)
def test_a_nul_byte_in_a_file_path_is_a_config_error(
    tmp_path: Path, cluster: dict[str, Any], user: dict[str, Any], field: str
) -> None:
    """QA: open() raised a bare ValueError ("embedded null byte"), naming nothing."""
    path = write(tmp_path / "config", {"server": "https://k.test", **cluster}, user)
    with pytest.raises(ConfigError, match=f"{field} .* holds a NUL byte") as info:
        Clientset.from_config(load_config(path))
    assert str(path) in str(info.value)
    with pytest.raises(ConfigError, match="holds a NUL byte"):
        load_config(str(tmp_path / "conf\0ig"))


def test_an_encrypted_client_key_is_a_config_error_without_a_prompt(tmp_path: Path) -> None:
    """QA: OpenSSL asked for the key's passphrase on the terminal (a controller started
    from one blocked forever) or, with no terminal, a bare OSError escaped. kubeconfig has
    no passphrase field; client-go refuses the key. Run in a new session (no controlling
    terminal) with a deadline, so that a regression fails instead of waiting for input."""
    import shutil
    import subprocess

    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to encrypt a key")
    certs = Path(__file__).parent.parent / "fixtures" / "kubeconfig" / "certs"
    key = tmp_path / "enc.key"
    subprocess.run(
        [openssl, "pkey", "-in", str(certs / "client.key"), "-aes256"]
        + ["-passout", "pass:p4ss", "-out", str(key)],
        check=True,
        capture_output=True,
    )
    assert b"ENCRYPTED" in key.read_bytes()
    user = {"client-certificate": str(certs / "client.crt"), "client-key": str(key)}
    path = write(tmp_path / "config", {"server": "https://k.test"}, user)
    script = (
        "import sys; from kubecore.client.config import load_config, ConfigError\n"
        "from kube_clientgen_api.kubernetes import Clientset\n"
        "try:\n"
        f"    Clientset.from_config(load_config({str(path)!r}))\n"
        "except ConfigError as e:\n"
        "    print('ConfigError', e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.stdout.startswith("ConfigError cannot use the client certificate and key")
    assert "Traceback" not in done.stderr and "pass phrase" not in done.stderr


@pytest.fixture
def tcp_listener() -> Iterator[int]:
    """A loopback TCP port that accepts and closes (the failure comes before any TLS)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                listener.accept()[0].close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    listener.close()


# QA: host names the idna codec or the ssl module refuses escaped from the first request as a
# bare UnicodeError ("label empty or too long") or TypeError (a NUL byte). kubectl loads such
# a config and fails to connect ("no such host", a TLS error): a ConnectError here too.
@pytest.mark.parametrize("name", ["a..b", "x" * 64 + ".test", ".lead"])
def test_a_host_dns_cannot_spell_is_a_connect_error(name: str) -> None:
    config = Config(host=f"https://{name}:6443", token="t")
    with (
        RESTClient(config, retry=NO_RETRY) as rest,
        pytest.raises(ConnectError, match="invalid host"),
    ):
        rest.request("GET", "/version")


@pytest.mark.parametrize("name", ["a..b", "x" * 64 + ".test", "a\0b"])
def test_a_tls_server_name_ssl_refuses_is_a_connect_error(tcp_listener: int, name: str) -> None:
    config = Config(host=f"https://127.0.0.1:{tcp_listener}", token="t", tls_server_name=name)
    with (
        RESTClient(config, retry=NO_RETRY) as rest,
        pytest.raises(ConnectError, match="TLS server"),
    ):
        rest.request("GET", "/version")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize(
    ("cluster", "user", "what"),
    [
        ({}, {}, "kubeconfig file /dev/zero"),
        ({"certificate-authority": "/dev/zero"}, {"token": "t"}, "certificate-authority"),
        ({}, {"tokenFile": "/dev/zero"}, "tokenFile"),
    ],
)
def test_a_file_that_never_ends_is_a_config_error_not_out_of_memory(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cluster: dict[str, Any],
    user: dict[str, Any],
    what: str,
) -> None:
    """QA: KUBECONFIG=/dev/zero (or a CA or token file naming it) read until MemoryError.
    Reads are bounded (kubeconfig_files.MAX_FILE_BYTES); pipes still work, see below."""
    if what.startswith("kubeconfig"):
        monkeypatch.setenv("KUBECONFIG", "/dev/zero")
        path = None
    else:
        path = write(tmp_path / "config", {"server": "https://k.test", **cluster}, user)
    with pytest.raises(ConfigError, match=f"{what}.* is larger than 64 MiB"):
        Clientset.from_config(load_config(path))


def test_a_kubeconfig_from_a_pipe_still_loads(tmp_path: Path) -> None:
    """``--kubeconfig <(vault read ...)``: a pipe, not a regular file, is read as kubectl reads it."""
    source = write(tmp_path / "config", {"server": "https://k.test"}, {"token": "t"})
    read_end, write_end = os.pipe()

    def feed() -> None:
        os.write(write_end, source.read_bytes())
        os.close(write_end)

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        assert load_config(f"/dev/fd/{read_end}").host == "https://k.test"
    finally:
        writer.join(5)
        os.close(read_end)
