"""Seeds 001/002: load the kubeconfig, build a clientset, list pods (like client-go's
out-of-cluster example). Run: python examples/list_pods.py [NAMESPACE]"""

from __future__ import annotations

import sys

import kubecore
from kube_clientgen_api.kubernetes import Clientset


def main(namespace: str = "") -> None:
    with Clientset.from_config(kubecore.load_config()) as cs:
        pods = cs.core_v1.pods(namespace).list()
        print(f"There are {len(pods.items or [])} pods in the cluster")
        for pod in pods.items or []:
            assert pod.metadata is not None
            phase = pod.status.phase if pod.status else None
            print(f"{pod.metadata.namespace}/{pod.metadata.name} {phase}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
