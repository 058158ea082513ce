# Checked by mypy in tests/unit/test_controller_parts.py; never executed.
import threading

from kube_clientgen_api.kubernetes.core.v1 import ConfigMap
from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kubecore import load_config
from kubecore.runtime.controller import Controller, GenerationChangedPredicate, Request, Result


def reconcile(request: Request) -> Result | None:
    reveal_type(controller.get(VirtualMachine, request))  # noqa: F821
    reveal_type(controller.get(ConfigMap, request))  # noqa: F821
    return Result(requeue_after=5.0)


def wrong(request: str) -> None: ...


controller = Controller(
    reconcile,
    for_=VirtualMachine,
    owns=[ConfigMap],
    client=VMClientset.from_config(load_config()),
    workers=4,
    for_predicates=[GenerationChangedPredicate(), lambda vm: True],
)
reveal_type(controller.informer(VirtualMachine).get_indexer().list())  # noqa: F821
Controller(wrong, for_=VirtualMachine, client=None)
controller.run(threading.Event())
