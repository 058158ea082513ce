"""Packages kube-clientgen generated and ships: ``kube_clientgen_api.kubernetes`` (the built-in
Kubernetes 1.36 API, the same as ``kube-clientgen generate kubernetes:1.36``) and
``kube_clientgen_api.virtualmachine`` (the seed CRD ``virtualmachines.cloud.waibizi.com``).

Everything below this folder is generated; never edit it by hand.
"""
