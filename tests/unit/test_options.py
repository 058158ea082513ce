"""Typed API strings of request options (issue #7 §5): they go on the wire as plain text."""

from __future__ import annotations

from kubecore.client.typed import delete_options
from kubecore.core.codec import json_dumps
from kubecore.core.options import DeletionPropagation, FieldValidation


def test_deletion_propagation_is_sent_as_its_api_string() -> None:
    body = delete_options(DeletionPropagation.FOREGROUND, None, None, False)
    assert json_dumps(body) == (
        b'{"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Foreground"}'
    )
    assert [p.value for p in DeletionPropagation] == ["Orphan", "Background", "Foreground"]
    assert [v.value for v in FieldValidation] == ["Ignore", "Warn", "Strict"]
