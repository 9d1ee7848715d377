"""The page's first paint shows the default view, and the first callbacks leave it as it is.

The layout carries the opening view (app/layout/opening_readouts.py): the count, the cohort
label, the warnings, the Kaplan–Meier plot and its caption, and the summary cards and KM
summary as plain data in their containers' ``data-opening`` attribute (drawn before the first
paint, app/layout/static_parts.py). Here: that content equals what the callbacks compute for
the same view, and their answers at page load are "unchanged" (nothing sent or re-rendered),
while any other view is drawn.
"""

from __future__ import annotations

import json

import pytest
from dash import no_update
from plotly.utils import PlotlyJSONEncoder

from app.callbacks.conditional import update_conditional
from app.callbacks.report import update_panels
from app.callbacks.tab_panels import update_survival_tab
from app.layout import ids
from app.layout.static_parts import data_id
from app.layout.tabs import panel_id
from tests.app.callback_calls import arguments, run_triggered
from tests.app.page_calls import call, output_ids
from tests.dash_text import component_texts


def _as_sent(value: object) -> str:
    """As Dash writes it to the page (arrays and numbers as JSON)."""
    return json.dumps(value, cls=PlotlyJSONEncoder, sort_keys=True)


def _opening(dash_app, part_id: str) -> object:
    return json.loads(getattr(dash_app.validation_layout[part_id], "data-opening"))


def _fresh(dash_app, function, changes=None) -> dict[str, object]:
    """``function``'s outputs for the page's default view as if nothing were rendered yet."""
    never = {(store, "data"): None for store in (ids.RENDERED_CORE, ids.RENDERED_KM)}
    return call(function, dash_app, {**never, **(changes or {})})


def test_the_opening_cards_and_km_summary_are_what_the_callbacks_draw(app_context):
    panels = _fresh(app_context, update_panels)
    assert _opening(app_context, ids.CARDS) == panels[data_id(ids.CARDS)]
    survival = _fresh(app_context, update_survival_tab, {(panel_id("km"), "hidden"): False})
    assert _opening(app_context, ids.KM_SUMMARY) == survival[data_id(ids.KM_SUMMARY)]


@pytest.mark.parametrize("part_id", [ids.LIVE_COUNT, ids.COHORT_LABEL, ids.WARNINGS])
def test_the_opening_readouts_are_what_update_panels_writes(app_context, part_id):
    shown = app_context.validation_layout[part_id].children
    assert component_texts(shown) == component_texts(_fresh(app_context, update_panels)[part_id])
    assert component_texts(shown) or part_id == ids.WARNINGS  # the demo has no warning


def test_update_panels_at_page_load_changes_nothing(app_context):
    """With the layout's state (its rendered-core digest included) the first answer is
    no_update for every output: the count, cards and label are not rendered twice."""
    first = run_triggered(update_panels, arguments(update_panels, app_context, {}), None)
    assert len(first) == len(output_ids(update_panels))
    assert all(value is no_update for value in first)


def test_the_opening_km_plot_and_caption_are_what_the_survival_tab_draws(app_context):
    layout = app_context.validation_layout
    survival = _fresh(app_context, update_survival_tab, {(panel_id("km"), "hidden"): False})
    assert _as_sent(layout[ids.KM_GRAPH].figure) == _as_sent(survival[ids.KM_GRAPH])
    assert layout[ids.KM_CAPTION].children == survival[ids.KM_CAPTION]
    assert layout[ids.RENDERED_KM].data == survival[ids.RENDERED_KM]


def test_the_survival_tab_at_page_load_sends_nothing(app_context):
    shown = {(panel_id("km"), "hidden"): False}
    first = run_triggered(
        update_survival_tab, arguments(update_survival_tab, app_context, shown), None
    )
    assert all(value is no_update for value in first)
    # CI bands off: a display option (switched in the browser), still nothing to send; the
    # KMunicate style is another drawing.
    kmunicate = run_triggered(
        update_survival_tab,
        arguments(update_survival_tab, app_context, {**shown, ids.KM_OPTIONS: ["kmunicate"]}),
        f"{ids.KM_OPTIONS}.value",
    )
    assert kmunicate[0] is not no_update


def test_the_opening_conditional_survival_is_what_its_callback_draws(app_context):
    layout = app_context.validation_layout
    shown = _fresh(app_context, update_conditional, {ids.VIEW_GATES["km"]: "opened"})
    assert _opening(app_context, ids.CONDITIONAL_PANEL) == shown[data_id(ids.CONDITIONAL_PANEL)]
    # The inputs it was computed for are the ones the page shows.
    assert (layout[ids.CONDITIONAL_GIVEN].value, layout[ids.CONDITIONAL_AHEAD].value) == (12, 12)


def test_another_view_than_the_opening_one_is_drawn(app_context):
    changed = run_triggered(
        update_panels, arguments(update_panels, app_context, {ids.SEX: "F"}), f"{ids.SEX}.value"
    )
    outputs = dict(zip(output_ids(update_panels), changed, strict=True))
    assert outputs[data_id(ids.CARDS)] is not no_update
    assert "54 of 54" not in " ".join(component_texts(outputs[ids.LIVE_COUNT]))
