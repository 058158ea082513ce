"""Unit tests for kubecore.client.config / auth / exec_plugin / tls."""

from __future__ import annotations

import base64
import json
import logging
import os
import ssl
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubecore.client.auth import Authenticator
from kubecore.client.config import (
    Config,
    ConfigError,
    ExecConfig,
    ExecEnvVar,
    default_kubeconfig_paths,
    load_config,
    load_in_cluster_config,
    load_kubeconfig,
)
from kubecore.client.exec_plugin import (
    ExecClusterInfo,
    ExecCredentialProvider,
    ExecPluginError,
)
from kubecore.client.tls import build_ssl_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "kubeconfig"
CERTS = FIXTURES / "certs"
PLUGIN = FIXTURES / "fake_exec_plugin.py"
CA_PEM = (CERTS / "ca.crt").read_bytes()
CLIENT_CRT = (CERTS / "client.crt").read_bytes()
CLIENT_KEY = (CERTS / "client.key").read_bytes()
SERVER_KEY = (CERTS / "server.key").read_bytes()

V1 = "client.authentication.k8s.io/v1"
V1BETA1 = "client.authentication.k8s.io/v1beta1"
SECRET = "s3cr3t-value-that-must-not-leak"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def kubeconfig(
    path: Path,
    *,
    clusters: dict[str, dict[str, Any]] | None = None,
    users: dict[str, dict[str, Any]] | None = None,
    contexts: dict[str, dict[str, Any]] | None = None,
    current: str | None = None,
) -> Path:
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Config"}
    if clusters is not None:
        doc["clusters"] = [{"name": n, "cluster": c} for n, c in clusters.items()]
    if users is not None:
        doc["users"] = [{"name": n, "user": u} for n, u in users.items()]
    if contexts is not None:
        doc["contexts"] = [{"name": n, "context": c} for n, c in contexts.items()]
    if current is not None:
        doc["current-context"] = current
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc))
    return path


def simple(
    path: Path,
    cluster: dict[str, Any] | None = None,
    user: dict[str, Any] | None = None,
    namespace: str | None = None,
) -> Path:
    ctx: dict[str, Any] = {"cluster": "c", "user": "u"}
    if namespace:
        ctx["namespace"] = namespace
    return kubeconfig(
        path,
        clusters={"c": cluster if cluster is not None else {"server": "https://k.test"}},
        users={"u": user or {}},
        contexts={"ctx": ctx},
        current="ctx",
    )


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (
        "KUBECONFIG",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        "POD_NAMESPACE",
    ):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.fixture
def no_cluster_root(tmp_path: Path) -> str:
    root = tmp_path / "empty-root"
    root.mkdir()
    return str(root)


@pytest.fixture
def in_cluster_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "pod-root"
    sa = root / "var/run/secrets/kubernetes.io/serviceaccount"
    sa.mkdir(parents=True)
    (sa / "token").write_text("sa-token-1\n")
    (sa / "ca.crt").write_bytes(CA_PEM)
    (sa / "namespace").write_text("team-a\n")
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    return root


# --------------------------------------------------------------------------
# Loading rules
# --------------------------------------------------------------------------


def test_explicit_path(tmp_path: Path) -> None:
    path = simple(tmp_path / "cfg", user={"token": "t"}, namespace="ns1")
    cfg = load_config(path)
    assert cfg.host == "https://k.test"
    assert cfg.namespace == "ns1"
    assert cfg.context == "ctx"
    assert cfg.cluster_name == "c" and cfg.user_name == "u"
    assert cfg.token == "t"
    assert cfg.source_files == (str(path),)


def test_explicit_path_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match="nope.yaml does not exist"):
        load_config(missing)


def test_explicit_path_ignores_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = simple(tmp_path / "env.yaml", cluster={"server": "https://env.test"})
    explicit = simple(tmp_path / "explicit.yaml", cluster={"server": "https://explicit.test"})
    monkeypatch.setenv("KUBECONFIG", str(env_file))
    assert load_config(explicit).host == "https://explicit.test"
    assert load_config().host == "https://env.test"


def test_home_default(isolated_env: Path) -> None:
    simple(isolated_env / ".kube" / "config", cluster={"server": "https://home.test"})
    cfg = load_config()
    assert cfg.host == "https://home.test"
    assert default_kubeconfig_paths() == [str(isolated_env / ".kube" / "config")]


def test_kubeconfig_env_replaces_home(
    isolated_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_cluster_root: str
) -> None:
    simple(isolated_env / ".kube" / "config", cluster={"server": "https://home.test"})
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError, match="no configuration has been provided"):
        load_config(in_cluster_root=no_cluster_root)


def _two_files(tmp_path: Path) -> tuple[Path, Path]:
    first = kubeconfig(
        tmp_path / "one" / "first.yaml",
        clusters={"shared": {"server": "https://first.test"}},
        users={"shared": {"token": "first-token"}},
        contexts={
            "shared": {"cluster": "shared", "user": "shared"},
            "only-first": {"cluster": "only-second", "user": "shared", "namespace": "n1"},
        },
    )
    second = kubeconfig(
        tmp_path / "two" / "second.yaml",
        clusters={
            # Same name: ignored entirely, even the field the first lacks.
            "shared": {"server": "https://second.test", "tls-server-name": "x.test"},
            "only-second": {"server": "https://only-second.test"},
        },
        users={"shared": {"username": "admin", "password": "pw"}},
        contexts={"shared": {"cluster": "only-second", "user": "shared", "namespace": "n2"}},
        current="shared",
    )
    return first, second


def test_merge_first_file_wins_per_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _two_files(tmp_path)
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(first), str(second)]))
    cfg = load_config()
    # current-context only set in the second file; the context comes from the first.
    assert cfg.context == "shared"
    assert cfg.host == "https://first.test"
    assert cfg.tls_server_name is None
    assert cfg.token == "first-token"
    assert cfg.username is None and cfg.password is None
    assert cfg.namespace == "default"
    assert cfg.source_files == (str(first), str(second))
    # A context from one file may point at a cluster from another.
    other = load_config(context="only-first")
    assert other.host == "https://only-second.test"
    assert other.namespace == "n1"


def test_merge_reverse_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _two_files(tmp_path)
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(second), str(first)]))
    cfg = load_config()
    assert cfg.host == "https://only-second.test"
    assert cfg.namespace == "n2"
    assert cfg.username == "admin" and cfg.password == "pw"


def test_current_context_from_first_file_that_sets_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = simple(tmp_path / "a.yaml", cluster={"server": "https://a.test"})
    b = kubeconfig(
        tmp_path / "b.yaml",
        clusters={"cb": {"server": "https://b.test"}},
        users={"ub": {}},
        contexts={"ctx-b": {"cluster": "cb", "user": "ub"}},
        current="ctx-b",
    )
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(b), str(a)]))
    assert load_config().context == "ctx-b"
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(a), str(b)]))
    assert load_config().context == "ctx"


def test_env_list_skips_empty_missing_and_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = simple(tmp_path / "a.yaml", cluster={"server": "https://a.test"})
    entries = ["", str(tmp_path / "missing.yaml"), str(a), "", str(a)]
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(entries))
    assert default_kubeconfig_paths() == [str(tmp_path / "missing.yaml"), str(a)]
    cfg = load_config()
    assert cfg.host == "https://a.test"
    assert cfg.source_files == (str(a),)


def test_empty_kubeconfig_file_is_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    a = simple(tmp_path / "a.yaml")
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(empty), str(a)]))
    assert load_config().host == "https://k.test"


def test_unreadable_file_in_list_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "adir"
    directory.mkdir()
    monkeypatch.setenv("KUBECONFIG", str(directory))
    with pytest.raises(ConfigError, match="cannot read kubeconfig file .*adir"):
        load_config()


def test_relative_paths_resolve_against_defining_file(tmp_path: Path) -> None:
    base = tmp_path / "conf" / "sub"
    (base / "pki").mkdir(parents=True)
    (base / "pki" / "ca.crt").write_bytes(CA_PEM)
    (base / "pki" / "client.crt").write_bytes(CLIENT_CRT)
    (tmp_path / "conf" / "client.key").write_bytes(CLIENT_KEY)
    (base / "token").write_text("file-token\n")
    path = simple(
        base / "config",
        cluster={"server": "https://k.test", "certificate-authority": "pki/ca.crt"},
        user={
            "tokenFile": "./token",
            "client-certificate": "pki/client.crt",
            "client-key": "../client.key",
        },
    )
    cfg = load_config(path)
    assert cfg.ca_file == str(base / "pki" / "ca.crt")
    assert cfg.ca_data == CA_PEM
    assert cfg.client_cert_file == str(base / "pki" / "client.crt")
    assert cfg.client_cert_data == CLIENT_CRT
    assert cfg.client_key_file == str(tmp_path / "conf" / "client.key")
    assert cfg.client_key_data == CLIENT_KEY
    assert cfg.token_file == str(base / "token")
    assert cfg.token == "file-token"


def test_relative_paths_in_merged_files_use_their_own_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "ca.crt").write_bytes(CA_PEM)
    (tmp_path / "b" / "token").write_text("b-token")
    a = kubeconfig(
        tmp_path / "a" / "config",
        clusters={"c": {"server": "https://k.test", "certificate-authority": "ca.crt"}},
        contexts={"ctx": {"cluster": "c", "user": "u"}},
        current="ctx",
    )
    b = kubeconfig(tmp_path / "b" / "config", users={"u": {"tokenFile": "token"}})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join(["a/config", "b/config"]))
    cfg = load_config()
    assert cfg.ca_file == str(tmp_path / "a" / "ca.crt")
    assert cfg.token_file == str(tmp_path / "b" / "token")
    assert cfg.token == "b-token"
    assert cfg.source_files == ("a/config", "b/config")
    del a, b


def test_tilde_is_not_expanded(tmp_path: Path, isolated_env: Path) -> None:
    (isolated_env / "ca.crt").write_bytes(b"home")
    (tmp_path / "~").mkdir()
    (tmp_path / "~" / "ca.crt").write_bytes(CA_PEM)
    path = simple(
        tmp_path / "config",
        cluster={"server": "https://k.test", "certificate-authority": "~/ca.crt"},
    )
    cfg = load_config(path)
    assert cfg.ca_file == str(tmp_path / "~" / "ca.crt")
    assert cfg.ca_data == CA_PEM


def test_exec_command_resolution(tmp_path: Path) -> None:
    def exec_user(command: str) -> dict[str, Any]:
        return {"exec": {"apiVersion": V1, "command": command, "interactiveMode": "Never"}}

    cfg = load_config(simple(tmp_path / "d" / "a", user=exec_user("./bin/plugin")))
    assert cfg.exec_provider is not None
    assert cfg.exec_provider.command == str(tmp_path / "d" / "bin" / "plugin")
    cfg = load_config(simple(tmp_path / "d" / "b", user=exec_user("bin/plugin")))
    assert cfg.exec_provider is not None
    assert cfg.exec_provider.command == str(tmp_path / "d" / "bin" / "plugin")
    cfg = load_config(simple(tmp_path / "d" / "c", user=exec_user("aws")))
    assert cfg.exec_provider is not None
    assert cfg.exec_provider.command == "aws"
    cfg = load_config(simple(tmp_path / "d" / "e", user=exec_user("/usr/bin/aws")))
    assert cfg.exec_provider is not None
    assert cfg.exec_provider.command == "/usr/bin/aws"


# -- in-cluster ---------------------------------------------------------------


def test_in_cluster_fallback(in_cluster_root: Path) -> None:
    cfg = load_config(in_cluster_root=str(in_cluster_root))
    sa = in_cluster_root / "var/run/secrets/kubernetes.io/serviceaccount"
    assert cfg.in_cluster
    assert cfg.host == "https://10.0.0.1:443"
    assert cfg.token == "sa-token-1"
    assert cfg.token_file == str(sa / "token")
    assert cfg.ca_data == CA_PEM
    assert cfg.ca_file == str(sa / "ca.crt")
    assert cfg.namespace == "team-a"


def test_in_cluster_not_used_when_kubeconfig_exists(
    in_cluster_root: Path, isolated_env: Path
) -> None:
    simple(isolated_env / ".kube" / "config")
    cfg = load_config(in_cluster_root=str(in_cluster_root))
    assert not cfg.in_cluster and cfg.host == "https://k.test"


def test_in_cluster_when_kubeconfig_selects_no_context(
    in_cluster_root: Path, isolated_env: Path
) -> None:
    kubeconfig(isolated_env / ".kube" / "config", clusters={"c": {"server": "https://k.test"}})
    assert load_config(in_cluster_root=str(in_cluster_root)).in_cluster


def test_in_cluster_details(in_cluster_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POD_NAMESPACE", "from-env")
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "fd00::1")
    cfg = load_in_cluster_config(in_cluster_root)
    assert cfg.namespace == "from-env"
    assert cfg.host == "https://[fd00::1]:443"
    cfg = load_config(master_url="https://override.test:6443", in_cluster_root=in_cluster_root)
    assert cfg.in_cluster and cfg.host == "https://override.test:6443"


def test_in_cluster_missing_ca_and_namespace(
    in_cluster_root: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sa = in_cluster_root / "var/run/secrets/kubernetes.io/serviceaccount"
    (sa / "ca.crt").unlink()
    (sa / "namespace").unlink()
    with caplog.at_level(logging.WARNING):
        cfg = load_in_cluster_config(in_cluster_root)
    assert cfg.ca_data is None and cfg.ca_file is None
    assert cfg.namespace == "default"
    assert "ca.crt" in caplog.text


def test_in_cluster_bad_namespace_file_and_host_are_config_errors(
    in_cluster_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QA: a namespace file that is not UTF-8 escaped as a bare UnicodeDecodeError, and a
    host with a space loaded (the first request raised http.client.InvalidURL)."""
    sa = in_cluster_root / "var/run/secrets/kubernetes.io/serviceaccount"
    (sa / "namespace").write_bytes(b"\xffteam\n")
    with pytest.raises(ConfigError, match="namespace file .*namespace is not UTF-8"):
        load_in_cluster_config(in_cluster_root)
    (sa / "namespace").write_text("team-a\n")
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", " 10.0.0.1")
    with pytest.raises(ConfigError, match="KUBERNETES_SERVICE_HOST.*invalid character in host"):
        load_in_cluster_config(in_cluster_root)


def test_in_cluster_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="KUBERNETES_SERVICE_HOST"):
        load_in_cluster_config(tmp_path)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    with pytest.raises(ConfigError, match="service account token"):
        load_in_cluster_config(tmp_path)


def test_nothing_configured(no_cluster_root: str, isolated_env: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(in_cluster_root=no_cluster_root)
    assert "no configuration has been provided" in str(info.value)
    assert str(isolated_env / ".kube" / "config") in str(info.value)
    with pytest.raises(ConfigError):
        load_kubeconfig()
    assert load_config(master_url="http://127.0.0.1:8001").host == "http://127.0.0.1:8001"


def test_no_current_context_lists_contexts(tmp_path: Path, no_cluster_root: str) -> None:
    path = kubeconfig(
        tmp_path / "cfg",
        clusters={"c": {"server": "https://k.test"}},
        contexts={"alpha": {"cluster": "c"}, "beta": {"cluster": "c"}},
    )
    with pytest.raises(ConfigError, match="no current-context.*'alpha', 'beta'"):
        load_config(path, in_cluster_root=no_cluster_root)
    assert load_config(path, context="beta").context == "beta"


# -- contexts, clusters, users ------------------------------------------------------


def test_context_override_and_namespace(tmp_path: Path) -> None:
    path = kubeconfig(
        tmp_path / "cfg",
        clusters={"c1": {"server": "https://one.test"}, "c2": {"server": "https://two.test"}},
        users={"u": {}},
        contexts={
            "one": {"cluster": "c1", "user": "u"},
            "two": {"cluster": "c2", "user": "u", "namespace": "kube-system"},
        },
        current="one",
    )
    assert load_config(path).namespace == "default"
    cfg = load_config(path, context="two")
    assert (cfg.context, cfg.host, cfg.namespace) == ("two", "https://two.test", "kube-system")


def test_context_not_found(tmp_path: Path) -> None:
    path = simple(tmp_path / "cfg")
    with pytest.raises(ConfigError) as info:
        load_config(path, context="nope")
    message = str(info.value)
    assert "'nope' not found" in message and str(path) in message and "'ctx'" in message


def test_current_context_not_found(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "cfg", clusters={"c": {"server": "https://k"}}, current="gone")
    with pytest.raises(ConfigError, match="'gone' not found"):
        load_config(path)


def test_cluster_missing(tmp_path: Path) -> None:
    path = kubeconfig(
        tmp_path / "cfg", contexts={"ctx": {"cluster": "ghost", "user": "u"}}, current="ctx"
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "cluster 'ghost'" in str(info.value) and str(path) in str(info.value)


def test_user_missing(tmp_path: Path) -> None:
    path = kubeconfig(
        tmp_path / "cfg",
        clusters={"c": {"server": "https://k.test"}},
        contexts={"ctx": {"cluster": "c", "user": "ghost"}},
        current="ctx",
    )
    with pytest.raises(ConfigError, match="user 'ghost'"):
        load_config(path)


def test_context_without_user_is_anonymous(tmp_path: Path) -> None:
    path = kubeconfig(
        tmp_path / "cfg",
        clusters={"c": {"server": "https://k.test"}},
        contexts={"ctx": {"cluster": "c"}},
        current="ctx",
    )
    cfg = load_config(path)
    assert cfg.user_name is None and cfg.token is None
    assert Authenticator(cfg).headers() == {}


def test_cluster_without_server(tmp_path: Path) -> None:
    path = simple(tmp_path / "cfg", cluster={"insecure-skip-tls-verify": True})
    with pytest.raises(ConfigError, match="no server defined"):
        load_config(path)
    assert load_config(path, master_url="https://m.test").host == "https://m.test"


def test_master_url_override(tmp_path: Path) -> None:
    path = simple(
        tmp_path / "cfg",
        cluster={
            "server": "https://k.test",
            "certificate-authority-data": b64(CA_PEM),
            "tls-server-name": "name.test",
        },
        user={"token": "t"},
    )
    cfg = load_config(path, master_url="https://127.0.0.1:6443")
    assert cfg.host == "https://127.0.0.1:6443"
    assert cfg.tls_server_name is None
    assert cfg.ca_data == CA_PEM
    assert cfg.token == "t"


def test_cluster_fields(tmp_path: Path) -> None:
    path = simple(
        tmp_path / "cfg",
        cluster={
            "server": "https://k.test:6443",
            "certificate-authority-data": b64(CA_PEM),
            "tls-server-name": "kube.test",
            "proxy-url": "socks5://proxy.test:1080",
            "disable-compression": True,
        },
    )
    cfg = load_config(path)
    assert cfg.ca_data == CA_PEM and cfg.ca_file is None
    assert cfg.tls_server_name == "kube.test"
    assert cfg.proxy_url == "socks5://proxy.test:1080"
    assert cfg.disable_compression
    assert not cfg.insecure_skip_tls_verify
    assert cfg.uses_tls


def test_insecure(tmp_path: Path) -> None:
    path = simple(
        tmp_path / "cfg", cluster={"server": "https://k", "insecure-skip-tls-verify": True}
    )
    assert load_config(path).insecure_skip_tls_verify


@pytest.mark.parametrize(
    ("cluster", "match"),
    [
        (
            {
                "server": "https://k",
                "certificate-authority": "/x",
                "certificate-authority-data": "eA==",
            },
            "are both specified",
        ),
        (
            {
                "server": "https://k",
                "certificate-authority-data": "eA==",
                "insecure-skip-tls-verify": True,
            },
            "cannot be combined with insecure",
        ),
        ({"server": "https://k", "certificate-authority": "missing.crt"}, "missing.crt"),
        ({"server": "https://k", "proxy-url": "ftp://p"}, "unsupported scheme 'ftp'"),
        ({"server": "https://k", "certificate-authority-data": "!!"}, "not valid base64"),
        ({"server": "https://k", "insecure-skip-tls-verify": "yes"}, "true or false"),
        ({"server": 42}, "'server' must be a string"),
    ],
)
def test_cluster_errors(tmp_path: Path, cluster: dict[str, Any], match: str) -> None:
    path = simple(tmp_path / "cfg", cluster=cluster)
    with pytest.raises(ConfigError, match=match) as info:
        load_config(path)
    assert "cluster 'c'" in str(info.value)


def test_server_normalisation(tmp_path: Path) -> None:
    def host(server: str) -> str:
        return load_config(simple(tmp_path / "cfg", cluster={"server": server})).host

    assert host("https://k.test/prefix?x=1#f") == "https://k.test/prefix"
    assert host("https://k.test/?x=1") == "https://k.test/?x=1"
    assert host("127.0.0.1:6443") == "http://127.0.0.1:6443"
    assert host("kube.test") == "http://kube.test"


def test_credentials_not_used_without_tls(tmp_path: Path) -> None:
    (tmp_path / "ca.crt").write_bytes(CA_PEM)
    path = simple(
        tmp_path / "cfg",
        cluster={"server": "http://127.0.0.1:8080", "certificate-authority": "ca.crt"},
        user={"token": "t", "exec": {"apiVersion": V1BETA1, "command": "x"}},
    )
    cfg = load_config(path)
    assert not cfg.uses_tls
    assert cfg.token is None and cfg.exec_provider is None and cfg.ca_data is None
    cfg = load_config(path, master_url="https://k.test")
    assert cfg.token == "t" and cfg.ca_data == CA_PEM


def test_user_token_and_token_file(tmp_path: Path) -> None:
    (tmp_path / "tok").write_text("from-file\n")
    cfg = load_config(simple(tmp_path / "a", user={"token": "inline", "tokenFile": "tok"}))
    assert cfg.token == "inline" and cfg.token_file == str(tmp_path / "tok")
    cfg = load_config(simple(tmp_path / "b", user={"tokenFile": "tok"}))
    assert cfg.token == "from-file"
    with pytest.raises(ConfigError, match="cannot read tokenFile .*gone.*user 'u'"):
        load_config(simple(tmp_path / "c", user={"tokenFile": "gone"}))


def test_basic_auth(tmp_path: Path) -> None:
    cfg = load_config(simple(tmp_path / "cfg", user={"username": "adm", "password": "pw"}))
    assert (cfg.username, cfg.password) == ("adm", "pw")
    expected = "Basic " + base64.b64encode(b"adm:pw").decode()
    assert Authenticator(cfg).headers() == {"Authorization": expected}


def test_client_cert_data_and_files(tmp_path: Path) -> None:
    cfg = load_config(
        simple(
            tmp_path / "a",
            user={"client-certificate-data": b64(CLIENT_CRT), "client-key-data": b64(CLIENT_KEY)},
        )
    )
    assert cfg.client_cert_data == CLIENT_CRT and cfg.client_key_data == CLIENT_KEY
    assert cfg.client_cert_file is None
    assert Authenticator(cfg).client_cert() == (CLIENT_CRT, CLIENT_KEY)
    cfg = load_config(
        simple(
            tmp_path / "b",
            user={
                "client-certificate": str(CERTS / "client.crt"),
                "client-key": str(CERTS / "client.key"),
            },
        )
    )
    assert cfg.client_cert_data == CLIENT_CRT and cfg.client_key_data == CLIENT_KEY
    assert cfg.client_cert_file == str(CERTS / "client.crt")


@pytest.mark.parametrize(
    ("user", "match"),
    [
        ({"token": SECRET, "username": "a", "password": SECRET}, "more than one authentication"),
        ({"client-certificate-data": "eA=="}, "needs client-key"),
        (
            {
                "client-certificate": "/c",
                "client-certificate-data": "eA==",
                "client-key-data": "eA==",
            },
            "both specified",
        ),
        ({"client-certificate-data": "eA==", "client-key": "missing.key"}, "missing.key"),
        ({"exec": {"apiVersion": V1, "command": "x"}}, "interactiveMode must be specified"),
        (
            {"exec": {"apiVersion": "client.authentication.k8s.io/v1alpha1", "command": "x"}},
            "unsupported apiVersion",
        ),
        ({"exec": {"apiVersion": V1, "interactiveMode": "Never"}}, "command must be specified"),
        (
            {"exec": {"apiVersion": V1, "command": "x", "interactiveMode": "Sometimes"}},
            "invalid interactiveMode",
        ),
        (
            {"exec": {"apiVersion": V1BETA1, "command": "x", "env": [{"value": SECRET}]}},
            "needs a name",
        ),
        ({"as-groups": ["g"]}, "need 'as'"),
        ({"token": ["list"]}, "'token' must be a string"),
    ],
)
def test_user_errors(tmp_path: Path, user: dict[str, Any], match: str) -> None:
    path = simple(tmp_path / "cfg", user=user)
    with pytest.raises(ConfigError, match=match) as info:
        load_config(path)
    assert "user 'u'" in str(info.value) and str(path) in str(info.value)
    assert SECRET not in str(info.value)


def test_exec_config_parsed(tmp_path: Path) -> None:
    path = simple(
        tmp_path / "cfg",
        cluster={
            "server": "https://k.test",
            "extensions": [
                {"name": "other", "extension": {"x": 1}},
                {"name": "client.authentication.k8s.io/exec", "extension": {"audience": "a"}},
            ],
        },
        user={
            "exec": {
                "apiVersion": V1BETA1,
                "command": "plugin",
                "args": ["get-token", "--secret", SECRET],
                "env": [{"name": "A", "value": SECRET}, {"name": "B", "value": ""}],
                "provideClusterInfo": True,
                "installHint": "install it",
            }
        },
    )
    ec = load_config(path).exec_provider
    assert ec == ExecConfig(
        command="plugin",
        api_version=V1BETA1,
        args=("get-token", "--secret", SECRET),
        env=(ExecEnvVar("A", SECRET), ExecEnvVar("B", "")),
        install_hint="install it",
        provide_cluster_info=True,
        interactive_mode="IfAvailable",  # the v1beta1 default
        cluster_config={"audience": "a"},
        source=str(path),
    )


def test_impersonation(tmp_path: Path) -> None:
    user: dict[str, Any] = {"token": "t", "as": "jane", "as-uid": "42"}
    user["as-groups"] = ["g1", "g2"]
    user["as-user-extra"] = {"scopes": ["view"]}
    cfg = load_config(simple(tmp_path / "cfg", user=user))
    assert Authenticator(cfg).impersonation_headers() == [
        ("Impersonate-User", "jane"),
        ("Impersonate-Uid", "42"),
        ("Impersonate-Group", "g1"),
        ("Impersonate-Group", "g2"),
        ("Impersonate-Extra-scopes", "view"),
    ]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (f"users:\n- name: u\n  user: {{token: {SECRET}\n", "not valid YAML at line"),
        ("- just\n- a list\n", "mapping at the top"),
        ("kind: Pod\n", "kind 'Pod'"),
        ("apiVersion: v2\n", "apiVersion 'v2'"),
        ("clusters: {a: b}\n", "'clusters' must be a list"),
        ("clusters:\n- name: a\n- name: a\n", "duplicate cluster name 'a'"),
    ],
)
def test_file_errors(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert SECRET not in str(info.value)


def test_user_agent_default(tmp_path: Path) -> None:
    cfg = load_config(simple(tmp_path / "cfg"))
    assert cfg.user_agent.startswith("kube-clientgen/")
    assert cfg.timeout is None


# --------------------------------------------------------------------------
# Secrets never shown
# --------------------------------------------------------------------------


def test_secrets_are_redacted(tmp_path: Path) -> None:
    cfg = Config(
        host=f"https://user:{SECRET}@k.test",
        token=SECRET,
        password=SECRET,
        username="admin",
        client_cert_data=SECRET.encode(),
        client_key_data=SECRET.encode(),
        proxy_url=f"http://proxy-user:{SECRET}@proxy.test:3128",
        auth_provider={"name": "oidc", "config": {"id-token": SECRET}},
        exec_provider=ExecConfig(
            command="plugin",
            api_version=V1,
            args=("--client-secret", SECRET),
            env=(ExecEnvVar("CLIENT_SECRET", SECRET),),
        ),
        ca_data=CA_PEM,
    )
    for text in (repr(cfg), str(cfg), f"{cfg}", repr(cfg.exec_provider)):
        assert SECRET not in text
    text = repr(cfg)
    assert "token='<redacted>'" in text and "password='<redacted>'" in text
    assert "client_key_data='<redacted>'" in text
    assert "username='admin'" in text
    assert "CLIENT_SECRET" in text
    assert f"ca_data=<{len(CA_PEM)} bytes>" in text
    assert "proxy-user:<redacted>@proxy.test" in text
    assert repr(Config(host="https://k")).count("<redacted>") == 0


def test_secrets_not_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    token = tmp_path / "tok"
    token.write_text(SECRET)
    path = simple(tmp_path / "cfg", user={"tokenFile": "tok"})
    with caplog.at_level(logging.DEBUG):
        cfg = load_config(path)
        clock = [0.0]
        auth = Authenticator(cfg, clock=lambda: clock[0])
        auth.headers()
        token.unlink()
        clock[0] = 100.0
        assert auth.headers() == {"Authorization": f"Bearer {SECRET}"}
    assert "cannot re-read token file" in caplog.text
    assert SECRET not in caplog.text


def test_exec_credential_repr_hides_token() -> None:
    from kubecore.client.exec_plugin import ExecCredential

    cred = ExecCredential(token=SECRET, client_key_data=SECRET.encode())
    assert SECRET not in repr(cred) and SECRET not in str(cred)


# --------------------------------------------------------------------------
# Authenticator: tokens
# --------------------------------------------------------------------------


def test_static_token_header(tmp_path: Path) -> None:
    cfg = load_config(simple(tmp_path / "cfg", user={"token": "abc"}))
    auth = Authenticator(cfg)
    assert auth.headers() == {"Authorization": "Bearer abc"}
    assert auth.client_cert() is None
    auth.on_unauthorized()
    assert auth.headers() == {"Authorization": "Bearer abc"}


def test_token_file_rotation(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("one\n")
    cfg = load_config(simple(tmp_path / "cfg", user={"tokenFile": "token"}))
    clock = [1000.0]
    auth = Authenticator(cfg, clock=lambda: clock[0])
    assert auth.headers() == {"Authorization": "Bearer one"}
    token.write_text("two\n")
    clock[0] += 30
    assert auth.headers() == {"Authorization": "Bearer one"}  # cached
    clock[0] += 31
    assert auth.headers() == {"Authorization": "Bearer two"}  # re-read after ~60 s
    token.write_text("three")
    clock[0] += 1
    assert auth.headers() == {"Authorization": "Bearer two"}
    auth.on_unauthorized()  # a 401 forces a re-read
    assert auth.headers() == {"Authorization": "Bearer three"}


def test_token_file_wins_over_inline_token(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("from-file")
    cfg = load_config(simple(tmp_path / "cfg", user={"token": "inline", "tokenFile": "token"}))
    auth = Authenticator(cfg)
    assert auth.headers() == {"Authorization": "Bearer from-file"}
    token.unlink()
    auth.on_unauthorized()
    assert auth.headers() == {"Authorization": "Bearer from-file"}  # last good one


def test_token_file_unreadable_without_fallback(tmp_path: Path) -> None:
    cfg = Config(host="https://k", token_file=str(tmp_path / "none"), user_name="u")
    with pytest.raises(ConfigError, match="cannot read tokenFile"):
        Authenticator(cfg).headers()


def test_in_cluster_token_rotation(in_cluster_root: Path) -> None:
    cfg = load_config(in_cluster_root=str(in_cluster_root))
    clock = [0.0]
    auth = Authenticator(cfg, clock=lambda: clock[0])
    assert auth.headers() == {"Authorization": "Bearer sa-token-1"}
    assert cfg.token_file is not None
    Path(cfg.token_file).write_text("sa-token-2")
    clock[0] = 61
    assert auth.headers() == {"Authorization": "Bearer sa-token-2"}


def test_auth_provider_is_rejected(tmp_path: Path) -> None:
    path = simple(
        tmp_path / "cfg",
        user={"auth-provider": {"name": "gcp", "config": {"access-token": SECRET}}},
    )
    cfg = load_config(path)
    with pytest.raises(ConfigError, match="auth-provider 'gcp'") as info:
        Authenticator(cfg)
    assert SECRET not in str(info.value)


# --------------------------------------------------------------------------
# Exec plugins
# --------------------------------------------------------------------------


def plugin_user(
    log: Path,
    *,
    api_version: str = V1,
    mode: str = "token",
    interactive: str | None = "Never",
    provide: bool = False,
    extra_env: dict[str, str] | None = None,
    args: list[str] | None = None,
) -> dict[str, Any]:
    env = {
        "FAKE_PLUGIN_LOG": str(log),
        "FAKE_PLUGIN_MODE": mode,
        "FAKE_PLUGIN_TOKEN": "exec-token",
        "FAKE_PLUGIN_CERT": str(CERTS / "client.crt"),
        "FAKE_PLUGIN_KEY": str(CERTS / "client.key"),
        "FAKE_PLUGIN_ECHO_ENV": "FROM_KUBECONFIG,FAKE_PLUGIN_MODE",
        "FROM_KUBECONFIG": "yes",
    }
    env.update(extra_env or {})
    spec: dict[str, Any] = {
        "apiVersion": api_version,
        "command": sys.executable,
        "args": [str(PLUGIN), *(args or [])],
        "env": [{"name": k, "value": v} for k, v in env.items()],
        "provideClusterInfo": provide,
    }
    if interactive is not None:
        spec["interactiveMode"] = interactive
    return {"exec": spec}


def runs(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def exec_auth(
    cfg: Config,
    *,
    clock: Clock | None = None,
    tty: bool = False,
    environ: dict[str, str] | None = None,
) -> Authenticator:
    assert cfg.exec_provider is not None
    provider = ExecCredentialProvider(
        cfg.exec_provider,
        ExecClusterInfo.from_config(cfg),
        user_name=cfg.user_name,
        now=clock or Clock(),
        stdin_isatty=lambda: tty,
        environ=environ,
        stderr=None,
    )
    return Authenticator(cfg, exec_provider=provider)


@pytest.mark.parametrize("api_version", [V1, V1BETA1])
def test_exec_token_cached(tmp_path: Path, api_version: str) -> None:
    log = tmp_path / "plugin.log"
    interactive = "Never" if api_version == V1 else None
    cfg = load_config(
        simple(
            tmp_path / "cfg",
            user=plugin_user(log, api_version=api_version, interactive=interactive),
        )
    )
    auth = exec_auth(cfg, environ={"PATH": os.environ.get("PATH", ""), "INHERITED": "1"})
    assert auth.headers() == {"Authorization": "Bearer exec-token-1"}
    assert auth.headers() == {"Authorization": "Bearer exec-token-1"}
    assert auth.client_cert() is None
    (record,) = runs(log)
    assert record["exec_info"] == {
        "kind": "ExecCredential",
        "apiVersion": api_version,
        "spec": {"interactive": False},
    }
    assert record["argv"] == []
    assert record["env"] == {"FROM_KUBECONFIG": "yes", "FAKE_PLUGIN_MODE": "token"}


def test_exec_env_overrides_process_env(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    cfg = load_config(simple(tmp_path / "cfg", user=plugin_user(log)))
    auth = exec_auth(cfg, environ={"FROM_KUBECONFIG": "no", "FAKE_PLUGIN_MODE": "fail"})
    auth.headers()
    assert runs(log)[0]["env"]["FROM_KUBECONFIG"] == "yes"


def test_exec_expiry_reruns(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    user = plugin_user(log, extra_env={"FAKE_PLUGIN_EXPIRES_IN": "3600"})
    cfg = load_config(simple(tmp_path / "cfg", user=user))
    clock = Clock()
    auth = exec_auth(cfg, clock=clock)
    assert auth.headers() == {"Authorization": "Bearer exec-token-1"}
    clock.offset = timedelta(minutes=59)
    assert auth.headers() == {"Authorization": "Bearer exec-token-1"}
    clock.offset = timedelta(minutes=61)
    assert auth.headers() == {"Authorization": "Bearer exec-token-2"}
    assert len(runs(log)) == 2


def test_exec_rerun_after_401(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    cfg = load_config(simple(tmp_path / "cfg", user=plugin_user(log)))
    auth = exec_auth(cfg)
    first = auth.headers()
    assert first == {"Authorization": "Bearer exec-token-1"}
    auth.on_unauthorized(first)
    second = auth.headers()
    assert second == {"Authorization": "Bearer exec-token-2"}
    # A late 401 for the old token must not throw away the fresh one.
    auth.on_unauthorized(first)
    assert auth.headers() == second
    auth.on_unauthorized()
    assert auth.headers() == {"Authorization": "Bearer exec-token-3"}
    assert len(runs(log)) == 3


def test_exec_provide_cluster_info(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    cluster = {
        "server": "https://k.test:6443",
        "certificate-authority-data": b64(CA_PEM),
        "tls-server-name": "kube.test",
        "proxy-url": "http://proxy.test:3128",
        "extensions": [
            {"name": "client.authentication.k8s.io/exec", "extension": {"audience": "kube"}}
        ],
    }
    cfg = load_config(
        simple(tmp_path / "cfg", cluster=cluster, user=plugin_user(log, provide=True))
    )
    exec_auth(cfg).headers()
    info = runs(log)[0]["exec_info"]
    assert info == {
        "kind": "ExecCredential",
        "apiVersion": V1,
        "spec": {
            "interactive": False,
            "cluster": {
                "server": "https://k.test:6443",
                "certificate-authority-data": b64(CA_PEM),
                "tls-server-name": "kube.test",
                "proxy-url": "http://proxy.test:3128",
                "config": {"audience": "kube"},
            },
        },
    }


def test_exec_cluster_info_insecure(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    cluster = {"server": "https://k.test", "insecure-skip-tls-verify": True}
    cfg = load_config(
        simple(tmp_path / "cfg", cluster=cluster, user=plugin_user(log, provide=True))
    )
    exec_auth(cfg).headers()
    assert runs(log)[0]["exec_info"]["spec"]["cluster"] == {
        "server": "https://k.test",
        "insecure-skip-tls-verify": True,
    }


def test_exec_interactive_modes(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    for mode, tty, expected in [
        ("Never", True, False),
        ("IfAvailable", False, False),
        ("IfAvailable", True, True),
        ("Always", True, True),
    ]:
        cfg = load_config(simple(tmp_path / f"cfg-{mode}", user=plugin_user(log, interactive=mode)))
        exec_auth(cfg, tty=tty).headers()
        assert runs(log)[-1]["exec_info"]["spec"]["interactive"] is expected, (mode, tty)


def test_exec_interactive_always_without_tty_fails(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    cfg = load_config(simple(tmp_path / "cfg", user=plugin_user(log, interactive="Always")))
    with pytest.raises(ExecPluginError, match="standard input is not a terminal"):
        exec_auth(cfg, tty=False).headers()
    assert runs(log) == []


def test_exec_client_certificate(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    cfg = load_config(simple(tmp_path / "cfg", user=plugin_user(log, mode="cert")))
    auth = exec_auth(cfg)
    assert auth.client_cert() == (CLIENT_CRT, CLIENT_KEY)
    assert auth.headers() == {}
    assert len(runs(log)) == 1
    ctx = cfg.ssl_context(client_cert=auth.client_cert())
    assert ctx.verify_mode == ssl.CERT_REQUIRED


def test_exec_failure_reports_command_and_stderr(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    user = plugin_user(log, mode="fail", extra_env={"SOME_SECRET": SECRET}, args=[SECRET])
    cfg = load_config(simple(tmp_path / "cfg", user=user))
    with pytest.raises(ExecPluginError) as info:
        exec_auth(cfg).headers()
    message = str(info.value)
    assert sys.executable in message
    assert "exit code 3" in message
    assert "the identity provider said no" in message
    assert "user 'u'" in message
    assert SECRET not in message


def test_exec_stderr_is_passed_through(tmp_path: Path) -> None:
    import io

    log = tmp_path / "plugin.log"
    cfg = load_config(simple(tmp_path / "cfg", user=plugin_user(log, mode="fail")))
    assert cfg.exec_provider is not None
    sink = io.StringIO()
    provider = ExecCredentialProvider(cfg.exec_provider, stdin_isatty=lambda: False, stderr=sink)
    with pytest.raises(ExecPluginError):
        provider.get()
    assert "starting login" in sink.getvalue()


@pytest.mark.parametrize(
    ("mode", "match"),
    [
        ("garbage", "did not print a JSON ExecCredential"),
        ("nostatus", "didn't return a status field"),
        ("wrongversion", "plugin returned version 'client.authentication.k8s.io/v1alpha1'"),
    ],
)
def test_exec_bad_output(tmp_path: Path, mode: str, match: str) -> None:
    log = tmp_path / "plugin.log"
    cfg = load_config(simple(tmp_path / "cfg", user=plugin_user(log, mode=mode)))
    with pytest.raises(ExecPluginError, match=match):
        exec_auth(cfg).headers()


def test_exec_not_found_shows_install_hint(tmp_path: Path) -> None:
    user = {
        "exec": {
            "apiVersion": V1BETA1,
            "command": "kubecore-no-such-plugin",
            "installHint": "brew install kubecore-no-such-plugin",
        }
    }
    cfg = load_config(simple(tmp_path / "cfg", user=user))
    with pytest.raises(ExecPluginError, match="not found(.|\n)*brew install"):
        exec_auth(cfg).headers()


def test_static_credentials_skip_exec(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    user = plugin_user(log)
    user["token"] = "static"
    cfg = load_config(simple(tmp_path / "cfg", user=user))
    auth = Authenticator(cfg)
    assert auth.exec_provider is None
    assert auth.headers() == {"Authorization": "Bearer static"}
    assert runs(log) == []


def test_exec_is_thread_safe(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    cfg = load_config(simple(tmp_path / "cfg", user=plugin_user(log)))
    auth = exec_auth(cfg)
    results: list[dict[str, str]] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(auth.headers())

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [{"Authorization": "Bearer exec-token-1"}] * 8
    assert len(runs(log)) == 1


def test_exec_relative_command_runs(tmp_path: Path) -> None:
    log = tmp_path / "plugin.log"
    bindir = tmp_path / "conf" / "bin"
    bindir.mkdir(parents=True)
    wrapper = bindir / "plugin"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{PLUGIN}" "$@"\n')
    wrapper.chmod(0o755)
    user = plugin_user(log)
    user["exec"]["command"] = "./bin/plugin"
    user["exec"]["args"] = ["x"]
    cfg = load_config(simple(tmp_path / "conf" / "config", user=user))
    assert exec_auth(cfg).headers() == {"Authorization": "Bearer exec-token-1"}
    assert runs(log)[0]["argv"] == ["x"]


# --------------------------------------------------------------------------
# TLS contexts
# --------------------------------------------------------------------------


def test_ssl_context_with_ca_and_client_cert(tmp_path: Path) -> None:
    cfg = Config(
        host="https://k", ca_data=CA_PEM, client_cert_data=CLIENT_CRT, client_key_data=CLIENT_KEY
    )
    ctx = cfg.ssl_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED
    assert ctx.check_hostname
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert len(ctx.get_ca_certs()) == 1


def test_ssl_context_insecure() -> None:
    ctx = Config(host="https://k", insecure_skip_tls_verify=True).ssl_context()
    assert ctx.verify_mode == ssl.CERT_NONE and not ctx.check_hostname


def test_ssl_context_system_roots() -> None:
    ctx = Config(host="https://k").ssl_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED


def test_ssl_context_tempfile_fallback_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    created: list[str] = []
    real_mkstemp = tempfile.mkstemp

    def spy(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, path = real_mkstemp(*args, **kwargs)
        created.append(path)
        assert os.stat(path).st_mode & 0o077 == 0  # private to this user
        return fd, path

    monkeypatch.setattr(tempfile, "mkstemp", spy)
    build_ssl_context(client_cert=(CLIENT_CRT, CLIENT_KEY))
    assert len(created) == 1
    assert list(scratch.iterdir()) == []


def test_ssl_context_errors() -> None:
    with pytest.raises(ConfigError, match="not a valid certificate bundle"):
        build_ssl_context(ca_data=b"-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    with pytest.raises(ConfigError, match="client certificate and key") as info:
        build_ssl_context(client_cert=(CLIENT_CRT, SERVER_KEY))
    assert "PRIVATE KEY" not in str(info.value)
    with pytest.raises(ConfigError, match="insecure"):
        build_ssl_context(ca_data=CA_PEM, insecure=True)


def test_unreadable_client_cert_is_an_error_even_without_tls(tmp_path: Path) -> None:
    path = simple(
        tmp_path / "cfg",
        cluster={"server": "http://127.0.0.1:8080"},
        user={"client-certificate": "nope.crt", "client-key-data": b64(CLIENT_KEY)},
    )
    with pytest.raises(ConfigError, match="cannot read client-certificate .*nope.crt"):
        load_config(path)
