"""``python -m kubecore.testing --port N --kubeconfig PATH SPEC...``: serve until stopped."""

from __future__ import annotations

import argparse
import sys

from kubecore.testing.server import TestApiServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kubecore.testing", description="A loopback Kubernetes API server."
    )
    parser.add_argument("specs", nargs="+", metavar="SPEC", help="OpenAPI JSON or CRD YAML file")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--kubeconfig", required=True, help="where to write a kubeconfig")
    args = parser.parse_args(argv)
    server = TestApiServer(
        args.specs, host=args.host, port=args.port, kubeconfig_path=args.kubeconfig
    )
    server.start()
    print(f"serving on {server.url}; kubeconfig at {args.kubeconfig}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
