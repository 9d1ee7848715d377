"""The collapsed "Methods for this view": its paragraph is written when the section is open.

The paragraph describes every analysis of the view (the whole report, as the CLI and the
HTML export have it), so writing it computes every tab's section: only when a reader opens
it, never on each filter change. Its summary's clicks open and close it (odd = open).
"""

from __future__ import annotations

from dash import Dash, Output, State, no_update

from analytics.stats.levels import using_conf_level
from app.callbacks.common import (
    AGE_BOUNDS,
    CONTROL_STATES,
    LANGUAGE_STATE,
    busy,
    in_page_language,
    resolve_view,
)
from app.callbacks.declarations import Declarations
from app.callbacks.safety import guarded
from app.callbacks.view_sections import (
    digest,
    hazards_key,
    lesion_key,
    mancova_key,
    report_for,
    table_one_key,
)
from app.callbacks.visible import gate_input
from app.layout import ids
from components.panels.analyses import warnings_list
from components.panels.methods import methods_section
from i18n.language import N_

declared = Declarations()


def is_open(clicks: object) -> bool:
    """A <details> starts closed and each click on its summary toggles it."""
    return isinstance(clicks, int) and not isinstance(clicks, bool) and clicks % 2 == 1


@declared.callback(
    Output(ids.METHODS, "children"),
    Output(ids.RENDERED_METHODS, "data"),
    # Requested when the section is open and its view changed (app.callbacks.visible).
    gate_input("methods"),
    *CONTROL_STATES,
    State(ids.COHORT_STORE, "data"),
    State(ids.METHODS_TOGGLE, "n_clicks"),
    State(ids.RENDERED_METHODS, "data"),
    *AGE_BOUNDS,
    LANGUAGE_STATE,
    prevent_initial_call=True,
    **busy(ids.METHODS),
)
@in_page_language
@guarded(lambda message: (warnings_list([message], N_("The methods could not be written")), None))
def update_methods(*args):
    _gate, *values, store, clicks, rendered, age_min, age_max = args
    if not is_open(clicks):
        return (no_update,) * 2
    cohort, state, _notes = resolve_view(store, values, age_min, age_max)
    keys = (cohort, state)
    view = digest(hazards_key(*keys), lesion_key(*keys), table_one_key(*keys), mancova_key(*keys))
    if view == rendered:
        return (no_update,) * 2
    report = report_for(cohort, state)
    with using_conf_level(report.conf_level):
        return (methods_section(report), view)


def register(app: Dash) -> None:
    """Register this module's callbacks on ``app``."""
    declared.register(app)
