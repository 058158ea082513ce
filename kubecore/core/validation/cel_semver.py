"""Kubernetes' CEL semver library (``k8s.io/apiserver/pkg/cel/library/semverlib.go``).

kube-apiserver parses with ``github.com/blang/semver/v4`` (``semver.Parse``): strict
Semantic Versioning 2.0.0 (``MAJOR.MINOR.PATCH``, no leading zeros, optional ``-pre.release``
and ``+build``; precedence ignores build metadata). The PyPI package ``semver`` (3.x,
``Version.parse``) implements the same grammar and precedence, so it is used as is. The
optional ``normalize`` argument (``semver('v1.0', true)``) applies Kubernetes' own
``normalizeAndParse`` rules first: drop one leading ``v``, strip leading zeros of the first
three dot-separated parts, pad ``1`` / ``1.2`` with ``.0`` (refusing a short version that
carries ``-`` or ``+``); unlike ``ParseTolerant`` it trims no whitespace.

Values are marker maps (``{"__semver__": "1.2.3-rc.1"}``) holding the version *without*
build metadata, so CEL's ``==`` is blang's ``EQ`` (``semver('1.0.0+a') == semver('1.0.0+b')``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported on first use: kubecore imports without the validation extra
    import semver as _semver

SEMVER_KEY = "__semver__"
_UINT64 = 2**64


def _normalize(text: str) -> str:
    text = text[1:] if text.startswith("v") else text
    parts = text.split(".", 2)
    for index, part in enumerate(parts):
        if len(part) > 1:
            stripped = part.lstrip("0")
            if not stripped or not stripped[0].isdigit():
                stripped = "0" + stripped
            parts[index] = stripped
    if len(parts) < 3:
        if "+" in parts[-1] or "-" in parts[-1]:
            raise ValueError("short version cannot contain PreRelease/Build meta data")
        parts.extend("0" for _ in range(3 - len(parts)))
    return ".".join(parts)


def parse(text: Any, normalize: Any = False) -> _semver.Version:
    """``semver(text[, normalize])`` as a :class:`semver.Version`; raises ValueError."""
    import semver as _semver

    if not isinstance(text, str) or not isinstance(normalize, bool):
        raise TypeError("no such overload: semver(string[, bool])")
    candidate = _normalize(text) if normalize else text
    if not candidate.isascii():
        raise ValueError(f"{text} is not valid SemVer string")
    version = _semver.Version.parse(candidate)
    numbers = [version.major, version.minor, version.patch]
    numbers += [int(part) for part in (version.prerelease or "").split(".") if part.isdigit()]
    if any(number >= _UINT64 for number in numbers):  # blang parses them as uint64
        raise ValueError(f"{text} is not valid SemVer string: a number exceeds uint64")
    return version


def semver(text: Any, *normalize: Any) -> dict[str, str]:
    version = parse(text, *normalize)
    return {SEMVER_KEY: str(version.replace(build=None))}


def is_semver(text: Any, *normalize: Any) -> bool:
    try:
        parse(text, *normalize)
    except ValueError:
        return False
    return True


def is_semver_value(value: Any) -> bool:
    return isinstance(value, dict) and SEMVER_KEY in value


def _version(value: Any) -> _semver.Version:
    import semver as _semver

    if not is_semver_value(value):
        raise TypeError("no such overload: expected a semver (semver())")
    return _semver.Version.parse(value[SEMVER_KEY])


def compare(a: Any, b: Any) -> int:
    """``<Semver>.compareTo(<Semver>)``: -1, 0 or 1 by precedence."""
    return int(_version(a).compare(_version(b)))


def major(value: Any) -> int:
    return int(_version(value).major)


def minor(value: Any) -> int:
    return int(_version(value).minor)


def patch(value: Any) -> int:
    return int(_version(value).patch)
