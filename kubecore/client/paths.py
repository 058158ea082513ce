"""Request paths built from user input, checked segment by segment before any request.

Every name, namespace, group, version, resource and subresource a caller passes ends up
as one segment of a URL path. A value that is not a valid path segment would address
something else: ``delete("..")`` on ConfigMaps would send ``DELETE .../configmaps/..``
(the collection's parent), ``"a/b"`` adds a segment, ``"%2e%2e"`` is decoded to ``..``
by the server, and ``"a?watch=true"`` turns the rest into a query.

The rule is client-go's ``IsValidPathSegmentName`` (``k8s.io/apimachinery/pkg/api/
validation/path``): not ``.`` or ``..``, no ``/`` and no ``%``. client-go then escapes
what is left through ``url.URL``; this client also refuses ``?`` and ``#`` and
whitespace or control characters, which no name the API server validates can hold
(every object name rule — DNS subdomain, DNS label, path segment — is checked at
creation, and none of the built-in kinds allows them in practice), so that a typo or a
hostile string fails loudly instead of addressing a different URL. Non-ASCII text is
percent-encoded. Violations raise :class:`InvalidPathSegment` (a ``ValueError``) before
anything is sent.
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = [
    "InvalidPathSegment",
    "api_path",
    "check_path_segment",
    "resource_path",
]

_FORBIDDEN = re.compile(r"[/%?#\x00-\x20\x7f]")
#: RFC 3986 ``pchar`` characters besides unreserved ones: left as they are.
_SAFE = "!$&'()*+,;=:@"


class InvalidPathSegment(ValueError):
    """A name, namespace or other path part that cannot be a URL path segment."""


def check_path_segment(value: object, what: str = "name") -> str:
    """``value`` escaped for use as one path segment.

    ``what`` names the part in the message (``"name"``, ``"namespace"``...). Raises
    ``TypeError`` when ``value`` is not a ``str`` and :class:`InvalidPathSegment` when it
    is empty, ``.``, ``..`` or holds ``/``, ``%``, ``?``, ``#``, whitespace or a control
    character (client-go: ``IsValidPathSegmentName``).
    """
    if not isinstance(value, str):
        raise TypeError(f"the {what} must be a str, not {type(value).__name__}")
    if not value:
        raise InvalidPathSegment(f"the {what} must not be empty")
    if value in (".", ".."):
        raise InvalidPathSegment(f"invalid {what} {value!r}: may not be '.' or '..'")
    bad = _FORBIDDEN.search(value)
    if bad is not None:
        raise InvalidPathSegment(
            f"invalid {what} {value!r}: may not contain {bad.group()!r} "
            "(a name must be a single URL path segment)"
        )
    return quote(value, safe=_SAFE)


def api_path(group: str, version: str) -> str:
    """``/api/<version>`` for the core group (``""``), else ``/apis/<group>/<version>``."""
    checked_version = check_path_segment(version, "version")
    if not group:
        return f"/api/{checked_version}"
    return f"/apis/{check_path_segment(group, 'group')}/{checked_version}"


def resource_path(
    base: str,
    resource: str,
    *,
    namespace: str = "",
    name: str | None = None,
    subresource: str | None = None,
) -> str:
    """``<base>[/namespaces/<namespace>]/<resource>[/<name>[/<subresource>]]``.

    ``base`` is an API path from :func:`api_path` (already checked); every other part is
    checked with :func:`check_path_segment`. A ``subresource`` needs a ``name``.
    """
    path = base
    if namespace:
        path += f"/namespaces/{check_path_segment(namespace, 'namespace')}"
    path += f"/{check_path_segment(resource, 'resource')}"
    if name is not None:
        path += f"/{check_path_segment(name, 'name')}"
    if subresource:
        if name is None:
            raise InvalidPathSegment(f"the subresource {subresource!r} needs an object name")
        path += f"/{check_path_segment(subresource, 'subresource')}"
    return path
