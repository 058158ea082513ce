"""Numbers survive decoding, copying, comparing and encoding exactly: integers beyond 64
bits (which orjson alone turns into floats), NaN, infinities and -0.0 (which a JSON
round trip turns into null), and numbers that overflow a float (which orjson refuses)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from kube_clientgen_api.kubernetes.core.v1 import Pod, PodList
from kubecore.core import codec
from kubecore.core.codec import json_dumps, json_loads
from tests.helpers import read_all

BIG = 123456789012345678901234567890
NEGATIVE_BIG = -(2**64) - 1


def pod_json(future: str) -> bytes:
    """A Pod whose ``spec.futureField`` (unknown to the schema) holds ``future`` as JSON."""
    return (
        b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},'
        b'"spec":{"containers":[{"name":"app","image":"nginx"}],"futureField":'
        + future.encode()
        + b'},"status":{"phase":"Running"}}'
    )


@pytest.fixture(params=[True, False], ids=["split-lists", "parse-whole"])
def split_lists(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setattr(codec, "SPLIT_LISTS", request.param)
    return bool(request.param)


def test_json_loads_keeps_integers_beyond_64_bits() -> None:
    doc = json_loads(f'{{"a":{BIG},"b":[{NEGATIVE_BIG}],"c":18446744073709551615}}'.encode())
    assert doc == {"a": BIG, "b": [NEGATIVE_BIG], "c": 2**64 - 1}
    assert type(doc["a"]) is int


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'{"a": 1e999}', "out of range for a float64"),
        (b'{"a": [-1e400]}', "out of range for a float64"),
        (b'{"a": NaN}', "NaN is not JSON"),
        (b'{"a": -Infinity}', "-Infinity is not JSON"),
        (b'{"a": ', "Expecting value"),
    ],
)
def test_json_loads_refuses_what_a_float64_cannot_hold(text: bytes, message: str) -> None:
    """As kube-apiserver (Go's encoding/json) does; infinity would be written back as null."""
    with pytest.raises(ValueError, match=message):
        json_loads(text)
    with pytest.raises(ValueError, match=message):
        Pod.from_json(text)


def test_json_loads_reads_a_lone_surrogate_as_python_json_does() -> None:
    assert json_loads(b'{"a": "\\ud800"}') == {"a": "\ud800"}


def test_reading_past_the_recursion_limit_is_a_value_error_and_writing_has_no_limit() -> None:
    depth = 5_000
    with pytest.raises(ValueError, match="nested too deeply"):
        json_loads(b"[" * depth + b"]" * depth)
    deep: Any = []
    for _ in range(300):  # deeper than orjson writes (254): Python's json writes it
        deep = [deep]
    assert json_loads(json_dumps(deep)) == deep
    for _ in range(depth):
        deep = [deep]
    # Writing has no depth limit (kubecore.core.jsonwriter walks with its own stack).
    assert json_dumps(deep) == b"[" * (depth + 301) + b"]" * (depth + 301)


@pytest.mark.parametrize("read", [False, True], ids=["unread", "read"])
def test_pod_round_trips_a_big_integer(read: bool) -> None:
    body = pod_json(f'{{"big":{BIG},"list":[{NEGATIVE_BIG},1,1.0,-0.0]}}')
    pod = Pod.from_json(body)
    if read:
        read_all(pod)
    assert pod.spec.extra_fields["futureField"]["big"] == BIG
    assert json.loads(pod.to_json()) == json.loads(body)
    assert pod.to_dict() == json.loads(body)
    assert json.loads(pod.deep_copy().to_json()) == json.loads(body)
    assert Pod.from_dict(pod.to_dict()) == pod


def test_equality_of_documents_with_big_integers() -> None:
    one = Pod.from_json(pod_json(f"[{BIG}, 1]"))
    assert one == Pod.from_json(pod_json(f"[{BIG}, 1]"))
    assert one != Pod.from_json(pod_json(f"[{BIG + 1}, 1]"))
    # An int field holding 1.0 keeps it aside (it does not fit), so it differs from 1.
    deadline = pod_json(f"{BIG}").replace(
        b'"containers"', b'"activeDeadlineSeconds":1,"containers"'
    )
    other = deadline.replace(b":1,", b":1.0,")
    assert Pod.from_json(deadline) == Pod.from_json(deadline)
    assert Pod.from_json(deadline) != Pod.from_json(other)
    read = Pod.from_json(other)
    read_all(read)
    assert read != Pod.from_json(deadline) and read == Pod.from_json(other)


def test_list_items_keep_big_integers(split_lists: bool) -> None:
    items = ",".join(pod_json(f'{{"n":{BIG + i}}}').decode() for i in range(3))
    body = f'{{"apiVersion":"v1","kind":"PodList","metadata":{{}},"items":[{items}]}}'.encode()
    pods = PodList.from_json(body)
    assert json.loads(pods.to_json()) == json.loads(body)  # items unread
    assert [p.spec.extra_fields["futureField"]["n"] for p in pods.items] == [
        BIG,
        BIG + 1,
        BIG + 2,
    ]
    assert json.loads(pods.to_json()) == json.loads(body)  # items read


def test_a_list_item_overflowing_a_float_is_refused_when_read(split_lists: bool) -> None:
    """msgspec's split only finds where items end: an item's numbers are checked when it
    is parsed, on first read (the whole body at once without the split)."""
    body = b'{"apiVersion":"v1","kind":"PodList","metadata":{},"items":[' + pod_json("1e999")
    body += b"]}"
    with pytest.raises(ValueError, match="out of range"):
        pods = PodList.from_json(body)
        pods.items[0].spec  # noqa: B018 - the first read parses the item


def test_from_dict_copies_nan_infinity_and_negative_zero() -> None:
    data = json.loads(pod_json("[0]"))
    data["spec"]["futureField"] = [math.nan, math.inf, -math.inf, -0.0, BIG]
    pod = Pod.from_dict(data)
    kept = pod.spec.extra_fields["futureField"]
    assert math.isnan(kept[0]) and kept[1:3] == [math.inf, -math.inf]
    assert math.copysign(1.0, kept[3]) == -1.0 and kept[4] == BIG
    assert kept is not data["spec"]["futureField"]  # a copy, not the caller's list
    copied = pod.to_dict()["spec"]["futureField"]
    assert math.isnan(copied[0]) and copied[1:] == kept[1:]


def test_json_dumps_writes_big_integers() -> None:
    assert (
        json_dumps({"a": BIG, "b": [NEGATIVE_BIG]})
        == f'{{"a":{BIG},"b":[{NEGATIVE_BIG}]}}'.encode()
    )
    with pytest.raises(TypeError, match="cannot encode object"):
        json_dumps({"a": BIG, "b": object()})
