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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    objects = corpus()

    from kubecore.core.validation import Validator

    validator = Validator.builtin()

    def ours(objs: list[dict[str, Any]]) -> None:
        for obj in objs:
            validator.validate(obj)

    import kubernetes_validate

    def anchor(objs: list[dict[str, Any]]) -> None:
        for obj in objs:
            try:
                kubernetes_validate.validate(obj, "1.36.0", strict=False)
            except kubernetes_validate.ValidationError:
                pass
            except (
                kubernetes_validate.SchemaNotFoundError,
                kubernetes_validate.InvalidSchemaError,
            ):
                pass

    ours_rate = _best(ours, objects, args.reps)
    anchor_rate = _best(anchor, objects, args.reps)
    print(f"validation corpus: {len(objects)} built-in objects from {EXAMPLES}")
    print(f"kubecore.core.validation: {ours_rate:,.0f} objects/s")
    import importlib.metadata

    anchor_version = importlib.metadata.version("kubernetes-validate")
    print(f"kubernetes-validate {anchor_version}: {anchor_rate:,.0f} objects/s")
    print(f"ratio: {ours_rate / anchor_rate:.1f}x (target >= 2x)")


if __name__ == "__main__":
    main()
