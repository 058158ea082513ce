"""Reconcile runner benchmark (issue 11 §6): N VirtualMachines created, then every one
reconciled to complete (merge patch ``spec.status`` creating -> complete), by:

* ours: ``kubecore.runtime.controller.Controller`` with 4 workers (typed informer, lister,
  rate-limited workqueue, metrics on as a user has them);
* kopf: the same operator written with ``kopf`` (an ``@kopf.on.event`` handler that sets
  the patch: kopf's lightest handler, no progress annotations), run with
  ``kopf run --standalone -A``;
* the server's floor: a bare loop sending the same N merge patches over one keep-alive
  ``http.client`` connection, nothing decoded.

Each run gets a fresh ``python -m kubecore.testing`` process preloaded with the N VMs. The
operator runs in its own process; wall time is from its start to the moment a watch held
by this driver has seen every VM complete; CPU is the operator process's user + system
time at that moment (from ``/proc``), and the server's CPU over the same span.

Run alone with ``python bench/controller.py [N]``; ``bench/run.py`` includes it.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import common

REPO = Path(__file__).resolve().parent.parent
VM_CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
PYTHON = sys.executable
TIMEOUT = 1800.0
TARGET = 0.5  # ours / kopf, wall time
_TICKS = os.sysconf("SC_CLK_TCK")

_OURS = """
import threading, signal
import kubecore
from kube_clientgen_api.virtualmachine import Clientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kubecore.runtime.controller import Controller

cs = Clientset.from_config(kubecore.load_config())
vms = cs.cloud_waibizi_com_v1

def reconcile(request):
    vm = controller.get(VirtualMachine, request)
    if vm.spec is not None and vm.spec.status == "creating":
        vms.virtual_machines(request.namespace).patch(request.name, {"spec": {"status": "complete"}})

controller = Controller(reconcile, for_=VirtualMachine, client=cs, workers=4)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
controller.run(stop)
"""

_KOPF = """
import kopf

@kopf.on.event("cloud.waibizi.com", "v1", "virtualmachines")
def reconcile(spec, patch, **_):
    if spec.get("status") == "creating":
        patch.spec["status"] = "complete"
"""


def _env(kubeconfig: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(KUBECONFIG=str(kubeconfig), PYTHONPATH=str(REPO / "src"), NO_PROXY="*", no_proxy="*")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process, from ``/proc/<pid>/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _vm(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": f"vm-{i:05d}", "namespace": "default"},
        "spec": {"image": "centos", "status": "creating"},
    }


class _Server:
    """``python -m kubecore.testing`` preloaded with ``n`` creating VMs."""

    def __init__(self, tmp: Path, n: int) -> None:
        seed = tmp / "vms.json"
        seed.write_text(
            json.dumps({"apiVersion": "v1", "kind": "List", "items": [_vm(i) for i in range(n)]})
        )
        self.kubeconfig = tmp / "kubeconfig"
        self.kubeconfig.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "kubecore.testing", "--port", str(_free_port())]
            + [
                "--kubeconfig",
                str(self.kubeconfig),
                "--preload",
                str(seed),
                str(VM_CRD),
                str(SWAGGER),
            ],
            cwd=REPO,
            env=_env(self.kubeconfig),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 300
        while not self.kubeconfig.exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the test API server did not start")
            time.sleep(0.05)
        time.sleep(0.2)
        sys.path.insert(0, str(REPO / "src"))
        import kubecore

        self.host = urlsplit(kubecore.load_config(str(self.kubeconfig)).host)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


class _Completion:
    """A watch of the VMs, counting those seen complete; ``wait()`` until all are."""

    def __init__(self, server: _Server, n: int) -> None:
        import kubecore
        from kube_clientgen_api.virtualmachine import Clientset

        self.n = n
        self.done: set[str] = set()
        self.all_done = threading.Event()
        self._cs = Clientset.from_config(kubecore.load_config(str(server.kubeconfig)))
        client = self._cs.cloud_waibizi_com_v1.virtual_machines("default")
        listed = client.list()
        assert len(listed.items) == n, len(listed.items)
        self._rv = listed.metadata.resource_version
        self._client = client
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        for event in self._client.watch(resource_version=self._rv):
            obj = event.object
            if obj.spec is not None and obj.spec.status == "complete":
                self.done.add(obj.metadata.name)
                if len(self.done) >= self.n:
                    self.all_done.set()
                    return


def _operator(kind: str, server: _Server, n: int, tmp: Path) -> dict[str, float]:
    completion = _Completion(server, n)
    if kind == "ours":
        argv = [PYTHON, "-c", _OURS]
    else:
        script = tmp / "kopf_operator.py"
        script.write_text(_KOPF)
        argv = [PYTHON, "-m", "kopf", "run", "--standalone", "-A", "--quiet", str(script)]
    server_cpu = _cpu_seconds(server.proc.pid)
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        cwd=REPO,
        env=_env(server.kubeconfig),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while not completion.all_done.wait(0.05):
            if proc.poll() is not None:
                raise RuntimeError(f"{kind} exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            if time.perf_counter() - start > TIMEOUT:
                raise RuntimeError(f"{kind}: {len(completion.done)}/{n} complete after {TIMEOUT} s")
        wall = time.perf_counter() - start
        cpu = _cpu_seconds(proc.pid)
        server_cpu = _cpu_seconds(server.proc.pid) - server_cpu
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return {"wall": wall, "cpu": cpu, "server_cpu": server_cpu}


def _floor(server: _Server, n: int) -> dict[str, float]:
    conn = http.client.HTTPConnection(server.host.hostname, server.host.port)
    body = b'{"spec":{"status":"complete"}}'
    headers = {"Content-Type": "application/merge-patch+json", "Accept": "application/json"}
    server_cpu = _cpu_seconds(server.proc.pid)
    start = time.perf_counter()
    for i in range(n):
        conn.request(
            "PATCH",
            f"/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines/vm-{i:05d}",
            body,
            headers,
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 200, response.status
    wall = time.perf_counter() - start
    return {"wall": wall, "cpu": 0.0, "server_cpu": _cpu_seconds(server.proc.pid) - server_cpu}


def measure(n: int = 10_000) -> dict[str, Any]:
    results: dict[str, Any] = {"n": n}
    with tempfile.TemporaryDirectory(prefix="kube-clientgen-bench-ctl-") as tmp:
        for kind in ("floor", "ours", "kopf"):
            server = _Server(Path(tmp), n)
            try:
                if kind == "floor":
                    results[kind] = _floor(server, n)
                else:
                    results[kind] = _operator(kind, server, n, Path(tmp))
            finally:
                server.stop()
            print(f"controller bench: {kind}: {results[kind]}", file=sys.stderr, flush=True)
    return results


def summary_rows(r: dict[str, Any]) -> list[tuple[str, str, str, float, float]]:
    """(benchmark, ours, anchor, ratio, target) rows for the summary table."""
    ours, kopf = r["ours"]["wall"], r["kopf"]["wall"]
    return [
        (
            f"i. reconcile {r['n']:,} VMs to complete (4 workers)",
            _fmt(ours),
            f"kopf {_fmt(kopf)}",
            ours / kopf,
            TARGET,
        )
    ]


SECTION_TITLE = "## i. Reconcile runner against kopf"


def splice(doc: str, r: dict[str, Any], note: str) -> str:
    """``doc`` (docs/benchmarks.md) with this section and its summary row replaced, the
    rest kept (``common.splice``); for ``bench/run.py --only controller --write``. ``note``
    (the run's date, command and load) ends the section."""
    rows = [
        (label, ours, anchor, f"{ratio:.2f}×", f"≤ {target}×", common.verdict(ratio, target))
        for label, ours, anchor, ratio, target in summary_rows(r)
    ]
    return common.splice(
        doc,
        rows=rows,
        row_labels=("i. reconcile ",),
        section=section(r).rstrip("\n") + f"\n\n{note}\n",
        headings=(SECTION_TITLE,),
    )


def section(r: dict[str, Any]) -> str:
    n = r["n"]
    lines = [
        SECTION_TITLE,
        "",
        f"{n:,} VirtualMachines (`examples/crds/virtualmachine.yaml`) preloaded with `spec.status: creating` "
        "into a fresh `python -m kubecore.testing` process for each run; the operator, in its own process, "
        "merge-patches every one to `complete`. Ours is `kubecore.runtime.controller.Controller` "
        "(4 workers, typed informer and lister, default rate limiter, Prometheus metrics on); kopf is "
        f"kopf {_version('kopf')} with one `@kopf.on.event` handler setting the patch (its lightest "
        "handler: no progress annotations), `kopf run --standalone -A`. Wall time runs from the operator's "
        "process start (imports included) until a watch held by the benchmark has seen every VM complete; "
        "CPU is the operator process's user + system time then, and the server's CPU over the same span. "
        "The server floor is a bare loop sending the same patches in sequence over one keep-alive "
        "`http.client` connection, nothing decoded. One run each (a shared machine).",
        "",
        "| | wall | operator CPU | server CPU | wall / floor |",
        "|---|---|---|---|---|",
    ]
    floor = r["floor"]["wall"]
    for kind, label in (
        ("floor", "server floor (bare patch loop)"),
        ("ours", "ours (4 workers)"),
        ("kopf", "kopf"),
    ):
        row = r[kind]
        cpu = _fmt(row["cpu"]) if kind != "floor" else ""
        lines.append(
            f"| {label} | {_fmt(row['wall'])} | {cpu} | {_fmt(row['server_cpu'])} | {row['wall'] / floor:.2f}× |"
        )
    ratio = r["ours"]["wall"] / r["kopf"]["wall"]
    lines += ["", f"Ours / kopf wall time: **{ratio:.2f}×** (target ≤ {TARGET}×).", ""]
    return "\n".join(lines)


def _version(package: str) -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    data = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
    print(json.dumps(data, indent=1))
    print(section(data))
    for label, ours, anchor, ratio, target in summary_rows(data):
        print(
            f"{label}: {ours} vs {anchor}: {ratio:.2f}x (target <= {target}x) {'met' if ratio <= target else 'NOT met'}"
        )
