"""kube-apiserver's Go defaulters of built-in kinds (:mod:`kubecore.testing.builtindefaults`)
on every write, read back through the typed clients from the test API server (real HTTP)
and from the fake clientset, which share the write path (``kubecore.testing.writes``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes import fake as kube_fake
from kube_clientgen_api.kubernetes.apps.v1 import DaemonSet, Deployment, ReplicaSet, StatefulSet
from kube_clientgen_api.kubernetes.batch.v1 import CronJob, Job
from kube_clientgen_api.kubernetes.core.v1 import Pod, Secret, Service
from kubecore import PatchType, load_config
from kubecore.testing import TestApiServer
from kubecore.testing.builtindefaults import default_builtin
from tests.conftest import REPO

SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"

POD_SPEC_DEFAULTS = {
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "schedulerName": "default-scheduler",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
}
CONTAINER_DEFAULTS = {
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
}


@pytest.fixture(params=["server", "fake"])
def kube(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "fake":
        fake = kube_fake.Clientset()  # no specs: the package's own resource list
        try:
            yield fake
        finally:
            fake.tracker.close()
        return
    with TestApiServer([SWAGGER]) as server:
        clientset = Clientset.from_config(load_config(server.kubeconfig_path))
        try:
            yield clientset
        finally:
            clientset.close()


def template(*containers: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": list(containers) or [{"name": "c", "image": "nginx:1"}]},
    }


def workload(name: str, **spec: Any) -> dict[str, Any]:
    body = {"selector": {"matchLabels": {"app": "web"}}, "template": template(), **spec}
    return {"metadata": {"name": name}, "spec": body}


def test_deployment_defaults_on_create_update_and_patch(kube: Any) -> None:
    deployments = kube.apps_v1.deployments("default")
    created = deployments.create(Deployment.from_dict(workload("web"))).to_dict()
    spec = created["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    assert (spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (10, 600)
    pod_spec = spec["template"]["spec"]
    assert {k: pod_spec[k] for k in POD_SPEC_DEFAULTS} == POD_SPEC_DEFAULTS
    assert "enableServiceLinks" not in pod_spec  # SetDefaults_Pod only, not templates
    assert pod_spec["containers"] == [
        {"name": "c", "image": "nginx:1", "imagePullPolicy": "IfNotPresent", **CONTAINER_DEFAULTS}
    ]
    assert deployments.get_scale("web").spec.replicas == 1

    # an update that drops replicas gets 1 again; 0 is a value and stays
    stored = deployments.get("web")
    stored.spec.replicas = None
    assert deployments.update(stored).spec.replicas == 1
    zero = deployments.patch("web", {"spec": {"replicas": 0}}, patch_type=PatchType.MERGE)
    assert zero.spec.replicas == 0
    dropped = deployments.patch("web", {"spec": {"replicas": None}}, patch_type=PatchType.MERGE)
    assert dropped.spec.replicas == 1
    # a Recreate strategy gets no rollingUpdate
    recreate = deployments.create(
        Deployment.from_dict(workload("re", strategy={"type": "Recreate"}))
    ).to_dict()
    assert recreate["spec"]["strategy"] == {"type": "Recreate"}


def test_server_side_apply_creates_a_defaulted_object(kube: Any) -> None:
    deployments = kube.apps_v1.deployments("default")
    body = {"apiVersion": "apps/v1", "kind": "Deployment", **workload("applied")}
    applied = deployments.apply(Deployment.from_dict(body), field_manager="me").to_dict()
    assert applied["spec"]["replicas"] == 1
    assert applied["spec"]["template"]["spec"]["restartPolicy"] == "Always"


def test_pod_defaults(kube: Any) -> None:
    probe = {"httpGet": {"port": 8080}}
    pod = {
        "metadata": {"name": "p"},
        "spec": {
            "containers": [
                {
                    "name": "latest",
                    "image": "registry:5000/app:latest",
                    "ports": [{"containerPort": 80}],
                    "livenessProbe": probe,
                    "resources": {"limits": {"cpu": "1"}},
                },
                {"name": "untagged", "image": "registry:5000/app"},
                {"name": "digest", "image": "app@sha256:" + "0" * 64},
                {"name": "pinned", "image": "app:1.2", "imagePullPolicy": "Never"},
            ],
            "volumes": [{"name": "s", "secret": {"secretName": "x"}}, {"name": "none"}],
        },
    }
    created = kube.core_v1.pods("default").create(Pod.from_dict(pod)).to_dict()
    spec = created["spec"]
    assert {k: spec[k] for k in POD_SPEC_DEFAULTS} == POD_SPEC_DEFAULTS
    assert spec["enableServiceLinks"] is True
    pulls = [c["imagePullPolicy"] for c in spec["containers"]]
    assert pulls == ["Always", "Always", "IfNotPresent", "Never"]
    first = spec["containers"][0]
    assert first["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert first["livenessProbe"] == {
        "httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert first["resources"] == {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}
    assert spec["volumes"] == [
        {"name": "s", "secret": {"secretName": "x", "defaultMode": 420}},
        {"name": "none", "emptyDir": {}},
    ]


def test_host_network_ports_get_host_ports_in_pods_only(kube: Any) -> None:
    container = {"name": "c", "image": "nginx:1", "ports": [{"containerPort": 80}]}
    spec = {"hostNetwork": True, "containers": [container]}
    pod = kube.core_v1.pods("default").create(
        Pod.from_dict({"metadata": {"name": "h"}, "spec": spec})
    )
    assert pod.to_dict()["spec"]["containers"][0]["ports"] == [
        {"containerPort": 80, "hostPort": 80, "protocol": "TCP"}
    ]
    body = workload("h")
    body["spec"]["template"]["spec"] = spec
    deployment = kube.apps_v1.deployments("default").create(Deployment.from_dict(body))
    ports = deployment.to_dict()["spec"]["template"]["spec"]["containers"][0]["ports"]
    assert ports == [{"containerPort": 80, "protocol": "TCP"}]


def test_other_workloads(kube: Any) -> None:
    apps = kube.apps_v1
    rs = apps.replica_sets("default").create(ReplicaSet.from_dict(workload("rs"))).to_dict()
    assert rs["spec"]["replicas"] == 1
    sts = apps.stateful_sets("default").create(StatefulSet.from_dict(workload("sts"))).to_dict()
    assert {k: sts["spec"][k] for k in ("replicas", "podManagementPolicy")} == {
        "replicas": 1,
        "podManagementPolicy": "OrderedReady",
    }
    assert sts["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"partition": 0},
    }
    assert sts["spec"]["persistentVolumeClaimRetentionPolicy"] == {
        "whenDeleted": "Retain",
        "whenScaled": "Retain",
    }
    ds = apps.daemon_sets("default").create(DaemonSet.from_dict(workload("ds"))).to_dict()
    assert ds["spec"]["updateStrategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
    }
    for obj in (rs, sts, ds):
        assert obj["spec"]["template"]["spec"]["restartPolicy"] == "Always"
    assert (sts["spec"]["revisionHistoryLimit"], ds["spec"]["revisionHistoryLimit"]) == (10, 10)


def test_job_and_cron_job(kube: Any) -> None:
    job_template = template({"name": "c", "image": "busybox"})
    job_template["spec"]["restartPolicy"] = "Never"
    job = {"metadata": {"name": "j"}, "spec": {"template": job_template}}
    created = kube.batch_v1.jobs("default").create(Job.from_dict(job)).to_dict()["spec"]
    assert {k: created[k] for k in created if k not in ("template", "selector")} == {
        "completions": 1,
        "parallelism": 1,
        "backoffLimit": 6,
        "completionMode": "NonIndexed",
        "suspend": False,
        "podReplacementPolicy": "TerminatingOrFailed",
    }
    assert created["template"]["spec"]["restartPolicy"] == "Never"  # set: kept
    assert created["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"
    cron = {
        "metadata": {"name": "cj"},
        "spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": job_template}}},
    }
    cj = kube.batch_v1.cron_jobs("default").create(CronJob.from_dict(cron)).to_dict()["spec"]
    assert (cj["concurrencyPolicy"], cj["suspend"]) == ("Allow", False)
    assert (cj["successfulJobsHistoryLimit"], cj["failedJobsHistoryLimit"]) == (3, 1)
    pod_spec = cj["jobTemplate"]["spec"]["template"]["spec"]
    assert pod_spec["dnsPolicy"] == "ClusterFirst"


def test_service_and_secret(kube: Any) -> None:
    services = kube.core_v1.services("default")
    plain = {
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
    }
    spec = services.create(Service.from_dict(plain)).to_dict()["spec"]
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert {k: spec[k] for k in ("type", "sessionAffinity", "ipFamilyPolicy", "ipFamilies")} == {
        "type": "ClusterIP",
        "sessionAffinity": "None",
        "ipFamilyPolicy": "SingleStack",
        "ipFamilies": ["IPv4"],
    }
    headless = {"metadata": {"name": "hl"}, "spec": {"clusterIP": "None"}}
    assert services.create(Service.from_dict(headless)).spec.ip_family_policy == (
        "RequireDualStack"
    )
    external = {
        "metadata": {"name": "ext"},
        "spec": {"type": "ExternalName", "externalName": "a.b"},
    }
    assert services.create(Service.from_dict(external)).spec.ip_family_policy is None
    secret = kube.core_v1.secrets("default").create(Secret.from_dict({"metadata": {"name": "s"}}))
    assert secret.type == "Opaque"


def test_default_builtin_leaves_its_argument_alone() -> None:
    body = {"metadata": {"name": "s"}}
    assert default_builtin("", "v1", "secrets", body) == {
        "metadata": {"name": "s"},
        "type": "Opaque",
    }
    assert body == {"metadata": {"name": "s"}}
    config_map = {"metadata": {"name": "c"}}
    assert default_builtin("", "v1", "configmaps", config_map) is config_map
