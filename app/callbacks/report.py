"""What is always on screen: controls + cohort -> the core section -> live count, cohort badge,
summary cards and the page's warnings.

The tabs' panels have callbacks of their own (app.callbacks.tab_panels), each computing and
sending its tab only while that tab is shown; the methods paragraph is rendered when its
section is opened (app.callbacks.methods).
"""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from analytics.reports.sections import view_counts
from analytics.stats.levels import using_conf_level
from app.callbacks.common import (
    AGE_BOUNDS,
    LANGUAGE_STATE,
    busy,
    in_page_language,
    resolve_view,
)
from app.callbacks.declarations import Declarations
from app.callbacks.safety import guarded
from app.callbacks.view import CONTROL_INPUTS
from app.callbacks.view_sections import core_for, core_key, digest
from app.layout import ids
from app.layout.static_parts import data_id
from app.server.audit import audit
from app.state.cohort_store import UploadNotHeld
from app.state.controls import CONTROL_IDS
from app.state.upload_keys import UploadKeyInvalid
from components.panels import analyses as panels
from components.panels import cards
from components.plain_html import plain
from i18n.language import N_

declared = Declarations()

PANEL_OUTPUTS = [
    Output(ids.LIVE_COUNT, "children"),
    Output(ids.COHORT_LABEL, "children"),
    Output(data_id(ids.CARDS), "data"),
    Output(ids.WARNINGS, "children"),
    Output(ids.RENDERED_CORE, "data"),
]


def core_drawn(cohort, state, notes) -> str:
    """What the always-visible panels of this view depend on (the ``rendered-core`` store's
    value once drawn; the page's opening one too)."""
    return digest(core_key(cohort, state), notes)


def _failed(message: str) -> tuple:
    alert = panels.warnings_list([message], N_("This view could not be computed"))
    # The cards cleared ([]: a part's "draw nothing"; stale numbers would sit beside the
    # alert); nothing recorded as rendered: the next change draws them again.
    return (None, None, [], alert, None)


@declared.callback(
    *PANEL_OUTPUTS,
    *CONTROL_INPUTS,
    Input(ids.COHORT_STORE, "data"),
    State(ids.RENDERED_CORE, "data"),
    *AGE_BOUNDS,
    LANGUAGE_STATE,
    # The page opens with this view drawn (app/layout/opening_readouts.py): nothing to ask.
    prevent_initial_call=True,
    **busy(ids.CARDS),
)
@in_page_language
@guarded(_failed)
def update_panels(*args):
    """The panels that are always visible. A change that leaves them as they are (a tab's
    own choice, the horizon) sends nothing."""
    *values, store, rendered, age_min, age_max = args
    cohort, state, notes = resolve_view(store, values, age_min, age_max)
    audit("view", cohort, "upload" if store else None)
    view = core_drawn(cohort, state, notes)
    if view == rendered:
        return (no_update,) * len(PANEL_OUTPUTS)
    core = core_for(cohort, state)
    total = len(cohort.patients)
    # Every "95% CI" label of the cards names the view's level (analytics.stats.levels).
    with using_conf_level(core.conf_level):
        return (
            cards.live_count(core.n, core.events, total),
            cards.cohort_badge(core.cohort_label, core.synthetic, core.fingerprint),
            plain(cards.summary_cards(core, total)),
            panels.warnings_list([*notes, *core.notes]),
            view,
        )


# The count follows a slider's raw value (each keyboard step, each typed digit) while the
# views wait for it to settle (app.callbacks.settle): the other controls change the views at
# once, and update_panels writes the count with them.
RAW_SLIDERS = [cid for cid in CONTROL_IDS if cid in ids.SETTLED]
OTHER_CONTROLS = [cid for cid in CONTROL_IDS if cid not in ids.SETTLED]


def _in_control_order(sliders: list[object], others: list[object]) -> list[object]:
    given = dict(zip(RAW_SLIDERS, sliders, strict=True)) | dict(
        zip(OTHER_CONTROLS, others, strict=True)
    )
    return [given[cid] for cid in CONTROL_IDS]


@declared.callback(
    Output(ids.LIVE_COUNT, "children", allow_duplicate=True),
    *[Input(cid, "value") for cid in RAW_SLIDERS],
    *[State(cid, "value") for cid in OTHER_CONTROLS],
    State(ids.COHORT_STORE, "data"),
    *AGE_BOUNDS,
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
@guarded(lambda _message: no_update)
def follow_live_count(*args):
    """Patients and failures of the view a moving slider names, before the view is computed
    (issue 13: "the live count may update sooner if it is cheap"). When the slider settles,
    update_panels writes the same count (same function, same values) with the view."""
    sliders, rest = args[: len(RAW_SLIDERS)], args[len(RAW_SLIDERS) :]
    *others, store, age_min, age_max = rest
    values = _in_control_order(list(sliders), others)
    try:
        cohort, state, _notes = resolve_view(store, values, age_min, age_max)
    except (UploadNotHeld, UploadKeyInvalid):
        # update_panels asks the page for the upload when the value settles.
        raise PreventUpdate from None
    n, events = view_counts(cohort, state.filters())
    return cards.live_count(n, events, len(cohort.patients))


def register(app: Dash) -> None:
    """Register this module's callbacks on ``app``."""
    declared.register(app)
