"""Client benchmarks (issue 3): ours against ``kubernetes`` and ``lightkube``, each talking
to the same loopback API server (``python -m kubecore.testing``) in its own process.

* f. 1,000 sequential GETs of one ConfigMap.
* g. Listing 2,000 pods: the HTTP request and the decode together.
* h. ``import`` of the client plus building one from a kubeconfig.

Run alone with ``python bench/clients.py``; ``bench/run.py`` includes it in
``docs/benchmarks.md``. Each client runs in a fresh subprocess, round-robin, and the
median of the repetitions is reported; the ratios are ours / anchor in the same run.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SWAGGER = REPO.parent / "shared" / "specs" / "kubernetes" / "swagger.json"
PYTHON = sys.executable

# --- the programs each client runs (timed inside, printed as JSON) -------------------

# The server's share: the same request over a bare keep-alive ``http.client`` connection,
# body read, nothing decoded. What a client adds on top of this is its own cost.
_FLOOR = """
import http.client, kubecore
from urllib.parse import urlsplit
url = urlsplit(kubecore.load_config().host)
conn = http.client.HTTPConnection(url.hostname, url.port)
def fetch():
    conn.request("GET", PATH, headers={"Accept": "application/json"})
    return conn.getresponse().read()
fetch()
t = time.perf_counter()
for _ in range(REPEAT):
    fetch()
elapsed = time.perf_counter() - t
"""

_GETS = {
    "ours": """
from kube_clientgen_api.kubernetes import Clientset
import kubecore
cs = Clientset.from_config(kubecore.load_config())
cms = cs.core_v1.config_maps("default")
cms.get("bench")
t = time.perf_counter()
for _ in range(N):
    cms.get("bench")
elapsed = time.perf_counter() - t
""",
    "kubernetes": """
from kubernetes import client, config
config.load_kube_config()
api = client.CoreV1Api()
api.read_namespaced_config_map("bench", "default")
t = time.perf_counter()
for _ in range(N):
    api.read_namespaced_config_map("bench", "default")
elapsed = time.perf_counter() - t
""",
    "lightkube": """
from lightkube import Client
from lightkube.resources.core_v1 import ConfigMap
c = Client()
c.get(ConfigMap, "bench", namespace="default")
t = time.perf_counter()
for _ in range(N):
    c.get(ConfigMap, "bench", namespace="default")
elapsed = time.perf_counter() - t
""",
    "floor": 'PATH, REPEAT = "/api/v1/namespaces/default/configmaps/bench", N\n' + _FLOOR,
}

_LIST = {
    "ours": """
from kube_clientgen_api.kubernetes import Clientset
import kubecore
pods = Clientset.from_config(kubecore.load_config()).core_v1.pods("default")
pods.list(limit=1)
t = time.perf_counter()
result = pods.list()
elapsed = time.perf_counter() - t
assert len(result.items) == N
""",
    "kubernetes": """
from kubernetes import client, config
config.load_kube_config()
api = client.CoreV1Api()
api.list_namespaced_pod("default", limit=1)
t = time.perf_counter()
result = api.list_namespaced_pod("default")
elapsed = time.perf_counter() - t
assert len(result.items) == N
""",
    "lightkube": """
from lightkube import Client
from lightkube.resources.core_v1 import Pod
c = Client()
list(c.list(Pod, namespace="default", chunk_size=1))[:1]
t = time.perf_counter()
result = list(c.list(Pod, namespace="default", chunk_size=0))
elapsed = time.perf_counter() - t
assert len(result) == N
""",
    "floor": 'PATH, REPEAT = "/api/v1/namespaces/default/pods", 1\n' + _FLOOR,
}

_STARTUP = {
    "ours": "from kube_clientgen_api.kubernetes import Clientset\nimport kubecore\nClientset.from_config(kubecore.load_config())",
    "kubernetes": "from kubernetes import client, config\nconfig.load_kube_config()\nclient.CoreV1Api()",
    "lightkube": "from lightkube import Client\nClient()",
}


def _env(kubeconfig: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(KUBECONFIG=str(kubeconfig), PYTHONPATH=str(REPO / "src"), NO_PROXY="*", no_proxy="*")
    return env


def _run_timed(body: str, n: int, kubeconfig: Path) -> float:
    code = f"import time, json\nN = {n}\n{body}\nprint(json.dumps(elapsed))\n"
    out = subprocess.run(
        [PYTHON, "-c", code],
        env=_env(kubeconfig),
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _run_wall(body: str, kubeconfig: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [PYTHON, "-c", body], env=_env(kubeconfig), check=True, cwd=REPO, capture_output=True
    )
    return time.perf_counter() - start


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    """``python -m kubecore.testing`` in its own process, seeded with ``--preload``."""

    def __init__(self, tmp: Path, pods: int) -> None:
        sys.path.insert(0, str(REPO / "bench"))
        import podlist

        seed = tmp / "seed.json"
        configmap = {"metadata": {"name": "bench"}, "data": {"a": "1", "b": "2"}}
        items = [{"apiVersion": "v1", "kind": "ConfigMap", **configmap}]
        for pod in podlist.pods(pods):
            pod["metadata"]["namespace"] = "default"
            items.append(pod)
        seed.write_bytes(podlist.dumps({"apiVersion": "v1", "kind": "List", "items": items}))
        self.kubeconfig = tmp / "kubeconfig"
        port = _free_port()
        self.proc = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "kubecore.testing",
                "--port",
                str(port),
                "--kubeconfig",
                str(self.kubeconfig),
            ]
            + ["--preload", str(seed), str(SWAGGER)],
            cwd=REPO,
            env=_env(self.kubeconfig),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 120
        while not self.kubeconfig.exists():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the test API server did not start")
            time.sleep(0.05)
        time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def measure(
    *, gets: int = 1000, pods: int = 2000, reps: int = 5, startup_runs: int = 15
) -> dict[str, Any]:
    results: dict[str, Any] = {"gets": gets, "pods": pods, "reps": reps}
    with tempfile.TemporaryDirectory(prefix="kube-clientgen-bench-") as tmp:
        server = _Server(Path(tmp), pods)
        try:
            for name, programs, n in (("get", _GETS, gets), ("list", _LIST, pods)):
                runs: dict[str, list[float]] = {k: [] for k in programs}
                for _ in range(reps):
                    for client, body in programs.items():
                        runs[client].append(_run_timed(body, n, server.kubeconfig))
                results[name] = {k: statistics.median(v) for k, v in runs.items()}
            walls: dict[str, list[float]] = {k: [] for k in _STARTUP}
            for body in _STARTUP.values():
                _run_wall(body, server.kubeconfig)  # warm the bytecode caches
            for _ in range(startup_runs):
                for client, body in _STARTUP.items():
                    walls[client].append(_run_wall(body, server.kubeconfig))
            walls["floor"] = [_run_wall("pass", server.kubeconfig) for _ in range(startup_runs)]
            results["startup"] = {k: statistics.median(v) for k, v in walls.items()}
        finally:
            server.stop()
    return results


TARGETS = {
    ("get", "kubernetes"): 0.7,
    ("get", "lightkube"): 1.0,
    ("list", "kubernetes"): 0.5,
    ("list", "lightkube"): 1.5,
    ("startup", "kubernetes"): 0.3,
}


def summary_rows(r: dict[str, Any]) -> list[tuple[str, str, str, float, float]]:
    """(benchmark, ours, anchor, ratio, target) rows for the summary table."""
    labels = {
        "get": f"f. {r['gets']:,} sequential GETs of a ConfigMap",
        "list": f"g. list {r['pods']:,} pods (HTTP + decode)",
        "startup": "h. import + clientset from kubeconfig",
    }
    rows = []
    for (bench, anchor), target in TARGETS.items():
        ours, theirs = r[bench]["ours"], r[bench][anchor]
        rows.append((labels[bench], _fmt(ours), f"{anchor} {_fmt(theirs)}", ours / theirs, target))
    return rows


def section(r: dict[str, Any]) -> str:
    lines = [
        "## f-h. Clients against the loopback API server",
        "",
        "`python -m kubecore.testing` serves the 1.36 API from its own process (plain HTTP on 127.0.0.1), "
        f"holding one ConfigMap and {r['pods']:,} pods from `bench/podlist.py`. Each client runs in a fresh "
        f"subprocess, round-robin, {r['reps']} times; the tables show medians of the time measured inside the "
        "process (after one untimed warm-up request). Ours is the generated clientset; kubernetes is "
        "`CoreV1Api`; lightkube is `lightkube.Client`. The server's own time is in every number, so the "
        "ratios understate the differences between the clients. The *server floor* column is that "
        "share: the same request over a bare keep-alive `http.client` connection, body read and not "
        "decoded; subtract it to see what each client itself costs.",
        "",
        "| Benchmark | server floor | ours | kubernetes | lightkube | ours / kubernetes | "
        "ours / lightkube |",
        "|---|---|---|---|---|---|---|",
    ]
    for bench, label in (
        ("get", f"{r['gets']:,} GETs"),
        ("list", f"list {r['pods']:,} pods"),
        ("startup", "import + build from kubeconfig (whole process)"),
    ):
        row = r[bench]
        floor = _fmt(row["floor"]) if bench != "startup" else ""
        lines.append(
            f"| {label} | {floor} | {_fmt(row['ours'])} | {_fmt(row['kubernetes'])} | {_fmt(row['lightkube'])} | "
            f"{row['ours'] / row['kubernetes']:.2f}× | {row['ours'] / row['lightkube']:.2f}× |"
        )
    lines += [
        "",
        f"The `python -c pass` floor for the whole-process row is {_fmt(r['startup']['floor'])}.",
        "",
    ]
    return "\n".join(lines)


def _fmt(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    data = measure()
    print(json.dumps(data, indent=1))
    print(section(data))
    for label, ours, anchor, ratio, target in summary_rows(data):
        print(
            f"{label}: {ours} vs {anchor}: {ratio:.2f}x (target <= {target}x) {'met' if ratio <= target else 'NOT met'}"
        )
