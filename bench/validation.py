"""Objects validated per second: kubecore.core.validation against ``kubernetes-validate``.

Part of ``make bench``. The corpus is every built-in-kind document of
``../shared/specs/examples`` that both validators have a schema for (kubernetes-validate
bundles only the built-in API); both validate the same objects in the same run, each
after a warm-up pass (its schemas loaded and compiled), best of ``--reps`` passes.
kubernetes-validate runs against its 1.36 schemas, the same API version as ours.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "specs" / "examples"


def corpus() -> list[dict[str, Any]]:
    from kubecore.core.validation import SchemaNotFound, Validator
    from kubecore.core.yamlio import load_all

    validator = Validator.builtin()
    objects = []
    for path in sorted(EXAMPLES.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        for doc in load_all(path.read_bytes()):
            if not isinstance(doc, dict) or "." in str(doc.get("apiVersion", "")).split("/")[0]:
                continue
            try:
                validator.lookup(str(doc.get("apiVersion", "")), str(doc.get("kind", "")))
            except SchemaNotFound:
                continue
            objects.append(doc)
    return objects


def _best(run: Any, objects: list[dict[str, Any]], reps: int) -> float:
    run(objects)
    best = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        run(objects)
        best = min(best, time.perf_counter() - start)
    return len(objects) / best


def measure(reps: int = 3) -> dict[str, Any]:
    """Objects per second for ours and the anchor, on the same corpus in the same run."""
    import importlib.metadata

    import kubernetes_validate

    from kubecore.core.validation import Validator

    objects = corpus()
    validator = Validator.builtin()

    def ours(objs: list[dict[str, Any]]) -> None:
        for obj in objs:
            validator.validate(obj)

    def anchor(objs: list[dict[str, Any]]) -> None:
        for obj in objs:
            try:
                kubernetes_validate.validate(obj, "1.36.0", strict=False)
            except (
                kubernetes_validate.ValidationError,
                kubernetes_validate.SchemaNotFoundError,
                kubernetes_validate.InvalidSchemaError,
            ):
                pass

    return {
        "objects": len(objects),
        "ours": _best(ours, objects, reps),
        "anchor": _best(anchor, objects, reps),
        "anchor_version": importlib.metadata.version("kubernetes-validate"),
    }


TARGET = 2.0  # ours / anchor objects per second, at least


def summary_rows(r: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """The summary table's row: higher is better, so the target is a minimum."""
    ratio = r["ours"] / r["anchor"]
    return [
        (
            f"l. validate {r['objects']} built-in example objects",
            f"{r['ours']:,.0f} objects/s",
            f"kubernetes-validate {r['anchor']:,.0f} objects/s",
            f"{ratio:.0f}× faster",
            f"≥ {TARGET:g}×",
            "**yes**" if ratio >= TARGET else "**no**",
        )
    ]


def section(r: dict[str, Any]) -> str:
    return "\n".join(
        [
            "## l. Validation",
            "",
            f"The {r['objects']} built-in-kind documents of `../shared/specs/examples`, validated by "
            f"`kubecore.core.validation` and by `kubernetes-validate` {r['anchor_version']} (its 1.36 "
            "schemas, `strict=False`) in the same run, each after a warm-up pass, best of 3 passes.",
            "",
            "| ours | kubernetes-validate | ours / kubernetes-validate |",
            "|---|---|---|",
            f"| {r['ours']:,.0f} objects/s | {r['anchor']:,.0f} objects/s | "
            f"{r['ours'] / r['anchor']:.0f}× faster |",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    result = measure(parser.parse_args().reps)
    print(section(result))
    print(f"ratio: {result['ours'] / result['anchor']:.1f}x (target >= {TARGET}x)")


if __name__ == "__main__":
    main()
