"""The default view's read-outs, computed while the page is built so its first paint shows them.

Not layout: it runs the report the first callback would run (kept apart from the static parts).
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics.data.cohort import Cohort
from analytics.stats.levels import using_conf_level
from app.callbacks.common import usable_state
from app.callbacks.conditional import conditional_table
from app.callbacks.report import core_drawn
from app.callbacks.tab_panels import km_drawn, km_view_figure
from app.callbacks.view_sections import core_for
from app.layout.relapses import DEFAULT_AHEAD_MONTHS, DEFAULT_GIVEN_MONTHS
from app.layout.survival import KM_DEFAULT_OPTIONS
from app.state.view_state import ViewState
from components.panels import analyses as panels
from components.panels import cards
from components.text import captions


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
    # The Kaplan–Meier plot (the Survival tab is open at load), its caption, and the
    # ``rendered-km`` value that makes the tab's first answer "unchanged".
    km_figure: object = None
    km_caption: str | None = None
    rendered_km: dict[str, object] | None = None
    conditional: object = None  # the calculator's table for its default inputs


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
    options = set(KM_DEFAULT_OPTIONS)
    # Built as the callbacks build them: inside the view's level (update_panels and the
    # Survival tab), the calculator outside it (update_conditional).
    conditional = conditional_table(
        cohort, state, float(DEFAULT_GIVEN_MONTHS), float(DEFAULT_AHEAD_MONTHS)
    )
    with using_conf_level(report.conf_level):
        return OpeningReadouts(
            conditional=conditional,
            km_figure=km_view_figure(report, state, options),
            km_caption=captions.km_caption(report),
            rendered_km=km_drawn(cohort, state, options),
            live_count=cards.live_count(report.n, report.events, total),
            cards=cards.summary_cards(report, total),
            warnings=panels.warnings_list([*notes, *report.notes]),
            km_summary=panels.km_summary(report),
            rendered_core=core_drawn(cohort, state, notes),
        )
