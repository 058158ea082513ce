"""Seed 003: a typed clientset for a CRD someone else defined (cloud.waibizi.com
VirtualMachine), generated from examples/crds/virtualmachine.yaml.
Run: python examples/virtualmachine_clientset.py"""

from __future__ import annotations

from pathlib import Path

import kubecore
from kube_clientgen_api.virtualmachine import Clientset, scheme
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kubecore.core import yamlio

MANIFEST = Path(__file__).parent / "manifests" / "public-wx.yaml"


def main(namespace: str = "default") -> None:
    with Clientset.from_config(kubecore.load_config()) as cs:
        vms = cs.cloud_waibizi_com_v1.virtual_machines(namespace)
        (document,) = yamlio.load_all(MANIFEST.read_text())
        vm = scheme.from_dict(document)
        assert isinstance(vm, VirtualMachine)
        created = vms.create(vm)
        assert created.metadata is not None and created.spec is not None
        print(
            f"created {created.metadata.name}: image {created.spec.image}, {created.spec.memory} MiB"
        )
        created.spec.status = "running"
        updated = vms.update(created)
        assert updated.spec is not None
        print(f"status {updated.spec.status}")
        for item in vms.list().items or []:
            assert item.metadata is not None
            print(f" * {item.metadata.name}")
        vms.delete("public-wx")
        print("deleted public-wx")


if __name__ == "__main__":
    main()
