"""A live cluster as an input: ``cluster:`` (current context) or ``cluster:CONTEXT``.

Reads the OpenAPI v3 documents the apiserver publishes (``/openapi/v3`` lists one per
group-version) through kubecore's REST core with the usual kubeconfig loading rules, so
the result is what generation from the same spec files gives.
"""

from __future__ import annotations

from kube_clientgen.errors import SourceError
from kube_clientgen.sources.files import Document

PREFIX = "cluster:"


def is_cluster_input(value: str) -> bool:
    return value == PREFIX.rstrip(":") + ":" or value.startswith(PREFIX)


def read_cluster(value: str) -> list[Document]:
    from kubecore.client.config import ConfigError, load_config
    from kubecore.client.errors import ApiError
    from kubecore.client.rest import RESTClient
    from kubecore.client.transport import TransportError

    context = value[len(PREFIX) :] or None
    try:
        rest = RESTClient(load_config(context=context))
    except ConfigError as err:
        raise SourceError(value, "", f"cannot load the cluster configuration: {err}") from None
    documents: list[Document] = []
    try:
        with rest:
            index = rest.get_json("/openapi/v3")
            paths = index.get("paths") if isinstance(index, dict) else None
            if not isinstance(paths, dict):
                raise SourceError(
                    value, "/openapi/v3", "the server did not list OpenAPI v3 documents"
                )
            for name in sorted(paths):
                if not (name.startswith("api/") or name.startswith("apis/")) or name.count("/") != (
                    1 if name.startswith("api/") else 2
                ):
                    continue  # discovery-only documents (/api, /apis, /version, ...)
                url = str((paths[name] or {}).get("serverRelativeURL") or f"/openapi/v3/{name}")
                documents.append(Document(f"{value}/openapi/v3/{name}.json", 0, rest.get_json(url)))
    except ApiError as err:
        raise SourceError(value, "/openapi/v3", f"the server refused: {err}") from None
    except (OSError, TransportError) as err:
        raise SourceError(value, "", f"cannot reach the cluster: {err}") from None
    if not documents:
        raise SourceError(value, "/openapi/v3", "the server published no group-version documents")
    return documents
