"""Event filters (controller-runtime's ``predicate`` package).

A predicate decides, per informer event, whether the event enqueues anything. Each has four
methods returning ``bool``: ``create(obj)``, ``update(old, new)``, ``delete(obj)`` and
``generic(obj)``. Predicates compose with ``&``, ``|`` and ``~`` (or :func:`and_`,
:func:`or_`, :func:`not_`), and a plain function ``fn(obj) -> bool`` is accepted wherever
a predicate is (:func:`as_predicate`: it judges the new object of an update).

Deletes always pass the built-in "changed" predicates: a deletion is a change. The
periodic resync delivers ``update(obj, obj)``, which the "changed" predicates filter out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from kubecore.runtime.controller._meta import mapping_value, meta_value

__all__ = [
    "AnnotationChangedPredicate",
    "Funcs",
    "GenerationChangedPredicate",
    "LabelChangedPredicate",
    "Predicate",
    "PredicateLike",
    "ResourceVersionChangedPredicate",
    "and_",
    "as_predicate",
    "not_",
    "or_",
]


class Predicate:
    """Lets every event through; subclasses override the methods they filter on."""

    def create(self, obj: Any) -> bool:
        return True

    def update(self, old: Any, new: Any) -> bool:
        return True

    def delete(self, obj: Any) -> bool:
        return True

    def generic(self, obj: Any) -> bool:
        return True

    def __and__(self, other: PredicateLike) -> Predicate:
        return and_(self, other)

    def __or__(self, other: PredicateLike) -> Predicate:
        return or_(self, other)

    def __invert__(self) -> Predicate:
        return not_(self)


PredicateLike = Predicate | Callable[[Any], bool]


class Funcs(Predicate):
    """A predicate from optional callables (controller-runtime's ``predicate.Funcs``); an
    event whose callable is missing passes."""

    def __init__(
        self,
        create: Callable[[Any], bool] | None = None,
        update: Callable[[Any, Any], bool] | None = None,
        delete: Callable[[Any], bool] | None = None,
        generic: Callable[[Any], bool] | None = None,
    ) -> None:
        self._create, self._update, self._delete, self._generic = create, update, delete, generic

    def create(self, obj: Any) -> bool:
        return self._create is None or self._create(obj)

    def update(self, old: Any, new: Any) -> bool:
        return self._update is None or self._update(old, new)

    def delete(self, obj: Any) -> bool:
        return self._delete is None or self._delete(obj)

    def generic(self, obj: Any) -> bool:
        return self._generic is None or self._generic(obj)


class _FromFunction(Predicate):
    """``fn(obj)`` judges every event (the new object of an update): ``predicate.NewPredicateFuncs``."""

    def __init__(self, fn: Callable[[Any], bool]) -> None:
        self._fn = fn

    def create(self, obj: Any) -> bool:
        return bool(self._fn(obj))

    def update(self, old: Any, new: Any) -> bool:
        return bool(self._fn(new))

    def delete(self, obj: Any) -> bool:
        return bool(self._fn(obj))

    def generic(self, obj: Any) -> bool:
        return bool(self._fn(obj))


def as_predicate(predicate: PredicateLike) -> Predicate:
    """A :class:`Predicate` as it is, a function ``fn(obj) -> bool`` wrapped."""
    if isinstance(predicate, Predicate):
        return predicate
    if callable(predicate):
        return _FromFunction(predicate)
    raise TypeError(f"not a predicate: {predicate!r}")


class _All(Predicate):
    def __init__(self, predicates: Iterable[PredicateLike]) -> None:
        self.predicates = [as_predicate(p) for p in predicates]

    def create(self, obj: Any) -> bool:
        return all(p.create(obj) for p in self.predicates)

    def update(self, old: Any, new: Any) -> bool:
        return all(p.update(old, new) for p in self.predicates)

    def delete(self, obj: Any) -> bool:
        return all(p.delete(obj) for p in self.predicates)

    def generic(self, obj: Any) -> bool:
        return all(p.generic(obj) for p in self.predicates)


class _Any(_All):
    def create(self, obj: Any) -> bool:
        return any(p.create(obj) for p in self.predicates)

    def update(self, old: Any, new: Any) -> bool:
        return any(p.update(old, new) for p in self.predicates)

    def delete(self, obj: Any) -> bool:
        return any(p.delete(obj) for p in self.predicates)

    def generic(self, obj: Any) -> bool:
        return any(p.generic(obj) for p in self.predicates)


class _Not(Predicate):
    def __init__(self, predicate: PredicateLike) -> None:
        self.predicate = as_predicate(predicate)

    def create(self, obj: Any) -> bool:
        return not self.predicate.create(obj)

    def update(self, old: Any, new: Any) -> bool:
        return not self.predicate.update(old, new)

    def delete(self, obj: Any) -> bool:
        return not self.predicate.delete(obj)

    def generic(self, obj: Any) -> bool:
        return not self.predicate.generic(obj)


def and_(*predicates: PredicateLike) -> Predicate:
    """Passes an event when every predicate does (``predicate.And``; none: always)."""
    return _All(predicates)


def or_(*predicates: PredicateLike) -> Predicate:
    """Passes an event when any predicate does (``predicate.Or``; none: never)."""
    return _Any(predicates)


def not_(predicate: PredicateLike) -> Predicate:
    """Passes exactly the events ``predicate`` filters out (``predicate.Not``)."""
    return _Not(predicate)


def _generation(obj: Any) -> int | None:
    value = meta_value(obj, "generation", "generation")
    return value if isinstance(value, int) else None


class GenerationChangedPredicate(Predicate):
    """Updates pass only when ``metadata.generation`` changed: spec changes, not status or
    metadata-only changes (the server bumps the generation on spec changes only, for
    kinds with a status subresource). Updates of objects without a generation are
    filtered out, as controller-runtime does."""

    def update(self, old: Any, new: Any) -> bool:
        old_generation, new_generation = _generation(old), _generation(new)
        if old_generation is None or new_generation is None:
            return False
        return old_generation != new_generation


class ResourceVersionChangedPredicate(Predicate):
    """Updates pass only when ``metadata.resourceVersion`` changed: filters out resyncs."""

    def update(self, old: Any, new: Any) -> bool:
        old_rv = meta_value(old, "resourceVersion", "resource_version")
        return bool(old_rv != meta_value(new, "resourceVersion", "resource_version"))


class LabelChangedPredicate(Predicate):
    """Updates pass only when ``metadata.labels`` changed (unset and empty are equal)."""

    def update(self, old: Any, new: Any) -> bool:
        return dict(mapping_value(old, "labels", "labels")) != dict(
            mapping_value(new, "labels", "labels")
        )


class AnnotationChangedPredicate(Predicate):
    """Updates pass only when ``metadata.annotations`` changed (unset and empty are equal)."""

    def update(self, old: Any, new: Any) -> bool:
        return dict(mapping_value(old, "annotations", "annotations")) != dict(
            mapping_value(new, "annotations", "annotations")
        )
