"""Control changes as the views receive them: a slider's value through its settled store.

The view callbacks read a slider's settled value (``ids.SETTLED``, app/callbacks/settle.py),
which the page sets once the thumb stops; a test that posts a slider value means that one.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.layout import ids


def with_settled(changes: Mapping[tuple[str, str], object]) -> dict[tuple[str, str], object]:
    """``changes`` plus, for each slider value among them, the same value as settled."""
    settled = {
        (ids.SETTLED[cid], "data"): value
        for (cid, prop), value in changes.items()
        if prop == "value" and cid in ids.SETTLED
    }
    return {**changes, **settled}
