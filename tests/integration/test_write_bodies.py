"""Write verbs check their body at the call, and patches keep their meaning (issue 7 §6, §8).

* A typed client's write verbs take their own model: a mapping (or another kind's model)
  raises ``TypeError`` naming the expected type, before anything is sent.
* A list patch is a JSON patch; a body that does not fit an explicit patch type raises
  ``TypeError`` before anything is sent.
* The test API server refuses merge and strategic merge patches whose body is not a JSON
  object (400, as kube-apiserver) and leaves the object untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.apps.v1 import Deployment, DeploymentSpec
from kube_clientgen_api.kubernetes.core.v1 import (
    ConfigMap,
    Container,
    Event,
    ObjectReference,
    PodSpec,
    PodTemplateSpec,
    Secret,
)
from kubecore import load_config
from kubecore.client import errors
from kubecore.client.config import Config
from kubecore.client.dynamic import DynamicClient
from kubecore.client.rest import NO_RETRY, RESTClient
from kubecore.client.typed import PatchType
from kubecore.core.generated.autoscaling_v1 import Scale
from kubecore.core.generated.meta_v1 import LabelSelector, ObjectMeta
from kubecore.core.unstructured import GroupVersionResource
from kubecore.testing import TestApiServer
from tests.conftest import REPO
from tests.loopback_server import LoopbackServer

SPEC = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
DEPLOYMENTS = GroupVersionResource("apps", "v1", "deployments")
CM_DICT = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}


def deployment(name: str) -> Deployment:
    labels = {"app": name}
    return Deployment(
        metadata=ObjectMeta(name=name),
        spec=DeploymentSpec(
            replicas=2,
            selector=LabelSelector(match_labels=labels),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec=PodSpec(containers=[Container(name="web", image="nginx")]),
            ),
        ),
    )


# -- refused at the call: nothing is sent ---------------------------------------------------

Call = Callable[[Clientset], Any]

WRONG_BODIES: dict[str, tuple[Call, str]] = {
    "create-dict": (lambda cs: cs.core_v1.config_maps("d").create(CM_DICT), "ConfigMap"),
    "create-other-kind": (
        lambda cs: cs.core_v1.config_maps("d").create(Secret(metadata=ObjectMeta(name="x"))),
        "ConfigMap",
    ),
    "update-dict": (lambda cs: cs.core_v1.config_maps("d").update(CM_DICT), "ConfigMap"),
    "apply-dict": (
        lambda cs: cs.core_v1.config_maps("d").apply(CM_DICT, field_manager="t"),
        "ConfigMap",
    ),
    "update_status-dict": (
        lambda cs: cs.apps_v1.deployments("d").update_status({"metadata": {"name": "x"}}),
        "Deployment",
    ),
    "update_scale-dict": (
        lambda cs: cs.apps_v1.deployments("d").update_scale("x", {"spec": {"replicas": 1}}),
        "Scale",
    ),
    "patch-list-as-merge": (
        lambda cs: cs.apps_v1.deployments("d").patch(
            "x", [{"op": "remove", "path": "/spec"}], patch_type=PatchType.MERGE
        ),
        "JSON patch",
    ),
    "patch-list-as-strategic": (
        lambda cs: cs.apps_v1.deployments("d").patch(
            "x", [{"op": "remove", "path": "/spec"}], patch_type=PatchType.STRATEGIC_MERGE
        ),
        "JSON patch",
    ),
    "patch-dict-as-json": (
        lambda cs: cs.apps_v1.deployments("d").patch("x", {"a": 1}, patch_type=PatchType.JSON),
        "list of operations",
    ),
    "patch-number": (lambda cs: cs.apps_v1.deployments("d").patch("x", 5), "int"),
    "patch_status-list-as-merge": (
        lambda cs: cs.apps_v1.deployments("d").patch_status(
            "x", [{"op": "remove", "path": "/status"}], patch_type=PatchType.MERGE
        ),
        "JSON patch",
    ),
}


@pytest.fixture(scope="module")
def recorder() -> Iterator[LoopbackServer]:
    with LoopbackServer(max_lifetime=60) as srv:
        yield srv


@pytest.mark.parametrize("case", sorted(WRONG_BODIES))
def test_typed_write_verbs_refuse_wrong_bodies_before_sending(
    recorder: LoopbackServer, case: str
) -> None:
    call, expected = WRONG_BODIES[case]
    recorder.requests.clear()
    with RESTClient(Config(host=recorder.url), retry=NO_RETRY) as rest:
        with pytest.raises(TypeError, match=expected):
            call(Clientset(rest))
    assert recorder.requests == []


def test_typed_error_says_how_to_decode_a_mapping(recorder: LoopbackServer) -> None:
    with RESTClient(Config(host=recorder.url), retry=NO_RETRY) as rest:
        with pytest.raises(TypeError) as info:
            Clientset(rest).core_v1.config_maps("d").create(CM_DICT)  # type: ignore[arg-type]
    text = str(info.value)
    assert "config_maps" in text or "configmaps" in text
    assert "ConfigMap.from_dict" in text and "dict" in text


def test_dynamic_client_refuses_models_and_fitless_patches(recorder: LoopbackServer) -> None:
    recorder.requests.clear()
    with RESTClient(Config(host=recorder.url), retry=NO_RETRY) as rest:
        res = DynamicClient(rest).resource(DEPLOYMENTS).namespace("d")
        with pytest.raises(TypeError, match="from_typed"):
            res.create(deployment("x"))  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="Unstructured or a mapping"):
            res.update(42)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="JSON patch"):
            res.patch("x", [{"op": "remove", "path": "/spec"}], PatchType.MERGE)
    assert recorder.requests == []


# -- against the test API server --------------------------------------------------------------


@pytest.fixture(scope="module")
def api() -> Iterator[TestApiServer]:
    with TestApiServer([str(SPEC)]) as server:
        yield server


@pytest.fixture()
def cs(api: TestApiServer) -> Iterator[Clientset]:
    with Clientset.from_config(load_config(api.kubeconfig_path)) as clientset:
        yield clientset


def test_a_list_patch_without_type_is_a_json_patch(cs: Clientset, api: TestApiServer) -> None:
    deployments = cs.apps_v1.deployments("default")
    deployments.create(deployment("web"))
    patched = deployments.patch("web", [{"op": "replace", "path": "/spec/replicas", "value": 5}])
    assert patched.spec.replicas == 5
    stored = deployments.get("web")
    assert stored.spec.replicas == 5 and stored.spec.template.spec.containers[0].image == "nginx"
    # the dynamic client does the same
    dyn = DynamicClient(cs.rest).resource(DEPLOYMENTS).namespace("default")
    out = dyn.patch("web", [{"op": "replace", "path": "/spec/replicas", "value": 3}])
    assert out.nested_int64("spec", "replicas") == (3, True)
    assert deployments.get("web").spec.replicas == 3
    deployments.delete("web")


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        (PatchType.MERGE, "Invalid JSON Patch"),
        (PatchType.STRATEGIC_MERGE, "cannot unmarshal array into Go value"),
    ],
)
@pytest.mark.parametrize("subresource", [None, "scale"])
def test_server_refuses_non_object_merge_patches(
    cs: Clientset, content_type: PatchType, message: str, subresource: str | None
) -> None:
    deployments = cs.apps_v1.deployments("default")
    deployments.create(deployment("keep"))
    before = deployments.get("keep").to_dict()
    path = "/apis/apps/v1/namespaces/default/deployments/keep"
    if subresource:
        path += f"/{subresource}"
    try:
        for body in ([{"op": "replace", "path": "/spec/replicas", "value": 9}], "x", 7):
            with pytest.raises(errors.BadRequest) as info:
                cs.rest.request("PATCH", path, body=body, content_type=content_type.value)
            if isinstance(body, list):
                assert message in str(info.value)
            assert deployments.get("keep").to_dict() == before
        # null is an empty patch, as kube-apiserver decodes it
        cs.rest.request("PATCH", path, body=b"null", content_type=content_type.value)
        after = deployments.get("keep")
        assert after.spec.replicas == 2 and after.spec.template.spec.containers
    finally:
        deployments.delete("keep")


def test_update_scale_still_takes_a_scale(cs: Clientset) -> None:
    deployments = cs.apps_v1.deployments("default")
    deployments.create(deployment("scaled"))
    try:
        scale = deployments.get_scale("scaled")
        assert isinstance(scale, Scale)
        scale.spec.replicas = 4
        assert deployments.update_scale("scaled", scale).spec.replicas == 4
        cm = cs.core_v1.config_maps("default").create(ConfigMap(metadata=ObjectMeta(name="c")))
        assert cm.metadata.name == "c"
        cs.core_v1.config_maps("default").delete("c")
    finally:
        deployments.delete("scaled")


# -- found by QA: datetimes on the wire (issue 7 §8) ------------------------------------------


def test_a_naive_datetime_is_never_sent(recorder: LoopbackServer) -> None:
    """Assigned where a Time/MicroTime belongs, a zone-less datetime raises ValueError when
    the body is encoded (orjson alone wrote it without a zone) and nothing is sent."""
    recorder.requests.clear()
    naive = datetime(2024, 5, 6, 7, 8, 9)
    with pytest.raises(ValueError, match="naive datetime"):  # refused when the object is built
        Event(
            metadata=ObjectMeta(name="e"),
            involved_object=ObjectReference(name="x"),
            event_time=naive,
        )
    event = Event(metadata=ObjectMeta(name="e"), involved_object=ObjectReference(name="x"))
    event.event_time = naive  # type: ignore[assignment]  # and when assigned later, on encode
    with RESTClient(Config(host=recorder.url), retry=NO_RETRY) as rest:
        with pytest.raises(ValueError, match="naive datetime"):
            Clientset(rest).core_v1.events("default").create(event)
    assert recorder.requests == []


def test_an_aware_datetime_is_sent_as_utc_microtime(cs: Clientset) -> None:
    """kube-apiserver parses it as a MicroTime (and as a Time, which also takes fractions)."""
    event_time = datetime(2024, 5, 6, 9, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    event = Event(
        metadata=ObjectMeta(name="aware"),
        involved_object=ObjectReference(name="x"),
        event_time=event_time,
        # what kube-apiserver requires of an Event with an eventTime
        reporting_component="tests.example.com/writer",
        reporting_instance="writer-1",
        action="Write",
        reason="Written",
    )
    created = cs.core_v1.events("default").create(event)
    assert created.event_time == "2024-05-06T07:08:09.123456Z"
    assert created.event_time.to_datetime() == event_time
    cs.core_v1.events("default").delete("aware")
