"""``bench/controller.py``'s ``splice``: ``bench/run.py --only controller --write`` replaces
section i and its summary row of docs/benchmarks.md and keeps everything else."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

PAGE = """# Benchmarks

## Summary

| Benchmark | Ours | Anchor | Ratio | Target | Met |
|---|---|---|---|---|---|
| h. kept | 1 | 2 | 3 | 4 | 5 |
| i. reconcile 10,000 VMs to complete (4 workers) | 12.90 s | kopf 20.78 s | 0.62× | ≤ 0.5× | **no** |
| i. informer initial sync of 10,000 pods | 1 | 2 | 3 | 4 | 5 |

## i. Reconcile runner against kopf

old text

## l. Validation

kept l
"""

RESULTS = {
    "n": 10_000,
    "floor": {"wall": 5.0, "cpu": 0.0, "server_cpu": 3.5},
    "ours": {"wall": 9.0, "cpu": 4.4, "server_cpu": 4.5},
    "kopf": {"wall": 20.0, "cpu": 16.0, "server_cpu": 7.0},
}


@pytest.fixture(scope="module")
def controller() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        import controller
    finally:
        sys.path.remove(str(BENCH))
    return controller


def test_splice_replaces_section_i_and_its_row_only(controller: ModuleType) -> None:
    once = controller.splice(PAGE, RESULTS, "Run note.")
    assert "old text" not in once and "12.90 s" not in once
    assert once.count("| i. reconcile ") == 1
    assert (
        "| i. reconcile 10,000 VMs to complete (4 workers) | 9.00 s | kopf 20.00 s | 0.45× |"
        in (once)
    )
    assert "| ours (4 workers) | 9.00 s | 4.40 s | 4.50 s | 1.80× |" in once
    assert "Ours / kopf wall time: **0.45×** (target ≤ 0.5×).\n\nRun note.\n" in once
    assert "| h. kept |" in once and "| i. informer initial sync" in once
    assert once.index("## i. Reconcile runner") < once.index("## l. Validation")
    assert once.endswith("kept l\n")
    assert controller.splice(once, RESULTS, "Run note.") == once
