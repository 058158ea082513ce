"""Shared test configuration: where the real inputs live."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# No test asserts a timing (the suite runs on shared, loaded machines): Hypothesis' default
# 200 ms per-example deadline is one, and failed a naming test that took 440 ms under load.
settings.register_profile("kube-clientgen", deadline=None)
settings.load_profile("kube-clientgen")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SPECS = SHARED / "specs"

requires_shared = pytest.mark.skipif(
    not SPECS.is_dir(),
    reason=f"needs the real specs in {SPECS} (../shared beside the repository); absent on a fresh clone",
)
