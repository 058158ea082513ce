"""Client configuration: kubeconfig files and in-cluster service accounts.

``load_config()`` follows the loading rules of client-go's ``clientcmd`` package
(what ``kubectl`` does):

1. an explicit ``kubeconfig`` path (it must exist);
2. otherwise ``$KUBECONFIG``, an ``os.pathsep``-separated list that is merged:
   for clusters, users and contexts the *first* file that defines a name wins
   (the whole entry; later entries of the same name are ignored), the first
   non-empty ``current-context`` wins, empty entries, duplicates and missing
   files are skipped;
3. otherwise ``~/.kube/config``;
4. if none of that selects a context, the in-cluster service account
   (``KUBERNETES_SERVICE_HOST`` / ``KUBERNETES_SERVICE_PORT`` and the files
   under ``/var/run/secrets/kubernetes.io/serviceaccount``).

An explicit ``kubeconfig`` path has ``~`` expanded (it is a Python argument, not shell
text); ``$KUBECONFIG`` entries are taken as kubectl takes them (no expansion). Relative
paths inside a kubeconfig are resolved against the directory of the file that defines
the entry; like client-go, ``~`` is *not* expanded there.

Values are read as kubectl reads them (YAML style and tags do not matter, see
``kubecore.client.kubeconfig_yaml``); what kubectl refuses raises ``ConfigError``
naming the file and the entry.

This module is the entry point; the work is done by small modules with one job each:
``config_types`` (``Config``, ``ConfigError``, exec settings), ``kubeconfig_yaml``
(text to data), ``kubeconfig_files`` (reading, shape checks, merging),
``config_build`` (entries to a ``Config``, value checks) and ``in_cluster``.

Like client-go, credentials and server-identification settings (CA,
``insecure-skip-tls-verify``, ``tls-server-name``) are only applied when the
server URL uses ``https``; a server without a scheme is treated as ``http``.

Secrets (tokens, passwords, private keys, certificate data, exec arguments and
environment values) never appear in ``repr()``/``str()`` or in error messages.
"""

from __future__ import annotations

import os

from kubecore.client.config_build import build_config, normalize_host
from kubecore.client.config_types import (
    DEFAULT_EXEC_INTERACTIVE_TIMEOUT,
    DEFAULT_EXEC_TIMEOUT,
    EXEC_API_VERSIONS,
    EXEC_CLUSTER_EXTENSION,
    INTERACTIVE_MODES,
    SERVICE_ACCOUNT_DIR,
    Config,
    ConfigError,
    ExecConfig,
    ExecEnvVar,
)
from kubecore.client.in_cluster import in_cluster_possible, load_in_cluster_config
from kubecore.client.kubeconfig_files import (
    MergedKubeconfig,
    default_kubeconfig_paths,
    load_merged,
)

__all__ = [
    "Config",
    "ConfigError",
    "DEFAULT_EXEC_INTERACTIVE_TIMEOUT",
    "DEFAULT_EXEC_TIMEOUT",
    "ExecConfig",
    "ExecEnvVar",
    "EXEC_API_VERSIONS",
    "EXEC_CLUSTER_EXTENSION",
    "INTERACTIVE_MODES",
    "SERVICE_ACCOUNT_DIR",
    "default_kubeconfig_paths",
    "load_config",
    "load_in_cluster_config",
    "load_kubeconfig",
]


def _selected_context(merged: MergedKubeconfig, context: str | None) -> str | None:
    return context or merged.current_context


def _nothing_configured_error(merged: MergedKubeconfig, paths: list[str]) -> ConfigError:
    if merged.files:
        available = ", ".join(sorted(repr(n) for n in merged.contexts)) or "none"
        return ConfigError(
            f"no current-context is set in {', '.join(merged.files)} and no context "
            f"was given (available contexts: {available})"
        )
    looked = ", ".join(paths) or "(none)"
    return ConfigError(
        f"no configuration has been provided: no kubeconfig file found (looked at: "
        f"{looked}) and not running inside a cluster"
    )


def _kubeconfig_paths(kubeconfig: str | os.PathLike[str] | None) -> list[str]:
    if kubeconfig is not None:
        path = os.fspath(kubeconfig)
        if not path:
            raise ConfigError("the kubeconfig path is empty")
        return [os.path.expanduser(path)]
    return default_kubeconfig_paths()


def load_kubeconfig(
    kubeconfig: str | os.PathLike[str] | None = None,
    context: str | None = None,
    master_url: str | None = None,
) -> Config:
    """Load configuration from kubeconfig files only (no in-cluster fallback).

    ``kubeconfig`` is an explicit file (which must exist); without it
    ``$KUBECONFIG`` or ``~/.kube/config`` are used.  ``context`` overrides
    ``current-context``; ``master_url`` overrides the cluster's server (and,
    like ``kubectl --server``, clears its ``tls-server-name``).
    """
    paths = _kubeconfig_paths(kubeconfig)
    merged = load_merged(paths, explicit=kubeconfig is not None)
    context_name = _selected_context(merged, context)
    if context_name is None:
        if master_url:
            return Config(
                host=normalize_host(master_url, "master_url"), source_files=tuple(merged.files)
            )
        raise _nothing_configured_error(merged, paths)
    return build_config(merged, context_name, master_url)


def load_config(
    kubeconfig: str | os.PathLike[str] | None = None,
    context: str | None = None,
    master_url: str | None = None,
    *,
    in_cluster_root: str | os.PathLike[str] = "/",
) -> Config:
    """Load client configuration with client-go's (kubectl's) loading rules.

    Explicit ``kubeconfig`` file, else ``$KUBECONFIG`` (merged), else
    ``~/.kube/config``; when those select no context at all, the in-cluster
    service account (files under ``in_cluster_root``).  ``master_url``
    overrides the server in either case.  Raises ``ConfigError``.
    """
    paths = _kubeconfig_paths(kubeconfig)
    merged = load_merged(paths, explicit=kubeconfig is not None)
    context_name = _selected_context(merged, context)
    if context_name is not None:
        return build_config(merged, context_name, master_url)
    root = os.fspath(in_cluster_root)
    if in_cluster_possible(root):
        config = load_in_cluster_config(root)
        if master_url:
            config.host = normalize_host(master_url, "master_url")
        return config
    if master_url:
        return Config(
            host=normalize_host(master_url, "master_url"), source_files=tuple(merged.files)
        )
    raise _nothing_configured_error(merged, paths)
