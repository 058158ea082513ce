"""Generation at scale (issue #12): the full Argo Workflows CRD set, ours against kubesdk-cli.

Part of ``make bench`` (section *m*); ``python bench/generation_scale.py [--write]`` runs it
alone. For ``../shared/specs/crds/argo-workflows/full`` it records, for ours and for
kubesdk-cli 0.3.x in the same run:

- **output**: bytes of the ``.py`` files written and the number of ``class`` statements in
  them (an ``ast`` walk; nested classes count);
- **generation time**: wall time of each generator's CLI run in a fresh process, into an
  empty temporary directory, median of ``gen_reps`` runs (ours after one untimed warm-up: it
  runs from the working tree, whose bytecode an edit makes stale; kubesdk-cli runs from its
  venv's site-packages, compiled when it was installed, and takes about a minute a run);
- **first import** of the ``Workflow`` model: the generated tree copied into a fresh
  temporary directory, then ``python -c "from <module> import Workflow"`` with
  ``PYTHONDONTWRITEBYTECODE=1``, so the generated code is compiled from source and nothing
  is cached (checked: no ``__pycache__`` appears in the copy);
- **warm import**: the same with the copy's bytecode compiled once beforehand
  (``compileall``), median of ``import_runs`` runs.

Each import runs in its own interpreter, which times only the import statement
(``time.perf_counter`` around it) and reports its peak RSS (``VmHWM``, not ``ru_maxrss``,
which on Linux keeps the forking parent's size across ``exec``); the peak of an
empty interpreter running the same probe without the import is the baseline, reported
beside it. Installed libraries (``kubecore`` and the built-in ``kube_clientgen_api`` classes
ours reuses; ``kube_models`` for kubesdk) keep the bytecode an install compiles: one untimed
import with bytecode writing on primes them before the timed runs.

The module imported is the one that defines ``class Workflow`` in the generated tree (found
by an ``ast`` walk, not by a file name), so the probe follows our layout whether the models
of a group-version are one module or a package of per-kind modules; importing any public
re-export of it runs that module and its packages' ``__init__`` files all the same.

kubesdk-cli reads OpenAPI v3 documents, not CRD YAML (``kubesdk generate models --from-dir``
or ``--url`` of a cluster). Its input is the ``/openapi/v3/apis/argoproj.io/v1alpha1``
document that the project's loopback API server (``kubecore.testing.TestApiServer``, loaded
with the vendored 1.36 swagger and the same CRDs) publishes, as kube-apiserver would: the
same schemas, with ``ObjectMeta`` and its references. It runs with its default
``--module-name`` (``kube_models``), so its models build on the installed ``kube-models``
package, as its README shows.

**Two venvs.** Ours runs in the project venv. kubesdk-cli runs in a venv of its own,
``.bench-venvs/kubesdk`` (``common.AnchorVenv``, git-ignored), created on first use from the
package index with the exact versions in ``KUBESDK_VENV`` and reused while they match:
kubesdk-cli 0.3.1 pins datamodel-code-generator 0.35.0 and kubesdk pins PyYAML 6.0.3, which
in the project venv would downgrade what kubecore parses kubeconfigs with and section *e*'s
anchor. Every kubesdk measurement (its generation, the import probes, ``compileall``) runs
with that venv's interpreter or its ``kubesdk`` script; every child of either side gets only
the tree under test as ``PYTHONPATH``, so nothing of one environment leaks into the other.

The lossless round trip of the Argo examples (every ``argoproj.io`` document under
``../shared/specs/examples/argo-workflows``) is checked with our generated package in the
same run: decode with its scheme, encode, compare with the input.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import common
from common import AnchorVenv, log

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO.parent / "shared" / "specs"
ARGO_CRDS = SPECS / "crds" / "argo-workflows" / "full"
ARGO_EXAMPLES = SPECS / "examples" / "argo-workflows"
SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
ARGO_GROUP_VERSION = ("argoproj.io", "v1alpha1")
KIND = "Workflow"

#: kubesdk-cli's own venv: the versions issue #12's comparison was first measured with
#: (kubesdk-cli 0.3.x; kubesdk and kube-models, whose classes the generated models build on).
KUBESDK_VENV = AnchorVenv("kubesdk", ("kubesdk-cli==0.3.1", "kubesdk==0.3.4", "kube-models==0.6.0"))

#: Issue #12's targets: output bytes, classes, first import seconds and peak RSS bytes,
#: warm import time as a ratio to kubesdk's.
TARGETS = {
    "size": 3_000_000,
    "classes": 1500,
    "first_time": 1.5,
    "first_rss": 250_000_000,
    "warm_ratio": 0.5,
}

_CLASS_LINE = re.compile(rb"^[ \t]*class[ \t]+[A-Za-z_]\w*", re.MULTILINE)


# --------------------------------------------------------------------------- output


def python_files(root: Path) -> list[Path]:
    """The ``.py`` files under ``root``, sorted, bytecode caches left out."""
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def count_classes(source: bytes) -> int:
    """``class`` statements in one module, nested ones included (an ``ast`` walk).

    A module this interpreter cannot parse (kubesdk-cli writes a PEP 695 variant of one
    helper for Python 3.12+, beside a fallback) is counted by lines starting with ``class``.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return len(_CLASS_LINE.findall(source))
    return sum(isinstance(node, ast.ClassDef) for node in ast.walk(tree))


def output_stats(root: Path) -> dict[str, int]:
    """``{"files", "bytes", "classes"}`` of the ``.py`` files of a generated tree."""
    files = python_files(root)
    sources = [p.read_bytes() for p in files]
    return {
        "files": len(files),
        "bytes": sum(map(len, sources)),
        "classes": sum(map(count_classes, sources)),
    }


def defining_module(package_dir: Path, class_name: str, prefer: str = "") -> str:
    """The dotted name of the module of the tree at ``package_dir`` (its basename is the
    package name) that defines ``class_name`` at its top level.

    Raises ``LookupError`` if none does. When several do (one per API version, say), the
    first whose dotted name contains ``prefer``, else the first in sorted order.
    """
    found = []
    for path in python_files(package_dir):
        source = path.read_bytes()
        if f"class {class_name}".encode() not in source:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        if any(isinstance(n, ast.ClassDef) and n.name == class_name for n in tree.body):
            parts = path.relative_to(package_dir.parent).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.append(".".join(parts))
    if not found:
        raise LookupError(f"no module under {package_dir} defines class {class_name}")
    preferred = [name for name in found if prefer and prefer in name]
    return (preferred or found)[0]


# --------------------------------------------------------------------------- import probe

_PROBE = """\
import sys, time
_n = len(sys.modules)
_t = time.perf_counter()
{statement}
_t = time.perf_counter() - _t
try:
    with open("/proc/self/status") as _f:
        _peak = next(int(l.split()[1]) for l in _f if l.startswith("VmHWM:"))
except (OSError, StopIteration):
    import resource
    _peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(repr((_t, _peak, len(sys.modules) - _n)))
"""
# Peak RSS: Linux carries the pre-exec image's high-water mark into ru_maxrss, so a child
# forked from a big parent (the benchmark holds a test API server) reports at least the
# parent's size. VmHWM is the high-water mark of the child's own address space; ru_maxrss
# is the fallback elsewhere. Both are KiB here.


_DROPPED = ("PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "PYTHONHOME")


def _env(*, cache: bool, path: Path | None) -> dict[str, str]:
    """The environment of a child: bytecode caching as ``cache`` says and ``path`` alone on
    ``PYTHONPATH`` (none inherited: the child's own venv provides everything else)."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    if not cache:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return env


def probe(
    statement: str, path: Path, *, cache: bool, python: Path | str = sys.executable
) -> dict[str, float]:
    """Run ``statement`` in a fresh interpreter (``python``: the project venv's by default,
    an anchor's venv for its side) with ``path`` first on ``sys.path``.

    Returns ``{"seconds": wall time of the statement alone, "peak_rss": the process's peak
    resident set in bytes after it (``VmHWM``; ``ru_maxrss`` where there is no ``/proc``),
    "modules": modules it added}``. With
    ``cache=False`` the child runs with ``PYTHONDONTWRITEBYTECODE=1``. Raises
    ``RuntimeError`` with the child's stderr if it fails. (client-go has no counterpart:
    Go compiles ahead of time.)
    """
    proc = subprocess.run(
        [str(python), "-c", _PROBE.format(statement=statement)],
        cwd=path,
        env=_env(cache=cache, path=path),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{statement!r} failed:\n{proc.stderr[-3000:]}")
    seconds, peak_kib, modules = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    return {"seconds": seconds, "peak_rss": peak_kib * 1024, "modules": modules}


def _has_bytecode(root: Path) -> bool:
    return any(root.rglob("__pycache__"))


def import_times(
    tree: Path,
    module: str,
    *,
    first_runs: int,
    warm_runs: int,
    work: Path,
    kind: str = KIND,
    python: Path | str = sys.executable,
) -> dict[str, Any]:
    """First (nothing cached) and warm (compiled beforehand) imports of ``kind``, every
    probe and the ``compileall`` run by ``python`` (the side's own venv).

    ``tree`` is a generated package directory; every run imports a copy of it under
    ``work``. Returns medians and the raw runs; ``bytecode_written`` is True if a first
    import left a ``__pycache__`` in its copy (it must not).
    """
    statement = f"from {module} import {kind}"
    work.mkdir(parents=True, exist_ok=True)

    def fresh_copy(tag: str) -> Path:
        parent = Path(tempfile.mkdtemp(prefix=f"{tag}-", dir=work))
        shutil.copytree(tree, parent / tree.name, ignore=shutil.ignore_patterns("__pycache__"))
        return parent

    # Prime the installed libraries' bytecode (as an install compiles it), untimed.
    probe(statement, fresh_copy("prime"), cache=True, python=python)
    baseline = [probe("pass", work, cache=False, python=python)["peak_rss"] for _ in range(3)]
    first, written = [], False
    for _ in range(first_runs):
        copy = fresh_copy("first")
        first.append(probe(statement, copy, cache=False, python=python))
        written = written or _has_bytecode(copy)
    warm_copy = fresh_copy("warm")
    # Not checked: kubesdk-cli writes one helper in Python 3.12 syntax (a fallback beside
    # it is what older interpreters import), which compileall reports and skips.
    subprocess.run(
        [str(python), "-m", "compileall", "-q", str(warm_copy)],
        env=_env(cache=True, path=None),
        capture_output=True,
    )
    # untimed: page cache and the compiled files
    probe(statement, warm_copy, cache=True, python=python)
    warm = [probe(statement, warm_copy, cache=True, python=python) for _ in range(warm_runs)]

    def summary(runs: list[dict[str, float]]) -> dict[str, Any]:
        return {
            "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_rss": statistics.median(r["peak_rss"] for r in runs),
            "modules": runs[0]["modules"],
            "runs": runs,
        }

    return {
        "module": module,
        "statement": statement,
        "baseline_rss": statistics.median(baseline),
        "first": summary(first),
        "warm": summary(warm),
        "bytecode_written": written,
    }


# --------------------------------------------------------------------------- generators


def _timed(cmd: Sequence[object], cwd: Path) -> float:
    env = _env(cache=True, path=None)
    start = time.perf_counter()
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr[-3000:]}")
    return elapsed


def _script(name: str) -> Path:
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        raise RuntimeError(f"{name} is not installed next to {sys.executable}")
    return path


def ours_command(inputs: Path, out: Path) -> list[object]:
    """``kube-clientgen generate INPUTS --out OUT`` (OUT's basename is the package name)."""
    return [_script("kube-clientgen"), "generate", inputs, "--out", out]


def kubesdk_command(openapi_dir: Path, out: Path) -> list[object]:
    """``kubesdk generate models --from-dir DIR --output OUT`` (default module name), the
    script of kubesdk-cli's own venv (``KUBESDK_VENV``, which must exist)."""
    kubesdk = KUBESDK_VENV.script("kubesdk")
    return [kubesdk, "generate", "models", "--from-dir", openapi_dir, "--output", out]


def kubesdk_input(crds: Path, dest: Path) -> Path:
    """Write the OpenAPI v3 document of the Argo group-version, as an apiserver serving
    ``crds`` publishes it, into ``dest`` (created); returns ``dest``.

    Fetched over loopback from ``kubecore.testing.TestApiServer`` (the vendored 1.36 swagger
    plus the CRDs), through its ``/openapi/v3`` index like ``kubesdk --url`` does.
    """
    from kubecore.testing import TestApiServer

    group, version = ARGO_GROUP_VERSION
    key = f"apis/{group}/{version}"
    specs = [SWAGGER, *sorted(p for p in crds.iterdir() if p.suffix in (".yaml", ".yml"))]
    with TestApiServer(specs) as server:
        with urllib.request.urlopen(f"{server.url}/openapi/v3") as response:
            index = json.load(response)
        with urllib.request.urlopen(server.url + index["paths"][key]["serverRelativeURL"]) as r:
            body = r.read()
    dest.mkdir(parents=True, exist_ok=True)
    (dest / f"{group}_{version}.json").write_bytes(body)
    return dest


def generation(
    name: str, command: Any, source: Path, package: str, work: Path, reps: int, warm_up: bool
) -> dict[str, Any]:
    """Time ``command(source, out)`` ``reps`` times (after one untimed run if ``warm_up``),
    each into a new directory; returns the times, their median and the last tree."""
    if warm_up:
        _timed(command(source, work / f"{name}-warmup" / package), work)
    times = []
    for i in range(reps):
        out = work / f"{name}-{i}" / package
        times.append(_timed(command(source, out), work))
    return {"times": times, "seconds": statistics.median(times), "tree": str(out)}


# --------------------------------------------------------------------------- round trip

_ROUND_TRIP = """\
import copy, json, sys
from pathlib import Path
from kubecore.core import yamlio
from {package}.scheme import scheme
checked = lossless = 0
failures = []
for path in sorted(Path(sys.argv[1]).rglob("*")):
    if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
        continue
    try:
        docs = yamlio.load_all(path.read_text())
    except Exception:
        continue
    for doc in docs:
        if not isinstance(doc, dict) or not str(doc.get("apiVersion", "")).startswith("{group}/"):
            continue
        checked += 1
        cls = scheme.lookup(doc["apiVersion"], doc.get("kind", ""))
        if cls is not None and cls.from_dict(copy.deepcopy(doc)).to_dict() == doc:
            lossless += 1
        else:
            failures.append(str(path))
print(json.dumps({{"checked": checked, "lossless": lossless, "failures": failures[:10]}}))
"""


def round_trip(tree: Path, examples: Path, group: str = ARGO_GROUP_VERSION[0]) -> dict[str, Any]:
    """Decode and re-encode every document of API ``group`` in the YAML/JSON files under
    ``examples`` with the generated package's scheme, in a fresh process:
    ``{"checked": documents, "lossless": identical after the round trip, "failures": up to
    10 file paths}``. A document whose kind the scheme does not know is a failure."""
    code = _ROUND_TRIP.format(package=tree.name, group=group)
    proc = subprocess.run(
        [sys.executable, "-c", code, str(examples)],
        cwd=tree.parent,
        env=_env(cache=True, path=tree.parent),
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"round trip failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------- measure


def measure(gen_reps: int = 3, first_runs: int = 5, warm_runs: int = 7) -> dict[str, Any]:
    """Everything section *m* reports, ours and kubesdk-cli, in one run.

    Creates kubesdk-cli's venv first unless it is current (``KUBESDK_VENV``; needs the
    package index once). Raises ``RuntimeError`` when ``../shared`` is missing, the venv
    cannot be built or a step fails.
    """
    if not ARGO_CRDS.is_dir():
        raise RuntimeError(f"{ARGO_CRDS} is absent (../shared/specs is needed)")
    log(f"m. kubesdk-cli's venv ({KUBESDK_VENV.path}) ...")
    kubesdk_python = KUBESDK_VENV.ensure()
    kubesdk_version = KUBESDK_VENV.version("kubesdk-cli")
    crd_files = sorted(p.name for p in ARGO_CRDS.iterdir() if p.suffix in (".yaml", ".yml"))
    results: dict[str, Any] = {
        "crds": crd_files,
        "reps": {"generation": gen_reps, "first": first_runs, "warm": warm_runs},
        "kubesdk_version": kubesdk_version,
        "kubesdk_venv": {
            "path": (
                str(KUBESDK_VENV.path.relative_to(REPO))
                if KUBESDK_VENV.path.is_relative_to(REPO)
                else str(KUBESDK_VENV.path)
            ),
            "requirements": list(KUBESDK_VENV.requirements),
        },
        "load": [os.getloadavg()[0]],
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory(prefix="kcg-genscale-") as tmp_name:
        tmp = Path(tmp_name)
        openapi_dir = kubesdk_input(ARGO_CRDS, tmp / "kubesdk-input")
        results["kubesdk_input_bytes"] = sum(p.stat().st_size for p in openapi_dir.iterdir())
        sides = (
            ("ours", ours_command, ARGO_CRDS, "argo_ours", sys.executable),
            ("kubesdk", kubesdk_command, openapi_dir, "argo_kubesdk", str(kubesdk_python)),
        )
        for name, command, source, package, python in sides:
            log(f"m. generation of the Argo set, {name} ({gen_reps}x) ...")
            gen = generation(name, command, source, package, tmp, gen_reps, name == "ours")
            tree = Path(gen.pop("tree"))
            module = defining_module(tree, KIND, prefer="argoproj")
            log(f"m. first and warm import of {module}.{KIND}, {name} ...")
            results[name] = {
                "generation": gen,
                "output": output_stats(tree),
                "import": import_times(
                    tree,
                    module,
                    first_runs=first_runs,
                    warm_runs=warm_runs,
                    work=tmp / f"{name}-imports",
                    python=python,
                ),
            }
            if name == "ours":
                log("m. round trip of the Argo examples ...")
                results["round_trip"] = (
                    round_trip(tree, ARGO_EXAMPLES)
                    if ARGO_EXAMPLES.is_dir()
                    else {"error": f"{ARGO_EXAMPLES} is absent"}
                )
    results["load"].append(os.getloadavg()[0])
    return results


# --------------------------------------------------------------------------- report

Row = tuple[str, str, str, str, str, str]


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def _mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n < 1e7 else f"{n / 1e6:.0f} MB"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def _met(ok: bool) -> str:
    return "**yes**" if ok else "**no**"


def summary_rows(r: dict[str, Any]) -> list[Row]:
    """Rows of ``bench/run.py``'s summary table: (benchmark, ours, anchor, ratio, target,
    met). Every ratio is ours / kubesdk-cli (lower is better)."""
    ours, theirs = r["ours"], r["kubesdk"]
    o_out, k_out = ours["output"], theirs["output"]
    o_first, k_first = ours["import"]["first"], theirs["import"]["first"]
    o_warm, k_warm = ours["import"]["warm"], theirs["import"]["warm"]
    anchor = "kubesdk-cli"
    rows: list[Row] = [
        (
            "m. Argo CRDs: generated output",
            _mb(o_out["bytes"]),
            f"{anchor} {_mb(k_out['bytes'])}",
            _ratio(o_out["bytes"], k_out["bytes"]),
            f"≤ {_mb(TARGETS['size'])}",
            _met(o_out["bytes"] <= TARGETS["size"]),
        ),
        (
            "m. Argo CRDs: classes generated",
            f"{o_out['classes']:,}",
            f"{anchor} {k_out['classes']:,}",
            _ratio(o_out["classes"], k_out["classes"]),
            f"≤ {TARGETS['classes']:,}",
            _met(o_out["classes"] <= TARGETS["classes"]),
        ),
        (
            "m. Argo CRDs: generation time",
            _s(ours["generation"]["seconds"]),
            f"{anchor} {_s(theirs['generation']['seconds'])}",
            _ratio(ours["generation"]["seconds"], theirs["generation"]["seconds"]),
            "report",
            "",
        ),
        (
            f"m. first import of {KIND} (no bytecode cache)",
            _s(o_first["seconds"]),
            f"{anchor} {_s(k_first['seconds'])}",
            _ratio(o_first["seconds"], k_first["seconds"]),
            f"≤ {TARGETS['first_time']} s",
            _met(
                o_first["seconds"] <= TARGETS["first_time"]
                and not ours["import"]["bytecode_written"]
            ),
        ),
        (
            f"m. first import of {KIND}: peak RSS",
            _mb(o_first["peak_rss"]),
            f"{anchor} {_mb(k_first['peak_rss'])}",
            _ratio(o_first["peak_rss"], k_first["peak_rss"]),
            f"≤ {_mb(TARGETS['first_rss'])}",
            _met(o_first["peak_rss"] <= TARGETS["first_rss"]),
        ),
        (
            f"m. warm import of {KIND}",
            _s(o_warm["seconds"]),
            f"{anchor} {_s(k_warm['seconds'])}",
            _ratio(o_warm["seconds"], k_warm["seconds"]),
            f"≤ {TARGETS['warm_ratio']}×",
            _met(o_warm["seconds"] / k_warm["seconds"] <= TARGETS["warm_ratio"]),
        ),
        (
            f"m. warm import of {KIND}: peak RSS",
            _mb(o_warm["peak_rss"]),
            f"{anchor} {_mb(k_warm['peak_rss'])}",
            _ratio(o_warm["peak_rss"], k_warm["peak_rss"]),
            "report",
            "",
        ),
    ]
    trip = r.get("round_trip") or {}
    if "checked" in trip:
        rows.append(
            (
                "m. Argo examples round-tripped losslessly",
                f"{trip['lossless']} of {trip['checked']}",
                "",
                "",
                "all",
                _met(trip["checked"] > 0 and trip["lossless"] == trip["checked"]),
            )
        )
    return rows


def _venv_note(venv: dict[str, Any] | None) -> str:
    if not venv:
        return ""
    pins = ", ".join(f"`{req}`" for req in venv["requirements"])
    return (
        f"Ours runs in the project venv; kubesdk-cli in a venv of its own (`{venv['path']}`, "
        f"installed from PyPI with {pins}), so its exact pins (datamodel-code-generator "
        "0.35.0, PyYAML 6.0.3) never replace the project's packages, and its generation and "
        "imports run with that venv's interpreter."
    )


def report(r: dict[str, Any]) -> str:
    """Section *m* of docs/benchmarks.md (markdown)."""
    ours, theirs = r["ours"], r["kubesdk"]
    reps = r["reps"]

    def row(label: str, get: Any, fmt: Any) -> str:
        a, b = get(ours), get(theirs)
        return f"| {label} | {fmt(a)} | {fmt(b)} | {_ratio(a, b)} |"

    base = ours["import"]["baseline_rss"]
    lines = [
        "## m. Generation and import at scale: Argo Workflows, ours against kubesdk-cli",
        "",
        f"The {len(r['crds'])} CRDs of `../shared/specs/crds/argo-workflows/full` (Argo Workflows "
        f"v4.1.2). Ours is `kube-clientgen generate <folder> --out argo_ours`; kubesdk-cli "
        f"{r['kubesdk_version']} is `kubesdk generate models --from-dir <dir> --output argo_kubesdk` "
        "over the `/openapi/v3/apis/argoproj.io/v1alpha1` document of the same CRDs as the "
        "project's loopback API server publishes it (kubesdk-cli reads OpenAPI v3, not CRD YAML; "
        f"{_mb(r['kubesdk_input_bytes'])}, preparing it is not timed). Generation: wall time of "
        f"the CLI, median of {reps['generation']} runs into empty directories (ours after an "
        "untimed warm-up, as it runs from the working tree; kubesdk-cli from site-packages). "
        + _venv_note(r.get("kubesdk_venv"))
        + " "
        "Size and classes: the `.py` files written and the `class` statements in them (an `ast` "
        "walk). Ours reuses the built-in Kubernetes classes (`PodSpec`, `Container`, ...) "
        "from `kube_clientgen_api.kubernetes` instead of writing copies, so those are not in "
        "its count; they are in its import time and memory.",
        "",
        f"Imports: `from <module> import {KIND}` in a fresh interpreter, where `<module>` is the "
        f"generated module that defines `class {KIND}` (ours: `{ours['import']['module']}`; "
        f"kubesdk: `{theirs['import']['module']}`); the time is the import statement alone, "
        f"*peak RSS* the interpreter's high-water RSS after it (`VmHWM`; `ru_maxrss` would "
        f"include the forking benchmark process's size on Linux) and *above empty* that minus an empty "
        f"interpreter's ({_mb(base)}). *First*: the generated tree copied into a new directory "
        f"and imported with `PYTHONDONTWRITEBYTECODE=1`, so its code is compiled from source "
        f"(median of {reps['first']}; no `__pycache__` appeared: "
        f"{'no, one did' if ours['import']['bytecode_written'] else 'yes'}). *Warm*: the copy "
        f"compiled once with `compileall`, median of {reps['warm']}. Installed libraries "
        "(kubecore and the reused built-in classes; kube-models for kubesdk) keep the bytecode "
        "an install compiles in both.",
        "",
        *(
            [
                "The machine is shared: its 1-minute load average was "
                f"{r['load'][0]:.1f} at the start and {r['load'][-1]:.1f} at the end "
                f"({r.get('cpus')} CPUs), which inflates both sides' times alike.",
                "",
            ]
            if r.get("load")
            else []
        ),
        "| Measure | ours | kubesdk-cli | ours / kubesdk-cli |",
        "|---|---|---|---|",
        row("`.py` files written", lambda s: s["output"]["files"], lambda v: f"{v:,}"),
        row("output size", lambda s: s["output"]["bytes"], _mb),
        row("classes", lambda s: s["output"]["classes"], lambda v: f"{v:,}"),
        row("generation time", lambda s: s["generation"]["seconds"], _s),
        row("first import: time", lambda s: s["import"]["first"]["seconds"], _s),
        row("first import: peak RSS", lambda s: s["import"]["first"]["peak_rss"], _mb),
        row(
            "first import: peak RSS above empty",
            lambda s: s["import"]["first"]["peak_rss"] - s["import"]["baseline_rss"],
            _mb,
        ),
        row("first import: modules loaded", lambda s: s["import"]["first"]["modules"], str),
        row("warm import: time", lambda s: s["import"]["warm"]["seconds"], _s),
        row("warm import: peak RSS", lambda s: s["import"]["warm"]["peak_rss"], _mb),
        row(
            "warm import: peak RSS above empty",
            lambda s: s["import"]["warm"]["peak_rss"] - s["import"]["baseline_rss"],
            _mb,
        ),
        "",
    ]
    trip = r.get("round_trip") or {}
    if "checked" in trip:
        lines.append(
            f"Round trip: {trip['lossless']} of the {trip['checked']} `argoproj.io` documents "
            "under `../shared/specs/examples/argo-workflows` decode with our generated "
            "package's scheme and encode back to exactly the input (the same check as "
            "`tests/integration/test_real_specs.py::test_every_example_round_trips_losslessly`)."
            + (f" Failing: {', '.join(trip['failures'])}." if trip["failures"] else "")
        )
    else:
        lines.append(f"Round trip: not checked ({trip.get('error', 'no result')}).")
    lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- alone

SECTION_TITLE = "## m. Generation and import at scale"


def splice(doc: str, r: dict[str, Any], note: str) -> str:
    """``doc`` (docs/benchmarks.md) with section *m*'s summary rows and section replaced or
    added, everything else untouched (``common.splice``); for a run of this part alone."""
    return common.splice(
        doc,
        rows=summary_rows(r),
        row_labels=("m. ",),
        section=report(r).rstrip("\n") + f"\n\n{note}\n",
        headings=(SECTION_TITLE,),
    )


def main(argv: list[str] | None = None) -> int:
    import datetime

    parser = argparse.ArgumentParser(description="generation at scale (m) alone")
    parser.add_argument("--gen-reps", type=int, default=3, help="runs of each generator")
    parser.add_argument("--first-runs", type=int, default=5, help="first-import runs")
    parser.add_argument("--warm-runs", type=int, default=7, help="warm-import runs")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--json", type=Path, help="also dump the raw results to this file")
    parser.add_argument("--from-json", type=Path, help="measure nothing: report saved results")
    args = parser.parse_args(argv)
    if args.from_json:
        data = json.loads(args.from_json.read_text())
    else:
        data = measure(args.gen_reps, args.first_runs, args.warm_runs)
        if args.json:
            args.json.write_text(json.dumps(data, indent=1))
    print(report(data))
    for row in summary_rows(data):
        print(" | ".join(row))
    if args.write:
        doc = REPO / "docs" / "benchmarks.md"
        when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        note = f"This section and its summary rows: run of {when} (`python bench/generation_scale.py --write`)."
        doc.write_text(splice(doc.read_text(), data, note))
        print(f"wrote {doc.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
