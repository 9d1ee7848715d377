"""The default view's read-outs, computed while the page is built so its first paint shows them.

Not layout: it runs the report the first callback would run (kept apart from the static parts).
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.data.cohort import Cohort
from app.callbacks.common import usable_state
from app.callbacks.view_sections import core_for, core_key, digest
from app.state.view_state import ViewState
from components.panels import analyses as panels
from components.panels import cards


@dataclass(frozen=True)
class OpeningReadouts:
    """The default view's count, cards, warnings and KM summary, rendered into the page."""

    live_count: object = None
    cards: object = None
    warnings: object = None
    km_summary: object = None
    # update_panels' "last rendered" digest of this view: its answer at page load is then
    # "nothing changed" (no re-render of what the page already shows).
    rendered_core: str | None = None


def opening_readouts(cohort: Cohort | None) -> OpeningReadouts:
    """What the first callback will show for the default view, so the first paint already
    has it: the page does not jump when the answer arrives (layout shift), and that answer
    is a cache hit."""
    if cohort is None:
        return OpeningReadouts()
    state, notes = usable_state(ViewState(), list(cohort.patients.columns))
    # The core section only: the other tabs' statistics wait until a tab is opened.
    report = core_for(cohort, state)
    total = len(cohort.patients)
    return OpeningReadouts(
        live_count=cards.live_count(report.n, report.events, total),
        cards=cards.summary_cards(report, total),
        warnings=panels.warnings_list([*notes, *report.notes]),
        km_summary=panels.km_summary(report),
        rendered_core=digest(core_key(cohort, state), notes),
    )
