"""Lazy decoding cannot be told apart from eager decoding, whatever the JSON and whatever
a user does in between (issue 12).

The reference is the same document decoded and then read in full at once (what the eager
decoder built). Hypothesis draws Pod-shaped documents with every field also allowed to
hold any JSON (wrong shapes, explicit nulls, unknown keys, Quantities that are equal by
value), decodes them lazily three ways (``from_dict``, ``from_json``, an unparsed list
item), runs the same reads, writes, copies and pickles on both, and compares what each
step returned and the final encoding. A second property compares ``==`` of two lazy
objects with ``==`` of the eager ones.
"""

from __future__ import annotations

import copy
import gc
import pickle
import sys
import threading
import types
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_clientgen_api.kubernetes.core.v1 import Container, Pod, PodList, PodSpec
from kubecore.core import codec
from kubecore.core.generated.meta_v1 import LabelSelector, ObjectMeta
from kubecore.core.model import Model
from tests.helpers import read_all


def eager(doc: dict[str, Any]) -> Pod:
    pod = Pod.from_dict(doc)
    read_all(pod)
    return pod


_SCALAR = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4)
)
_ANY = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


def _or_any(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return strategy | _ANY


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={k: _or_any(v) for k, v in fields.items()})


_QUANTITY = st.sampled_from(["1", "1000m", "500m", "0.5", "1Gi", "1024Mi", "x"]) | st.integers(0, 3)
_CONTAINER = _optional(
    name=st.text(max_size=3),
    image=st.text(max_size=3),
    resources=_optional(
        limits=st.dictionaries(st.sampled_from(["cpu", "memory"]), _QUANTITY, max_size=2),
        requests=st.dictionaries(st.just("cpu"), _QUANTITY, max_size=1),
    ),
    ports=st.lists(_optional(containerPort=st.integers(0, 9)), max_size=2),
    futureField=_ANY,
)
_POD = st.fixed_dictionaries(
    {},
    optional={
        "apiVersion": st.just("v1"),
        "kind": st.just("Pod"),
        "metadata": _or_any(
            _optional(
                name=st.text(max_size=3),
                labels=st.dictionaries(st.text(max_size=2), st.text(max_size=2), max_size=2),
                creationTimestamp=st.sampled_from(["2024-05-06T07:08:09Z", "not a time"]),
                generation=st.integers(0, 3),
                aNewField=_ANY,
            )
        ),
        "spec": _or_any(
            _optional(
                containers=st.lists(_or_any(_CONTAINER), max_size=2),
                nodeName=st.text(max_size=2),
                hostNetwork=st.booleans(),
                activeDeadlineSeconds=st.integers(0, 5),
                restartPolicy=st.sampled_from(["Always", "Never", "SomethingNew"]),
                futureField=_ANY,
            )
        ),
        "status": _or_any(_optional(phase=st.text(max_size=2))),
        "extraTop": _ANY,
    },
)

_PATHS: list[tuple[str | int, ...]] = [
    ("metadata",),
    ("metadata", "name"),
    ("metadata", "labels"),
    ("metadata", "creation_timestamp"),
    ("spec",),
    ("spec", "containers"),
    ("spec", "containers", 0),
    ("spec", "containers", 0, "resources", "limits"),
    ("spec", "containers", 0, "name"),
    ("spec", "host_network"),
    ("spec", "restart_policy"),
    ("status", "phase"),
]
_VALUES: list[Any] = [
    None,
    "value",
    3,
    ObjectMeta(name="n"),
    PodSpec(containers=[Container(name="c")]),
    [],
    {},
]
_OPS = ["read", "write", "deep_copy", "pickle", "copy", "deepcopy", "to_json", "to_dict", "repr"]


def walk(obj: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(obj, list) or len(obj) <= step:
                return None
            obj = obj[step]
        elif not isinstance(obj, Model):
            return None
        else:
            obj = getattr(obj, step)
    return obj


def step(obj: Pod, op: str, path: tuple[str | int, ...], value: int) -> tuple[Pod, Any]:
    """Run one operation; the object to go on with and what the operation returned."""
    if op == "read":
        return obj, repr(walk(obj, path))
    if op == "write":
        parent = walk(obj, path[:-1])
        if isinstance(parent, Model) and isinstance(path[-1], str):
            setattr(parent, path[-1], copy.deepcopy(_VALUES[value]))
        return obj, None
    if op == "deep_copy":
        return obj.deep_copy(), None
    if op == "pickle":
        return pickle.loads(pickle.dumps(obj)), None
    if op == "copy":
        # a dataclass's shallow copy, read or not: every field value is shared
        new = copy.copy(obj)
        shared = [walk(new, path) is walk(obj, path) for path in _PATHS]
        assert all(shared), [p for p, same in zip(_PATHS, shared, strict=True) if not same]
        return new, None
    if op == "deepcopy":
        return copy.deepcopy(obj), None
    if op == "to_json":
        return obj, orjson.loads(obj.to_json())  # unread parts keep their wire key order
    if op == "to_dict":
        return obj, obj.to_dict()
    return obj, repr(obj)


def outcome(run: Any) -> Any:
    """What ``run()`` returns, or the type of what it raised (a value of the wrong type
    assigned to a field fails to encode, lazily or not)."""
    try:
        return run()
    except Exception as exc:  # noqa: BLE001 - compared between the two objects
        return ("raised", type(exc).__name__)


@pytest.fixture(params=[True, False], ids=["split-lists", "parse-whole"])
def split_lists(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setattr(codec, "SPLIT_LISTS", request.param)
    return bool(request.param)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    doc=_POD,
    ops=st.lists(
        st.tuples(st.sampled_from(_OPS), st.sampled_from(_PATHS), st.integers(0, len(_VALUES) - 1)),
        max_size=6,
    ),
    how=st.sampled_from(["from_dict", "from_json", "list item"]),
)
def test_any_reads_and_writes_on_a_lazy_object_match_the_eager_one(
    split_lists: bool, doc: dict[str, Any], ops: list[tuple[str, Any, int]], how: str
) -> None:
    if how == "from_dict":
        lazy = Pod.from_dict(doc)
    elif how == "from_json":
        lazy = Pod.from_json(orjson.dumps(doc))
    else:
        lazy = PodList.from_json(orjson.dumps({"items": [doc]})).items[0]
    built = eager(doc)
    for op, path, value in ops:
        mine = outcome(lambda: step(lazy, op, path, value))  # noqa: B023
        theirs = outcome(lambda: step(built, op, path, value))  # noqa: B023
        if mine[0] == "raised" or theirs[0] == "raised":
            assert mine == theirs, op
            return
        (lazy, mine), (built, theirs) = mine, theirs
        assert mine == theirs, (op, path)
    encoded = outcome(lazy.to_dict)
    assert encoded == outcome(built.to_dict)
    if isinstance(encoded, dict):
        assert outcome(lambda: orjson.loads(lazy.to_json())) == outcome(
            lambda: orjson.loads(built.to_json())
        )
        assert lazy == built and built == lazy
        assert repr(lazy) == repr(built)


@settings(max_examples=300)
@given(_POD, _POD)
def test_equality_of_unread_objects_is_the_equality_of_read_ones(
    one: dict[str, Any], two: dict[str, Any]
) -> None:
    assert (Pod.from_dict(one) == Pod.from_dict(two)) == (eager(one) == eager(two))
    assert Pod.from_dict(one) == eager(one)


_TWIST = {int: 1.0, float: True, bool: 1}  # the next JSON type of the same Python value


def _twistable(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of the 0/1 number and bool leaves of ``value``, where Python's ``==`` cannot
    tell ``1``, ``1.0`` and ``True`` apart; Quantity maps (``limits``, ``requests``) left
    out, since Quantities compare by value on purpose."""
    if isinstance(value, dict):
        if path and path[-1] in ("limits", "requests"):
            return []
        return [p for k, v in value.items() for p in _twistable(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _twistable(v, (*path, i))]
    if value.__class__ in _TWIST and value in (0, 1):
        return [path]
    return []


def _twisted(doc: Any, path: tuple[Any, ...]) -> Any:
    if not path:
        return type(_TWIST[doc.__class__])(doc)
    copied = copy.copy(doc)
    copied[path[0]] = _twisted(doc[path[0]], path[1:])
    return copied


@settings(max_examples=300)
@given(doc=_POD, pick=st.integers(0, 1000))
def test_a_leaf_of_another_json_type_makes_objects_unequal_read_or_not(
    doc: dict[str, Any], pick: int
) -> None:
    # ``==`` means the same JSON document after encoding wherever the schema leaves the
    # JSON type open (unknown fields, wrong shapes kept whole, free-form values), and a
    # typed field keeps a value of another JSON type in extra_fields: either way 1, 1.0
    # and True must differ, read or unread.
    paths = _twistable(doc)
    if not paths:
        return
    other = _twisted(doc, paths[pick % len(paths)])
    assert orjson.dumps(doc) != orjson.dumps(other)
    assert Pod.from_dict(doc) != Pod.from_dict(other)
    assert Pod.from_json(orjson.dumps(doc)) != Pod.from_json(orjson.dumps(other))
    assert eager(doc) != eager(other) and eager(other) != Pod.from_dict(doc)
    assert Pod.from_dict(doc) == eager(doc) and Pod.from_dict(other) == eager(other)


def test_unread_objects_equal_by_value_are_equal() -> None:
    def limits(cpu: Any) -> Pod:
        return Pod.from_dict({"spec": {"containers": [{"resources": {"limits": {"cpu": cpu}}}]}})

    assert limits("1") == limits("1000m") == limits(1)  # Quantities compare by value
    assert limits("1") != limits("2")
    # Python's 1 == 1.0 == True, but they decode differently (and encode differently)
    for a, b in [
        ({"activeDeadlineSeconds": 1}, {"activeDeadlineSeconds": 1.0}),
        ({"hostNetwork": True}, {"hostNetwork": 1}),
    ]:
        assert Pod.from_dict({"spec": a}) != Pod.from_dict({"spec": b})
        assert Pod.from_json(orjson.dumps({"spec": a})) != Pod.from_json(orjson.dumps({"spec": b}))


@pytest.mark.parametrize(
    "make",
    [
        lambda: LabelSelector.from_dict({"matchLabels": "not a map"}).match_labels,
        lambda: Pod.from_json(b'{"metadata": {"name": 5}}').metadata.name,
        lambda: PodList.from_json(b'{"items": [{"metadata": {"labels": [1]}}]}')
        .items[0]
        .metadata.labels,
    ],
)
def test_a_wrong_shape_in_a_class_without_always_set_fields_decodes(make: Any) -> None:
    # extra_of asks the object being loaded for _absent, which such a class has no slot for:
    # that must not start loading it again (it recursed until RecursionError)
    assert make() is None


@pytest.mark.parametrize("depth", [300, 2_000])
def test_a_list_nested_deeply_decodes_alike_either_way(split_lists: bool, depth: int) -> None:
    """300 levels (deeper than orjson writes) round-trip; past the recursion limit both
    list decoders refuse the body at once with ValueError, never RecursionError later."""
    item = b'{"spec": {"x": ' + b"[" * depth + b"]" * depth + b"}}"
    body = b'{"items": [' + item + b"]}"
    if depth > 1_000:
        with pytest.raises(ValueError, match="nested too deeply"):
            PodList.from_json(body)
        return
    pods = PodList.from_json(body)
    nested, levels = pods.items[0].spec.extra_fields["x"], 0
    while nested:
        nested, levels = nested[0], levels + 1
    assert levels == depth - 1
    assert pods.to_json() == body.replace(b": ", b":")


@pytest.mark.parametrize("read_first", [False, True])
def test_a_user_subclass_and_private_state_set_before_loading_behave_as_after(
    read_first: bool,
) -> None:
    class Noted(Pod):
        __slots__ = ("note",)

    doc = {"metadata": {"name": "a"}, "unknown": 1}
    pod = Noted.from_dict(doc)
    if read_first:
        assert pod.metadata.name == "a"
    pod.note = "mine"  # type: ignore[attr-defined]
    assert pod.to_dict() == {"metadata": {"name": "a"}, "unknown": 1}
    assert orjson.loads(pod.to_json()) == doc  # a subclass with slots encodes through Python
    assert pod.note == "mine"  # type: ignore[attr-defined]
    assert pod.deep_copy().__class__ is Noted and pod.deep_copy() == pod


@pytest.mark.parametrize("read_first", [False, True])
def test_to_dict_is_a_tree_the_caller_owns_read_or_not(read_first: bool) -> None:
    doc = {
        "metadata": {"labels": {"a": "b"}, "newField": {"x": [1]}},
        "spec": {
            "containers": [{"name": "c", "args": ["x"], "resources": {"limits": {"cpu": "1"}}}],
            "nodeSelector": {"n": "1"},
        },
    }
    pod = Pod.from_dict(doc)
    if read_first:
        read_all(pod)
    out = pod.to_dict()
    out["metadata"]["labels"]["changed"] = "1"
    out["metadata"]["newField"]["x"].append(2)
    out["spec"]["containers"][0]["args"].append("y")
    out["spec"]["nodeSelector"].clear()
    assert pod.to_dict() == doc
    assert pod.metadata.labels == {"a": "b"} and pod.spec is not None
    assert pod.spec.containers[0].args == ["x"] and pod.spec.node_selector == {"n": "1"}


def test_an_unread_list_item_keeps_only_its_own_text(split_lists: bool) -> None:
    item = {"metadata": {"name": "p", "labels": {"app": "x" * 200}}, "spec": {"containers": []}}
    body = orjson.dumps({"items": [item] * 200})
    PodList.from_json(body).items[0].to_dict()  # first use: imports and caches
    refs = sys.getrefcount(body)
    pods = PodList.from_json(body)
    one = pods.items[7]
    del pods
    gc.collect()
    assert sys.getrefcount(body) == refs  # nothing holds the response body
    # What the item keeps alive, counted object by object (tracemalloc counted other
    # threads' allocations too, which made this flaky under xdist).
    assert _reachable_bytes(one) < len(body) / 20  # one item's worth, not the list's
    assert one.to_dict() == item


def _reachable_bytes(root: object) -> int:
    """The sizes of the objects only ``root`` leads to (classes and modules left out)."""
    seen: set[int] = set()
    todo = [root]
    total = 0
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type | types.ModuleType | types.FunctionType):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        todo.extend(gc.get_referents(obj))
    return total


@pytest.mark.parametrize("copy_data", [True, False])
def test_a_datetime_in_decoded_data_encodes_the_same_copied_or_not(copy_data: bool) -> None:
    naive, aware = datetime(2024, 5, 6, 7, 8, 9), datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    pod = Pod.from_dict({"metadata": {"creationTimestamp": aware}, "x": aware}, copy=copy_data)
    stamp = "2024-05-06T07:08:09.000000Z"
    assert orjson.loads(pod.deep_copy().to_json()) == {
        "metadata": {"creationTimestamp": stamp},
        "x": stamp,
    }
    assert pod.to_dict()["x"] == aware
    with pytest.raises(ValueError, match="naive datetime"):  # never sent without a zone
        Pod.from_dict({"metadata": {"creationTimestamp": naive}}, copy=copy_data).to_json()


def test_informer_handlers_that_copy_before_changing_leave_the_cache_alone() -> None:
    from kube_clientgen_api.kubernetes.fake import Clientset as FakeClientset
    from kube_clientgen_api.kubernetes.informers import SharedInformerFactory

    def pod(i: int) -> Pod:
        return Pod.from_dict(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"p{i}", "namespace": "ns", "labels": {"app": "a"}},
                "spec": {"containers": [{"name": "c", "image": "one", "args": ["x"]}]},
            }
        )

    clientset = FakeClientset(*(pod(i) for i in range(20)))
    stop, handled = threading.Event(), threading.Event()
    changed: list[Pod] = []

    def on_add(obj: Pod) -> None:
        mine = obj.deep_copy()  # the rule: never change what the cache holds
        mine.metadata.labels = {**(mine.metadata.labels or {}), "seen": "1"}
        assert mine.spec is not None
        mine.spec.containers[0].image = "two"
        mine.spec.containers[0].args.append("y")  # type: ignore[union-attr]
        changed.append(mine)
        if len(changed) == 20:
            handled.set()

    factory = SharedInformerFactory(clientset)
    pods = factory.core_v1.pods()
    pods.informer().add_event_handler(on_add=on_add)
    try:
        factory.start(stop)
        factory.wait_for_cache_sync(stop)
        assert handled.wait(30)
        for i in range(20):
            cached = pods.lister().pods("ns").get(f"p{i}")
            stored = clientset.core_v1.pods("ns").get(f"p{i}")
            assert cached == stored and cached.to_dict() == stored.to_dict()
            assert cached.spec == pod(i).spec and cached.metadata.labels == {"app": "a"}
        assert all(p.metadata.labels == {"app": "a", "seen": "1"} for p in changed)
    finally:
        stop.set()
