"""Typed API errors: chosen by Status.reason first, then by HTTP code; over real HTTP too."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from kubecore.client import errors as E
from kubecore.client.config import Config
from kubecore.client.rest import NO_RETRY, RESTClient
from kubecore.core.generated.meta_v1 import Status
from tests.loopback_server import LoopbackServer, Reply, status_body

CODES: list[tuple[int, str, type[E.ApiError]]] = [
    (400, "BadRequest", E.BadRequest),
    (401, "Unauthorized", E.Unauthorized),
    (403, "Forbidden", E.Forbidden),
    (404, "NotFound", E.NotFound),
    (405, "MethodNotAllowed", E.MethodNotAllowed),
    (409, "AlreadyExists", E.AlreadyExists),
    (409, "Conflict", E.Conflict),
    (410, "Gone", E.Gone),
    (410, "Expired", E.Gone),
    (422, "Invalid", E.Invalid),
    (429, "TooManyRequests", E.TooManyRequests),
    (500, "InternalError", E.InternalError),
    (503, "ServiceUnavailable", E.ServiceUnavailable),
    (504, "Timeout", E.ServerTimeout),
    (500, "ServerTimeout", E.ServerTimeout),
]

BARE: list[tuple[int, type[E.ApiError]]] = [
    (400, E.BadRequest),
    (401, E.Unauthorized),
    (403, E.Forbidden),
    (404, E.NotFound),
    (405, E.MethodNotAllowed),
    (409, E.Conflict),
    (410, E.Gone),
    (422, E.Invalid),
    (429, E.TooManyRequests),
    (500, E.InternalError),
    (502, E.InternalError),
    (503, E.ServiceUnavailable),
    (504, E.ServerTimeout),
]


def _bytes(obj: object) -> bytes:
    return json.dumps(obj).encode()


@pytest.mark.parametrize(("code", "reason", "cls"), CODES)
def test_status_body_reason(code: int, reason: str, cls: type[E.ApiError]) -> None:
    err = E.error_from_response(code, _bytes(status_body(code, reason, "boom")), {})
    assert type(err) is cls
    assert err.status == code and err.code == code
    assert err.reason == reason
    assert err.message == "boom"
    assert isinstance(err.details, Status)
    assert str(err) == f"{code} {reason}: boom"


@pytest.mark.parametrize(("code", "cls"), BARE)
def test_code_without_status_body(code: int, cls: type[E.ApiError]) -> None:
    err = E.error_from_response(code, b"<html>upstream says no</html>", {})
    assert type(err) is cls
    assert err.status == code
    assert err.details is None
    assert "upstream says no" in err.message


def test_reason_wins_over_code() -> None:
    # A 500 whose Status says NotFound is a NotFound (client-go's order).
    err = E.error_from_response(500, _bytes(status_body(500, "NotFound", "x")), None)
    assert isinstance(err, E.NotFound)
    assert E.is_not_found(err)


def test_unknown_reason_falls_back_to_code() -> None:
    err = E.error_from_response(409, _bytes(status_body(409, "SomethingNew", "m")), {})
    assert type(err) is E.Conflict
    assert err.reason == "SomethingNew"


def test_unknown_code_is_plain_api_error() -> None:
    err = E.error_from_response(418, b"", {})
    assert type(err) is E.ApiError
    assert err.status == 418
    assert "418" in err.message


def test_empty_body_default_message() -> None:
    err = E.error_from_response(404, b"", {})
    assert err.message == "the server could not find the requested resource"
    assert err.reason == "NotFound"


def test_json_non_status_body_kept_as_dict() -> None:
    err = E.error_from_response(403, b'{"error": "nope"}', {})
    assert isinstance(err, E.Forbidden)
    assert err.details == {"error": "nope"}


def test_long_body_excerpt_is_bounded() -> None:
    err = E.error_from_response(500, b"x" * 10_000, {})
    assert len(err.message) < 400


def test_invalid_causes() -> None:
    body = status_body(
        422,
        "Invalid",
        'Pod "p" is invalid',
        name="p",
        kind="Pod",
        causes=[
            {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.x"},
            {"reason": "FieldValueInvalid", "message": "bad", "field": "metadata.name"},
        ],
    )
    err = E.error_from_response(422, _bytes(body), {})
    assert isinstance(err, E.Invalid) and E.is_invalid(err)
    assert err.causes == [
        ("spec.x", "FieldValueRequired", "Required value"),
        ("metadata.name", "FieldValueInvalid", "bad"),
    ]
    assert err.causes[0].field == "spec.x"
    assert err.causes[0].type == "FieldValueRequired"


def test_invalid_without_causes() -> None:
    err = E.error_from_response(422, b"", {})
    assert isinstance(err, E.Invalid)
    assert err.causes == []


def test_retry_after_header_and_details() -> None:
    err = E.error_from_response(429, b"", {"Retry-After": "3"})
    assert err.retry_after == 3.0
    body = status_body(429, "TooManyRequests", "slow down", retryAfterSeconds=7)
    err = E.error_from_response(429, _bytes(body), {})
    assert err.retry_after == 7.0
    # The header wins over the body.
    err = E.error_from_response(429, _bytes(body), {"retry-after": "1"})
    assert err.retry_after == 1.0
    assert E.error_from_response(500, b"", {}).retry_after is None


def test_parse_retry_after() -> None:
    assert E.parse_retry_after("0.25") == 0.25
    assert E.parse_retry_after("-4") == 0.0
    assert E.parse_retry_after("soon") is None
    assert E.parse_retry_after(None) is None
    assert E.parse_retry_after("nan") is None
    when = E.parse_retry_after("Thu, 01 Jan 2037 00:00:10 GMT", now=2114380800.0)
    assert when == pytest.approx(10.0)
    assert E.parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT") == 0.0


def test_helpers_distinguish() -> None:
    helpers = {
        E.is_not_found: E.NotFound,
        E.is_already_exists: E.AlreadyExists,
        E.is_conflict: E.Conflict,
        E.is_invalid: E.Invalid,
        E.is_gone: E.Gone,
        E.is_forbidden: E.Forbidden,
        E.is_unauthorized: E.Unauthorized,
        E.is_too_many_requests: E.TooManyRequests,
        E.is_server_timeout: E.ServerTimeout,
    }
    for helper, cls in helpers.items():
        assert helper(cls("m"))
        for other in helpers.values():
            if other is not cls:
                assert not helper(other("m")), (helper.__name__, other.__name__)
        assert not helper(None)
        assert not helper(ValueError("x"))


def test_default_status_and_reason() -> None:
    err = E.NotFound("gone")
    assert err.status == 404 and err.reason == "NotFound"
    assert repr(err) == "NotFound(status=404, reason='NotFound', message='gone')"


# --- over real HTTP ---------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


@pytest.mark.parametrize(("code", "reason", "cls"), CODES)
def test_http_status_errors(
    server: LoopbackServer, code: int, reason: str, cls: type[E.ApiError]
) -> None:
    server.route("GET", "/api/v1/x", Reply(code, status_body(code, reason, "over http")))
    cfg = Config(host=server.url, token="s3cr3t-token")
    with RESTClient(cfg, retry=NO_RETRY) as client, pytest.raises(cls) as info:
        client.request("GET", "/api/v1/x")
    assert info.value.status == code
    assert info.value.reason == reason
    assert info.value.message == "over http"
    assert "s3cr3t" not in str(info.value) and "s3cr3t" not in repr(info.value)


@pytest.mark.parametrize(("code", "cls"), BARE)
def test_http_bare_errors(server: LoopbackServer, code: int, cls: type[E.ApiError]) -> None:
    server.route("GET", "/healthz", Reply(code, b"plain failure", [("Content-Type", "text/plain")]))
    cfg = Config(host=server.url, token="s3cr3t-token")
    with RESTClient(cfg, retry=NO_RETRY) as client, pytest.raises(cls) as info:
        client.request("GET", "/healthz")
    assert type(info.value) is cls
    assert "plain failure" in info.value.message
    assert "s3cr3t" not in str(info.value)


def test_has_status_cause_reads_the_status_causes() -> None:
    # kube-apiserver's watch cache answers a list at a version it has not reached so
    # (storage.NewTooLargeResourceVersionError); client-go's HasStatusCause reads the cause.
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": "Timeout: Too large resource version: 9, current: 5",
        "reason": "Timeout",
        "details": {
            "causes": [
                {"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}
            ],
            "retryAfterSeconds": 1,
        },
        "code": 504,
    }
    err = E.error_from_response(504, json.dumps(body).encode(), {})
    assert E.has_status_cause(err, "ResourceVersionTooLarge")
    assert not E.has_status_cause(err, "FieldValueInvalid")
    assert not E.has_status_cause(ValueError("x"), "ResourceVersionTooLarge")


def test_a_failure_status_in_a_2xx_answer_is_its_error(server: LoopbackServer) -> None:
    """QA: a 200 whose body is a failure ``Status`` (a proxy or aggregated API) raised a
    ValueError about the wrong kind from the typed clients; client-go's ``Result.Into``
    returns ``errors.FromObject(status)``. A body that is neither stays a ValueError."""
    from kube_clientgen_api.kubernetes import Clientset

    path = "/api/v1/namespaces/default/pods"
    server.route("GET", f"{path}/p", Reply(200, status_body(409, "Conflict", "busy")))
    server.route("GET", path, Reply(200, status_body(503, "ServiceUnavailable", "later")))
    server.route("GET", f"{path}/q", Reply(200, {"kind": "Status", "status": "Success"}))
    with Clientset.from_config(Config(host=server.url)) as cs:
        pods = cs.core_v1.pods("default")
        with pytest.raises(E.Conflict, match="busy"):
            pods.get("p")
        with pytest.raises(E.ServiceUnavailable, match="later"):
            pods.list()
        with pytest.raises(ValueError, match="Status"):
            pods.get("q")
