"""Shared test configuration: where the real inputs live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SPECS = SHARED / "specs"

requires_shared = pytest.mark.skipif(
    not SPECS.is_dir(),
    reason=f"needs the real specs in {SPECS} (../shared beside the repository); absent on a fresh clone",
)
