"""The general encode path (``kubecore.core.jsonwriter.write_json``) writes what Python's
``json.dumps(value, separators=(",", ":"), default=...)`` writes, byte for byte, for any
value json can write, and goes on where json stops: any depth, and ``orjson.Fragment``."""

from __future__ import annotations

import enum
import json
from typing import Any

import pytest

from kube_clientgen_api.kubernetes.core.v1 import Pod, PodList
from kubecore.core.codec import json_dumps
from kubecore.core.generated.meta_v1 import ListMeta
from kubecore.core.jsonwriter import RawJSON, write_json
from kubecore.core.times import Time


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Point:
    def __init__(self, x: int) -> None:
        self.x = x


def _to_json(value: Any) -> Any:
    if isinstance(value, Point):
        return {"x": value.x}
    raise TypeError(f"cannot encode {type(value).__name__}")


_VALUES: dict[str, Any] = {
    "empty object": {},
    "empty array": [],
    "scalars": [None, True, False, 0, -1, 2**70, -(2**70), 1.5, -0.0, 1e300, 5e-324],
    "not JSON floats": [float("nan"), float("inf"), float("-inf")],
    "strings": ["", 'a"b\\c', "\n\t\x00\x1f", "é漢字🙂", "\ud800", "</script>"],
    "str and int subclasses": [Time("2024-01-02T03:04:05Z"), Colour.RED, Level.HIGH],
    "keys of every kind json takes": {"s": 1, 2: 2, 2.5: 3, True: 4, None: 5},
    "tuples": (1, (2, 3), []),
    "nested": {"a": [{"b": {"c": [1, [2, [3, {}]]]}}], "d": {"e": None}},
    "default": [Point(1), {"p": Point(2)}],
    "order kept": {"z": 1, "a": 2, "m": 3},
}


@pytest.mark.parametrize("name", list(_VALUES))
def test_writes_what_json_dumps_writes(name: str) -> None:
    value = _VALUES[name]
    expected = json.dumps(value, separators=(",", ":"), default=_to_json).encode()
    assert write_json(value, _to_json) == expected


def test_any_depth() -> None:
    value: Any = "leaf"
    for level in range(5000):
        value = {"l": [value]} if level % 2 else [value]
    out = write_json(value, _to_json)
    assert out.startswith(b'{"l":[[{"l":[[') and out.count(b"[") == 5000


def test_raw_json_is_copied_as_it_came() -> None:
    raw = RawJSON(b'{"a": [1, 2]}')
    assert write_json([raw, RawJSON('"\\u00e9"')], _to_json) == b'[{"a": [1, 2]},"\\u00e9"]'


def test_a_circular_reference_raises_value_error() -> None:
    loop: list[Any] = [1]
    loop.append({"again": loop})
    with pytest.raises(ValueError, match="Circular"):
        write_json(loop, _to_json)


def test_the_same_container_twice_is_not_circular() -> None:
    shared = {"a": 1}
    assert write_json([shared, shared], _to_json) == b'[{"a":1},{"a":1}]'


@pytest.mark.parametrize(("value", "error"), [({(1, 2): 1}, TypeError), (object(), TypeError)])
def test_what_json_refuses_raises_the_same_error(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        json.dumps(value, default=_to_json)
    with pytest.raises(error):
        write_json(value, _to_json)


def test_a_default_that_never_ends_raises() -> None:
    with pytest.raises(ValueError, match="default never ends"):
        write_json(Point(1), lambda value: Point(1))


def test_an_unread_list_item_with_a_big_integer_elsewhere_encodes_in_one_pass() -> None:
    """orjson refuses the big integer, so the general path writes the document; the unread
    item's text goes out as it came (it used to be parsed again through ``to_dict()``)."""
    item = b'{"metadata": {"name": "a"},   "spec": {"containers": []}}'
    body = b'{"apiVersion":"v1","kind":"PodList","metadata":{},"items":[' + item + b"]}"
    pods = PodList.from_json(body)
    pods.metadata = ListMeta(extra_fields={"big": 2**70})
    out = pods.to_json()
    assert item in out  # the unparsed text, spacing and all
    assert json.loads(out)["metadata"]["big"] == 2**70
    assert json.loads(out)["items"][0] == json.loads(item)
    assert isinstance(pods.items[0], Pod)


def test_json_dumps_falls_back_for_big_integers() -> None:
    assert json_dumps({"n": 2**70, "t": Time("2024-01-02T03:04:05Z")}) == (
        b'{"n":1180591620717411303424,"t":"2024-01-02T03:04:05Z"}'
    )
