# Checked by mypy in tests/unit/test_client_typing.py; never executed.
from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kubecore import load_config

cs = Clientset.from_config(load_config())
reveal_type(cs.core_v1.pods("ns").get("x"))  # noqa: F821
reveal_type(cs.core_v1.pods("ns").list())  # noqa: F821
reveal_type(cs.apps_v1.deployments("ns").get_scale("web"))  # noqa: F821
reveal_type(cs.core_v1.nodes().get("n1"))  # noqa: F821
vms = VMClientset.from_config(load_config()).cloud_waibizi_com_v1.virtual_machines("d")
reveal_type(vms.get("vm1"))  # noqa: F821
cs.core_v1.nodes("ns")  # cluster-scoped: a namespace is an error
cs.core_v1.pods()  # namespaced: the namespace is required
cs.core_v1.bindings("ns").get("x")  # bindings only support create
