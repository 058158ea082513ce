"""A deterministic, realistic PodList for the benchmarks.

``podlist_bytes(n)`` returns the compact JSON of a ``v1/PodList`` holding ``n`` pods
(2,000 by default, about 16 KB of JSON per pod, 31 MB in all), shaped like what ``kubectl get pods -o json``
returns from a busy cluster: Deployment-owned pods with labels, annotations (including a
large ``kubectl.kubernetes.io/last-applied-configuration``), ownerReferences, managedFields
with ``fieldsV1`` trees, 2-3 containers with env lists, ports, resource quantities, volume
mounts, probes and security contexts, projected service-account token volumes, tolerations,
affinity and a full status (conditions with ``lastProbeTime: null``, container statuses with
state / lastState / started, pod IPs, QoS class).

Two fields the 1.36 schema does not know are included on purpose, inside typed structs
(``spec.futureField`` and ``status.containerStatuses[].someNewThing``), as a newer server
would send them: a lossless decoder must carry them through to the encoded output.

Everything is derived from a seeded ``random.Random``: the same ``(n, seed)`` always gives the
same bytes.

Run as a script to write the file: ``python bench/podlist.py [N] [--out FILE]``.
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_PODS = 2000
DEFAULT_SEED = 20260501

_EPOCH = datetime(2026, 3, 1, tzinfo=UTC)
_TEAMS = ("payments", "search", "checkout", "identity", "platform", "data", "ml", "edge")
_APPS = (
    "api",
    "web",
    "worker",
    "gateway",
    "indexer",
    "scheduler",
    "notifier",
    "ingest",
    "billing",
    "auth",
    "catalog",
    "recommender",
    "frontend",
    "cache-warmer",
    "exporter",
    "reporter",
)
_REGISTRY = ("registry.example.com", "ghcr.io/example-org", "eu.gcr.io/example-prod")
_SIDECARS = (
    ("istio-proxy", "docker.io/istio/proxyv2:1.27.1", 15090, "http-envoy-prom"),
    ("log-shipper", "docker.io/fluent/fluent-bit:4.0.3", 2020, "http-metrics"),
    ("cloud-sql-proxy", "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0", 9801, "admin"),
)
_NODE_ZONES = ("europe-west1-b", "europe-west1-c", "europe-west1-d")


def _ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _suffix(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))


def _uid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _word(rng: random.Random, lo: int = 4, hi: int = 12) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(lo, hi)))


# --------------------------------------------------------------------------- workloads


def _env(rng: random.Random, app: str, count: int) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {
            "name": "POD_NAME",
            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
        },
        {
            "name": "GOMEMLIMIT",
            "valueFrom": {"resourceFieldRef": {"divisor": "0", "resource": "limits.memory"}},
        },
        {
            "name": "DATABASE_PASSWORD",
            "valueFrom": {"secretKeyRef": {"key": "password", "name": f"{app}-db"}},
        },
        {
            "name": "FEATURE_FLAGS",
            "valueFrom": {
                "configMapKeyRef": {"key": "flags", "name": f"{app}-config", "optional": True}
            },
        },
    ]
    for _ in range(count - len(env)):
        name = "_".join(_word(rng, 3, 8).upper() for _ in range(rng.randint(2, 3)))
        value = rng.choice(
            (
                str(rng.randint(1, 65535)),
                rng.choice(("true", "false")),
                f"https://{_word(rng)}.{_word(rng)}.svc.cluster.local:{rng.randint(1000, 9999)}/{_word(rng)}",
                _word(rng, 6, 24),
                "",
            )
        )
        env.append({"name": name, "value": value})
    return env


def _probe(rng: random.Random, port: Any, path: str, **extra: int) -> dict[str, Any]:
    probe: dict[str, Any] = {
        "failureThreshold": rng.choice((3, 5, 10)),
        "httpGet": {"path": path, "port": port, "scheme": "HTTP"},
        "periodSeconds": rng.choice((5, 10, 15)),
        "successThreshold": 1,
        "timeoutSeconds": rng.choice((1, 2, 5)),
    }
    probe.update(extra)
    return probe


def _main_container(rng: random.Random, app: str, team: str) -> dict[str, Any]:
    cpu = ("100m", "250m", "500m", "1", "1500m", "2", "4")
    mem = ("128Mi", "256Mi", "512Mi", "1Gi", "1536Mi", "2Gi", "4Gi")
    lo, hi = sorted(rng.sample(range(len(cpu)), 2))
    cpu_req, cpu_lim = cpu[lo], cpu[hi]
    lo, hi = sorted(rng.sample(range(len(mem)), 2))
    mem_req, mem_lim = mem[lo], mem[hi]
    version = f"{rng.randint(1, 4)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"
    return {
        "args": [
            "--config=/etc/app/config.yaml",
            f"--log-level={rng.choice(('info', 'debug'))}",
            "--metrics-port=9090",
        ],
        "command": [f"/usr/local/bin/{app}", "serve"],
        "env": _env(rng, app, rng.randint(5, 7)),
        "image": f"{rng.choice(_REGISTRY)}/{team}/{app}:v{version}",
        "imagePullPolicy": "IfNotPresent",
        "livenessProbe": _probe(rng, "http", "/healthz", initialDelaySeconds=10),
        "name": app,
        "ports": [
            {"containerPort": 8080, "name": "http", "protocol": "TCP"},
            {"containerPort": 9090, "name": "metrics", "protocol": "TCP"},
        ],
        "readinessProbe": _probe(rng, 8080, "/readyz"),
        "resources": {
            "limits": {"cpu": cpu_lim, "memory": mem_lim, "ephemeral-storage": "2Gi"},
            "requests": {"cpu": cpu_req, "memory": mem_req, "ephemeral-storage": "500Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [
            {"mountPath": "/etc/app", "name": "config", "readOnly": True},
            {"mountPath": "/etc/tls", "name": "tls", "readOnly": True},
            {"mountPath": "/tmp", "name": "tmp"},
        ],
    }


def _sidecar(rng: random.Random, spec: tuple[str, str, int, str]) -> dict[str, Any]:
    name, image, port, port_name = spec
    return {
        "args": ["proxy", "sidecar", "--concurrency", "2"],
        "env": [
            {
                "name": "POD_NAMESPACE",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
            },
            {
                "name": "INSTANCE_IP",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}},
            },
        ],
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "name": name,
        "ports": [{"containerPort": port, "name": port_name, "protocol": "TCP"}],
        "resources": {
            "limits": {"cpu": "2", "memory": "1Gi"},
            "requests": {
                "cpu": rng.choice(("10m", "50m", "100m")),
                "memory": rng.choice(("40Mi", "64Mi", "128Mi")),
            },
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsGroup": 1337,
            "runAsNonRoot": True,
            "runAsUser": 1337,
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [{"mountPath": "/var/run/secrets/tokens", "name": "tmp"}],
    }


def _workload(rng: random.Random, index: int) -> dict[str, Any]:
    app = _APPS[index % len(_APPS)] + ("" if index < len(_APPS) else f"-{index // len(_APPS)}")
    team = _TEAMS[index % len(_TEAMS)]
    containers = [_main_container(rng, app, team)]
    for spec in rng.sample(_SIDECARS, rng.choice((1, 1, 2))):
        containers.append(_sidecar(rng, spec))
    labels = {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": team,
        "app.kubernetes.io/version": containers[0]["image"].rsplit(":", 1)[1],
        "app.kubernetes.io/managed-by": "Helm",
        "team": team,
        "tier": rng.choice(("frontend", "backend", "batch")),
    }
    return {
        "app": app,
        "team": team,
        "namespace": f"{team}-prod",
        "labels": labels,
        "containers": containers,
        "rs_hash": _suffix(rng, 10),
        "rs_uid": _uid(rng),
        "created": _EPOCH + timedelta(minutes=rng.randint(0, 60 * 24 * 30)),
    }


# --------------------------------------------------------------------------- objects


def _fields_v1_spec(pod: dict[str, Any]) -> dict[str, Any]:
    """The managedFields tree the ReplicaSet controller owns, derived from the pod spec."""

    def keyed(items: list[dict[str, Any]], key: str, inner: Any) -> dict[str, Any]:
        return {
            (
                f'k:{{"{key}":"{item[key]}"}}'
                if isinstance(item[key], str)
                else f'k:{{"{key}":{item[key]}}}'
            ): inner(item)
            for item in items
        }

    def leaf(obj: dict[str, Any]) -> dict[str, Any]:
        tree: dict[str, Any] = {".": {}}
        for k, v in obj.items():
            tree[f"f:{k}"] = leaf(v) if isinstance(v, dict) else {}
        return tree

    def container(c: dict[str, Any]) -> dict[str, Any]:
        tree: dict[str, Any] = {".": {}}
        for k, v in c.items():
            if k == "env":
                tree["f:env"] = {".": {}, **keyed(v, "name", leaf)}
            elif k == "ports":
                tree["f:ports"] = {".": {}, **keyed(v, "containerPort", leaf)}
            elif k == "volumeMounts":
                tree["f:volumeMounts"] = {".": {}, **keyed(v, "mountPath", leaf)}
            elif isinstance(v, dict):
                tree[f"f:{k}"] = leaf(v)
            else:
                tree[f"f:{k}"] = {}
        return tree

    spec = pod["spec"]
    meta = pod["metadata"]
    tree: dict[str, Any] = {
        "f:metadata": {
            "f:annotations": {".": {}, **{f"f:{k}": {} for k in meta["annotations"]}},
            "f:generateName": {},
            "f:labels": {".": {}, **{f"f:{k}": {} for k in meta["labels"]}},
            "f:ownerReferences": {
                ".": {},
                f'k:{{"uid":"{meta["ownerReferences"][0]["uid"]}"}}': {},
            },
        },
        "f:spec": {
            "f:affinity": leaf(spec["affinity"]),
            "f:containers": keyed(spec["containers"], "name", container),
            "f:dnsPolicy": {},
            "f:enableServiceLinks": {},
            "f:restartPolicy": {},
            "f:schedulerName": {},
            "f:securityContext": leaf(spec["securityContext"]),
            "f:serviceAccount": {},
            "f:serviceAccountName": {},
            "f:terminationGracePeriodSeconds": {},
            "f:volumes": {".": {}, **keyed(spec["volumes"], "name", leaf)},
        },
    }
    return tree


def _fields_v1_status(pod: dict[str, Any]) -> dict[str, Any]:
    status = pod["status"]
    return {
        "f:status": {
            "f:conditions": {
                f'k:{{"type":"{c["type"]}"}}': {
                    ".": {},
                    "f:lastProbeTime": {},
                    "f:lastTransitionTime": {},
                    "f:status": {},
                    "f:type": {},
                }
                for c in status["conditions"]
            },
            "f:containerStatuses": {},
            "f:hostIP": {},
            "f:hostIPs": {},
            "f:phase": {},
            "f:podIP": {},
            "f:podIPs": {
                ".": {},
                **{f'k:{{"ip":"{ip["ip"]}"}}': {".": {}, "f:ip": {}} for ip in status["podIPs"]},
            },
            "f:startTime": {},
        }
    }


def _last_applied(w: dict[str, Any]) -> str:
    """What ``kubectl apply`` leaves behind: the applied manifest as one compact JSON string."""
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "annotations": {},
            "labels": w["labels"],
            "name": w["app"],
            "namespace": w["namespace"],
        },
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app.kubernetes.io/name": w["app"]}},
            "template": {
                "metadata": {"labels": w["labels"]},
                "spec": {
                    "containers": [
                        {k: c[k] for k in ("name", "image", "ports", "resources") if k in c}
                        for c in w["containers"]
                    ],
                    "serviceAccountName": w["app"],
                },
            },
        },
    }
    return json.dumps(manifest, separators=(",", ":"), sort_keys=True) + "\n"


def _pod(rng: random.Random, w: dict[str, Any]) -> dict[str, Any]:
    name = f"{w['app']}-{w['rs_hash']}-{_suffix(rng, 5)}"
    created = w["created"] + timedelta(seconds=rng.randint(0, 86400 * 5))
    scheduled = created + timedelta(seconds=rng.randint(0, 3))
    started = scheduled + timedelta(seconds=rng.randint(1, 20))
    ready = started + timedelta(seconds=rng.randint(2, 60))
    zone = rng.choice(_NODE_ZONES)
    node = f"gke-prod-{zone[-1]}-pool-{rng.randint(1, 6)}-{_hex(rng, 8)}-{_suffix(rng, 4)}"
    pod_ip = f"10.{rng.randint(8, 63)}.{rng.randint(0, 255)}.{rng.randint(2, 254)}"
    host_ip = f"10.132.{rng.randint(0, 15)}.{rng.randint(2, 254)}"
    token_volume = f"kube-api-access-{_suffix(rng, 5)}"
    containers = json.loads(json.dumps(w["containers"]))  # a private copy per pod
    for c in containers:
        c["volumeMounts"].append(
            {
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "name": token_volume,
                "readOnly": True,
            }
        )
    annotations = {
        "kubectl.kubernetes.io/last-applied-configuration": _last_applied(w),
        "kubectl.kubernetes.io/restartedAt": _ts(w["created"]),
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9090",
        "checksum/config": _hex(rng, 64),
    }
    labels = dict(w["labels"], **{"pod-template-hash": w["rs_hash"]})
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": annotations,
            "creationTimestamp": _ts(created),
            "generateName": f"{w['app']}-{w['rs_hash']}-",
            "labels": labels,
            "name": name,
            "namespace": w["namespace"],
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "ReplicaSet",
                    "name": f"{w['app']}-{w['rs_hash']}",
                    "uid": w["rs_uid"],
                }
            ],
            "resourceVersion": str(rng.randint(10_000_000, 999_999_999)),
            "uid": _uid(rng),
        },
        "spec": {
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {
                                "matchExpressions": [
                                    {
                                        "key": "cloud.google.com/gke-nodepool",
                                        "operator": "In",
                                        "values": ["pool-1", "pool-2", "pool-3"],
                                    },
                                ]
                            }
                        ]
                    }
                },
                "podAntiAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "podAffinityTerm": {
                                "labelSelector": {
                                    "matchExpressions": [
                                        {
                                            "key": "app.kubernetes.io/name",
                                            "operator": "In",
                                            "values": [w["app"]],
                                        }
                                    ]
                                },
                                "topologyKey": "topology.kubernetes.io/zone",
                            },
                            "weight": 100,
                        }
                    ]
                },
            },
            "containers": containers,
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True,
            "futureField": {
                "mode": "Strict",
                "budget": rng.randint(1, 9),
            },  # unknown to the 1.36 schema
            "nodeName": node,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {
                "fsGroup": 10001,
                "runAsNonRoot": True,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "serviceAccount": w["app"],
            "serviceAccountName": w["app"],
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "tolerationSeconds": 300,
                },
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "tolerationSeconds": 300,
                },
                {
                    "effect": "NoSchedule",
                    "key": "dedicated",
                    "operator": "Equal",
                    "value": w["team"],
                },
            ],
            "volumes": [
                {"configMap": {"defaultMode": 420, "name": f"{w['app']}-config"}, "name": "config"},
                {"name": "tls", "secret": {"defaultMode": 256, "secretName": f"{w['app']}-tls"}},
                {"emptyDir": {"sizeLimit": "64Mi"}, "name": "tmp"},
                {
                    "name": token_volume,
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {
                                "configMap": {
                                    "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                    "name": "kube-root-ca.crt",
                                }
                            },
                            {
                                "downwardAPI": {
                                    "items": [
                                        {
                                            "fieldRef": {
                                                "apiVersion": "v1",
                                                "fieldPath": "metadata.namespace",
                                            },
                                            "path": "namespace",
                                        }
                                    ]
                                }
                            },
                        ],
                    },
                },
            ],
        },
        "status": {
            "conditions": [
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": _ts(started),
                    "status": "True",
                    "type": "PodReadyToStartContainers",
                },
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": _ts(scheduled),
                    "status": "True",
                    "type": "Initialized",
                },
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": _ts(ready),
                    "status": "True",
                    "type": "Ready",
                },
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": _ts(ready),
                    "status": "True",
                    "type": "ContainersReady",
                },
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": _ts(scheduled),
                    "status": "True",
                    "type": "PodScheduled",
                },
            ],
            "containerStatuses": [],
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
            "phase": "Running",
            "podIP": pod_ip,
            "podIPs": [{"ip": pod_ip}],
            "qosClass": "Burstable",
            "startTime": _ts(scheduled),
        },
    }
    for c in sorted(containers, key=lambda c: c["name"]):
        restarts = rng.choice((0, 0, 0, 0, 1, 2, 7))
        status: dict[str, Any] = {
            "containerID": f"containerd://{_hex(rng, 64)}",
            "image": c["image"],
            "imageID": f"{c['image'].rsplit(':', 1)[0]}@sha256:{_hex(rng, 64)}",
            "lastState": {},
            "name": c["name"],
            "ready": True,
            "restartCount": restarts,
            "started": True,
            "state": {"running": {"startedAt": _ts(started + timedelta(seconds=restarts * 40))}},
            "someNewThing": {
                "checkpointed": False,
                "generation": rng.randint(1, 5),
            },  # unknown to 1.36
        }
        if restarts:
            status["lastState"] = {
                "terminated": {
                    "containerID": f"containerd://{_hex(rng, 64)}",
                    "exitCode": rng.choice((1, 137, 143)),
                    "finishedAt": _ts(started + timedelta(seconds=restarts * 40 - 5)),
                    "reason": rng.choice(("Error", "OOMKilled", "Completed")),
                    "startedAt": _ts(started + timedelta(seconds=restarts * 40 - 35)),
                }
            }
        pod["status"]["containerStatuses"].append(status)
    pod["metadata"]["managedFields"] = [
        {
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": _fields_v1_spec(pod),
            "manager": "kube-controller-manager",
            "operation": "Update",
            "time": _ts(created),
        },
        {
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": _fields_v1_status(pod),
            "manager": "kubelet",
            "operation": "Update",
            "subresource": "status",
            "time": _ts(ready),
        },
    ]
    return pod


# --------------------------------------------------------------------------- API


def pods(n: int = DEFAULT_PODS, seed: int = DEFAULT_SEED) -> list[dict[str, Any]]:
    """``n`` pod dicts, deterministic for ``(n, seed)``."""
    rng = random.Random(seed)
    workloads = [_workload(rng, i) for i in range(max(1, min(64, n // 25)))]
    return [_pod(rng, workloads[rng.randrange(len(workloads))]) for _ in range(n)]


def podlist(n: int = DEFAULT_PODS, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    return wrap(pods(n, seed))


def wrap(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``v1/PodList`` document holding ``items``.

    ``pods(n)`` is a prefix of ``pods(m)`` for ``m > n >= 1600``, so ``wrap(pods(10000)[:2000])``
    is the same document as ``podlist(2000)``.
    """
    return {
        "apiVersion": "v1",
        "items": items,
        "kind": "PodList",
        "metadata": {"resourceVersion": "987654321"},
    }


def dumps(value: Any) -> bytes:
    """Compact JSON bytes, as the apiserver writes them."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def podlist_bytes(n: int = DEFAULT_PODS, seed: int = DEFAULT_SEED) -> bytes:
    """The compact JSON bytes of a PodList of ``n`` pods (what the apiserver sends)."""
    return dumps(podlist(n, seed))


def pod_bytes_list(n: int, seed: int = DEFAULT_SEED) -> list[bytes]:
    """``n`` separate single-Pod JSON documents (for decoding each pod from its own bytes)."""
    return [dumps(p) for p in pods(n, seed)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=DEFAULT_PODS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", default="-", help="output file ('-' for stdout)")
    args = parser.parse_args(argv)
    data = podlist_bytes(args.n, args.seed)
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.out, "wb") as f:
            f.write(data)
        print(f"wrote {len(data):,} bytes ({args.n} pods) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
