"""Schemas by apiVersion and kind: the built-in API (swagger v2 / OpenAPI v3) and CRDs.

:class:`Validator` keeps the raw schemas and compiles a kind's schema the first time an
object of that kind is validated, then reuses it (a compiled schema is a tree of closures,
see :mod:`kubecore.core.validation.compile`). A CRD's CEL rules are compiled when the CRD
is added, so a rule that cannot be compiled is an error at load, never a silent pass.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kubecore.core.validation import errors as fe
from kubecore.core.validation.cel import CelPlan, compile_rules
from kubecore.core.validation.compile import Check, SchemaCompiler
from kubecore.core.validation.structural import apply_defaults, prune, with_defaults

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
BUILTIN_SPEC = "kubernetes-1.36.swagger.json"


_SECRET_FIELDS = ("data.", "stringData.")
_BLOCKING = (fe.TYPE_INVALID, fe.NOT_SUPPORTED)
_NOT_CHECKED = (
    "some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation"
)
_REDACTED = "<redacted>"


def _redacted(error: fe.FieldError) -> fe.FieldError:
    """A Secret value's problem without the value: no secret in a message, ever."""
    detail = error.detail
    if isinstance(error.value, str) and error.value:
        detail = detail.replace(fe.go_value(error.value), fe.go_value(_REDACTED))
    return fe.FieldError(error.field, error.type, _REDACTED, detail)


class SchemaNotFound(LookupError):
    """No schema is known for an apiVersion and kind."""

    def __init__(self, api_version: str, kind: str) -> None:
        super().__init__(f"no schema for apiVersion {api_version!r} kind {kind!r}")
        self.api_version = api_version
        self.kind = kind


class KindSchema:
    """The compiled schema of one kind at one version.

    ``schema``: the CRD version's ``openAPIV3Schema`` (None for built-in kinds), which
    :meth:`prune` and :meth:`default` use.
    """

    def __init__(
        self,
        api_version: str,
        kind: str,
        check: Check | None,
        *,
        schema: dict[str, Any] | None = None,
        cel: CelPlan | None = None,
    ) -> None:
        self.api_version = api_version
        self.kind = kind
        self._check = check
        self.schema = schema
        self._cel = cel

    @property
    def is_crd(self) -> bool:
        return self.schema is not None

    def validate(self, obj: Any, old: Any = None) -> list[fe.FieldError]:
        """The problems of ``obj`` (and, for transition rules, against ``old``).

        A custom resource is checked as kube-apiserver stores it: with its schema's
        defaults applied first (CEL rules often rely on them), ``old`` likewise.
        """
        errs: list[fe.FieldError] = []
        if self.schema is not None and isinstance(obj, dict):
            # Only read from here on: copied where defaulting changes something, no more.
            obj = with_defaults(obj, self.schema)
            if isinstance(old, dict):
                old = with_defaults(old, self.schema)
        if self._check is not None:
            self._check(obj, "", errs)
        if self._cel is not None:
            # kube-apiserver skips CEL when the object has type or enum errors.
            if any(e.type in _BLOCKING for e in errs):
                errs.append(fe.invalid("<nil>", None, _NOT_CHECKED))
            else:
                self._cel.evaluate(obj, old, errs)
        if self.schema is None:
            # Built-in kinds: the swagger's "required" inside status lists what kubelet and
            # the controllers always write, not what kube-apiserver's status validation
            # demands (a container status without imageID is accepted).
            errs = [
                e for e in errs if not (e.type == fe.REQUIRED and e.field.startswith("status."))
            ]
        if self.kind == "Secret" and self.api_version == "v1":
            errs = [_redacted(e) if e.field.startswith(_SECRET_FIELDS) else e for e in errs]
        return errs

    def prune(self, obj: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """``obj`` without the fields the CRD schema does not declare, and their paths."""
        if self.schema is None:
            return obj, []
        return prune(obj, self.schema)

    def default(self, obj: dict[str, Any], *, copy: bool = True) -> dict[str, Any]:
        """``obj`` with the CRD schema's defaults applied (``obj`` itself for a built-in
        kind). ``copy`` (the default): a deep copy, as
        :func:`~kubecore.core.validation.structural.apply_defaults`; ``copy=False``:
        copied on write (:func:`~kubecore.core.validation.structural.with_defaults`),
        ``obj`` itself when nothing changes, for a caller that only reads the result or
        owns ``obj``. ``obj`` is never changed either way."""
        if self.schema is None:
            return obj
        if not copy:
            return with_defaults(obj, self.schema)
        return apply_defaults(obj, self.schema)


class Validator:
    """Validates objects against the schema of their kind, like kube-apiserver on write.

    Add OpenAPI documents (:meth:`add_openapi`) and CRDs (:meth:`add_crd`), or start from
    :meth:`builtin` (the vendored Kubernetes 1.36 API). ``validate(obj)`` returns a list of
    :class:`~kubecore.core.validation.errors.FieldError`; it raises :class:`SchemaNotFound`
    for a kind it has no schema for. Nothing is decoded into models: data a newer server
    sends is validated as it is.
    """

    def __init__(self) -> None:
        self._definitions: dict[str, Any] = {}
        self._builtin_gvk: dict[tuple[str, str], str] = {}
        self._crd_schemas: dict[tuple[str, str], tuple[dict[str, Any], CelPlan | None]] = {}
        self._compiled: dict[tuple[str, str], KindSchema] = {}
        self._compiler = SchemaCompiler(self._definitions, builtin=True)

    @classmethod
    def builtin(cls) -> Validator:
        """A new validator with the Kubernetes 1.36 API (the spec vendored with kube-clientgen)."""
        from kubecore.core.codec import json_loads

        validator = cls()
        validator.add_openapi(json_loads(builtin_spec_path().read_bytes()))
        return validator

    def add_openapi(self, doc: Mapping[str, Any]) -> None:
        """A swagger v2 document or an OpenAPI v3 document (``components.schemas``)."""
        definitions = doc.get("definitions") or (doc.get("components") or {}).get("schemas") or {}
        for name, schema in definitions.items():
            if not isinstance(schema, dict):
                continue
            self._definitions.setdefault(name, schema)
            for gvk in schema.get("x-kubernetes-group-version-kind") or ():
                group, version = gvk.get("group", ""), gvk.get("version", "")
                api_version = f"{group}/{version}" if group else str(version)
                self._builtin_gvk.setdefault((api_version, str(gvk.get("kind", ""))), name)

    def add_crd(self, crd: Mapping[str, Any], *, where: str = "") -> None:
        """Every version of a ``CustomResourceDefinition`` (apiextensions.k8s.io/v1).

        Raises :class:`~kubecore.core.validation.cel.CelError` when a CEL rule does not
        compile or uses a function this validator does not support; ``where`` (a file name)
        prefixes its message.
        """
        spec = crd.get("spec") or {}
        group = str(spec.get("group", ""))
        kind = str((spec.get("names") or {}).get("kind", ""))
        for index, entry in enumerate(spec.get("versions") or ()):
            if not isinstance(entry, dict) or not entry.get("name"):
                continue
            schema = (entry.get("schema") or spec.get("validation") or {}).get("openAPIV3Schema")
            if not isinstance(schema, dict):
                schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
            at = f"{where}:/spec/versions/{index}/schema/openAPIV3Schema"
            plan = compile_rules(schema, where=at)
            key = (f"{group}/{entry['name']}", kind)
            self._crd_schemas[key] = (schema, plan)
            self._compiled.pop(key, None)

    def kinds(self) -> list[tuple[str, str]]:
        """Every (apiVersion, kind) this validator has a schema for."""
        return sorted(set(self._builtin_gvk) | set(self._crd_schemas))

    def lookup(self, api_version: str, kind: str) -> KindSchema:
        """The compiled schema of a kind (compiled on first use); raises SchemaNotFound."""
        key = (api_version, kind)
        found = self._compiled.get(key)
        if found is not None:
            return found
        if key in self._crd_schemas:
            schema, plan = self._crd_schemas[key]
            found = KindSchema(
                api_version, kind, self._compile_crd(schema), schema=schema, cel=plan
            )
        elif key in self._builtin_gvk:
            found = KindSchema(
                api_version, kind, self._compiler.compile({"$ref": self._builtin_gvk[key]})
            )
        else:
            raise SchemaNotFound(api_version, kind)
        self._compiled[key] = found
        return found

    def validate(
        self, obj: Mapping[str, Any], old: Mapping[str, Any] | None = None
    ) -> list[fe.FieldError]:
        """The problems of a JSON object (a ``dict`` as decoded from JSON or YAML)."""
        schema = self.lookup(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
        return schema.validate(obj, old)

    def _compile_crd(self, schema: dict[str, Any]) -> Check | None:
        """The CRD's schema (structural semantics) plus ObjectMeta for ``metadata``."""
        properties = dict(schema.get("properties") or {})
        properties.setdefault("apiVersion", {"type": "string"})
        properties.setdefault("kind", {"type": "string"})
        properties.pop("metadata", None)
        root = {**schema, "type": "object", "properties": properties}
        body = SchemaCompiler(self._definitions).compile(root)
        meta = (
            self._compiler.compile({"$ref": f"#/definitions/{OBJECT_META}"})
            if OBJECT_META in self._definitions
            else None
        )
        if body is None or meta is None:
            return body or meta

        def check(value: Any, path: str, errs: list[fe.FieldError]) -> None:
            body(value, path, errs)
            if isinstance(value, dict) and isinstance(value.get("metadata"), dict):
                meta(value["metadata"], "metadata", errs)

        return check


def builtin_spec_path() -> Path:
    """Where the vendored Kubernetes swagger lives (installed with the kube_clientgen package).

    Found without importing ``kube_clientgen`` (kubecore never imports the generator): it
    ships in the same distribution as kubecore.
    """
    spec = importlib.util.find_spec("kube_clientgen")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("kube_clientgen is not installed: no vendored Kubernetes spec")
    for location in spec.submodule_search_locations:
        path = Path(location) / "specs" / BUILTIN_SPEC
        if path.is_file():
            return path
    raise FileNotFoundError(f"{BUILTIN_SPEC} not found beside kube_clientgen")


def load_validator(specs: Iterable[Mapping[str, Any]] = ()) -> Validator:
    """The built-in validator plus the given OpenAPI documents and CRDs."""
    validator = Validator.builtin()
    for doc in specs:
        if doc.get("kind") == "CustomResourceDefinition":
            validator.add_crd(doc)
        else:
            validator.add_openapi(doc)
    return validator
