"""One generation target: inputs -> IR -> layout -> render -> black -> atomic write."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from generator import layout as layout_mod
from generator import output, render, sources


@dataclass
class Target:
    inputs: list[str]
    out: str
    apimachinery_only: bool = False  # render only io.k8s.apimachinery types (kubecore's own)
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    target: Target
    changed: list[str]
    skipped: bool  # fingerprint matched: nothing was rendered


def render_target(target: Target, *, progress: bool = False) -> dict[str, str]:
    """Every file of the output package, formatted, in memory."""
    api = sources.load_api(target.inputs)
    plan = layout_mod.plan(api, kubecore_mode=target.apimachinery_only)
    if progress:
        for key in sorted(plan.modules):
            print(f"kube-clientgen: {target.out}: {key}", file=sys.stderr)
    doc = "Generated from: " + ", ".join(sorted(Path(p).name for p in target.inputs))
    return output.format_files(render.render_package(plan, doc))


def run_target(target: Target, *, check: bool = False, progress: bool = False) -> Result:
    out = Path(target.out)
    files_in = [i for i in target.inputs if not sources.is_cluster_input(i)]
    stamp = output.fingerprint(sources.expand_inputs(files_in), _options(target))
    live = len(files_in) < len(target.inputs)  # a cluster can change at any time: always render
    if not live and output.is_fresh(out, stamp):
        return Result(target, [], skipped=True)
    files = render_target(target, progress=progress)
    if check:
        return Result(target, output.differences(out, files), skipped=False)
    return Result(target, output.write_tree(out, files, stamp), skipped=False)


def _options(target: Target) -> str:
    return f"apimachinery_only={target.apimachinery_only};package={Path(target.out).name}"
