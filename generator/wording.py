"""Counts in command-line messages: ``counted(1, "problem")`` is "1 problem"."""

from __future__ import annotations

__all__ = ["counted"]


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``"<count> <noun>"``, the noun singular for exactly one (``plural`` defaults to the
    singular plus ``s``): "0 files", "1 file", "2 files"."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
