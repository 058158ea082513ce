"""The ``kube-clientgen`` command.

Exit status: 0 success; 1 ``--check`` found stale output, or ``--fail-on-change`` wrote a
change; 2 bad input or configuration (every target is still tried, every error reported).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from kube_clientgen import __version__
from kube_clientgen.errors import GenerationError, SourceError
from kube_clientgen.pipeline import Result, Target, run_target
from kube_clientgen.wording import counted

EXIT_STALE = 1
EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kube-clientgen", description="Generate typed Kubernetes clients."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="generate a package from OpenAPI specs or CRD YAML")
    gen.add_argument(
        "inputs",
        nargs="*",
        help="OpenAPI JSON files or directories, CRD YAML files or directories, "
        "a built-in spec (kubernetes:1.36, or kubernetes for the newest), or cluster:[CONTEXT]",
    )
    gen.add_argument("--out", help="output package directory (its basename is the package name)")
    mode = gen.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="exit 1 if the output is stale; write nothing"
    )
    mode.add_argument(
        "--fail-on-change",
        action="store_true",
        help="write the output, then exit 1 if any file was created, changed or removed "
        "(for pre-commit hooks)",
    )
    gen.add_argument(
        "--apimachinery-only", action="store_true", help="render only io.k8s.apimachinery types"
    )
    gen.add_argument(
        "--no-share",
        dest="share",
        action="store_false",
        help="give every inline CRD schema its own class, even where identical ones repeat",
    )
    gen.add_argument(
        "--no-reuse",
        dest="reuse",
        action="store_false",
        help="give CRD copies of built-in types (PodSpec, Container, ...) their own classes "
        "instead of the built-in Kubernetes classes",
    )
    gen.add_argument(
        "--config", type=Path, help="pyproject.toml or codegen.yaml (default: search upwards)"
    )
    from kube_clientgen import validate_cmd

    validate_cmd.add_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate_cmd.run(args)
    try:
        targets = _targets(args, parser)
    except (SourceError, GenerationError) as err:
        _error(err)
        return EXIT_BAD_INPUT
    return _generate(targets, check=args.check, fail_on_change=args.fail_on_change)


def _targets(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[Target]:
    if args.inputs:
        if not args.out:
            parser.error("--out is required when inputs are given")
        return [
            Target(
                inputs=list(args.inputs),
                out=args.out,
                apimachinery_only=args.apimachinery_only,
                share=args.share,
                reuse=args.reuse,
            )
        ]
    from kube_clientgen.config import find_config, load_targets

    config = args.config or find_config(Path.cwd())
    if config is None:
        raise GenerationError(
            "no inputs given and no [tool.kube-clientgen] table or codegen.yaml found"
        )
    return load_targets(config)


def _generate(targets: list[Target], *, check: bool, fail_on_change: bool) -> int:
    """Run every target, even after one failed (as ``make -k`` would); the worst status wins."""
    progress = sys.stderr.isatty()
    failed = 0
    changed = False
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _show_warning
        for target in targets:
            try:
                result = run_target(target, check=check, progress=progress)
            except (SourceError, GenerationError) as err:
                _error(err)
                failed += 1
                continue
            if result.changed and (check or fail_on_change):
                changed = True
                print(f"kube-clientgen: {_describe(result, check=check)}", file=sys.stderr)
            elif progress and not check:
                status = (
                    "up to date"
                    if not result.changed
                    else f"{counted(len(result.changed), 'file')} written"
                )
                print(f"kube-clientgen: {target.out}: {status}", file=sys.stderr)
    if failed:
        if len(targets) > 1:
            failures = f"{failed} of {counted(len(targets), 'target')}"
            print(f"kube-clientgen: {failures} failed", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_STALE if changed else 0


def _describe(result: Result, *, check: bool) -> str:
    files = result.changed
    shown = ", ".join(files[:5]) + (" ..." if len(files) > 5 else "")
    if check:
        return f"{result.target.out} is stale ({counted(len(files), 'file')}): {shown}"
    return (
        f"{result.target.out}: {counted(len(files), 'file')} created, changed or removed: {shown}"
    )


def _error(err: Exception) -> None:
    print(f"kube-clientgen: error: {err}", file=sys.stderr)


def _show_warning(
    message: Warning | str, category: type[Warning], *args: object, **kwargs: object
) -> None:
    print(f"kube-clientgen: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
