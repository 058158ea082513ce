"""Measurements that run in a fresh interpreter, one library per process.

``bench/run.py`` (through ``bench/codec.py``) starts ``python bench/workers.py KIND ARGS...``
and reads one JSON object from the last line of stdout. A process per library keeps the heaps
comparable: the garbage collector's cost grows with the number of live objects, so a library
must not pay for another library's imports or decoded objects.

Kinds:

* ``decode LIB FILE REPS``: decode the PodList file, interleaved with the ``json.loads``
  anchor in the same process, each call timed alone, first with the collector on (as a program
  runs), then with it paused (``gc.disable()`` around every timed call, for every library, so
  the codec work alone is visible). For ``ours`` also "decode + read every field"
  (:func:`read_every_field`), timed together, so a lazy decoder cannot hide deferred work,
  and the walker alone on an object already fully built (its own cost).
* ``encode LIB FILE REPS``: encode against ``orjson.dumps`` of the dicts ``orjson.loads``
  returns, in the same process, collector on and paused. For ``ours`` three objects: freshly
  decoded (untouched), after reading every field (fully built), and after changing one label
  in each pod (read-modify-write); each repetition decodes a new object, untimed.
* ``encode-once VARIANT FILE REPS``: build one object to encode and encode it REPS times,
  untimed (what cachegrind measures for section b's simulated work).
* ``held VARIANT FILE MODE WARM_FILE``: decode one PodList body and keep the result; report
  the resident-set growth (``rss``) or tracemalloc's retained total (``tracemalloc``) after
  ``gc.collect()``. WARM_FILE (a small PodList) is decoded first so imports and caches are
  not counted.
* ``profile FILE TOP``: cProfile of our PodList decode (gc off), aggregated per generated class.

Every library's lossless check is ``json.loads(encode(decode(b))) == json.loads(b)`` (parsed
with orjson, which gives the same values, faster).
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from operator import attrgetter
from typing import Any

Codec = tuple[Callable[[bytes], Any], Callable[[Any], bytes]]

#: The label ``encode`` sets in every pod for the read-modify-write row.
LABEL = ("bench.kube-clientgen.io/touched", "yes")


def codec(lib: str, kind: str = "list") -> Codec:
    """(decode bytes -> object, encode object -> JSON bytes) for one library."""
    if lib == "ours":
        from kube_clientgen_api.kubernetes.core.v1 import Pod, PodList

        cls = PodList if kind == "list" else Pod
        return cls.from_json, lambda obj: obj.to_json()
    if lib == "ours-walk":
        dec, enc = codec("ours", kind)

        def decode_and_read(data: bytes) -> Any:
            obj = dec(data)
            read_every_field(obj)
            return obj

        return decode_and_read, enc
    if lib in ("msgspec", "lightkube"):
        # What lightkube's client does with a response body and a request body
        # (lightkube.core.decoders: msgspec.json.decode(b, type=...); generic_client:
        # msgspec.json.encode). A reused Decoder is the same work without the type lookup.
        import msgspec
        from lightkube.models.core_v1 import PodList as LkPodList
        from lightkube.resources.core_v1 import Pod as LkPod

        decoder = msgspec.json.Decoder(LkPodList if kind == "list" else LkPod)
        return decoder.decode, msgspec.json.Encoder().encode
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


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    fields = getattr(cls, "FIELDS", None)
    if fields is not None:  # kubecore models: FieldInfo in declaration order
        names = tuple(f.name for f in fields)
    elif dataclasses.is_dataclass(cls):
        names = tuple(f.name for f in dataclasses.fields(cls))
    else:
        names = ()
    _FIELD_NAMES[cls] = names
    return names


def read_every_field(root: Any) -> int:
    """Read every field of a decoded object tree; returns the number of values visited.

    Generic: a model's fields are its class's ``FIELDS`` (or ``dataclasses.fields``), read
    with ``getattr``; models, lists and dicts are walked into, anything else is a leaf. A
    lazy decoder builds each field on first access, so this makes it do all its work.
    """
    count = 0
    stack = [root]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        value = pop()
        count += 1
        cls = type(value)
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _field_names(cls)
        if names:
            for name in names:
                push(getattr(value, name))
        elif isinstance(value, list):
            extend(value)
        elif isinstance(value, dict):
            extend(value.values())
    return count


def touch_every_pod(pod_list: Any) -> None:
    """Read-modify-write: set one label on every pod (``pod.metadata.labels[k] = v``)."""
    key, value = LABEL
    for pod in pod_list.items:
        labels = pod.metadata.labels
        if labels is None:
            labels = pod.metadata.labels = {}
        labels[key] = value


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


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


#: Above this size the kubernetes decoder's lossless check is skipped (reported as not run).
SLOW_CHECK_PODS = 2_000

DECODE_VARIANTS = {
    "ours": ("ours", "ours-walk"),
    "orjson": ("orjson",),
    "msgspec": ("msgspec",),
    "kubernetes": ("kubernetes",),
    "json": (),
}


def decode(lib: str, path: str, reps: int) -> dict[str, Any]:
    data = _read(path)
    names = ("json", *DECODE_VARIANTS[lib])
    codecs = {name: codec(name) for name in names}
    loads = codec("orjson")[0]  # the fastest parser for the checks (same values as json)
    original = loads(data)
    pods = len(original["items"])
    # Warm-up (untimed) that is also the lossless check. Nothing decoded stays alive while
    # decoding is timed, so every decoder runs against the same small heap.
    lossless: dict[str, bool] = {"json": True}  # the anchor, by definition
    fields_read = None
    for name, (dec, enc) in codecs.items():
        if name == "json":
            continue
        if name == "kubernetes" and pods > SLOW_CHECK_PODS:
            continue  # a minute per check at 10,000 pods; the answer is the smaller sizes'
        obj = dec(data)
        if name == "ours-walk":
            fields_read = read_every_field(obj)
        lossless[name] = loads(enc(obj)) == original
        del obj
    del original
    gc.collect()
    times: dict[str, list[float]] = {}
    for gc_on in (True, False):
        mode = "on" if gc_on else "off"
        for r in range(reps):
            order = list(codecs.items())
            # Rotate the order so that drift in machine load hits every variant alike.
            order = order[r % len(order) :] + order[: r % len(order)]
            for name, (dec, _) in order:
                times.setdefault(f"{name}/{mode}", []).append(
                    _timed(lambda dec=dec: dec(data), gc_on)
                )
        if lib == "ours":
            # The walker's own cost: reading every field of an object already fully built.
            built = codecs["ours-walk"][0](data)
            for _ in range(reps):
                times.setdefault(f"walk-only/{mode}", []).append(
                    _timed(partial(read_every_field, built), gc_on)
                )
            del built
    return {
        "lib": lib,
        "pods": pods,
        "bytes": len(data),
        "reps": reps,
        "lossless": lossless,
        "fields_read": fields_read,
        "times": times,
    }


def _built(dec: Callable[[bytes], Any], data: bytes) -> Any:
    obj = dec(data)
    read_every_field(obj)
    return obj


def _modified(dec: Callable[[bytes], Any], data: bytes) -> Any:
    obj = dec(data)
    touch_every_pod(obj)
    return obj


#: Our encoded states: name -> make(decode, body) builds a fresh object in that state.
OURS_ENCODED: dict[str, Callable[[Callable[[bytes], Any], bytes], Any]] = {
    "ours": lambda dec, data: dec(data),
    "ours-built": _built,
    "ours-modified": _modified,
}


def _rebuilt(value: Any, subclass: bool, classes: dict[type, type]) -> Any:
    """A fully built model tree rebuilt with every model replaced by its wire dict (plain,
    or as an instance of a dict subclass per model class): what a model that *is* a dict
    would hand orjson, with its objects made after the parse as a lazy decoder makes them."""
    from kubecore.core.model import Model

    if isinstance(value, Model):
        wire = {k: _rebuilt(v, subclass, classes) for k, v in value.__dict__.items()}
        if not subclass:
            return wire
        cls = classes.get(type(value))
        if cls is None:
            cls = classes[type(value)] = type(type(value).__name__, (dict,), {"__slots__": ()})
        return cls(wire)
    if isinstance(value, dict):
        return {k: _rebuilt(v, subclass, classes) for k, v in value.items()}
    if isinstance(value, list):
        return [_rebuilt(v, subclass, classes) for v in value]
    return value


def encode_once(variant: str, path: str, reps: int) -> dict[str, Any]:
    """Build one object (``orjson``: the anchor's dicts; ``dicts-built`` and
    ``dictsub-built``: a fully built tree rebuilt as plain dicts or dict-subclass objects;
    else one of :data:`OURS_ENCODED`) and encode it ``reps`` times with the collector
    paused; nothing is timed. Run under cachegrind by ``bench/codec.py``, twice with
    different ``reps``, so that the difference is the simulated work of the encodes alone."""
    import orjson

    data = _read(path)
    enc: Callable[[Any], bytes]
    if variant == "orjson":
        obj: Any = orjson.loads(data)
        enc = orjson.dumps
    elif variant in ("dicts-built", "dictsub-built"):
        dec, enc = codec("ours")
        obj = _rebuilt(_built(dec, data), variant == "dictsub-built", {})
        # Quantities as our encoder writes them (Time is a str subclass orjson writes itself)
        enc = partial(orjson.dumps, default=attrgetter("_json_value"))
    else:
        dec, enc = codec("ours")
        obj = OURS_ENCODED[variant](dec, data)
    gc.collect()
    gc.disable()
    for _ in range(reps):
        enc(obj)
    return {"variant": variant, "reps": reps}


def encode(lib: str, path: str, reps: int) -> dict[str, Any]:
    import orjson

    data = _read(path)
    original = orjson.loads(data)  # for the checks (the same values json.loads gives)
    anchor = orjson.loads(data)
    dec, enc = codec("ours" if lib == "ours" else lib)
    # name -> make a fresh object to encode (untimed)
    prepare: dict[str, Callable[[], Any]]
    if lib == "ours":
        prepare = {name: partial(make, dec, data) for name, make in OURS_ENCODED.items()}
    else:
        kept = dec(data)
        prepare = {lib: lambda: kept}
    touched = orjson.loads(data)
    for pod in touched["items"]:
        pod.setdefault("metadata", {}).setdefault("labels", {})[LABEL[0]] = LABEL[1]
    lossless = {"orjson": orjson.loads(orjson.dumps(anchor)) == original}
    for name, make in prepare.items():
        expected = touched if name == "ours-modified" else original
        lossless[name] = orjson.loads(enc(make())) == expected
    del touched
    gc.collect()
    times: dict[str, list[float]] = {}
    for gc_on in (True, False):
        mode = "on" if gc_on else "off"
        for r in range(reps):
            names = ["orjson", *prepare]
            names = names[r % len(names) :] + names[: r % len(names)]
            for name in names:
                if name == "orjson":
                    call = partial(orjson.dumps, anchor)
                else:  # a new object each time, made untimed; the previous one is gone
                    call = partial(enc, prepare[name]())
                times.setdefault(f"{name}/{mode}", []).append(_timed(call, gc_on))
                del call
    return {
        "lib": lib,
        "pods": len(original["items"]),
        "bytes": len(data),
        "reps": reps,
        "lossless": lossless,
        "times": times,
    }


HELD_VARIANTS = ("ours", "ours-walk", "json", "orjson", "msgspec")


def held(variant: str, path: str, mode: str, warm_path: str) -> dict[str, Any]:
    """Memory held after decoding one PodList body (a client's list call), in this process."""
    import tracemalloc

    dec, _ = codec(variant)
    data = _read(path)
    dec(_read(warm_path))  # imports and caches happen before measuring
    gc.collect()
    if mode == "tracemalloc":
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
    else:
        before = _rss()
    start = time.perf_counter()
    obj = dec(data)
    elapsed = time.perf_counter() - start
    gc.collect()
    if mode == "tracemalloc":
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    else:
        after = _rss()
    items = obj["items"] if isinstance(obj, dict) else obj.items
    return {
        "variant": variant,
        "mode": mode,
        "pods": len(items),
        "bytes": after - before,
        "seconds": elapsed,
    }


def _rss() -> int:
    with open("/proc/self/statm") as f:
        import os

        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def profile(path: str, top: int) -> dict[str, Any]:
    """Our decode plus reading every field (decoding is lazy: the work is done on first
    access) under cProfile (gc off), with time grouped by generated class."""
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
    read_every_field(PodList.from_dict(parsed))
    prof.disable()
    start = time.perf_counter()
    read_every_field(PodList.from_dict(parsed))
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
    """(file, first line) of every generated ``_load`` -> ``Class._load``."""
    import importlib

    owners: dict[tuple[str, int], str] = {}
    for name in ("kube_clientgen_api.kubernetes.core.v1.models", "kubecore.core.generated.meta_v1"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for attr in (getattr(module, n) for n in module.__all__):  # lazy packages: load them
            if not isinstance(attr, type):
                continue
            for method in ("_load",):
                fn = vars(attr).get(method)
                code = getattr(fn, "__code__", None)
                if code is not None:
                    owners[(code.co_filename, code.co_firstlineno)] = f"{attr.__name__}.{method}"
    return owners


def main(argv: list[str]) -> int:
    kind = argv[0]
    if kind == "decode":
        result = decode(argv[1], argv[2], int(argv[3]))
    elif kind == "encode":
        result = encode(argv[1], argv[2], int(argv[3]))
    elif kind == "encode-once":
        result = encode_once(argv[1], argv[2], int(argv[3]))
    elif kind == "held":
        result = held(argv[1], argv[2], argv[3], argv[4])
    elif kind == "profile":
        result = profile(argv[1], int(argv[2]))
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    if kind == "held":  # skip freeing a 10,000-pod graph at exit (seconds under load)
        sys.stdout.flush()
        os._exit(0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
