"""A malformed ``resourceVersion`` on a get, list or watch answers 400 BadRequest, as
kube-apiserver's storage does (``invalid resource version: resourceVersion: Invalid value:
"abc": strconv.ParseUint: parsing "abc": invalid syntax``); ``""`` and ``"0"`` mean "any"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kube_clientgen_api.virtualmachine.fake import Clientset as FakeClientset
from kubecore import load_config
from kubecore.client import errors
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"


def message(value: str, problem: str = "invalid syntax") -> str:
    return (
        f'invalid resource version: resourceVersion: Invalid value: "{value}": '
        f'strconv.ParseUint: parsing "{value}": {problem}'
    )


def vm(name: str) -> VirtualMachine:
    return VirtualMachine(metadata=ObjectMeta(name=name), spec=VirtualMachineSpec(image="x"))


@pytest.fixture(scope="module")
def server() -> Iterator[TestApiServer]:
    with TestApiServer([CRD]) as srv:
        with httpx.Client(base_url=srv.url) as c:
            c.post(
                VMS,
                json={
                    "apiVersion": "cloud.waibizi.com/v1",
                    "kind": "VirtualMachine",
                    "metadata": {"name": "a"},
                    "spec": {"image": "x"},
                },
            )
        yield srv


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("abc", "invalid syntax"),
        ("-1", "invalid syntax"),
        ("1.5", "invalid syntax"),
        ("18446744073709551616", "value out of range"),
    ],
)
@pytest.mark.parametrize("request_", ["get", "list", "watch", "watch-list"])
def test_a_malformed_version_is_a_bad_request(
    server: TestApiServer, value: str, problem: str, request_: str
) -> None:
    path = f"{VMS}/a" if request_ == "get" else VMS
    params = {"resourceVersion": value}
    if request_.startswith("watch"):
        params.update(watch="true", timeoutSeconds="1")
    if request_ == "watch-list":
        params.update(
            sendInitialEvents="true", resourceVersionMatch="NotOlderThan", allowWatchBookmarks="1"
        )
    answer = httpx.get(server.url + path, params=params, timeout=10)
    assert answer.status_code == 400, answer.text
    status = answer.json()
    assert (status["kind"], status["reason"], status["code"]) == ("Status", "BadRequest", 400)
    assert status["message"] == message(value, problem)


def test_zero_empty_and_numbers_are_accepted(server: TestApiServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        current = c.get(VMS).json()["metadata"]["resourceVersion"]
        for value in ("", "0", "1", f"00{current}"):  # leading zeros parse (ParseUint)
            assert c.get(f"{VMS}/a", params={"resourceVersion": value}).status_code == 200
            assert c.get(VMS, params={"resourceVersion": value}).status_code == 200


def refuse_a_malformed_version(vms: Any) -> None:
    vms.create(vm("b"))
    with pytest.raises(errors.BadRequest, match="invalid resource version"):
        vms.get("b", resource_version="abc")
    with pytest.raises(errors.BadRequest, match="invalid resource version"):
        vms.list(resource_version="abc")
    with pytest.raises(errors.BadRequest, match="invalid resource version"):
        next(iter(vms.watch(resource_version="abc", timeout_seconds=2)))
    assert vms.get("b", resource_version="0").metadata.name == "b"


def test_typed_clients_and_fakes_raise_bad_request(server: TestApiServer) -> None:
    with VMClientset.from_config(load_config(server.kubeconfig_path)) as cs:
        refuse_a_malformed_version(cs.cloud_waibizi_com_v1.virtual_machines("default"))
    fake = FakeClientset()
    refuse_a_malformed_version(fake.cloud_waibizi_com_v1.virtual_machines("default"))
