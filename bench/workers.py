"""Measurements that run in a fresh interpreter, one library per process.

``bench/run.py`` starts ``python bench/workers.py KIND LIB FILE [REPS]`` and reads one JSON
object from the last line of stdout. A process per library keeps the heaps comparable: the
garbage collector's cost grows with the number of live objects, so a library must not pay
for another library's imports or decoded objects.

Kinds:

* ``speed``: decode the PodList file and encode it back, interleaved with the stdlib anchor
  (``json.loads`` / ``json.dumps(...).encode()``) in the same process; both with the garbage
  collector enabled (what programs see) and, for ``ours``, disabled (the codec alone).
* ``memory``: decode every line of a JSON-lines file of single pods (each pod from its own
  bytes), keep the results, and report the memory they hold: tracemalloc's traced total after
  ``gc.collect()``, or in ``rss`` mode the resident-set growth (tracemalloc off).
* ``profile``: cProfile of our PodList decode (gc off), aggregated per generated class.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Callable
from typing import Any

Codec = tuple[Callable[[bytes], Any], Callable[[Any], bytes]]


def codec(lib: str, kind: str = "list") -> Codec:
    """(decode bytes -> object, encode object -> JSON bytes) for one library."""
    if lib == "ours":
        from kube_clientgen_api.kubernetes.core.v1 import Pod, PodList

        cls = PodList if kind == "list" else Pod
        return cls.from_json, lambda obj: obj.to_json()
    if lib == "lightkube":
        # What lightkube's client does with a response body and a request body
        # (lightkube.core.decoders.decode_list / decode_object, generic_client.json_encode).
        import msgspec
        from lightkube.models.core_v1 import PodList as LkPodList
        from lightkube.resources.core_v1 import Pod as LkPod

        lk_type = LkPodList if kind == "list" else LkPod
        return (
            lambda data: msgspec.json.decode(data, type=lk_type),
            msgspec.json.encode,
        )
    if lib == "lightkube-dict":
        # lightkube's dict API: Model.from_dict / obj.to_dict, with the stdlib json module.
        from lightkube.models.core_v1 import PodList as LkPodList
        from lightkube.resources.core_v1 import Pod as LkPod

        lk = LkPodList if kind == "list" else LkPod
        return (
            lambda data: lk.from_dict(json.loads(data)),
            lambda obj: json.dumps(obj.to_dict()).encode(),
        )
    if lib == "kubernetes":
        from kubernetes.client import ApiClient

        api = ApiClient()
        type_name = "V1PodList" if kind == "list" else "V1Pod"
        # What the client's response_deserialize does with a response body.
        return (
            lambda data: api.deserialize(data.decode("utf-8"), type_name, "application/json"),
            lambda obj: json.dumps(api.sanitize_for_serialization(obj)).encode(),
        )
    if lib == "json":
        return json.loads, lambda obj: json.dumps(obj).encode()
    if lib == "orjson":
        import orjson

        return orjson.loads, orjson.dumps
    raise SystemExit(f"unknown library {lib!r}")


def _timed(fn: Callable[[], Any], gc_on: bool) -> float:
    gc.collect()
    if not gc_on:
        gc.disable()
    try:
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    del result
    return elapsed


def speed(lib: str, path: str, reps: int) -> dict[str, Any]:
    with open(path, "rb") as f:
        data = f.read()
    anchor_dec, anchor_enc = codec("json")
    dec, enc = codec(lib)
    extra = {"orjson": codec("orjson")} if lib == "ours" else {}

    # Warm-up (untimed): lazy imports, caches, and the lossless check. Nothing decoded stays
    # alive while decoding is timed, so every decoder runs against the same small heap.
    original = json.loads(data)
    lossless = json.loads(enc(dec(data))) == original
    del original
    gc.collect()

    modes = (True, False) if lib == "ours" else (True,)
    times: dict[str, list[float]] = {}
    for gc_on in modes:
        suffix = "" if gc_on else "_nogc"
        for r in range(reps):
            # Alternate the order so that drift in machine load hits both sides alike.
            pairs = [("json", anchor_dec, anchor_enc), (lib, dec, enc)]
            pairs += [(name, d, e) for name, (d, e) in extra.items()]
            if r % 2:
                pairs.reverse()
            for name, d, _ in pairs:
                times.setdefault(f"decode_{name}{suffix}", []).append(
                    _timed(lambda d=d: d(data), gc_on)
                )
        # Encode: each encoder encodes its own decoded object; all of them stay alive
        # throughout, so the heap is the same for every encoder.
        obj, original = dec(data), json.loads(data)
        for r in range(reps):
            pairs = [("json", anchor_enc, original), (lib, enc, obj)]
            if lib == "ours":
                pairs.append(("orjson", extra["orjson"][1], original))
            if r % 2:
                pairs.reverse()
            for name, e, value in pairs:
                times.setdefault(f"encode_{name}{suffix}", []).append(
                    _timed(lambda e=e, value=value: e(value), gc_on)
                )
        del obj, original
    return {"lib": lib, "bytes": len(data), "lossless": lossless, "times": times}


def _rss() -> int:
    with open("/proc/self/statm") as f:
        import os

        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def memory(lib: str, path: str, mode: str) -> dict[str, Any]:
    import tracemalloc

    with open(path, "rb") as f:
        lines = f.read().splitlines()
    dec, _ = codec(lib, kind="pod")
    dec(lines[0])  # lazy imports and caches happen before measuring
    gc.collect()
    start = time.perf_counter()
    if mode == "tracemalloc":
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    else:
        before = _rss()
    objs = [dec(line) for line in lines]
    gc.collect()
    if mode == "tracemalloc":
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    else:
        after = _rss()
    elapsed = time.perf_counter() - start
    assert len(objs) == len(lines)
    return {
        "lib": lib,
        "mode": mode,
        "pods": len(objs),
        "bytes": after - before,
        "seconds": elapsed,
    }


def profile(path: str, top: int) -> dict[str, Any]:
    """Our decode under cProfile (gc off), with time grouped by generated class."""
    import cProfile
    import pstats

    import orjson

    from kube_clientgen_api.kubernetes.core.v1 import PodList

    with open(path, "rb") as f:
        data = f.read()
    owners = _from_dict_owners()
    PodList.from_json(data)  # warm-up
    parsed = orjson.loads(data)
    gc.collect()
    gc.disable()
    prof = cProfile.Profile()
    prof.enable()
    PodList.from_dict(parsed)
    prof.disable()
    start = time.perf_counter()
    PodList.from_dict(parsed)
    plain = time.perf_counter() - start
    gc.enable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    rows: dict[str, list[float]] = {}
    total = 0.0
    for (filename, line, func), (_, ncalls, tottime, _, _) in stats.items():
        total += tottime
        if filename == "~":
            label = func.split(" at 0x")[0] + (">" if " at 0x" in func else "")
        else:
            short = "/".join(filename.rsplit("/", 3)[-3:])
            label = owners.get((filename, line), f"{short}:{func}")
        row = rows.setdefault(label, [0, 0.0])
        row[0] += ncalls
        row[1] += tottime
    ranked = sorted(rows.items(), key=lambda kv: -kv[1][1])[:top]
    return {
        "total": total,
        "unprofiled": plain,
        "parse": _parse_seconds(data),
        "rows": [[label, int(calls), secs] for label, (calls, secs) in ranked],
    }


def _parse_seconds(data: bytes) -> float:
    import orjson

    best = float("inf")
    for _ in range(3):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        orjson.loads(data)
        best = min(best, time.perf_counter() - start)
        gc.enable()
    return best


def _from_dict_owners() -> dict[tuple[str, int], str]:
    """(file, first line) of every generated ``from_dict`` -> ``Class.from_dict``."""
    import importlib

    owners: dict[tuple[str, int], str] = {}
    for name in ("kube_clientgen_api.kubernetes.core.v1.models", "kubecore.core.generated.meta_v1"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for attr in (getattr(module, n) for n in module.__all__):  # lazy packages: load them
            fn = getattr(getattr(attr, "from_dict", None), "__func__", None)
            code = getattr(fn, "__code__", None)
            if isinstance(attr, type) and code is not None:
                owners[(code.co_filename, code.co_firstlineno)] = f"{attr.__name__}.from_dict"
    return owners


def main(argv: list[str]) -> int:
    kind = argv[0]
    if kind == "speed":
        result = speed(argv[1], argv[2], int(argv[3]))
    elif kind == "memory":
        result = memory(argv[1], argv[2], argv[3])
    elif kind == "profile":
        result = profile(argv[1], int(argv[2]))
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
