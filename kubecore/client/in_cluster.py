"""In-cluster configuration: a pod's service account (client-go's ``rest.InClusterConfig``)."""

from __future__ import annotations

import logging
import os

from kubecore.client.config_build import check_header_value, normalize_host
from kubecore.client.config_types import SERVICE_ACCOUNT_DIR, Config, ConfigError
from kubecore.client.kubeconfig_files import read_bounded, read_file

__all__ = ["in_cluster_possible", "load_in_cluster_config"]

log = logging.getLogger("kubecore.client.config")


def in_cluster_possible(root: str) -> bool:
    token = os.path.join(root, SERVICE_ACCOUNT_DIR, "token")
    return (
        bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
        and bool(os.environ.get("KUBERNETES_SERVICE_PORT"))
        and os.path.isfile(token)
    )


def load_in_cluster_config(root: str | os.PathLike[str] = "/") -> Config:
    """Configuration of a pod's service account.

    Host from ``KUBERNETES_SERVICE_HOST``/``KUBERNETES_SERVICE_PORT``; token,
    CA and namespace from ``<root>/var/run/secrets/kubernetes.io/serviceaccount``.
    The token file is kept in ``token_file`` so that rotated (bound) tokens are
    picked up.  The namespace is ``$POD_NAMESPACE``, else the ``namespace``
    file, else ``"default"``.
    """
    host = os.environ.get("KUBERNETES_SERVICE_HOST", "")
    port = os.environ.get("KUBERNETES_SERVICE_PORT", "")
    if not host or not port:
        raise ConfigError(
            "unable to load in-cluster configuration: KUBERNETES_SERVICE_HOST "
            "and KUBERNETES_SERVICE_PORT must be defined"
        )
    sa_dir = os.path.join(os.fspath(root), SERVICE_ACCOUNT_DIR)
    token_path = os.path.join(sa_dir, "token")
    token = read_file(token_path, "in-cluster service account token")
    ca_path = os.path.join(sa_dir, "ca.crt")
    ca_data: bytes | None
    try:
        with open(ca_path, "rb") as fh:
            ca_data = read_bounded(fh, ca_path, "in-cluster CA")
    except OSError as exc:
        # client-go logs and carries on with the system trust store.
        log.warning("cannot read in-cluster CA %s: %s", ca_path, exc.strerror)
        ca_data = None
    namespace = os.environ.get("POD_NAMESPACE", "")
    if not namespace:
        ns_path = os.path.join(sa_dir, "namespace")
        try:
            with open(ns_path, encoding="utf-8") as fh:
                namespace = fh.read().strip()
        except OSError:
            namespace = ""
        except UnicodeDecodeError:
            raise ConfigError(f"in-cluster namespace file {ns_path} is not UTF-8 text") from None
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    where = "in-cluster configuration (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT)"
    url = normalize_host(f"https://{host}:{port}", where)
    token_text = token.decode("utf-8", "replace").strip() or None
    if token_text:
        check_header_value(token_text, f"token in {token_path}", "in-cluster service account")
    return Config(
        host=url,
        namespace=namespace or "default",
        ca_data=ca_data,
        ca_file=ca_path if ca_data is not None else None,
        token=token_text,
        token_file=token_path,
        in_cluster=True,
    )
