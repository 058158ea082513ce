# Checked by mypy in tests/unit/test_fake_clientset.py; never executed.
from kube_clientgen_api.kubernetes import Interface as KubeInterface
from kube_clientgen_api.kubernetes.fake import Clientset as KubeFake
from kube_clientgen_api.virtualmachine import Interface
from kube_clientgen_api.virtualmachine.fake import Clientset as FakeClientset

fake = FakeClientset()
cs: Interface = fake  # the fake satisfies the real clientset's Protocol
reveal_type(cs.cloud_waibizi_com_v1.virtual_machines("default").get("vm1"))  # noqa: F821
kube: KubeInterface = KubeFake()
reveal_type(kube.core_v1.pods("ns").get("p"))  # noqa: F821
reveal_type(fake.actions())  # noqa: F821
wrong: KubeInterface = fake  # the VM fake is not a kubernetes clientset
