"""What mypy --strict sees of the models (issue #7 §5), checked by the real mypy.

Common code needs no asserts (list items, a kind's metadata), constructors take plain text
for quantities and times, and an enum parameter rejects a value that is not one of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import generate, unique_package_dir

REPO = Path(__file__).resolve().parents[2]

_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: databases.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Database, plural: databases, singular: database, listKind: DatabaseList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [engine]
            properties:
              engine: {type: string}
              tier: {type: string, enum: [standard, premium]}
              version: {type: string, enum: ["14", "15", "16"]}
              size:
                x-kubernetes-int-or-string: true
                pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'
              backupAt: {type: string, format: date-time}
"""

_PROGRAM = """\
from datetime import datetime, timezone

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.core.v1 import (
    ConfigMap,
    PersistentVolumeClaimSpec,
    VolumeResourceRequirements,
)
from kubecore import load_config
from kubecore.core.options import DeletionPropagation
from {pkg}.example_com.v1 import Database, DatabaseSpec, DatabaseSpecTier

cs = Clientset.from_config(load_config())
pods = cs.core_v1.pods("ns").list()
count: int = len(pods.items)
pod = cs.core_v1.pods("ns").get("x")
reveal_type(pod.metadata.name)
reveal_type(pods.items)
reveal_type(pods.items[0].metadata.labels)
first: str = pods.items[0].metadata.namespace or ""
PersistentVolumeClaimSpec(resources=VolumeResourceRequirements(requests={{"storage": "10Gi"}}))
spec = DatabaseSpec(engine="pg", tier="premium", size="10Gi", version="16")
db = Database(spec=spec)
db.metadata.name = "main"
DatabaseSpec(engine="pg", tier=DatabaseSpecTier.STANDARD, size=10, backup_at=datetime.now(timezone.utc))
DatabaseSpec(engine="pg", backup_at="2024-01-02T03:04:05Z")
reveal_type(spec.engine)
reveal_type(spec.tier)
reveal_type(spec.size)
cs.core_v1.pods("ns").delete("x", propagation_policy="Foreground")
cs.core_v1.pods("ns").delete_collection(propagation_policy=DeletionPropagation.ORPHAN)
cs.core_v1.config_maps("ns").create(ConfigMap(), field_validation="Strict")
DatabaseSpec(engine="pg", tier="premum")
DatabaseSpec(engine="pg", size=[1])
cs.core_v1.pods("ns").delete("x", propagation_policy="foreground")
spec.engin = "pg"
"""


def test_mypy_needs_no_asserts_and_checks_conversions_and_enums(tmp_path: Path) -> None:
    crd = tmp_path / "database.yaml"
    crd.write_text(_CRD)
    out = unique_package_dir(tmp_path, "dbs")
    assert generate([crd], out) == 0
    program = tmp_path / "program.py"
    program.write_text(_PROGRAM.format(pkg=out.name))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(program)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": f"{tmp_path}{os.pathsep}{REPO / 'src'}"},
    )
    out_text = result.stdout
    revealed = [
        line.split('Revealed type is "', 1)[1].rstrip('"')
        for line in out_text.splitlines()
        if "Revealed type" in line
    ]
    assert revealed == [
        "str | None",
        "list[kube_clientgen_api.kubernetes.core.v1.models._pod.Pod]",
        "dict[str, str] | None",
        "str",
        "str | None",  # DatabaseSpecTier | str: mypy folds a StrEnum into str
        "kubecore.core.quantity.Quantity | None",
    ], out_text
    errors = [line for line in out_text.splitlines() if ": error:" in line]
    assert len(errors) == 4, out_text
    assert '"tier"' in errors[0] and "premum" in errors[0], errors[0]
    assert '"size"' in errors[1] and "list[int]" in errors[1], errors[1]
    assert '"propagation_policy"' in errors[2] and "foreground" in errors[2], errors[2]
    # a misspelt attribute is an error (Model.__setattr__ is hidden from type checkers)
    assert '"engin"' in errors[3] and "attr-defined" in errors[3], errors[3]
