# Checked by mypy in tests/unit/test_client_typing.py; never executed.
import threading

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.informers import SharedInformerFactory as K8sFactory
from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kube_clientgen_api.virtualmachine.informers import SharedInformerFactory
from kubecore import load_config
from kubecore.runtime.keys import DeletedFinalStateUnknown

factory = SharedInformerFactory(VMClientset.from_config(load_config()), resync_period=30.0)
vms = factory.cloud_waibizi_com_v1.virtual_machines()
reveal_type(vms.lister().virtual_machines("default").get("x"))  # noqa: F821
reveal_type(vms.lister().list(label_selector="app=web"))  # noqa: F821


def on_update(old: VirtualMachine, new: VirtualMachine) -> None: ...


def on_delete(obj: VirtualMachine | DeletedFinalStateUnknown[VirtualMachine]) -> None: ...


vms.informer().add_event_handler(
    on_add=lambda obj: reveal_type(obj),  # noqa: F821
    on_update=on_update,
    on_delete=on_delete,
)
stop = threading.Event()
factory.start(stop)
reveal_type(factory.wait_for_cache_sync(stop))  # noqa: F821
k8s = K8sFactory(Clientset.from_config(load_config()))
reveal_type(k8s.core_v1.nodes().lister().get("n1"))  # noqa: F821
reveal_type(k8s.apps_v1.deployments().lister().deployments("ns").list())  # noqa: F821


def wrong(obj: int) -> None: ...


vms.informer().add_event_handler(on_add=wrong)  # handlers receive VirtualMachine, not int
k8s.core_v1.nodes().lister().nodes("ns")  # cluster-scoped listers have no namespace getter
