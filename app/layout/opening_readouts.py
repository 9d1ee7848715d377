"""The default view's read-outs, computed while the page is built so its first paint shows them.

Not layout: it runs the report the first callback would run (kept apart from the static parts).
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.data.cohort import Cohort
from app.callbacks.common import report_for, usable_state
from app.state.view_state import ViewState
from components.panels import analyses as panels
from components.panels import cards
from components.panels.methods import methods_section


@dataclass(frozen=True)
class OpeningReadouts:
    """The default view's count, cards and warnings, rendered into the page itself."""

    live_count: object = None
    cards: object = None
    warnings: object = None
    km_summary: object = None
    methods: object = None


def opening_readouts(cohort: Cohort | None) -> OpeningReadouts:
    """What the first callback will show for the default view, so the first paint already
    has it: the page does not jump when the answer arrives (layout shift), and that answer
    is a cache hit."""
    if cohort is None:
        return OpeningReadouts()
    state, notes = usable_state(ViewState(), list(cohort.patients.columns))
    report = report_for(cohort, state)
    total = len(cohort.patients)
    return OpeningReadouts(
        live_count=cards.live_count(report, total),
        cards=cards.summary_cards(report, total),
        warnings=panels.warnings_list([*notes, *report.warnings]),
        km_summary=panels.km_summary(report),
        methods=methods_section(report),
    )
