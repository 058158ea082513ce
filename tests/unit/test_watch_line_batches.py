"""Watch streams are split into lines per received chunk (decoded with the GC paused)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from kubecore.client import watch


class _Chunks:
    """A response body in fixed pieces: the one method the splitter reads."""

    def __init__(self, *chunks: bytes) -> None:
        self._chunks = chunks

    def iter_chunks(self) -> Iterator[bytes]:
        yield from self._chunks


def batches(*chunks: bytes) -> list[list[bytes]]:
    return list(watch._line_batches(cast(Any, _Chunks(*chunks))))


def test_lines_split_across_chunks_are_joined_and_crlf_is_dropped() -> None:
    assert batches(b'{"a":1}\r\n{"b"', b"", b':2}\n{"c":3}\n', b'{"d":4}') == [
        [b'{"a":1}'],
        [b'{"b":2}', b'{"c":3}'],
        [b'{"d":4}'],
    ]


def test_a_chunk_without_a_line_end_yields_nothing_yet() -> None:
    assert batches(b"{", b'"a"', b":1}\n\n") == [[b'{"a":1}', b""]]
