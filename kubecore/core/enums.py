"""The base class of generated string enums.

A generated enum lives in one of the private modules the generator splits a package into
(``...models._pod``), which a regeneration may rename. Its members pickle the way models do
(``Model.__reduce_ex__``): naming the package users import the enum from
(``kubecore.core.model.public_module``), and found again through that package's lazy
``__getattr__``. Everything else is ``enum.StrEnum``'s.
"""

from __future__ import annotations

from enum import StrEnum as _StrEnum

from kubecore.core.model import find_class, public_module

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["StrEnum"]


class StrEnum(_StrEnum):
    """``enum.StrEnum`` whose members pickle by the package's name and the member's value."""

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        cls = type(self)
        return (_enum_member, (public_module(cls), cls.__qualname__, self._value_))


def _enum_member(module: str, qualname: str, value: str) -> StrEnum:
    """The member of ``module.qualname`` whose value is ``value`` (what unpickling calls)."""
    member: StrEnum = find_class(module, qualname)(value)
    return member
