"""The test API server's field selectors per kind, as kube-apiserver's (unsupported: 400)."""

from __future__ import annotations

import uuid

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.core.v1 import Container, Pod, PodSpec, Secret
from kubecore.client.errors import ApiError
from kubecore.core.generated.meta_v1 import ObjectMeta


def _pod(cs: Clientset, node: str) -> Pod:
    name = f"p-{uuid.uuid4().hex[:8]}"
    spec = PodSpec(node_name=node, containers=[Container(name="a", image="nginx")])
    return cs.core_v1.pods("default").create(Pod(metadata=ObjectMeta(name=name), spec=spec))


def test_pod_fields(cs: Clientset) -> None:
    node = f"node-{uuid.uuid4().hex[:6]}"
    on_node, elsewhere = _pod(cs, node), _pod(cs, node + "-b")
    pods = cs.core_v1.pods("default")
    assert [p.metadata.name for p in pods.list(field_selector=f"spec.nodeName={node}").items] == [
        on_node.metadata.name
    ]
    names = {p.metadata.name for p in pods.list(field_selector=f"spec.nodeName!={node}").items}
    assert elsewhere.metadata.name in names and on_node.metadata.name not in names
    # A missing boolean is Go's zero value.
    chosen = pods.list(field_selector=f"spec.hostNetwork=false,spec.nodeName=={node}").items
    assert [p.metadata.name for p in chosen] == [on_node.metadata.name]


def test_secret_type(cs: Clientset) -> None:
    name = f"s-{uuid.uuid4().hex[:8]}"
    cs.core_v1.secrets("default").create(
        Secret(metadata=ObjectMeta(name=name), type="example.com/token")
    )
    found = cs.core_v1.secrets("default").list(field_selector="type=example.com/token").items
    assert [s.metadata.name for s in found] == [name]


@pytest.mark.parametrize(
    ("resource", "label"),
    [("config_maps", "data.a"), ("pods", "type"), ("secrets", "spec.nodeName")],
)
def test_unsupported_labels_answer_400(cs: Clientset, resource: str, label: str) -> None:
    with pytest.raises(ApiError) as caught:
        getattr(cs.core_v1, resource)("default").list(field_selector=f"{label}=x")
    assert caught.value.status == 400
    assert f"field label not supported: {label}" in str(caught.value)
