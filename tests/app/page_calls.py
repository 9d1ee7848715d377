"""The page's view callbacks called as the browser would: the always-visible panels and each
tab's callback, with that tab shown (or hidden), merged into one {component id: value}."""

from __future__ import annotations

from app.callbacks import callback_specs
from app.callbacks.methods import update_methods
from app.callbacks.report import update_panels
from app.callbacks.tab_panels import (
    update_hazards_tab,
    update_lesion_tab,
    update_rates_tab,
    update_survival_tab,
    update_table_tab,
)
from app.layout import ids
from app.layout.static_parts import PARTS, data_id
from app.layout.tabs import panel_id
from tests.app.callback_calls import arguments, run_triggered

TAB_CALLBACKS = {
    "km": update_survival_tab,
    "hr": update_hazards_tab,
    "lesions": update_lesion_tab,
    "rates": update_rates_tab,
    "table": update_table_tab,
}


def output_ids(function) -> list[str]:
    """The component ids ``function`` writes, in its outputs' order."""
    for key, entry in callback_specs().items():
        if entry["callback"].__name__ == function.__name__:
            return [part.rsplit(".", 1)[0] for part in key.strip(".").split("...")]
    raise KeyError(function.__name__)


def call(function, dash_app, changes, trigger: str | None = None) -> dict[str, object]:
    """``function``'s outputs by component id, ``changes`` applied to the page's defaults."""
    values = run_triggered(function, arguments(function, dash_app, changes), trigger)
    outputs = dict(zip(output_ids(function), values, strict=True))
    # A display-only panel's content arrives in its store (app/layout/static_parts.py): also
    # under the panel's own id, where the page shows it.
    for part in PARTS:
        if data_id(part) in outputs:
            outputs[part] = outputs[data_id(part)]
    return outputs


def render_page(
    dash_app, changes=None, store=None, tabs=tuple(TAB_CALLBACKS), methods=False, trigger=None
) -> dict[str, object]:
    """Everything the page shows for the view: the core panels, each of ``tabs`` as if it
    were open (and never rendered before), and the methods when ``methods``."""
    # Never rendered before (the layout holds the opening view's digests: at page load
    # update_panels and the Survival tab answer "unchanged", tests/app/test_opening_view.py).
    never = {(store_id, "data"): None for store_id in ids.RENDERED_STORES}
    changes = {**never, **(changes or {}), (ids.COHORT_STORE, "data"): store}
    shown = call(update_panels, dash_app, changes, trigger)
    for tab in tabs:
        shown |= call(TAB_CALLBACKS[tab], dash_app, {**changes, (panel_id(tab), "hidden"): False})
    if methods:
        shown |= call(update_methods, dash_app, {**changes, (ids.METHODS_TOGGLE, "n_clicks"): 1})
    return shown
