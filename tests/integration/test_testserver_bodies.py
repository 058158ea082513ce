"""Request bodies as kube-apiserver reads them, over HTTP: the Content-Type decides JSON or
YAML, and what JSON refuses (NaN, 1e999) is a 400, never read as YAML instead."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from kubecore.testing import TestApiServer
from tests.conftest import REPO

SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
PATH = "/api/v1/namespaces/default/configmaps"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with TestApiServer([SWAGGER]) as server, httpx.Client(base_url=server.url, timeout=20) as c:
        yield c


@pytest.mark.parametrize("number", ["NaN", "1e999", "-Infinity"])
def test_a_json_body_json_refuses_is_a_400_not_read_as_yaml(
    http: httpx.Client, number: str
) -> None:
    body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"x":' + number + "}"
    answer = http.post(PATH, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["reason"] == "BadRequest"
    assert "not valid JSON" in answer.json()["message"]
    assert http.get(f"{PATH}/a").status_code == 404


def test_a_yaml_body_is_read_when_the_content_type_says_yaml(http: httpx.Client) -> None:
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {k: v}\n"
    answer = http.post(PATH, content=body, headers={"Content-Type": "application/yaml"})
    assert answer.status_code == 201, answer.text
    assert http.get(f"{PATH}/b").json()["data"] == {"k": "v"}
    as_json = http.post(PATH, content=body, headers={"Content-Type": "application/json"})
    assert as_json.status_code == 400
