"""``python -m kubecore.testing --port N --kubeconfig PATH SPEC...``: serve until stopped."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kubecore.core import yamlio
from kubecore.testing.server import TestApiServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kubecore.testing", description="A loopback Kubernetes API server."
    )
    parser.add_argument("specs", nargs="+", metavar="SPEC", help="OpenAPI JSON or CRD YAML file")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--kubeconfig", required=True, help="where to write a kubeconfig")
    parser.add_argument(
        "--preload",
        action="append",
        default=[],
        metavar="FILE",
        help="objects to store at start (JSON, or YAML with several documents; Lists expand)",
    )
    args = parser.parse_args(argv)
    server = TestApiServer(
        args.specs, host=args.host, port=args.port, kubeconfig_path=args.kubeconfig
    )
    for path in args.preload:
        server.preload(_read_objects(Path(path)))
    server.start()
    print(f"serving on {server.url}; kubeconfig at {args.kubeconfig}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def _read_objects(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    docs = [json.loads(text)] if path.suffix == ".json" else yamlio.load_all(text)
    return [d for d in docs if isinstance(d, dict)]


if __name__ == "__main__":
    sys.exit(main())
