"""Errors about inputs: each names the file and the place in it."""

from __future__ import annotations


def json_pointer(*parts: str | int) -> str:
    """``json_pointer("spec", "versions", 0)`` -> ``/spec/versions/0`` (RFC 6901 escaping)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


class SourceError(Exception):
    """Bad input: the file, the place (a JSON pointer or a line) and what is wrong."""

    def __init__(self, file: str, where: str, message: str) -> None:
        self.file = file
        self.where = where
        self.message = message
        super().__init__(f"{file}:{where}: {message}" if where else f"{file}: {message}")


class GenerationError(Exception):
    """A problem with the generation itself (configuration, output directory)."""
