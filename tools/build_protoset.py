"""Build ``kubecore/testing/kubernetes-1.36.protoset`` from the Kubernetes ``.proto`` files.

The test API server decodes kubectl's protobuf request bodies with this compiled descriptor
set (a ``google.protobuf.FileDescriptorSet``). It is vendored, as a build input, because
the ``.proto`` sources live only in ``../shared/specs/kubernetes/proto`` (Kubernetes 1.36,
see ``../shared/specs/SOURCES.md``), which a fresh clone does not have, and compiling needs
``protoc`` (``grpcio-tools``), which users of kubecore.testing should not need.

    python tools/build_protoset.py [PROTO_ROOT]

Deterministic: the files are compiled in sorted order, without source info.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO.parent / "shared" / "specs" / "kubernetes" / "proto"
OUT = REPO / "kubecore" / "testing" / "kubernetes-1.36.protoset"


def main() -> int:
    from grpc_tools import protoc

    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ROOT
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*.proto"))
    if not files:
        print(f"no .proto files under {root}", file=sys.stderr)
        return 2
    code = protoc.main(
        ["protoc", f"-I{root}", "--include_imports", f"--descriptor_set_out={OUT}", *files]
    )
    if code == 0:
        print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(files)} files)")
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
