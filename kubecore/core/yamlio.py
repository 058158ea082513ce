"""YAML read the way Kubernetes reads it: as the JSON that ``sigs.k8s.io/yaml`` makes of it.

kubectl and kube-apiserver never use YAML values directly: ``YAMLToJSON`` decodes the YAML
with go-yaml v2 and writes JSON, and that JSON is the object. This loader (PyYAML's parser,
with our own resolvers and constructors) returns the same data:

* plain scalars resolve by go-yaml v2's rules (``kubecore.core.yamlscalars``), not YAML
  1.1's: ``1:30`` and timestamps are strings, ``1e3`` is 1000, ``0x1F``/``0o17``/``017``/
  ``0b101`` and ``1_000`` are ints, ``y``/``n``/``yes``/``on``/``off`` are booleans, ``~``
  and ``null`` are null, ``=`` and ``<<`` (as a value) are strings;
* numbers are what JSON carries: an integral float is an int (``1.0`` -> 1), ints beyond
  int64 become float64; ``.inf``/``.nan`` values are refused (``json.Marshal`` refuses them);
* mapping keys become strings (``1`` -> ``"1"``, ``true`` -> ``"true"``, ``1e7`` ->
  ``"1e+07"``), so ``{1: a, true: b}`` keeps both; a null, ``uint64``, sequence or mapping
  key is refused; a repeated key keeps its last value, as go-yaml does;
* tags: ``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null`` and ``!!timestamp`` must
  fit their scalar, ``!!binary`` is decoded to text (invalid UTF-8 as U+FFFD, as Go's JSON
  writes it), every other tag (``!!set``, ``!!omap``, ``!foo``) is ignored, so ``!!set``
  is a mapping of nulls and ``!!omap`` a sequence of mappings;
* merge keys ``<<`` follow go-yaml v2, in document order: a merge overwrites the keys set
  before it and later keys overwrite it; in a sequence of merged maps the first wins.

Two deliberate differences from kubectl: two different keys with one JSON form (``1`` and
``"1"``) are refused, where kubectl keeps one at random; and ``! 12`` (the non-specific
tag) reads as a plain scalar (the number), since libyaml reports it as one.

Anchors and aliases share one Python object (no expansion), and construction does not
recurse, so depth and alias bounds stay the callers' (``kube_clientgen.sources.files``,
``kubecore.client.kubeconfig_yaml``). Every refusal is a ``yaml.constructor.ConstructorError``
with the line and column; its message never quotes a value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kubecore.core.yamlscalars import (
    HINTED,
    Scalar,
    ScalarError,
    json_key,
    json_value,
    resolve_plain,
    resolve_tagged,
)

__all__ = ["KubeYamlLoader", "MAX_MERGED_KEYS", "load", "load_all"]

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: The tag our one implicit resolver gives every plain scalar (resolved later, by go-yaml's
#: rules); quoted scalars keep YAML's ``!!str``.
PLAIN_TAG = "tag:kubecore,2026:plain"
_MERGES = (PLAIN_TAG, "tag:yaml.org,2002:merge")
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
#: Keys copied by ``<<`` merges in one document at most (like ``MAX_VALUES`` in the
#: generator): merges copy entries, so unbounded ones could make a small file explode.
MAX_MERGED_KEYS = 1_000_000


class KubeYamlLoader(_Base):  # type: ignore[misc]
    """A safe loader whose result is Kubernetes' JSON of the YAML (see the module docstring).

    client-go counterpart: ``sigs.k8s.io/yaml.YAMLToJSON`` then ``json.Unmarshal``.
    """

    def resolve(self, kind: type[Node], value: str, implicit: tuple[bool, bool]) -> str:
        """Every plain scalar gets ``PLAIN_TAG`` (resolved by go-yaml's rules when
        constructed); quoted ones are strings; collections keep YAML's default tags."""
        if kind is ScalarNode:
            return PLAIN_TAG if implicit[0] else _STR_TAG
        return _SEQ_TAG if kind is SequenceNode else _MAP_TAG

    def construct_document(self, node: Node) -> Any:
        self._merged: dict[int, dict[str, tuple[object, Node]]] = {}
        self._merging: set[int] = set()
        self._merged_keys = 0
        _refuse_cycles(node)
        return super().construct_document(node)

    def construct_kube(self, node: Node) -> Any:
        """One node of any tag: a scalar's value, or a generator that yields the empty
        collection and fills it later, so nesting never recurses in Python."""
        if isinstance(node, ScalarNode):
            text = node.value
            if node.tag == PLAIN_TAG and text and text[0] not in HINTED:
                return text  # the common case: plain text that go-yaml leaves a string
            try:
                return json_value(self._scalar(node))
            except ScalarError as err:
                raise ConstructorError(None, None, str(err), node.start_mark) from None
        if isinstance(node, SequenceNode):
            return self._construct_sequence(node)
        assert isinstance(node, MappingNode)
        return self._construct_mapping(node)

    def _construct_sequence(self, node: SequenceNode) -> Iterator[list[Any]]:
        items: list[Any] = []
        yield items
        construct = self.construct_object
        items.extend([construct(child, False) for child in node.value])

    def _construct_mapping(self, node: MappingNode) -> Iterator[dict[str, Any]]:
        mapping: dict[str, Any] = {}
        yield mapping
        construct = self.construct_object
        for key, (_, value_node) in self._pairs(node).items():
            mapping[key] = construct(value_node, False)

    def _scalar(self, node: ScalarNode) -> Scalar:
        try:
            if node.tag == PLAIN_TAG:
                return resolve_plain(node.value)
            return resolve_tagged(node.value, node.tag)
        except ScalarError as err:
            raise ConstructorError(None, None, str(err), node.start_mark) from None

    def _key(self, node: Node) -> tuple[str, object]:
        """A key's JSON form and the Go map key it is (kind and value; each NaN is its own)."""
        if not isinstance(node, ScalarNode):
            raise ConstructorError(
                None, None, "a mapping key must be a scalar, not a collection", node.start_mark
            )
        scalar = self._scalar(node)
        go_key: object = scalar
        if scalar.kind == "str":
            go_key = scalar.value  # as the fast path in _pairs keys plain text
        elif scalar.value != scalar.value:  # NaN: never equal to another Go key
            go_key = object()
        try:
            return json_key(scalar), go_key
        except ScalarError as err:
            raise ConstructorError(None, None, str(err), node.start_mark) from None

    def _pairs(self, node: MappingNode) -> dict[str, tuple[object, Node]]:
        """The mapping's entries after go-yaml v2's merges: JSON key -> (the Go key it came
        from, value node), in document order; a key set again takes the later value.

        Two different Go keys with one JSON form (``1`` and ``"1"``) are refused: Kubernetes
        keeps either, in Go's random map order.
        """
        pairs: dict[str, tuple[object, Node]] = {}
        for key_node, value_node in node.value:
            text = key_node.value
            go_key: object
            if key_node.tag == PLAIN_TAG and text and text[0] not in HINTED and text != "<<":
                key = go_key = text  # plain text: the fast path
            elif isinstance(key_node, ScalarNode) and text == "<<" and key_node.tag in _MERGES:
                for merged in self._merge_sources(value_node):
                    for key, entry in self._merged_pairs(merged, key_node).items():
                        self._set(pairs, key, entry, key_node)
                continue
            else:
                key, go_key = self._key(key_node)
            before = pairs.get(key)
            if before is not None and before[0] != go_key:
                self._collision(key, key_node)
            pairs[key] = (go_key, value_node)
        return pairs

    def _merged_pairs(self, node: MappingNode, at: Node) -> dict[str, tuple[object, Node]]:
        """``_pairs`` of a merged mapping, computed once per document and counted."""
        done = self._merged.get(id(node))
        if done is None:
            if id(node) in self._merging:
                raise ConstructorError(
                    None, None, "a merge key refers to a mapping that contains it", at.start_mark
                )
            self._merging.add(id(node))
            done = self._merged[id(node)] = self._pairs(node)
            self._merging.discard(id(node))
        self._merged_keys += len(done)
        if self._merged_keys > MAX_MERGED_KEYS:
            raise ConstructorError(
                None, None, f"merge keys copy more than {MAX_MERGED_KEYS:,} entries", at.start_mark
            )
        return done

    def _set(
        self, pairs: dict[str, tuple[object, Node]], key: str, entry: tuple[object, Node], at: Node
    ) -> None:
        before = pairs.get(key)
        if before is not None and before[0] != entry[0]:
            self._collision(key, at)
        pairs[key] = entry

    @staticmethod
    def _collision(key: str, at: Node) -> None:
        raise ConstructorError(
            None,
            None,
            f"two different keys both become the JSON key {key!r} "
            "(Kubernetes keeps one of them at random)",
            at.start_mark,
        )

    @staticmethod
    def _merge_sources(node: Node) -> list[MappingNode]:
        """The maps a ``<<`` value names, in the order their entries are written (go-yaml
        v2 walks a sequence backwards, so its first map wins)."""
        if isinstance(node, MappingNode):
            return [node]
        if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
            return list(reversed(node.value))
        raise ConstructorError(
            None,
            None,
            "map merge requires map or sequence of maps as the value",
            node.start_mark,
        )


def _refuse_cycles(root: Node) -> None:
    """Refuse a document where an alias sits inside its own anchor's value (go-yaml: "anchor
    value contains itself"); one pass over the collections, each visited once."""
    if isinstance(root, ScalarNode):
        return
    done: set[int] = set()
    open_: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving:
            open_.discard(key)
            done.add(key)
            continue
        if key in done:
            continue
        if key in open_:
            raise ConstructorError(
                None,
                None,
                "an alias refers to a value that contains it (anchor value contains itself)",
                node.start_mark,
            )
        open_.add(key)
        stack.append((node, True))
        if isinstance(node, SequenceNode):
            children: Any = node.value
        else:
            children = [n for pair in node.value for n in pair]
        stack.extend([(child, False) for child in children if type(child) is not ScalarNode])


KubeYamlLoader.yaml_implicit_resolvers = {}
KubeYamlLoader.yaml_constructors = {None: KubeYamlLoader.construct_kube}
KubeYamlLoader.yaml_multi_constructors = {}


def load_all(stream: str | bytes | IO[str] | IO[bytes]) -> list[Any]:
    """Every non-empty document of a YAML stream, each as Kubernetes' JSON of it.

    Raises ``yaml.YAMLError`` (with ``problem_mark``: line and column) for bad YAML and for
    what Kubernetes refuses. client-go counterpart: ``yaml.NewYAMLOrJSONDecoder`` +
    ``sigs.k8s.io/yaml.YAMLToJSON`` per document.
    """
    return [doc for doc in yaml.load_all(stream, Loader=KubeYamlLoader) if doc is not None]


def load(stream: str | bytes | IO[str] | IO[bytes]) -> Any:
    """The single document of ``stream`` (None when empty); errors as ``load_all``."""
    return yaml.load(stream, Loader=KubeYamlLoader)  # noqa: S506 - a safe loader subclass
