"""``make bench``: kube-clientgen against its anchors, in one run, on this machine.

Usage::

    python bench/run.py            # everything; rewrites docs/benchmarks.md
    python bench/run.py --quick    # skip the generation benchmarks (e); prints only
    python bench/run.py --quick --write   # ... and still rewrite docs/benchmarks.md
    python bench/informers.py --write     # only the informer benchmarks (i-k), spliced into
                                          # docs/benchmarks.md (the other sections kept)
    python bench/generation_scale.py --write   # the same for generation at scale (m)

Every measurement that depends on the interpreter's state runs in a fresh subprocess
(``bench/workers.py``), with ``PYTHONDONTWRITEBYTECODE`` removed from its environment so that
bytecode caching works as it does for users. Times are wall-clock ``time.perf_counter``
medians. The data is the deterministic PodList of ``bench/podlist.py``, cached under
``.bench/`` (git-ignored) keyed by a hash of that file. See docs/benchmarks.md for the method.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import clients
import controller
import generation_scale
import informers
import podlist
import validation

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".bench"
DOC = REPO / "docs" / "benchmarks.md"
SPECS = (REPO / ".." / "shared" / "specs" / "kubernetes").resolve()
SWAGGER = SPECS / "swagger.json"
V3_DIR = SPECS / "v3"
WORKERS = Path(__file__).resolve().parent / "workers.py"

LIST_PODS = 2000
MEMORY_PODS = 10000
PACKAGES = (
    "orjson",
    "kubernetes",
    "lightkube",
    "lightkube-models",
    "msgspec",
    "datamodel-code-generator",
    "black",
    "Jinja2",
    "pydantic",
)

TARGETS = {
    "decode": 1.5,  # ours / json.loads
    "encode": 1.5,  # ours / json.dumps(...).encode()
    "memory": 1.0,  # ours / plain dicts from json.loads
    "import": 0.3,  # ours / lightkube
    "codegen": 0.5,  # ours / datamodel-code-generator
    "noop": 1.5,  # seconds
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def user_env(pythonpath: bool = False) -> dict[str, str]:
    """The environment a user has: bytecode caching on."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])
        )
    return env


# --------------------------------------------------------------------------- data


def data_files() -> tuple[Path, Path]:
    """The 2,000-pod PodList and the 10,000 single-pod JSON lines (generated once, cached)."""
    key = hashlib.sha256(Path(podlist.__file__).read_bytes()).hexdigest()[:12]
    list_path = CACHE / f"podlist-{LIST_PODS}-{key}.json"
    pods_path = CACHE / f"pods-{MEMORY_PODS}-{key}.jsonl"
    if list_path.exists() and pods_path.exists():
        return list_path, pods_path
    CACHE.mkdir(exist_ok=True)
    for old in CACHE.glob("pod*-*.json*"):
        old.unlink()
    log(f"generating {MEMORY_PODS:,} pods (bench/podlist.py, seed {podlist.DEFAULT_SEED}) ...")
    items = podlist.pods(MEMORY_PODS)
    _write(list_path, podlist.dumps(podlist.wrap(items[:LIST_PODS])))
    _write(pods_path, b"\n".join(podlist.dumps(p) for p in items) + b"\n")
    return list_path, pods_path


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


# --------------------------------------------------------------------------- workers


def worker(*args: object) -> dict[str, Any]:
    cmd = [sys.executable, str(WORKERS), *map(str, args)]
    proc = subprocess.run(
        cmd, cwd=REPO, env=user_env(pythonpath=True), capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:])} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_speed(list_path: Path, reps: int, anchor_reps: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lib, n in (
        ("ours", reps),
        ("lightkube", anchor_reps),
        ("lightkube-dict", anchor_reps),
        ("kubernetes", anchor_reps),
    ):
        log(f"a/b. decode + encode, {lib} ({n} repetitions) ...")
        try:
            out[lib] = worker("speed", lib, list_path, n)
        except RuntimeError as err:
            out[lib] = {"error": str(err)}
    return out


def bench_memory(pods_path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for lib in ("ours", "json", "orjson", "lightkube", "kubernetes"):
        for mode in ("tracemalloc", "rss"):
            log(f"c. memory of {MEMORY_PODS:,} pods, {lib}, {mode} ...")
            try:
                out[f"{lib}/{mode}"] = worker("memory", lib, pods_path, mode)
            except RuntimeError as err:
                out[f"{lib}/{mode}"] = {"error": str(err)}
    return out


def bench_profile(list_path: Path) -> dict[str, Any]:
    log("profile of our decode ...")
    try:
        return worker("profile", list_path, 12)
    except RuntimeError as err:
        return {"error": str(err)}


IMPORTS = (
    ("floor", "pass"),
    ("ours", "from kube_clientgen_api.kubernetes.core.v1 import Pod"),
    ("lightkube", "from lightkube.resources.core_v1 import Pod"),
    ("kubernetes", "from kubernetes import client"),
)


def bench_imports(runs: int) -> dict[str, Any]:
    """Wall time of whole ``python -c`` subprocesses, round-robin, after two warm-ups each."""
    log(f"d. import time ({runs} runs each, round-robin) ...")
    import resource

    env = user_env()
    times: dict[str, list[float]] = {name: [] for name, _ in IMPORTS}
    cpu: dict[str, list[float]] = {name: [] for name, _ in IMPORTS}
    for i in range(runs + 2):
        for name, code in IMPORTS:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if i >= 2:
                times[name].append(elapsed)
                cpu[name].append(
                    after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                )
    return {"times": times, "cpu": cpu, "code": dict(IMPORTS)}


def _timed_run(cmd: Sequence[object], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=user_env(), capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr[-3000:]}")
    return elapsed


def _tree_size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*.py") if "__pycache__" not in p.parts]
    return len(files), sum(p.stat().st_size for p in files)


def _snapshot(root: Path) -> dict[str, int]:
    return {
        str(p): p.stat().st_mtime_ns
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def bench_codegen(reps: int, dmc_reps: int, noop_runs: int) -> dict[str, Any]:
    ours = [sys.executable, "-m", "kube_clientgen", "generate"]
    dmc_exe = Path(sys.executable).with_name("datamodel-codegen")
    dmc = [dmc_exe, "--input-file-type", "openapi", "--output-model-type", "dataclasses.dataclass"]
    out: dict[str, Any] = {"reps": reps, "dmc_reps": dmc_reps}
    with tempfile.TemporaryDirectory(prefix="kcg-bench-") as tmp_name:
        tmp = Path(tmp_name)
        small = V3_DIR / "apis__node.k8s.io__v1_openapi.json"
        log("e. warm-up (bytecode) ...")
        _timed_run([*ours, small, "--out", tmp / "warm" / "node"], REPO)
        if dmc_exe.exists():
            _timed_run([*dmc, "--input", small, "--output", tmp / "warm" / "dmc"], REPO)

        log(f"e1. cold generation, full 1.36 swagger ({reps}x) ...")
        runs = []
        for i in range(reps):
            dest = tmp / f"swagger-{i}" / "kubernetes"
            runs.append(_timed_run([*ours, SWAGGER, "--out", dest], REPO))
        out["swagger"] = {"times": runs, "output": _tree_size(dest)}

        log(f"e2. 1.35 OpenAPI v3 directory, ours vs datamodel-code-generator ({reps}x) ...")
        runs = []
        for i in range(reps):
            dest = tmp / f"v3-{i}" / "kubernetes"
            runs.append(_timed_run([*ours, V3_DIR, "--out", dest], REPO))
        out["v3_ours"] = {"times": runs, "output": _tree_size(dest)}
        if dmc_exe.exists():
            runs = []
            log(f"    datamodel-codegen ({dmc_reps}x) ...")
            for i in range(dmc_reps):
                dest = tmp / f"dmc-{i}"
                runs.append(_timed_run([*dmc, "--input", V3_DIR, "--output", dest], REPO))
            out["v3_dmc"] = {"times": runs, "output": _tree_size(dest)}
        out["dmc_cmd"] = (
            "datamodel-codegen --input ../shared/specs/kubernetes/v3 --input-file-type openapi "
            "--output-model-type dataclasses.dataclass --output OUT"
        )

        log(f"e3. no-op generate of the configured targets ({noop_runs}x, in a copy) ...")
        out["noop"] = _noop(tmp, noop_runs)
    return out


def _noop(tmp: Path, runs: int) -> dict[str, Any]:
    """Time ``kube-clientgen generate`` (the configured targets) when nothing changed.

    It runs in a copy of the project (with ``../shared`` linked next to it) so a stale
    working tree can never be rewritten by the benchmark; one untimed warm-up brings the copy
    up to date first, and the timed runs are checked to have written nothing.
    """
    root = tmp / "noop"
    copy = root / "main"
    ignore = shutil.ignore_patterns("__pycache__", ".mypy_cache")
    copy.mkdir(parents=True)
    for name in ("pyproject.toml", "codegen.yaml"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, copy / name)
    for name in ("generator", "templates", "kubecore", "generated", "examples"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, copy / name, ignore=ignore)
    (root / "shared").symlink_to((REPO / ".." / "shared").resolve())
    script = Path(sys.executable).with_name("kube-clientgen")
    cmd: list[object] = (
        [script, "generate"]
        if script.exists()
        else [sys.executable, "-m", "kube_clientgen", "generate"]
    )
    warm = _timed_run(cmd, copy)
    before = _snapshot(copy)
    times = [_timed_run(cmd, copy) for _ in range(runs)]
    untouched = _snapshot(copy) == before
    shown = "kube-clientgen generate" if script.exists() else "python -m kube_clientgen generate"
    return {"times": times, "warmup": warm, "untouched": untouched, "cmd": shown}


# --------------------------------------------------------------------------- report


def med(values: list[float]) -> float:
    return statistics.median(values)


def fmt_s(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.1 else f"{seconds * 1000:.1f} ms"


def fmt_mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def verdict(ratio: float | None, target: float) -> str:
    if ratio is None:
        return "not measured"
    return "**yes**" if ratio <= target else "**no**"


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    versions = []
    for pkg in PACKAGES:
        try:
            versions.append(f"{pkg} {importlib.metadata.version(pkg)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{pkg} (not installed)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return [
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}",
        f"- CPU: {cpu}, {os.cpu_count()} logical CPUs{mem}; load average at start {load:.2f}",
        f"- Packages: {', '.join(versions)}",
    ]


SPEED_LABELS = {
    "decode": (
        ("ours", "ours: `PodList.from_json(b)`"),
        ("lightkube", "lightkube client path: `msgspec.json.decode(b, type=PodList)`"),
        ("lightkube-dict", "lightkube dict API: `PodList.from_dict(json.loads(b))`"),
        ("kubernetes", "kubernetes: `ApiClient().deserialize(b.decode(), 'V1PodList', ...)`"),
    ),
    "encode": (
        ("ours", "ours: `obj.to_json()`"),
        ("lightkube", "lightkube client path: `msgspec.json.encode(obj)`"),
        ("lightkube-dict", "lightkube dict API: `json.dumps(obj.to_dict()).encode()`"),
        ("kubernetes", "kubernetes: `json.dumps(sanitize_for_serialization(obj)).encode()`"),
    ),
}


def report(results: dict[str, Any], args: argparse.Namespace, list_bytes: int) -> str:
    lines: list[str] = []
    add = lines.append
    summary: list[tuple[str, str, str, str, str, str]] = []

    # a / b --------------------------------------------------------------
    speed = results.get("speed", {})
    ours = speed.get("ours", {})
    details: dict[str, list[str]] = {"decode": [], "encode": []}
    for phase, letter in (("decode", "a"), ("encode", "b")):
        anchor_name = "json.loads(b)" if phase == "decode" else "json.dumps(d).encode()"
        detail = details[phase]
        for lib, label in SPEED_LABELS[phase]:
            r = speed.get(lib, {})
            if "times" not in r:
                detail.append(f"| {label} | error | | | |")
                continue
            t = r["times"]
            mine, anchor = med(t[f"{phase}_{lib}"]), med(t[f"{phase}_json"])
            detail.append(
                f"| {label} | {fmt_s(mine)} | {fmt_s(anchor)} | {mine / anchor:.2f}× | "
                f"{'yes' if r['lossless'] else 'no'} |"
            )
        if "times" not in ours:
            summary.append(
                (f"{letter}. {phase} PodList", "error", anchor_name, "", "", "not measured")
            )
            continue
        t = ours["times"]
        mine, anchor = med(t[f"{phase}_ours"]), med(t[f"{phase}_json"])
        summary.append(
            (
                f"{letter}. {phase} PodList ({LIST_PODS:,} pods)",
                fmt_s(mine),
                f"`{anchor_name}` {fmt_s(anchor)}",
                f"{mine / anchor:.2f}×",
                f"≤ {TARGETS[phase]}×",
                verdict(mine / anchor, TARGETS[phase]),
            )
        )
        for key, label in (("ours_nogc", "ours, gc off"), ("orjson", "orjson, plain dicts")):
            anchor_key = f"{phase}_json_nogc" if key.endswith("nogc") else f"{phase}_json"
            mine, anchor = med(t[f"{phase}_{key}"]), med(t[anchor_key])
            detail.append(
                f"| {label} (reference) | {fmt_s(mine)} | {fmt_s(anchor)}"
                f"{' (gc off)' if key.endswith('nogc') else ''} | {mine / anchor:.2f}× | |"
            )
    detail_a, detail_b = details["decode"], details["encode"]

    # c --------------------------------------------------------------------
    mem = results.get("memory", {})

    def mem_of(lib: str, mode: str) -> float | None:
        r = mem.get(f"{lib}/{mode}", {})
        return r.get("bytes")

    ours_tm, dict_tm = mem_of("ours", "tracemalloc"), mem_of("json", "tracemalloc")
    mem_ratio = ours_tm / dict_tm if ours_tm and dict_tm else None
    summary.append(
        (
            f"c. memory of {MEMORY_PODS:,} decoded pods",
            fmt_mb(ours_tm) if ours_tm else "error",
            f"`json.loads(b)` dicts {fmt_mb(dict_tm) if dict_tm else 'error'}",
            f"{mem_ratio:.2f}×" if mem_ratio else "",
            f"≤ {TARGETS['memory']}×",
            verdict(mem_ratio, TARGETS["memory"]),
        )
    )
    detail_c = []
    for lib, label in (
        ("ours", "ours: `Pod.from_json(b)`"),
        ("json", "plain dicts: `json.loads(b)` (anchor)"),
        ("orjson", "plain dicts: `orjson.loads(b)`"),
        ("lightkube", "lightkube: `msgspec.json.decode(b, type=Pod)` (its client's path)"),
        ("kubernetes", "kubernetes: `ApiClient().deserialize(..., 'V1Pod')`"),
    ):
        tm, rss = mem_of(lib, "tracemalloc"), mem_of(lib, "rss")
        secs = mem.get(f"{lib}/rss", {}).get("seconds")
        detail_c.append(
            f"| {label} | {fmt_mb(tm) if tm else 'error'} | "
            f"{f'{tm / MEMORY_PODS / 1024:.1f} KiB' if tm else ''} | "
            f"{f'{tm / dict_tm:.2f}×' if tm and dict_tm else ''} | "
            f"{fmt_mb(rss) if rss else 'error'} | {fmt_s(secs) if secs else ''} |"
        )

    # d --------------------------------------------------------------------
    imp = results.get("imports", {})
    detail_d = []
    if imp:
        t = imp["times"]
        ratio = med(t["ours"]) / med(t["lightkube"])
        summary.append(
            (
                "d. import time (whole `python -c`)",
                fmt_s(med(t["ours"])),
                f"lightkube {fmt_s(med(t['lightkube']))}",
                f"{ratio:.2f}×",
                f"≤ {TARGETS['import']}×",
                verdict(ratio, TARGETS["import"]),
            )
        )
        floor = med(t["floor"])
        cpu = imp.get("cpu", {})
        for name, code in IMPORTS:
            c = cpu.get(name)
            detail_d.append(
                f'| `python -c "{code}"` | {fmt_s(med(t[name]))} | {fmt_s(min(t[name]))} | '
                f"{fmt_s(max(med(t[name]) - floor, 0.0)) if name != 'floor' else ''} | "
                f"{fmt_s(med(c)) if c else ''} |"
            )
        if cpu:
            detail_d.append("")
            detail_d.append(
                f"Ours / lightkube: {med(t['ours']) / med(t['lightkube']):.2f}× by median wall "
                f"time (the target's measure), {min(t['ours']) / min(t['lightkube']):.2f}× by "
                f"minimum wall time, {med(cpu['ours']) / med(cpu['lightkube']):.2f}× by median "
                "CPU time."
            )

    # e --------------------------------------------------------------------
    gen = results.get("codegen")
    detail_e = []
    if gen is None:
        for label in (
            "e1. cold generation, 1.36 swagger",
            "e2. generation, 1.35 v3 dir",
            "e3. no-op generate",
        ):
            summary.append((label, "skipped (--quick)", "", "", "", "not measured"))
    elif "error" in gen:
        summary.append(("e. generation", "error", "", "", "", "not measured"))
        detail_e.append(f"Error: `{gen['error'][:500]}`")
    else:
        sw = gen["swagger"]
        summary.append(
            (
                "e1. cold generation, full 1.36 swagger",
                fmt_s(med(sw["times"])),
                "",
                "",
                "report",
                "",
            )
        )
        v3o = gen["v3_ours"]
        v3d = gen.get("v3_dmc")
        ratio = med(v3o["times"]) / med(v3d["times"]) if v3d else None
        summary.append(
            (
                "e2. generation, 1.35 OpenAPI v3 directory",
                fmt_s(med(v3o["times"])),
                f"datamodel-codegen {fmt_s(med(v3d['times']))}" if v3d else "not installed",
                f"{ratio:.2f}×" if ratio else "",
                f"≤ {TARGETS['codegen']}×",
                verdict(ratio, TARGETS["codegen"]),
            )
        )
        noop = gen["noop"]
        summary.append(
            (
                "e3. no-op generate (configured targets)",
                fmt_s(med(noop["times"])),
                "",
                "",
                f"≤ {TARGETS['noop']} s",
                "**yes**" if med(noop["times"]) <= TARGETS["noop"] else "**no**",
            )
        )
        for label, r in (
            ("ours, 1.36 swagger.json (cold, empty output dir)", sw),
            ("ours, 1.35 v3 directory (cold)", v3o),
            ("datamodel-codegen, 1.35 v3 directory", v3d),
        ):
            if r:
                files, size = r["output"]
                detail_e.append(
                    f"| {label} | {fmt_s(med(r['times']))} | {files:,} | {fmt_mb(size)} |"
                )
        detail_e.append(
            f"| ours, no-op `{noop['cmd']}` (median of {len(noop['times'])}) | "
            f"{fmt_s(med(noop['times']))} | | |"
        )

    client_results = results.get("clients")
    if client_results and "error" not in client_results:
        for label, ours, anchor, ratio, target in clients.summary_rows(client_results):
            summary.append(
                (label, ours, anchor, f"{ratio:.2f}×", f"≤ {target}×", verdict(ratio, target))
            )
    controller_results = results.get("controller")
    if controller_results and "error" not in controller_results:
        for label, ours, anchor, ratio, target in controller.summary_rows(controller_results):
            summary.append(
                (label, ours, anchor, f"{ratio:.2f}×", f"≤ {target}×", verdict(ratio, target))
            )

    informer_results = results.get("informers")
    if informer_results and "error" not in informer_results:
        summary.extend(informers.summary_rows(informer_results))
    validation_results = results.get("validation")
    if validation_results and "error" not in validation_results:
        summary.extend(validation.summary_rows(validation_results))
    scale_results = results.get("generation_scale")
    if scale_results and "error" not in scale_results:
        summary.extend(generation_scale.summary_rows(scale_results))

    # write ---------------------------------------------------------------
    add("# Benchmarks")
    add("")
    add(
        "Written by `make bench` (`python bench/run.py`); do not edit by hand. Ours is measured "
        "against its anchors in the same run on the same machine, so the ratios are what matters; "
        "the absolute numbers only describe this machine."
    )
    add("")
    add("## Machine")
    add("")
    lines.extend(results.get("machine") or machine())
    add("")
    add("## Summary")
    add("")
    add("| Benchmark | Ours | Anchor | Ratio | Target | Met |")
    add("|---|---|---|---|---|---|")
    for row in summary:
        add("| " + " | ".join(row) + " |")
    add("")
    add(
        f"Data: `bench/podlist.py`, a deterministic PodList of {LIST_PODS:,} realistic pods "
        f"({fmt_mb(list_bytes)} of compact JSON, {list_bytes / LIST_PODS / 1024:.1f} KiB per pod) with "
        "managedFields, a last-applied-configuration annotation, 2-3 containers, projected token "
        "volumes, affinity, tolerations, a full status, explicit nulls (`lastProbeTime: null`) and "
        "two fields the 1.36 schema does not know (`spec.futureField`, "
        "`status.containerStatuses[].someNewThing`)."
    )
    add("")
    add(
        f"## a. Decode: bytes → typed PodList ({args.reps} repetitions for ours, {args.anchor_reps} for the others)"
    )
    add("")
    add(
        "Ours is `PodList.from_json(b)` (orjson, then the generated `from_dict`). lightkube 1.x "
        "models are msgspec Structs and its client decodes response bodies with "
        "`msgspec.json.decode(b, type=...)` (`lightkube.core.decoders`), so that is its main row; "
        "its dict API, `lightkube.models.core_v1.PodList.from_dict(json.loads(b))`, is shown too. "
        "kubernetes is `ApiClient().deserialize(b.decode(), 'V1PodList', 'application/json')`, "
        "what its `response_deserialize` does with a response body. Each library runs in its own "
        "process, "
        "interleaved with the `json.loads(b)` anchor, and its ratio is against the anchor measured in "
        "that process. *Lossless* means `json.loads(encode(decode(b))) == json.loads(b)`."
    )
    add("")
    add("| Library | Median | json.loads(b) in the same process | Ratio | Lossless |")
    add("|---|---|---|---|---|")
    lines.extend(detail_a)
    add("")
    if _ours_pauses_gc():
        add(
            "Ours pauses the garbage collector while `from_json` parses and builds "
            "(`kubecore.core.codec.gc_paused`); `json.loads` does not. The target is judged as "
            "specified (gc enabled, as a program runs), and the *gc off* row is the like-for-like "
            "comparison of the codec work alone."
        )
        add("")
    add("## b. Encode: typed PodList → JSON bytes")
    add("")
    add(
        "Ours is `obj.to_json()` (the generated `to_dict` then orjson). The anchor is "
        "`json.dumps(d).encode()` of the dicts `json.loads(b)` returned. lightkube's client "
        "encodes request bodies with `msgspec.json.encode(obj)`; its dict API is "
        "`json.dumps(obj.to_dict()).encode()`; kubernetes: "
        "`json.dumps(ApiClient().sanitize_for_serialization(obj)).encode()`."
    )
    add("")
    add("| Library | Median | json.dumps(d).encode() in the same process | Ratio | Lossless |")
    add("|---|---|---|---|---|")
    lines.extend(detail_b)
    add("")
    add(f"## c. Memory of {MEMORY_PODS:,} decoded pods")
    add("")
    add(
        f"{MEMORY_PODS:,} distinct pods (the first {LIST_PODS:,} are the PodList's), each decoded from its "
        "own JSON bytes and all kept in a list, in a fresh process per library. *Retained* is "
        "tracemalloc's traced total after `gc.collect()` (started after imports and after the "
        "input bytes were read, so it counts only what decoding left behind); *RSS growth* is the "
        "resident-set increase in a second run without tracemalloc (it also counts freed "
        "temporaries the allocator keeps). The target compares the retained totals."
    )
    add("")
    add("| Variant | Retained | Per pod | vs json.loads dicts | RSS growth | Decode time |")
    add("|---|---|---|---|---|---|")
    lines.extend(detail_c)
    add("")
    add(f"## d. Import time ({args.import_runs} runs each)")
    add("")
    add(
        "Wall time of the whole subprocess (`subprocess.run([python, '-c', code])`) from the "
        "project root, bytecode caching enabled, two untimed warm-up rounds, then round-robin "
        "over the variants so load drift hits all alike. *Above floor* subtracts the median of "
        "`python -c pass`. *CPU* is the child's user + system time (`getrusage`), which other "
        "load on the machine inflates less than wall time; the target is judged on the median "
        "wall time."
    )
    add("")
    add("| Command | Median | Min | Above floor | CPU (median) |")
    add("|---|---|---|---|---|")
    lines.extend(detail_d)
    add("")
    add("## e. Generation")
    add("")
    if gen is None:
        add("Skipped (`--quick`).")
    else:
        add(
            f"After a bytecode warm-up, each of our generations runs {gen.get('reps', 1)} times and "
            f"datamodel-code-generator {gen.get('dmc_reps', 1)} time(s) (medians shown), each "
            "into a new, empty temporary directory (cold: no fingerprint stamp). "
            "Ours is `python -m kube_clientgen generate INPUT --out DIR` (parse, IR, jinja2 render, "
            "Black-style formatting, atomic write; models with docstrings and codecs, plus typed "
            "clients). datamodel-code-generator takes the whole directory as one input, which it "
            "supports, and writes one package per file "
            f"(`{gen.get('dmc_cmd', '')}`): one process for all {len(list(V3_DIR.glob('*.json')))} "
            "files, the cheapest way to run it; its output is plain dataclasses without "
            "docstrings, hence the smaller size. The no-op is the project's configured targets "
            "(`[tool.kube-clientgen]` in pyproject.toml) run in a throw-away copy of the project "
            "after one warm-up run, checked to have written nothing"
            + (
                f" (warm-up {fmt_s(gen['noop']['warmup'])}; timed runs wrote nothing: "
                f"{'yes' if gen['noop']['untouched'] else 'NO'})."
                if "noop" in gen
                else "."
            )
        )
        add("")
        add("| Run | Time | .py files written | Size |")
        add("|---|---|---|---|")
        lines.extend(detail_e)
    add("")
    if client_results and "error" not in client_results:
        lines.append(clients.section(client_results))
    elif client_results:
        add(f"## f-h. Clients: not measured ({client_results['error']})")
        add("")
    if informer_results and "error" not in informer_results:
        lines.append(informers.section(informer_results))
    elif informer_results:
        add(f"## i-k. Informers: not measured ({informer_results['error']})")
        add("")
    if controller_results and "error" not in controller_results:
        lines.append(controller.section(controller_results))
    elif controller_results:
        add(f"## i. Reconcile runner: not measured ({controller_results['error']})")
        add("")
    if validation_results and "error" not in validation_results:
        lines.append(validation.section(validation_results))
    elif validation_results:
        add(f"## l. Validation: not measured ({validation_results['error']})")
        add("")
    if scale_results and "error" not in scale_results:
        lines.append(generation_scale.report(scale_results))
    elif scale_results:
        add(f"## m. Generation and import at scale: not measured ({scale_results['error']})")
        add("")
    prof = results.get("profile")
    if prof and "rows" in prof:
        add("## Where our decode spends its time")
        add("")
        add(
            f"cProfile of `PodList.from_dict(orjson.loads(b))` with gc off (the parse itself, "
            f"orjson, takes {fmt_s(prof['parse'])}; the unprofiled `from_dict` takes "
            f"{fmt_s(prof['unprofiled'])}; profiled, {fmt_s(prof['total'])}). Top entries by own "
            "time; profiling inflates call-heavy code, so read the shares, not the absolute times."
        )
        add("")
        add("| Function | Calls | Own time | Share |")
        add("|---|---|---|---|")
        for label, calls, secs in prof["rows"]:
            label = label.replace("|", "\\|")
            add(f"| `{label}` | {calls:,} | {fmt_s(secs)} | {secs / prof['total']:.0%} |")
        add("")
    add("## Method")
    add("")
    add(
        "- Timings are `time.perf_counter` wall-clock medians. Every measurement that depends on "
        "interpreter state runs in a fresh subprocess (`bench/workers.py`), with "
        "`PYTHONDONTWRITEBYTECODE` removed from the environment, as users have it."
    )
    add(
        "- The garbage collector stays **enabled** in the timed sections, as pyperf does and as "
        "programs run: decoding allocates hundreds of thousands of container objects, and the "
        "collections this triggers are part of the cost a program pays (with the collector on, "
        "`json.loads` of the PodList takes two to three times as long as with it off). "
        "`gc.collect()` runs before each repetition. For ours the gc-off ratios are shown too, "
        "to separate codec cost from collector cost; the targets are judged on the gc-on numbers."
    )
    add(
        "- Decoding is timed with nothing else decoded alive; encoding with every library's "
        "decoded object alive, so all encoders see the same heap."
    )
    add(
        "- Two CPUs shared with other work make single runs noisy; medians of interleaved runs "
        "and same-process anchors keep the ratios stable to roughly ±10 %."
        if (os.cpu_count() or 1) <= 2
        else "- Medians of interleaved runs and same-process anchors keep the ratios stable."
    )
    add("")
    return "\n".join(lines)


def measure(args: argparse.Namespace, list_path: Path, pods_path: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine()}
    results["speed"] = bench_speed(list_path, args.reps, args.anchor_reps)
    results["memory"] = bench_memory(pods_path)
    results["imports"] = bench_imports(args.import_runs)
    results["profile"] = bench_profile(list_path)
    if not args.quick:
        try:
            results["codegen"] = bench_codegen(args.gen_reps, args.dmc_reps, args.noop_runs)
        except RuntimeError as err:
            results["codegen"] = {"error": str(err)}
        log("f-h. clients against the loopback API server ...")
        try:
            results["clients"] = clients.measure()
        except (RuntimeError, OSError, subprocess.CalledProcessError) as err:
            results["clients"] = {"error": str(err)}
        log("i-k. informers against the loopback API server ...")
        try:
            results["informers"] = informers.measure()
        except (RuntimeError, OSError, subprocess.SubprocessError) as err:
            results["informers"] = {"error": str(err)}
        log("i. reconcile runner against kopf ...")
        try:
            results["controller"] = controller.measure()
        except (RuntimeError, OSError, subprocess.CalledProcessError) as err:
            results["controller"] = {"error": str(err)}
        log("l. validation against kubernetes-validate ...")
        try:
            results["validation"] = validation.measure()
        except (ImportError, OSError) as err:
            results["validation"] = {"error": str(err)}
        log("m. generation and import of the Argo CRDs against kubesdk-cli ...")
        try:
            results["generation_scale"] = generation_scale.measure()
        except (RuntimeError, OSError, subprocess.SubprocessError, LookupError) as err:
            results["generation_scale"] = {"error": str(err)}
    return results


def _ours_pauses_gc() -> bool:
    try:
        text = (REPO / "kubecore" / "core" / "codec.py").read_text()
    except OSError:
        return False
    return "gc.disable()" in text


def print_summary(doc: str) -> None:
    """Print the summary table of the report."""
    start = doc.index("## Summary")
    end = doc.index("\nData:", start)
    print(doc[start:end].strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kube-clientgen benchmarks")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip the generation (e, m), client (f-h), informer (i-k) and runner (i) benchmarks",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="rewrite docs/benchmarks.md even with --quick (a full run always does)",
    )
    parser.add_argument("--no-write", action="store_true", help="never rewrite docs/benchmarks.md")
    parser.add_argument("--reps", type=int, default=7, help="repetitions for ours (a, b)")
    parser.add_argument(
        "--anchor-reps", type=int, default=3, help="repetitions for lightkube and kubernetes (a, b)"
    )
    parser.add_argument("--import-runs", type=int, default=31, help="runs per import variant (d)")
    parser.add_argument("--gen-reps", type=int, default=5, help="runs of each generation (e1, e2)")
    parser.add_argument("--dmc-reps", type=int, default=1, help="runs of datamodel-codegen (e2)")
    parser.add_argument("--noop-runs", type=int, default=7, help="runs of the no-op generate (e3)")
    parser.add_argument("--json", type=Path, help="also dump the raw results to this file")
    parser.add_argument(
        "--from-json", type=Path, help="measure nothing: report the results saved with --json"
    )
    args = parser.parse_args(argv)

    list_path, pods_path = data_files()
    if args.from_json:
        results: dict[str, Any] = json.loads(args.from_json.read_text())
    else:
        results = measure(args, list_path, pods_path)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))

    doc = report(results, args, list_path.stat().st_size)
    print_summary(doc)
    if not args.no_write and (not args.quick or args.write):
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(doc)
        log(f"wrote {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
