"""``make bench``: kube-clientgen against its anchors, in one run, on this machine.

Usage::

    python bench/run.py            # everything; rewrites docs/benchmarks.md
    python bench/run.py --quick    # only the codec sections (a-c), fewer repetitions; prints only
    python bench/run.py --only codec --write   # the codec sections (a-c) in full, spliced into
                                               # docs/benchmarks.md (the other sections kept)
    python bench/run.py --only imports,codegen # any groups: codec, imports, codegen, clients,
                                               # informers, controller, validation,
                                               # generation_scale
    python bench/generation_scale.py --write   # the same for generation at scale (m)
    python bench/informers.py --write     # only the informer benchmarks (i-k), spliced into
                                          # docs/benchmarks.md (the other sections kept)

Every measurement that depends on the interpreter's state runs in a fresh subprocess
(``bench/workers.py``), with ``PYTHONDONTWRITEBYTECODE`` removed from its environment so that
bytecode caching works as it does for users. Times are wall-clock ``time.perf_counter``
medians. The data is the deterministic PodList of ``bench/podlist.py``, cached under
``.bench/`` (git-ignored) keyed by a hash of that file (``bench/codec.py``). See
docs/benchmarks.md for the method.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import clients
import codec
import controller
import generation_scale
import informers
import validation
from common import DOC, REPO, fmt_mb, fmt_s, log, med, user_env, verdict

SPECS = (REPO / ".." / "shared" / "specs" / "kubernetes").resolve()
SWAGGER = SPECS / "swagger.json"
V3_DIR = SPECS / "v3"

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
    "import": 0.3,  # ours / lightkube
    "codegen": 0.5,  # ours / datamodel-code-generator
    "noop": 1.5,  # seconds
}
#: The groups ``--only`` accepts (the codec group is sections a-c and the decode profile).
GROUPS = (
    "codec",
    "imports",
    "codegen",
    "clients",
    "informers",
    "controller",
    "validation",
    "generation_scale",
)


# --------------------------------------------------------------------------- workers


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


def report(results: dict[str, Any], args: argparse.Namespace) -> str:
    lines: list[str] = []
    add = lines.append
    summary: list[tuple[str, str, str, str, str, str]] = []
    codec_results = results.get("codec")
    if codec_results:
        summary.extend(codec.summary_rows(codec_results))

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
        pass  # not run (a partial run)
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
    if codec_results:
        lines.append(codec.section(codec_results))
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
        add("Not run (a partial run: `--only` without `codegen`, or `--quick`).")
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
        "`json.loads` of a big PodList takes two to three times as long as with it off). "
        "`gc.collect()` runs before each repetition. The codec sections (a, b) also show every "
        "library with the collector paused around each timed call, to separate codec cost from "
        "collector cost; each target says which column it is judged on."
    )
    add(
        "- Decoding is timed with nothing else decoded alive; encoding with only the encoded "
        "object and the anchor's dicts alive."
    )
    add(
        "- Two CPUs shared with other work make single runs noisy; medians of interleaved runs "
        "and same-process anchors keep the ratios stable to roughly ±10 %."
        if (os.cpu_count() or 1) <= 2
        else "- Medians of interleaved runs and same-process anchors keep the ratios stable."
    )
    add("")
    return "\n".join(lines)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine()}
    only = args.only

    def run(group: str, label: str, fn: Any, errors: tuple[type[BaseException], ...]) -> None:
        if group not in only:
            return
        if label:
            log(label)
        try:
            results[group] = fn()
        except errors as err:
            results[group] = {"error": str(err)}

    run(
        "codec",
        "",
        lambda: codec.measure(scale=args.scale, sizes=args.codec_sizes),
        (RuntimeError, OSError),
    )
    if "imports" in only:
        results["imports"] = bench_imports(args.import_runs)
    run(
        "codegen",
        "",
        lambda: bench_codegen(args.gen_reps, args.dmc_reps, args.noop_runs),
        (RuntimeError,),
    )
    run(
        "clients",
        "f-h. clients against the loopback API server ...",
        clients.measure,
        (RuntimeError, OSError, subprocess.CalledProcessError),
    )
    run(
        "informers",
        "i-k. informers against the loopback API server ...",
        informers.measure,
        (RuntimeError, OSError, subprocess.SubprocessError),
    )
    run(
        "controller",
        "i. reconcile runner against kopf ...",
        controller.measure,
        (RuntimeError, OSError, subprocess.CalledProcessError),
    )
    run(
        "validation",
        "l. validation against kubernetes-validate ...",
        validation.measure,
        (ImportError, OSError),
    )
    run(
        "generation_scale",
        "m. generation and import of the Argo CRDs against kubesdk-cli ...",
        generation_scale.measure,
        (RuntimeError, OSError, subprocess.SubprocessError, LookupError),
    )
    return results


def print_summary(doc: str) -> None:
    """Print the summary table of the report."""
    start = doc.index("## Summary")
    end = doc.find("\n## ", start + 1)
    print(doc[start : end if end >= 0 else len(doc)].strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kube-clientgen benchmarks")
    parser.add_argument(
        "--only",
        default=",".join(GROUPS),
        help=f"comma-separated groups to run, of: {', '.join(GROUPS)} (default: all); "
        "a partial run prints its summary and, with --write, splices the codec sections "
        "(codec) or section i (controller) into docs/benchmarks.md, keeping everything else",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only the codec sections (a-c), at a quarter of the repetitions; prints only",
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="update docs/benchmarks.md after a partial run (--only codec, --quick, --only "
        "controller): only those groups' summary rows and sections are replaced",
    )
    parser.add_argument("--no-write", action="store_true", help="never write docs/benchmarks.md")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply the codec repetition counts (a-c)"
    )
    parser.add_argument(
        "--codec-sizes",
        default=",".join(map(str, codec.SIZES)),
        help="PodList sizes for a-c, a subset of the default (smoke runs)",
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
    only = {g.strip() for g in args.only.split(",") if g.strip()}
    if args.quick:
        only = {"codec"}
        if args.scale == 1.0:
            args.scale = 0.25
    unknown = only - set(GROUPS)
    if unknown:
        parser.error(f"unknown group(s) for --only: {', '.join(sorted(unknown))}")
    args.only = only
    args.codec_sizes = tuple(sorted(int(n) for n in args.codec_sizes.split(",")))
    if not set(args.codec_sizes) <= set(codec.SIZES):
        parser.error(f"--codec-sizes: choose from {', '.join(map(str, codec.SIZES))}")
    partial = only != set(GROUPS)

    if args.from_json:
        results: dict[str, Any] = json.loads(args.from_json.read_text())
    else:
        results = measure(args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))

    doc = report(results, args)
    print_summary(doc)
    if args.no_write:
        return 0
    if not partial:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(doc)
        log(f"wrote {DOC.relative_to(REPO)}")
    elif args.write:
        run_date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        command = f"python bench/run.py {' '.join(argv if argv is not None else sys.argv[1:])}"
        text = DOC.read_text()
        if "codec" in results and "error" not in results["codec"]:
            note = f"Sections a-c and their summary rows: run of {run_date} (`{command}`)."
            text = codec.splice(text, results["codec"], note)
            log(f"updated the codec sections of {DOC.relative_to(REPO)}")
        if "controller" in results and "error" not in results["controller"]:
            cpu = next(
                (
                    line[len("- CPU: ") :]
                    for line in results.get("machine") or []
                    if line.startswith("- CPU: ")
                ),
                "",
            )
            note = f"This section and its summary row: run of {run_date} (`{command}`)" + (
                f"; {cpu}." if cpu else "."
            )
            text = controller.splice(text, results["controller"], note)
            log(f"updated section i (reconcile runner) of {DOC.relative_to(REPO)}")
        DOC.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
