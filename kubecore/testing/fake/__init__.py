"""Fake clients for tests: client-go's ``kubernetes/fake``, ``dynamic/fake`` and
``k8s.io/client-go/testing`` (actions and reactors).

Every generated package has a ``fake`` module::

    from kube_clientgen_api.virtualmachine.fake import Clientset as FakeClientset

    fake = FakeClientset(vm1, vm2)                 # preloaded in its object tracker
    fake.prepend_reactor("update", "virtualmachines", react)  # inject errors or answers
    fake.cloud_waibizi_com_v1.virtual_machines("default").get("vm1")
    fake.actions()                                 # what the code under test did

The fake clientset *is* the real clientset (a subclass) over an in-process REST backend:
requests become :class:`Action` s, run through the reactor chain, and fall back to the
same :class:`~kubecore.testing.tracker.Tracker` the test API server serves, so verbs,
decoding, typed errors, resourceVersion conflicts, patches and watches behave as against
the server.
"""

from kubecore.testing.fake.actions import VERBS, Action
from kubecore.testing.fake.clientsets import FakeClientset, FakeDynamicClient, resource_table
from kubecore.testing.fake.fake import Fake, ReactionFunc, WatchReactionFunc
from kubecore.testing.fake.rest import FakeRESTClient
from kubecore.testing.fake.tracker_reactions import ObjectReaction, WatchReaction
from kubecore.testing.fake.watcher import FakeWatcher

__all__ = [
    "VERBS",
    "Action",
    "Fake",
    "FakeClientset",
    "FakeDynamicClient",
    "FakeRESTClient",
    "FakeWatcher",
    "ObjectReaction",
    "ReactionFunc",
    "WatchReaction",
    "WatchReactionFunc",
    "resource_table",
]
