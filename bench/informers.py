"""Informer benchmarks (issue 8): our generated SharedInformerFactory against the
``kubernetes`` package's ``kubernetes.informer.SharedInformer``, both fed by the same
loopback API server.

* i. Initial sync of 10,000 pods: wall time until the cache holds every pod, and the
  peak traced memory during the sync against the traced memory the final cache holds.
* j. 5,000 updates flowing through to a handler: events per second seen by the handler.
* k. Cache memory of 10,000 pods against the same pods held as plain dicts.

The API server runs in this process (``kubecore.testing.TestApiServer``), so that the
update benchmark can change objects through its tracker at memory speed and the
informers, each in its own subprocess, are the bottleneck. A *floor* reader (a bare
``http.client`` watch that counts lines and decodes nothing) shows the server's own
share. Run alone with ``python bench/informers.py``.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import common

REPO = Path(__file__).resolve().parent.parent
SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
PYTHON = sys.executable
SYNC_PODS = 10_000
UPDATES = 5_000
PROBE = "bench-probe"  # the pod whose updates show a watch is live (never counted)
WAIT = 300  # seconds a program waits for every update before it reports a shortfall

# Each program prints one JSON line; {N} is the number of objects, {UPDATES} the updates.
_SYNC = {
    "ours": """
from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.informers import SharedInformerFactory
cs = Clientset.from_config(kubecore.load_config())
begin()
factory = SharedInformerFactory(cs, resync_period=0)
pods = factory.core_v1.pods()
pods.informer()
factory.start(stop)
factory.wait_for_cache_sync(stop)
cached = pods.lister().list()
""",
    "kubernetes": """
from kubernetes import client, config
from kubernetes.informer import SharedInformer, ADDED
config.load_kube_config()
api = client.CoreV1Api()
begin()
informer = SharedInformer(api.list_namespaced_pod, namespace="default")
synced = threading.Event()
informer.add_event_handler(ADDED, lambda obj: len(informer.cache.list_keys()) >= N and synced.set())
informer.start()
synced.wait()
cached = informer.cache.list()
""",
}

_SYNC_HARNESS = """
import gc, json, sys, threading, time, tracemalloc
import kubecore
N = {N}
TRACE = {TRACE}
stop = threading.Event()
def begin():
    global t0
    gc.collect()
    if TRACE:
        tracemalloc.start()
    t0 = time.perf_counter()
{body}
elapsed = time.perf_counter() - t0
assert len(cached) == N, len(cached)
result = {{"elapsed": elapsed}}
if TRACE:
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    result.update(current=current, peak=peak)
print(json.dumps(result), flush=True)
stop.set()
import os
os._exit(0)
"""

_UPDATES = {
    "ours": """
from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.informers import SharedInformerFactory
cs = Clientset.from_config(kubecore.load_config())
factory = SharedInformerFactory(cs, resync_period=0)
pods = factory.core_v1.pods()
pods.informer().add_event_handler(on_update=lambda old, new: seen(new.metadata.name == PROBE))
factory.start(stop)
factory.wait_for_cache_sync(stop)
""",
    "kubernetes": """
from kubernetes import client, config
from kubernetes.informer import SharedInformer, ADDED, MODIFIED
config.load_kube_config()
api = client.CoreV1Api()
informer = SharedInformer(api.list_namespaced_pod, namespace="default")
synced = threading.Event()
informer.add_event_handler(ADDED, lambda obj: synced.set())
informer.add_event_handler(MODIFIED, lambda obj: seen(obj.metadata.name == PROBE))
informer.start()
synced.wait()
time.sleep(0.5)
""",
    "floor": """
import http.client
from urllib.parse import urlsplit
url = urlsplit(kubecore.load_config().host)
conn = http.client.HTTPConnection(url.hostname, url.port)
conn.request("GET", "/api/v1/namespaces/default/pods")
rv = json.loads(conn.getresponse().read())["metadata"]["resourceVersion"]
conn.request("GET", "/api/v1/namespaces/default/pods?watch=true&resourceVersion=" + rv)
response = conn.getresponse()
def read_all():
    for line in response:
        seen(b'"name":"' + PROBE.encode() + b'"' in line)
threading.Thread(target=read_all, daemon=True).start()
""",
}

_UPDATES_HARNESS = """
import json, os, sys, threading, time
import kubecore
UPDATES = {UPDATES}
WAIT = {WAIT}
stop = threading.Event()
count = 0
first = last = last_seen = 0.0
done = threading.Event()
PROBE = "bench-probe"
probed = threading.Event()
def seen(probe):
    # Updates of the probe pod only show that the watch is live; they are not counted.
    global count, first, last, last_seen
    if probe:
        probed.set()
        return
    count += 1
    now = time.perf_counter()
    if count == 1:
        first = now
    last_seen = now
    if count == UPDATES:
        last = now
        done.set()
{body}
print("setup", flush=True)
if not probed.wait(120):
    print(json.dumps({{"error": "the watch never delivered the probe"}}), flush=True)
    os._exit(0)
print("ready", flush=True)
# Until every update arrived, or none for QUIET seconds (an informer that lost events).
QUIET = 5.0
seen_before = -1
while not done.wait(QUIET) and count != seen_before:
    seen_before = count
last = last or last_seen
if count < 2:
    print(json.dumps({{"error": f"saw {{count}} of {{UPDATES}}"}}), flush=True)
else:
    rate = (count - 1) / (last - first)
    print(json.dumps({{"seen": count, "elapsed": last - first, "events_per_s": rate}}), flush=True)
stop.set()
import os
os._exit(0)
"""


def _env(kubeconfig: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(KUBECONFIG=str(kubeconfig), PYTHONPATH=str(REPO / "src"), NO_PROXY="*", no_proxy="*")
    return env


def _pods(n: int) -> list[dict[str, Any]]:
    sys.path.insert(0, str(REPO / "bench"))
    import podlist

    pods = podlist.pods(n)
    for pod in pods:
        pod["metadata"]["namespace"] = "default"
        pod["metadata"].pop("resourceVersion", None)
    return pods


def _server(pods: list[dict[str, Any]], history: int) -> Any:
    from kubecore.testing import TestApiServer

    server = TestApiServer([SWAGGER], history=history)
    server.preload({"apiVersion": "v1", "kind": "Pod", **pod} for pod in pods)
    server.start()
    return server


def _run(code: str, kubeconfig: Path, timeout: float = 600) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, "-c", code],
        env=_env(kubeconfig),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
    )
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"benchmark program failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def measure_sync(reps: int = 3) -> dict[str, Any]:
    pods = _pods(SYNC_PODS)
    server = _server(pods, history=1000)
    try:
        runs: dict[str, list[float]] = {k: [] for k in _SYNC}
        memory: dict[str, dict[str, int]] = {}
        for _ in range(reps):
            for name, body in _SYNC.items():
                code = _SYNC_HARNESS.format(N=SYNC_PODS, TRACE=False, body=body)
                runs[name].append(_run(code, server.kubeconfig_path)["elapsed"])
        for name, body in _SYNC.items():
            code = _SYNC_HARNESS.format(N=SYNC_PODS, TRACE=True, body=body)
            result = _run(code, server.kubeconfig_path)
            memory[name] = {"current": result["current"], "peak": result["peak"]}
    finally:
        server.stop()
    dicts = _dict_memory(pods)
    return {
        "pods": SYNC_PODS,
        "reps": reps,
        "time": {k: statistics.median(v) for k, v in runs.items()},
        "memory": memory,
        "dicts": dicts,
    }


def _dict_memory(pods: list[dict[str, Any]]) -> int:
    """Traced memory of the same pods as plain dicts, decoded from JSON (a fresh process)."""
    data = json.dumps(pods)
    code = (
        "import gc, json, sys, tracemalloc\n"
        "data = sys.stdin.read()\n"
        "gc.collect(); tracemalloc.start()\n"
        "pods = {(p['metadata']['namespace'] + '/' + p['metadata']['name']): p for p in json.loads(data)}\n"
        "gc.collect(); print(json.dumps(tracemalloc.get_traced_memory()[0]))\n"
    )
    out = subprocess.run(
        [PYTHON, "-c", code], input=data, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


def _probe_until_ready(server: Any, resource: Any, proc: subprocess.Popen[str]) -> None:
    """Update the probe pod until the program saw one through its watch (its informer is
    live, not still connecting), so that no counted update lands in a synthetic initial
    state instead of the watch."""
    import threading

    from kubecore.testing.tracker import _clone

    ready = threading.Event()

    def probe() -> None:
        step = 0
        while not ready.wait(0.2):
            current = _clone(server.tracker.get(resource, "default", PROBE))
            current["metadata"].setdefault("labels", {})["probe-step"] = str(step)
            server.tracker.update(resource, "default", PROBE, current)
            step += 1

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    ready.set()
    thread.join()
    if line != "ready":
        raise RuntimeError(f"the informer never went live: {line}\n{proc.communicate()[1][-3000:]}")


def measure_updates(reps: int = 3) -> dict[str, Any]:
    from kubecore.testing.tracker import _clone

    pods = _pods(200)
    probe = _clone(pods[0])
    probe["metadata"]["name"] = PROBE
    server = _server([*pods, probe], history=UPDATES * 2 + 1000)
    resource = server.table.for_kind("v1", "Pod")
    try:
        runs: dict[str, list[float]] = {k: [] for k in _UPDATES}
        seen: dict[str, int] = {}
        for rep in range(reps):
            for name, body in _UPDATES.items():
                run = f"{rep}-{name}"
                code = _UPDATES_HARNESS.format(UPDATES=UPDATES, body=body, WAIT=WAIT)
                proc = subprocess.Popen(
                    [PYTHON, "-c", code],
                    env=_env(server.kubeconfig_path),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    cwd=REPO,
                )
                assert proc.stdout is not None
                if proc.stdout.readline().strip() != "setup":
                    raise RuntimeError(f"{name} did not start:\n{proc.communicate()[1][-3000:]}")
                _probe_until_ready(server, resource, proc)
                # The updates are made while the reader is paused, then it reads them as
                # fast as it can: the rate is the reader's (and the server's), not the
                # rate at which this process can make changes.
                os.kill(proc.pid, signal.SIGSTOP)
                for i in range(UPDATES):
                    pod = pods[i % len(pods)]
                    name_ = pod["metadata"]["name"]
                    current = _clone(server.tracker.get(resource, "default", name_))
                    # unique per run: an update that changes nothing makes no event
                    current["metadata"].setdefault("labels", {})["bench-step"] = f"{run}-{i}"
                    server.tracker.update(resource, "default", name_, current)
                os.kill(proc.pid, signal.SIGCONT)
                out, err = proc.communicate(timeout=600)
                result = json.loads(out.strip().splitlines()[-1])
                if "error" in result:
                    raise RuntimeError(f"{name}: {result['error']}\n{err[-3000:]}")
                runs[name].append(result["events_per_s"])
                seen[name] = min(seen.get(name, UPDATES), result["seen"])
    finally:
        server.stop()
    return {
        "updates": UPDATES,
        "reps": reps,
        "events_per_s": {k: statistics.median(v) for k, v in runs.items()},
        "seen": seen,  # the fewest updates a run of each reader delivered
    }


TARGETS = {"sync_time": 0.5, "sync_peak": 1.5, "updates": 2.0}


def measure(reps: int = 3) -> dict[str, Any]:
    return {"sync": measure_sync(reps), "updates": measure_updates(reps)}


def summary_rows(r: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """Rows of ``bench/run.py``'s summary table: (benchmark, ours, anchor, ratio, target,
    met). Times and memory ratios are ours / anchor (lower is better); the update rate is
    ours / kubernetes (higher is better)."""
    sync, upd = r["sync"], r["updates"]
    mem = sync["memory"]["ours"]
    time_ratio = sync["time"]["ours"] / sync["time"]["kubernetes"]
    peak_ratio = mem["peak"] / mem["current"]
    rate_ratio = upd["events_per_s"]["ours"] / upd["events_per_s"]["kubernetes"]
    cache_ratio = mem["current"] / sync["dicts"]
    return [
        (
            f"i. informer initial sync of {sync['pods']:,} pods",
            _fmt(sync["time"]["ours"]),
            f"kubernetes {_fmt(sync['time']['kubernetes'])}",
            f"{time_ratio:.2f}×",
            f"≤ {TARGETS['sync_time']}×",
            _met(time_ratio <= TARGETS["sync_time"]),
        ),
        (
            "i. peak memory during the sync / final cache",
            _mb(mem["peak"]),
            f"own cache {_mb(mem['current'])}",
            f"{peak_ratio:.2f}×",
            f"≤ {TARGETS['sync_peak']}×",
            _met(peak_ratio <= TARGETS["sync_peak"]),
        ),
        (
            f"j. {upd['updates']:,} updates through a handler",
            f"{upd['events_per_s']['ours']:,.0f} events/s",
            f"kubernetes {upd['events_per_s']['kubernetes']:,.0f} events/s",
            f"{rate_ratio:.2f}× faster",
            f"≥ {TARGETS['updates']}×",
            _met(rate_ratio >= TARGETS["updates"]),
        ),
        (
            f"k. informer cache of {sync['pods']:,} pods",
            _mb(mem["current"]),
            f"plain dicts {_mb(sync['dicts'])}",
            f"{cache_ratio:.2f}×",
            "report",
            "",
        ),
    ]


def _met(ok: bool) -> str:
    return "**yes**" if ok else "**no**"


def section(r: dict[str, Any]) -> str:
    sync, upd = r["sync"], r["updates"]
    mem = sync["memory"]
    lines = [
        "## i-k. Informers against the loopback API server",
        "",
        "The test API server runs in the benchmark's process; each informer runs in a fresh "
        "subprocess. Ours is the generated `SharedInformerFactory` (`core_v1.pods()`); kubernetes is "
        "`kubernetes.informer.SharedInformer(CoreV1Api().list_namespaced_pod)`. Times are medians of "
        f"{sync['reps']} runs; memory is `tracemalloc`'s traced memory from just before the informer "
        "is built (a separate run, since tracing slows Python down).",
        "",
        "| Benchmark | ours | kubernetes | ours / kubernetes |",
        "|---|---|---|---|",
        f"| i. sync {sync['pods']:,} pods (time) | {_fmt(sync['time']['ours'])} | "
        f"{_fmt(sync['time']['kubernetes'])} | {sync['time']['ours'] / sync['time']['kubernetes']:.2f}× |",
        f"| i. peak traced memory during the sync | {_mb(mem['ours']['peak'])} | {_mb(mem['kubernetes']['peak'])} | "
        f"{mem['ours']['peak'] / mem['kubernetes']['peak']:.2f}× |",
        f"| k. memory held after the sync (the cache) | {_mb(mem['ours']['current'])} | "
        f"{_mb(mem['kubernetes']['current'])} | {mem['ours']['current'] / mem['kubernetes']['current']:.2f}× |",
        f"| j. {upd['updates']:,} updates through a handler | {upd['events_per_s']['ours']:,.0f} events/s | "
        f"{upd['events_per_s']['kubernetes']:,.0f} events/s | "
        f"{upd['events_per_s']['ours'] / upd['events_per_s']['kubernetes']:.2f}× faster |",
        "",
        f"Peak during our sync is {mem['ours']['peak'] / mem['ours']['current']:.2f}× our final cache "
        f"(kubernetes: {mem['kubernetes']['peak'] / mem['kubernetes']['current']:.2f}×). "
        f"The same {sync['pods']:,} pods as plain dicts from `json.loads` hold {_mb(sync['dicts'])}: our cache is "
        f"{mem['ours']['current'] / sync['dicts']:.2f}× that, the kubernetes informer's "
        f"{mem['kubernetes']['current'] / sync['dicts']:.2f}×. The server floor for the updates (a bare watch "
        f"reader that decodes nothing) is {upd['events_per_s']['floor']:,.0f} events/s.",
        *_losses(upd),
        "",
    ]
    return "\n".join(lines)


def _losses(upd: dict[str, Any]) -> list[str]:
    """A sentence for readers that did not deliver every update (rates are then over what
    they delivered, until {QUIET} s without an event)."""
    short = {k: n for k, n in (upd.get("seen") or {}).items() if n < upd["updates"]}
    if not short:
        return [f"Every reader delivered all {upd['updates']:,} updates in every run."]
    listed = ", ".join(f"{k} {n:,}" for k, n in sorted(short.items()))
    return [
        f"Not every update arrived: the fewest delivered in one run were {listed} of "
        f"{upd['updates']:,}; those rates are over the updates that did arrive."
    ]


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


SECTION_TITLE = "## i-k. Informers against the loopback API server"


def splice(doc: str, r: dict[str, Any], run_date: str) -> str:
    """``doc`` (docs/benchmarks.md) with the informer summary rows and section replaced
    (or added), the other sections untouched (``common.splice``); for a run of this part
    alone."""
    note = f"This section and its summary rows: run of {run_date} (`python bench/informers.py --write`)."
    return common.splice(
        doc,
        rows=summary_rows(r),
        row_labels=("i. informer", "i. peak", "j. ", "k. informer"),
        section=section(r).rstrip("\n") + f"\n\n{note}\n",
        headings=(SECTION_TITLE,),
    )


def _sizes(pods: int, updates: int) -> None:
    global SYNC_PODS, UPDATES
    SYNC_PODS, UPDATES = pods, updates


def main(argv: list[str] | None = None) -> int:
    import argparse
    import datetime

    parser = argparse.ArgumentParser(description="informer benchmarks (i-k) alone")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each timed run")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    parser.add_argument("--json", type=Path, help="also dump the raw results to this file")
    parser.add_argument("--pods", type=int, default=SYNC_PODS, help="pods to sync (smoke runs)")
    parser.add_argument("--updates", type=int, default=UPDATES, help="updates (smoke runs)")
    args = parser.parse_args(argv)
    _sizes(args.pods, args.updates)
    data = measure(args.reps)
    if args.json:
        args.json.write_text(json.dumps(data, indent=1))
    print(json.dumps(data, indent=1))
    for row in summary_rows(data):
        print(" | ".join(row))
    if args.write:
        doc = REPO / "docs" / "benchmarks.md"
        run_date = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        doc.write_text(splice(doc.read_text(), data, run_date))
        print(f"wrote {doc.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
