"""The ``kube-clientgen`` command."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from kube_clientgen.errors import GenerationError, SourceError
from kube_clientgen.pipeline import Target, run_target

EXIT_STALE = 1
EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kube-clientgen", description="Generate typed Kubernetes clients."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="generate a package from OpenAPI specs or CRD YAML")
    gen.add_argument(
        "inputs",
        nargs="*",
        help="OpenAPI JSON files or directories, CRD YAML files or directories, or cluster:[CONTEXT]",
    )
    gen.add_argument("--out", help="output package directory (its basename is the package name)")
    gen.add_argument(
        "--check", action="store_true", help="exit 1 if the output is stale; write nothing"
    )
    gen.add_argument(
        "--apimachinery-only", action="store_true", help="render only io.k8s.apimachinery types"
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
        return _generate(targets, check=args.check)
    except SourceError as err:
        print(f"kube-clientgen: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except GenerationError as err:
        print(f"kube-clientgen: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _targets(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[Target]:
    if args.inputs:
        if not args.out:
            parser.error("--out is required when inputs are given")
        return [
            Target(inputs=list(args.inputs), out=args.out, apimachinery_only=args.apimachinery_only)
        ]
    from kube_clientgen.config import find_config, load_targets

    config = args.config or find_config(Path.cwd())
    if config is None:
        raise GenerationError(
            "no inputs given and no [tool.kube-clientgen] table or codegen.yaml found"
        )
    return load_targets(config)


def _generate(targets: list[Target], *, check: bool) -> int:
    progress = sys.stderr.isatty()
    stale = False
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _show_warning
        for target in targets:
            result = run_target(target, check=check, progress=progress)
            if check and result.changed:
                stale = True
                shown = ", ".join(result.changed[:5]) + (" ..." if len(result.changed) > 5 else "")
                print(
                    f"kube-clientgen: {target.out} is stale ({len(result.changed)} files): {shown}",
                    file=sys.stderr,
                )
            elif progress and not check:
                status = (
                    "up to date" if not result.changed else f"{len(result.changed)} files written"
                )
                print(f"kube-clientgen: {target.out}: {status}", file=sys.stderr)
    return EXIT_STALE if stale else 0


def _show_warning(
    message: Warning | str, category: type[Warning], *args: object, **kwargs: object
) -> None:
    print(f"kube-clientgen: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
