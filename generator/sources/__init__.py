"""Inputs -> IR: OpenAPI v2/v3 documents and CRD YAML, files or directories, a live cluster
(``cluster:``) or a built-in spec (``kubernetes:1.36``)."""

from __future__ import annotations

from pathlib import Path

from kube_clientgen import ir
from kube_clientgen.errors import SourceError
from kube_clientgen.sources.builtin import is_builtin_input, read_builtin
from kube_clientgen.sources.cluster import is_cluster_input, read_cluster
from kube_clientgen.sources.crd import add_crd, is_crd, select_crds
from kube_clientgen.sources.files import Document, expand_inputs, read_documents
from kube_clientgen.sources.openapi import add_openapi, is_openapi

__all__ = ["expand_inputs", "is_builtin_input", "is_cluster_input", "load_api", "load_documents"]


def load_documents(inputs: list[str]) -> list[Document]:
    return [doc for path in expand_inputs(inputs) for doc in read_documents(path)]


def load_api(inputs: list[str], *, skip_non_crd: bool = True) -> ir.Api:
    """Read every input into one IR.

    In a directory or a multi-document stream, documents that are neither an OpenAPI
    document nor a CRD (an all-in-one install's Deployment, an admission policy) are
    skipped; a file named directly that holds no usable document is an error.
    """
    api = ir.Api()
    openapi: list[Document] = []
    crds: list[Document] = []
    for raw in inputs:
        if is_cluster_input(raw):
            openapi.extend(read_cluster(raw))
            continue
        if is_builtin_input(raw):
            openapi.extend(read_builtin(raw))
            continue
        named_file = not Path(raw).is_dir()
        for path in expand_inputs([raw]):
            documents = read_documents(path)
            for doc in documents:
                if not isinstance(doc.data, dict):
                    raise SourceError(
                        doc.label,
                        "",
                        "expected a mapping (an OpenAPI document or a CustomResourceDefinition)",
                    )
                if not skip_non_crd and not (is_openapi(doc) or is_crd(doc)):
                    raise _not_usable(doc)
            usable = [d for d in documents if is_openapi(d) or is_crd(d)]
            if named_file and not usable:
                if documents:
                    raise _not_usable(documents[0])
                raise SourceError(
                    str(path),
                    "",
                    "no documents: expected an OpenAPI document or a CustomResourceDefinition",
                )
            openapi.extend(d for d in usable if is_openapi(d))
            crds.extend(d for d in usable if not is_openapi(d))
    if not openapi and not crds:
        raise SourceError(
            ", ".join(inputs), "", "no OpenAPI document or CustomResourceDefinition found"
        )
    if openapi:
        add_openapi(api, openapi)
    for crd in select_crds(crds):
        add_crd(api, crd)
    return api


def _not_usable(doc: Document) -> SourceError:
    kind = doc.data.get("kind")
    return SourceError(
        doc.label, "/kind", f"not a CustomResourceDefinition or OpenAPI document (kind {kind!r})"
    )
