"""CRD copies of built-in types reuse the built-in classes.

controller-gen writes the schema of every Go type a CRD embeds into the CRD: a pod
template's ``PodSpec``, ``Container``, ``Volume``, ``Affinity``, ``Toleration``,
``ResourceRequirements``, ``LabelSelector`` ... This pass, run on the IR after
``kube_clientgen.share``, points such copies at the class generated from the vendored
Kubernetes spec (``kubernetes:1.36``): ``kube_clientgen_api.kubernetes`` for API types,
``kubecore.core.generated`` for apimachinery types (``ObjectMeta``, ``LabelSelector``,
``Condition`` ...). A package that reuses them imports those packages, both installed with
kube-clientgen (the second is all a program needs at run time already).

**When a CRD schema counts as a built-in type B.**

1. *Shape.* Every property of the schema is a field of B, with a compatible type: the same
   primitive or special type (Quantity, int-or-string, time); a string enum where B has a
   string or the reverse (enum fields keep unknown values anyway); lists and maps item by
   item; and a nested object must itself fit the shape of B's field type, recursively. A
   subset is enough: an older CRD's copy lacks the fields newer Kubernetes added, and the
   newer class decodes it losslessly (what it does not know is kept in ``extra_fields``;
   fields it requires but the copy lacks are recorded absent and never encoded).
2. *Provenance,* for the outermost schema of a copy only (what is nested inside it is B's
   own field types, so it is settled by 1): controller-gen copies the Go doc comments, so at
   least half the schema's properties carry, word for word (whitespace normalised), the
   description of B's field; or, for CRDs generated without descriptions, the schema has at
   least 4 properties, exactly B's property names, and no other built-in type has them.
   Shape alone is not enough: Argo's ``{name, value, valueFrom}`` HTTP header fits
   ``EnvVar``, and a class named ``EnvVar`` for it would mislead.
3. *One answer.* The best candidate has the most matching descriptions, then the fewest
   fields the copy lacks; when two candidates tie (``RBDVolumeSource`` and
   ``RBDPersistentVolumeSource`` have the same fields), the schema keeps its own class.

Kinds, list kinds and OpenAPI definitions are never replaced; nested CRD types that only the
replaced copies used are dropped. ``--no-reuse`` (config key ``reuse = false``) turns this
off. Decoding and encoding never change: the test
``tests/integration/test_share_reuse_corpus.py`` decodes every Argo and Prometheus example
with and without sharing and reuse and compares the results.
"""

from __future__ import annotations

from kube_clientgen import ir, layout

BUILTIN_SPEC = "kubernetes:1.36"
BUILTIN_PACKAGE = "kube_clientgen_api.kubernetes"
_MIN_UNDESCRIBED_PROPERTIES = 4


def reuse_builtin(api: ir.Api, builtin: ir.Api) -> dict[str, str]:
    """Replace CRD copies of ``builtin``'s types in ``api``, in place.

    Returns the replaced CRD type ids -> built-in type ids. Built-in types not defined in
    ``api`` itself are recorded in ``api.external`` with their module and class name.
    """
    matcher = _Matcher(api, builtin)
    replaced: dict[str, str] = {}
    for type_id in sorted(api.types):
        model = api.types[type_id]
        if model.shareable and model.fields:
            found = matcher.root(model)
            if found is not None:
                replaced[type_id] = found
    if not replaced:
        return replaced
    builtin_layout = layout.plan(builtin)
    for target in sorted(set(replaced.values())):
        if target not in api.types and target not in api.external:
            api.external[target] = _external(builtin_layout, target)
    for model in api.types.values():
        for f in model.fields:
            f.type = _redirect(f.type, replaced)
    for type_id in replaced:
        del api.types[type_id]
    _drop_unreachable(api)
    return replaced


def _external(builtin_layout: layout.Layout, type_id: str) -> ir.ExternalType:
    name = builtin_layout.class_name(type_id)
    if type_id.startswith(layout.KUBECORE_TYPE_PREFIX):
        return ir.ExternalType(
            f"{layout.KUBECORE_PACKAGE}.{layout.kubecore_module_name(type_id)}", name
        )
    module = builtin_layout.modules[builtin_layout.module_of[type_id]]
    return ir.ExternalType(".".join((BUILTIN_PACKAGE, *module.path)), name)


class _Matcher:
    def __init__(self, api: ir.Api, builtin: ir.Api) -> None:
        self.api = api
        self.builtin = builtin
        self.fields = {tid: {f.wire_name: f for f in t.fields} for tid, t in builtin.types.items()}
        self._fits: dict[tuple[str, str], bool] = {}

    def root(self, model: ir.ModelType) -> str | None:
        names = {f.wire_name for f in model.fields}
        described = any(f.description.strip() for f in model.fields)
        ranked: list[tuple[tuple[int, int], str]] = []
        for bid in sorted(self.builtin.types):
            theirs = self.fields[bid]
            if not names <= theirs.keys() or not self.fits(model.type_id, bid):
                continue
            evidence = sum(
                1
                for f in model.fields
                if f.description.strip()
                and _normalised(f.description) == _normalised(theirs[f.wire_name].description)
            )
            if described:
                if evidence == 0 or 2 * evidence < len(model.fields):
                    continue
            elif len(names) < _MIN_UNDESCRIBED_PROPERTIES or names != theirs.keys():
                continue
            ranked.append(((evidence, len(names) - len(theirs)), bid))
        if not ranked:
            return None
        ranked.sort(key=lambda r: r[0], reverse=True)
        if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
            return None  # two built-in types fit equally well: keep the CRD's own class
        return ranked[0][1]

    def fits(self, type_id: str, bid: str) -> bool:
        """Whether CRD model ``type_id`` has the shape of built-in model ``bid`` (rule 1)."""
        key = (type_id, bid)
        known = self._fits.get(key)
        if known is not None:
            return known
        self._fits[key] = False  # a schema that reaches itself does not fit (no such CRD)
        theirs = self.fields[bid]
        result = all(
            f.wire_name in theirs and self._type_fits(f.type, theirs[f.wire_name].type)
            for f in self.api.types[type_id].fields
        )
        self._fits[key] = result
        return result

    def _type_fits(self, ours: ir.TypeRef, theirs: ir.TypeRef) -> bool:
        our_enum = isinstance(ours, ir.Ref) and ours.type_id in self.api.enums
        their_enum = isinstance(theirs, ir.Ref) and theirs.type_id in self.builtin.enums
        string = ir.Primitive("str")
        if our_enum or their_enum:
            return (our_enum or ours == string) and (their_enum or theirs == string)
        if isinstance(ours, ir.Ref) and isinstance(theirs, ir.Ref):
            if ours.type_id == theirs.type_id:
                return True  # ObjectMeta and other references both sides make
            model = self.api.types.get(ours.type_id)
            return (
                model is not None
                and model.shareable
                and theirs.type_id in self.builtin.types
                and self.fits(ours.type_id, theirs.type_id)
            )
        if isinstance(ours, ir.ListOf) and isinstance(theirs, ir.ListOf):
            return self._type_fits(ours.item, theirs.item)
        if isinstance(ours, ir.MapOf) and isinstance(theirs, ir.MapOf):
            return self._type_fits(ours.value, theirs.value)
        return ours == theirs


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _redirect(t: ir.TypeRef, replaced: dict[str, str]) -> ir.TypeRef:
    if isinstance(t, ir.Ref):
        return ir.Ref(replaced[t.type_id]) if t.type_id in replaced else t
    if isinstance(t, ir.ListOf):
        return ir.ListOf(_redirect(t.item, replaced))
    if isinstance(t, ir.MapOf):
        return ir.MapOf(_redirect(t.value, replaced))
    if isinstance(t, ir.UnionOf):
        return ir.UnionOf(tuple(_redirect(o, replaced) for o in t.options))
    return t


def _refs(t: ir.TypeRef) -> list[str]:
    if isinstance(t, ir.Ref):
        return [t.type_id]
    if isinstance(t, ir.ListOf):
        return _refs(t.item)
    if isinstance(t, ir.MapOf):
        return _refs(t.value)
    if isinstance(t, ir.UnionOf):
        return [r for o in t.options for r in _refs(o)]
    return []


def _drop_unreachable(api: ir.Api) -> None:
    """Remove inline CRD types (and enums) no longer reachable from any other type."""
    stack = [tid for tid, t in api.types.items() if not t.shareable]
    seen = set(stack)
    while stack:
        model = api.types.get(stack.pop())
        if model is None:
            continue
        for f in model.fields:
            for ref in _refs(f.type):
                if ref not in seen:
                    seen.add(ref)
                    stack.append(ref)
    for tid in [t for t, m in api.types.items() if m.shareable and t not in seen]:
        del api.types[tid]
    for tid in [t for t, e in api.enums.items() if e.shareable and t not in seen]:
        del api.enums[tid]
