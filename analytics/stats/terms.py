"""Looking up one row of a model's results by its term name (Cox, count models, cox.zph)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar


class _Named(Protocol):
    @property
    def term(self) -> str: ...


T = TypeVar("T", bound=_Named)


def by_term(rows: Sequence[T], name: str) -> T:
    """The row whose ``term`` is ``name``; a KeyError listing the terms there are."""
    for row in rows:
        if row.term == name:
            return row
    raise KeyError(f"no term {name!r}; terms are {[r.term for r in rows]}")
