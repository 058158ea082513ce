"""Inputs -> IR: OpenAPI v2/v3 documents and CRD YAML, files or directories."""

from __future__ import annotations

from generator import ir
from generator.errors import SourceError
from generator.sources.crd import add_crd, is_crd, select_crds
from generator.sources.files import Document, expand_inputs, read_documents
from generator.sources.openapi import add_openapi, is_openapi

__all__ = ["load_api", "load_documents"]


def load_documents(inputs: list[str]) -> list[Document]:
    return [doc for path in expand_inputs(inputs) for doc in read_documents(path)]


def load_api(inputs: list[str], *, skip_non_crd: bool = True) -> ir.Api:
    """Read every input into one IR.

    In a directory or a multi-document stream, documents that are neither an OpenAPI
    document nor a CRD (an all-in-one install's Deployment, an admission policy) are
    skipped; a file named directly that holds no usable document is an error.
    """
    documents = load_documents(inputs)
    api = ir.Api()
    openapi = [d for d in documents if is_openapi(d)]
    crds = [d for d in documents if is_crd(d)]
    for doc in documents:
        if not isinstance(doc.data, dict):
            raise SourceError(doc.label, "", "expected a mapping (an OpenAPI document or a CustomResourceDefinition)")
        if not skip_non_crd and doc not in openapi and doc not in crds:
            raise SourceError(doc.label, "/kind", f"not a CustomResourceDefinition or OpenAPI document (kind {doc.data.get('kind')!r})")
    if not openapi and not crds:
        raise SourceError(", ".join(inputs), "", "no OpenAPI document or CustomResourceDefinition found")
    if openapi:
        add_openapi(api, openapi)
    for doc in select_crds(crds):
        add_crd(api, doc)
    return api
