"""Seed 000: the dynamic client on unstructured objects, as client-go's
dynamic-create-update-delete-deployment example. Run: python examples/dynamic_deployment.py"""

from __future__ import annotations

import kubecore
from kubecore.client import unstructured as u

DEPLOYMENTS = kubecore.GroupVersionResource("apps", "v1", "deployments")


def main(namespace: str = "default") -> None:
    with kubecore.DynamicClient(kubecore.load_config()) as client:
        deployments = client.resource(DEPLOYMENTS).namespace(namespace)
        deployment = u.Unstructured(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "demo-deployment"},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": {"app": "demo"}},
                    "template": {
                        "metadata": {"labels": {"app": "demo"}},
                        "spec": {"containers": [{"name": "web", "image": "nginx:1.12"}]},
                    },
                },
            }
        )
        print("Creating deployment...")
        created = deployments.create(deployment)
        print(f"Created deployment {created.name!r}.")

        def update() -> None:
            current = deployments.get("demo-deployment")
            u.set_nested_field(current.object, 1, "spec", "replicas")
            containers, _ = u.nested_slice(current.object, "spec", "template", "spec", "containers")
            containers[0]["image"] = "nginx:1.13"
            u.set_nested_field(current.object, containers, "spec", "template", "spec", "containers")
            deployments.update(current)

        print("Updating deployment...")
        kubecore.retry_on_conflict(update)
        print("Updated deployment...")
        for item in deployments.list().items:
            replicas, _ = u.nested_int64(item.object, "spec", "replicas")
            print(f" * {item.name} ({replicas} replicas)")
        print("Deleting deployment...")
        deployments.delete("demo-deployment", propagation_policy="Foreground")
        print("Deleted deployment.")


if __name__ == "__main__":
    main()
