"""RESTClient over real HTTP(S) against the loopback server: headers, auth, retries, TLS, streams."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubecore.client import errors as E
from kubecore.client.config import Config
from kubecore.client.rest import (
    NO_RETRY,
    RESTClient,
    RetryPolicy,
    parse_warning_header,
)
from kubecore.client.transport import ConnectError, ReadTimeout, TransportError
from tests.loopback_server import (
    CERTS,
    LoopbackServer,
    Recorded,
    Reply,
    server_tls_context,
    status_body,
)

FAST = RetryPolicy(max_attempts=4, initial_backoff=0.01, max_backoff=0.05, max_total_delay=2.0)
OK = Reply(200, {"kind": "Thing", "ok": True})


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


def _client(server: LoopbackServer, **kw: object) -> RESTClient:
    retry = kw.pop("retry", FAST)
    assert isinstance(retry, RetryPolicy)
    return RESTClient(Config(host=server.url, **kw), retry=retry)  # type: ignore[arg-type]


# --- basics ------------------------------------------------------------------------------


def test_headers_token_and_pooling(server: LoopbackServer) -> None:
    server.route("GET", "/api/v1/namespaces", OK)
    with _client(server, token="tok-123") as client:
        for _ in range(3):
            assert client.get_json("/api/v1/namespaces") == {"kind": "Thing", "ok": True}
    reqs = server.requests_to("/api/v1/namespaces")
    assert len(reqs) == 3
    for r in reqs:
        assert r.header("Authorization") == "Bearer tok-123"
        assert r.header("Accept") == "application/json"
        ua = r.header("User-Agent")
        assert ua is not None and ua.startswith("kube-clientgen/")
    # One pooled connection served all of them.
    assert len({r.client_port for r in reqs}) == 1


def test_user_agent_from_config(server: LoopbackServer) -> None:
    server.route("GET", "/version", OK)
    with _client(server, user_agent="my-operator/1.2") as client:
        client.request("GET", "/version")
    assert server.requests[0].header("User-Agent") == "my-operator/1.2"


def test_params_body_and_content_type(server: LoopbackServer) -> None:
    server.route("POST", "/api/v1/namespaces/ns/configmaps", Reply(201, {"created": 1}))
    server.route("PATCH", "/api/v1/namespaces/ns/configmaps/a", OK)
    with _client(server) as client:
        out = client.request_json(
            "POST",
            "/api/v1/namespaces/ns/configmaps",
            params={"dryRun": ["All"], "fieldManager": "me", "pretty": False, "skip": None},
            body={"kind": "ConfigMap", "data": {"k": "v"}},
        )
        assert out == {"created": 1}
        client.request(
            "PATCH",
            "/api/v1/namespaces/ns/configmaps/a",
            body=b'{"data":{"k":"w"}}',
            content_type="application/merge-patch+json",
        )
    post, patch = server.requests
    assert post.query == {"dryRun": ["All"], "fieldManager": ["me"], "pretty": ["false"]}
    assert post.header("Content-Type") == "application/json"
    assert post.body == b'{"kind":"ConfigMap","data":{"k":"v"}}'
    assert patch.header("Content-Type") == "application/merge-patch+json"
    assert patch.body == b'{"data":{"k":"w"}}'


def test_base_path_prefix_kept(server: LoopbackServer) -> None:
    server.route("GET", "/k8s/clusters/c-1/api", OK)
    with RESTClient(Config(host=server.url + "/k8s/clusters/c-1/"), retry=NO_RETRY) as client:
        client.request("GET", "/api")
    assert server.requests[0].path == "/k8s/clusters/c-1/api"


def test_impersonation_headers(server: LoopbackServer) -> None:
    server.route("GET", "/api", OK)
    cfg = Config(host=server.url, impersonate_user="jane", impersonate_groups=("a", "b"))
    with RESTClient(cfg) as client:
        client.request("GET", "/api")
    rec = server.requests[0]
    assert rec.header("Impersonate-User") == "jane"
    assert rec.headers["impersonate-group"] == ["a", "b"]


def test_config_timeout(server: LoopbackServer) -> None:
    server.route("GET", "/slow", Reply(200, {}, delay=1.0))
    with _client(server, timeout=0.2, retry=NO_RETRY) as client:
        start = time.monotonic()
        with pytest.raises(ReadTimeout):
            client.request("GET", "/slow")
        assert time.monotonic() - start < 0.9
        # A per-request timeout overrides the configured one.
        assert client.request("GET", "/slow", timeout=5) == b"{}"


def test_proxy_url(server: LoopbackServer) -> None:
    # The loopback server plays an HTTP forward proxy: the request reaches it with
    # an absolute target although the API server name does not even resolve.
    server.route("GET", "/api/v1/pods", OK)
    cfg = Config(host="http://kube.invalid:6443", proxy_url=server.url)
    with RESTClient(cfg, retry=NO_RETRY) as client:
        client.request("GET", "/api/v1/pods")
    assert server.requests[0].target == "http://kube.invalid:6443/api/v1/pods"


# --- retries -------------------------------------------------------------------------------


def test_429_retry_after_honoured(server: LoopbackServer) -> None:
    server.route(
        "GET",
        "/api/v1/pods",
        Reply(429, status_body(429, "TooManyRequests", "slow"), [("Retry-After", "0.3")]),
        OK,
    )
    with _client(server) as client:
        assert client.get_json("/api/v1/pods")["ok"] is True
    first, second = server.requests_to("/api/v1/pods")
    assert second.time - first.time >= 0.3


def test_429_retried_for_post(server: LoopbackServer) -> None:
    server.route("POST", "/api/v1/pods", Reply(429, b"", [("Retry-After", "0")]), OK)
    with _client(server) as client:
        client.request("POST", "/api/v1/pods", body={})
    assert len(server.requests_to("/api/v1/pods")) == 2


def test_429_not_retried_for_post_when_disabled(server: LoopbackServer) -> None:
    server.route("POST", "/api/v1/pods", Reply(429, b"", [("Retry-After", "0")]), OK)
    policy = RetryPolicy(retry_429_any_verb=False)
    with _client(server, retry=policy) as client, pytest.raises(E.TooManyRequests):
        client.request("POST", "/api/v1/pods", body={})
    assert len(server.requests_to("/api/v1/pods")) == 1


def test_retry_after_beyond_budget_not_waited(server: LoopbackServer) -> None:
    server.route("GET", "/api", Reply(429, b"", [("Retry-After", "5")]), OK)
    policy = RetryPolicy(max_total_delay=1.0)
    with _client(server, retry=policy) as client:
        start = time.monotonic()
        with pytest.raises(E.TooManyRequests) as info:
            client.request("GET", "/api")
        assert time.monotonic() - start < 1.0
    assert info.value.retry_after == 5.0
    assert len(server.requests) == 1


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_5xx_retried_for_get(server: LoopbackServer, code: int) -> None:
    server.route("GET", "/api", Reply(code, b"oops"), Reply(code, b"oops"), OK)
    sleeps: list[float] = []
    with RESTClient(Config(host=server.url), retry=FAST, sleep=sleeps.append) as client:
        client.request("GET", "/api")
    assert len(server.requests) == 3
    # Full jitter, exponential ceiling: 0.01 then 0.02.
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 0.01 and 0 <= sleeps[1] <= 0.02


def test_500_backoff_really_sleeps(server: LoopbackServer) -> None:
    server.route("GET", "/api", Reply(500, b""), OK)
    with _client(server) as client:
        client.request("GET", "/api")
    assert len(server.requests) == 2


def test_500_not_retried_for_post_or_patch(server: LoopbackServer) -> None:
    server.route("POST", "/api/v1/pods", Reply(500, b"oops"), OK)
    server.route("PATCH", "/api/v1/pods/a", Reply(503, b"oops"), OK)
    with _client(server) as client:
        with pytest.raises(E.InternalError):
            client.request("POST", "/api/v1/pods", body={})
        with pytest.raises(E.ServiceUnavailable):
            client.request("PATCH", "/api/v1/pods/a", body={}, content_type="application/json")
    assert len(server.requests) == 2


def test_500_retried_for_post_marked_idempotent(server: LoopbackServer) -> None:
    server.route("POST", "/api/v1/pods", Reply(500, b"oops"), OK)
    with _client(server) as client:
        client.request("POST", "/api/v1/pods", body={}, idempotent=True)
    assert len(server.requests) == 2


def test_retries_bounded_by_attempts(server: LoopbackServer) -> None:
    server.route("GET", "/api", Reply(503, status_body(503, "ServiceUnavailable", "down")))
    policy = RetryPolicy(max_attempts=3, initial_backoff=0.001)
    with _client(server, retry=policy) as client, pytest.raises(E.ServiceUnavailable) as info:
        client.request("GET", "/api")
    assert info.value.message == "down"
    assert len(server.requests) == 3


def test_retries_bounded_by_total_delay(server: LoopbackServer) -> None:
    server.route("GET", "/api", Reply(503, b"", [("Retry-After", "0.2")]))
    policy = RetryPolicy(max_attempts=100, max_total_delay=0.5)
    with _client(server, retry=policy) as client, pytest.raises(E.ServiceUnavailable):
        client.request("GET", "/api")
    assert len(server.requests) == 3  # 0.2 + 0.2 waited; a third wait would exceed 0.5


def test_no_retry_on_404(server: LoopbackServer) -> None:
    with _client(server) as client, pytest.raises(E.NotFound):
        client.request("GET", "/api/v1/nothing")
    assert len(server.requests) == 1


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connect_errors_retried_even_for_post() -> None:
    sleeps: list[float] = []
    cfg = Config(host=f"http://127.0.0.1:{_closed_port()}")
    with RESTClient(cfg, retry=FAST, sleep=sleeps.append) as client:
        with pytest.raises(ConnectError):
            client.request("POST", "/api/v1/pods", body={})
    assert len(sleeps) == FAST.max_attempts - 1


def test_connect_errors_not_retried_when_disabled() -> None:
    sleeps: list[float] = []
    cfg = Config(host=f"http://127.0.0.1:{_closed_port()}")
    policy = RetryPolicy(retry_connect_errors=False)
    with RESTClient(cfg, retry=policy, sleep=sleeps.append) as client:
        with pytest.raises(ConnectError):
            client.request("GET", "/api")
    assert sleeps == []


def test_retry_policy_validation() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(initial_backoff=-1)
    assert RetryPolicy(initial_backoff=1, max_backoff=3).backoff(5, rand=lambda: 1.0) == 3


# --- authentication ------------------------------------------------------------------------


def test_401_refreshes_token_file_and_retries(server: LoopbackServer, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("old-token\n")
    accepted = {"Bearer old-token"}

    def guarded(req: Recorded) -> Reply:
        if req.header("Authorization") in accepted:
            return OK
        return Reply(401, status_body(401, "Unauthorized", "Unauthorized"))

    server.handle("GET", "/api", guarded)
    with _client(server, token_file=str(token_file), retry=NO_RETRY) as client:
        client.request("GET", "/api")
        # The token rotates: the server only accepts the new one; the client still
        # has the old one cached (refresh period 60 s) until it gets a 401.
        accepted.clear()
        accepted.add("Bearer new-token")
        token_file.write_text("new-token\n")
        client.request("GET", "/api")
    sent = [r.header("Authorization") for r in server.requests]
    assert sent == ["Bearer old-token", "Bearer old-token", "Bearer new-token"]


def test_401_twice_raises_unauthorized(server: LoopbackServer) -> None:
    server.route("GET", "/api", Reply(401, status_body(401, "Unauthorized", "Unauthorized")))
    with _client(server, token="bad-secret") as client, pytest.raises(E.Unauthorized) as info:
        client.request("GET", "/api")
    assert len(server.requests) == 2  # exactly one re-authentication, no 401 retries
    assert "bad-secret" not in str(info.value)


def test_secrets_never_logged(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    server.route(
        "GET",
        "/api",
        Reply(401, b""),
        Reply(500, b""),
        Reply(429, b"", [("Retry-After", "0"), ("Warning", '299 - "careful"')]),
        OK,
    )
    caplog.set_level(logging.DEBUG)
    with _client(server, token="super-secret-token", retry=FAST) as client:
        client.request("GET", "/api")
    assert len(server.requests) == 4
    assert caplog.records
    for record in caplog.records:
        assert "super-secret-token" not in record.getMessage()


# --- warnings ------------------------------------------------------------------------------


def test_parse_warning_header() -> None:
    assert parse_warning_header('299 - "a deprecated API"') == [(299, "-", "a deprecated API")]
    assert parse_warning_header(
        '299 - "one, with comma", 299 kube "two \\"quoted\\"" "Sat, 01 Jan 2000 00:00:00 GMT"'
    ) == [(299, "-", "one, with comma"), (299, "kube", 'two "quoted"')]
    assert parse_warning_header("garbage") == []
    assert parse_warning_header('29 - "short code", 199 - "misc"') == [(199, "-", "misc")]


def test_warnings_handled_once(server: LoopbackServer) -> None:
    server.route(
        "GET",
        "/apis/extensions/v1beta1/ingresses",
        Reply(
            200,
            {},
            [
                ("Warning", '299 - "extensions/v1beta1 Ingress is deprecated"'),
                ("Warning", '299 - "second warning", 199 - "not a 299"'),
            ],
        ),
    )
    seen: list[str] = []
    cfg = Config(host=server.url)
    with RESTClient(cfg, warning_handler=seen.append) as client:
        for _ in range(3):
            client.request("GET", "/apis/extensions/v1beta1/ingresses")
    assert seen == ["extensions/v1beta1 Ingress is deprecated", "second warning"]


def test_warnings_logged_by_default(
    server: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.route("GET", "/api", Reply(200, {}, [("Warning", '299 - "use v2, 100% better"')]))
    caplog.set_level(logging.WARNING, logger="kubecore")
    with RESTClient(Config(host=server.url)) as client:
        client.request("GET", "/api")
        client.request("GET", "/api")
    messages = [r.getMessage() for r in caplog.records if r.name == "kubecore"]
    assert messages == ["server warning: use v2, 100% better"]


def test_warnings_on_error_responses(server: LoopbackServer) -> None:
    server.route("GET", "/api", Reply(404, b"", [("Warning", '299 - "hmm"')]))
    seen: list[str] = []
    with RESTClient(Config(host=server.url), warning_handler=seen.append) as client:
        with pytest.raises(E.NotFound):
            client.request("GET", "/api")
    assert seen == ["hmm"]


# --- streaming -----------------------------------------------------------------------------


def test_stream_lines(server: LoopbackServer) -> None:
    events = [b'{"type":"ADDED","object":{"n":%d}}' % i for i in range(5)]
    server.route("GET", "/api/v1/pods", Reply(200, lines=events, line_delay=0.02))
    with _client(server) as client:
        with client.stream_lines("/api/v1/pods", {"watch": True}) as stream:
            got = list(stream)
        assert stream.closed
    assert got == events
    assert server.requests[0].query == {"watch": ["true"]}


def test_stream_lines_close_early(server: LoopbackServer) -> None:
    lines = [b"line %d" % i for i in range(100)]
    server.route("GET", "/log", Reply(200, lines=lines, line_delay=0.01))
    with _client(server) as client:
        stream = client.stream_lines("/log")
        assert next(stream) == b"line 0"
        assert next(stream) == b"line 1"
        stream.close()
        assert stream.response.is_closed
        assert list(stream) == []
        # The client still works after abandoning a stream.
        server.route("GET", "/api", OK)
        client.request("GET", "/api")


def test_stream_lines_error_raised_before_iteration(server: LoopbackServer) -> None:
    with _client(server) as client, pytest.raises(E.NotFound):
        client.stream_lines("/api/v1/nope")


def test_stream_lines_partial_chunks(server: LoopbackServer) -> None:
    # Lines split across chunks and CRLF endings; a last line without newline.
    server.route("GET", "/log", Reply(200, lines=[b"ab", b"c\r", b"tail"]))
    with _client(server) as client, client.stream_lines("/log") as stream:
        assert list(stream) == [b"ab", b"c", b"tail"]


# --- TLS -----------------------------------------------------------------------------------


@pytest.fixture
def tls_server() -> Iterator[LoopbackServer]:
    with LoopbackServer(server_tls_context()) as srv:
        srv.route("GET", "/version", OK)
        yield srv


@pytest.fixture
def mtls_server() -> Iterator[LoopbackServer]:
    with LoopbackServer(server_tls_context(client_auth=True)) as srv:
        srv.route("GET", "/version", OK)
        yield srv


def _ca() -> bytes:
    return (CERTS / "ca.crt").read_bytes()


def test_https_with_ca(tls_server: LoopbackServer) -> None:
    cfg = Config(host=tls_server.url, ca_data=_ca(), token="t")
    with RESTClient(cfg, retry=NO_RETRY) as client:
        assert client.get_json("/version")["ok"] is True
    assert tls_server.requests[0].header("Authorization") == "Bearer t"


def test_https_untrusted_fails(tls_server: LoopbackServer) -> None:
    with RESTClient(Config(host=tls_server.url), retry=NO_RETRY) as client:
        with pytest.raises(ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            client.request("GET", "/version")
    assert tls_server.requests == []


def test_https_insecure(tls_server: LoopbackServer) -> None:
    cfg = Config(host=tls_server.url, insecure_skip_tls_verify=True)
    with RESTClient(cfg, retry=NO_RETRY) as client:
        client.request("GET", "/version")


def test_tls_server_name_is_sni_and_verified(tls_server: LoopbackServer) -> None:
    cfg = Config(host=tls_server.url, ca_data=_ca(), tls_server_name="kube.test")
    with RESTClient(cfg, retry=NO_RETRY) as client:
        client.request("GET", "/version")
    assert tls_server.requests[0].sni == "kube.test"

    wrong = Config(host=tls_server.url, ca_data=_ca(), tls_server_name="other.test")
    with RESTClient(wrong, retry=NO_RETRY) as client:
        with pytest.raises(ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            client.request("GET", "/version")


def test_client_certificate(mtls_server: LoopbackServer) -> None:
    cfg = Config(
        host=mtls_server.url,
        ca_data=_ca(),
        client_cert_data=(CERTS / "client.crt").read_bytes(),
        client_key_data=(CERTS / "client.key").read_bytes(),
    )
    with RESTClient(cfg, retry=NO_RETRY) as client:
        client.request("GET", "/version")
        client.request("GET", "/version")
    subject = mtls_server.requests[0].peer_subject
    assert subject is not None and "commonName=kubecore-test-client" in subject
    assert "organizationName=system:masters" in subject


def test_client_certificate_required(mtls_server: LoopbackServer) -> None:
    with RESTClient(Config(host=mtls_server.url, ca_data=_ca()), retry=NO_RETRY) as client:
        with pytest.raises(TransportError):
            client.request("GET", "/version")
    assert mtls_server.requests == []


# --- concurrency ---------------------------------------------------------------------------


def test_threads_share_one_client(server: LoopbackServer) -> None:
    server.route("GET", "/api", Reply(200, {}, delay=0.01))
    errors: list[BaseException] = []
    with _client(server) as client:

        def work() -> None:
            try:
                for _ in range(5):
                    client.request("GET", "/api")
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert not errors
    assert len(server.requests) == 20
