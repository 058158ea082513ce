"""Smoke tests of the codec benchmarks (``bench/codec.py``, ``bench/workers.py``) at tiny
sizes: every worker mode runs, its lossless checks hold, and the report splices into
``docs/benchmarks.md`` without touching the other sections. Nothing here asserts a timing."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def bench() -> dict[str, ModuleType]:
    sys.path.insert(0, str(BENCH))
    try:
        import codec
        import podlist
        import workers
    finally:
        sys.path.remove(str(BENCH))
    return {"codec": codec, "podlist": podlist, "workers": workers}


@pytest.fixture(scope="module")
def lists(
    bench: dict[str, ModuleType], tmp_path_factory: pytest.TempPathFactory
) -> dict[int, Path]:
    podlist = bench["podlist"]
    items = podlist.pods(4)
    out = {}
    for n in (1, 4):
        path = tmp_path_factory.mktemp("pods") / f"podlist-{n}.json"
        path.write_bytes(podlist.dumps(podlist.wrap(items[:n])))
        out[n] = path
    return out


def _leaves(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    return 1


def test_read_every_field_reaches_every_wire_value(bench: dict[str, ModuleType]) -> None:
    from kube_clientgen_api.kubernetes.core.v1 import Pod

    # one realistic pod without the fields the schema does not know and the explicit nulls
    # (those live in extra_fields, which the walker does not read): every wire leaf is then
    # the value of a field, and the walker visits each (plus every model, list and dict)
    pod = bench["podlist"].pods(1)[0]
    del pod["spec"]["futureField"]
    for status in pod["status"]["containerStatuses"]:
        del status["someNewThing"]
    for condition in pod["status"]["conditions"]:
        del condition["lastProbeTime"]
    obj = Pod.from_dict(pod)
    assert obj.to_dict() == pod
    assert bench["workers"].read_every_field(obj) >= _leaves(pod) > 100


def test_decode_worker_ours(bench: dict[str, ModuleType], lists: dict[int, Path]) -> None:
    r = bench["workers"].decode("ours", str(lists[4]), 2)
    assert r["pods"] == 4
    assert r["lossless"] == {"json": True, "ours": True, "ours-walk": True}
    assert r["fields_read"] > 0
    assert set(r["times"]) == {
        f"{n}/{m}" for n in ("json", "ours", "ours-walk", "walk-only") for m in ("on", "off")
    }
    assert all(len(t) == 2 for t in r["times"].values())


def test_encode_worker_ours(bench: dict[str, ModuleType], lists: dict[int, Path]) -> None:
    r = bench["workers"].encode("ours", str(lists[4]), 1)
    # the read-modify-write row encodes the input plus the label set in every pod
    assert r["lossless"] == {
        "orjson": True,
        "ours": True,
        "ours-built": True,
        "ours-modified": True,
    }
    assert set(r["times"]) == {
        f"{n}/{m}" for n in ("orjson", "ours", "ours-built", "ours-modified") for m in ("on", "off")
    }


@pytest.mark.parametrize("variant", ["ours-walk", "json"])
@pytest.mark.parametrize("mode", ["rss", "tracemalloc"])
def test_held_worker(
    bench: dict[str, ModuleType], lists: dict[int, Path], variant: str, mode: str
) -> None:
    r = bench["workers"].held(variant, str(lists[4]), mode, str(lists[1]))
    assert r["pods"] == 4 and r["mode"] == mode
    if mode == "tracemalloc":
        assert r["bytes"] > 0


def test_anchors_decode_and_encode(bench: dict[str, ModuleType], lists: dict[int, Path]) -> None:
    workers = bench["workers"]  # msgspec is a dependency, lightkube a dev dependency
    r = workers.decode("msgspec", str(lists[1]), 1)
    assert r["lossless"]["json"] is True and "msgspec/off" in r["times"]
    r = workers.encode("msgspec", str(lists[1]), 1)
    assert set(r["times"]) == {"orjson/on", "orjson/off", "msgspec/on", "msgspec/off"}


def test_report_splices_only_the_codec_sections(
    bench: dict[str, ModuleType], lists: dict[int, Path]
) -> None:
    codec, workers = bench["codec"], bench["workers"]
    results = {
        "bytes": {"10": lists[4].stat().st_size},
        "decode": {"ours/10": workers.decode("ours", str(lists[4]), 1)},
        "encode": {},
        "held": {},
    }
    doc = "\n".join(
        [
            "# Benchmarks",
            "",
            "## Summary",
            "",
            "| Benchmark | Ours | Anchor | Ratio | Target | Met |",
            "|---|---|---|---|---|---|",
            "| a. decode PodList (2,000 pods) | 1 | 2 | 3 | 4 | 5 |",
            "| d. import time | 1 | 2 | 3 | 4 | 5 |",
            "",
            "Data: `bench/podlist.py`, old text.",
            "",
            "## a. Decode: old",
            "old a",
            "",
            "## c. Memory: old",
            "old c",
            "",
            "## d. Import time",
            "keep d",
            "",
            "## Where our decode spends its time",
            "old profile",
            "",
            "## Method",
            "keep method",
            "",
        ]
    )
    new = codec.splice(doc, results, "Spliced by the test.")
    assert "old a" not in new and "old c" not in new and "old profile" not in new
    assert "Data: `bench/podlist.py`, old text." not in new
    assert "keep d" in new and "keep method" in new and "Spliced by the test." in new
    summary = new[new.index("## Summary") : new.index("## a. ")]
    assert "| d. import time | 1 | 2 | 3 | 4 | 5 |" in summary
    assert "a. decode PodList (2,000 pods)" not in summary
    assert "| a. decode PodList, 10 pods (collector on) |" in summary
    assert new.index("## a. ") < new.index("## b. ") < new.index("## c. ") < new.index("## d. ")
