"""The reconcile runner: :class:`Controller`, its requests and results, predicates and
event-to-request mapping (controller-runtime's ``builder``, ``controller``, ``reconcile``,
``predicate`` and ``handler`` packages; kube-rs's ``Controller``).

Metrics go to ``prometheus_client`` when it is installed (the ``metrics`` extra); leader
election is any elector with client-go's shape (:mod:`kubecore.runtime.controller.leader`).
"""

from kubecore.runtime.controller.controller import CacheSyncTimeout, Controller, Reconciler
from kubecore.runtime.controller.handlers import MapFunc, enqueue_for_object, enqueue_for_owner
from kubecore.runtime.controller.leader import Elector, ElectorFactory, LeaderElectionLost
from kubecore.runtime.controller.predicates import (
    AnnotationChangedPredicate,
    Funcs,
    GenerationChangedPredicate,
    LabelChangedPredicate,
    Predicate,
    PredicateLike,
    ResourceVersionChangedPredicate,
    and_,
    as_predicate,
    not_,
    or_,
)
from kubecore.runtime.controller.request import Request, Result, TerminalError
from kubecore.runtime.controller.source import informer_for

__all__ = [
    "AnnotationChangedPredicate",
    "CacheSyncTimeout",
    "Controller",
    "Elector",
    "ElectorFactory",
    "Funcs",
    "GenerationChangedPredicate",
    "LabelChangedPredicate",
    "LeaderElectionLost",
    "MapFunc",
    "Predicate",
    "PredicateLike",
    "Reconciler",
    "Request",
    "ResourceVersionChangedPredicate",
    "Result",
    "TerminalError",
    "and_",
    "as_predicate",
    "enqueue_for_object",
    "enqueue_for_owner",
    "informer_for",
    "not_",
    "or_",
]
