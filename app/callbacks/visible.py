"""Hidden tabs send nothing: the browser decides which server callbacks a change requests.

Dash requests every callback one of whose inputs changed, so per-tab callbacks listening to
every filter each cost a request per change, even when they answer ``no_update`` because
their tab is hidden. Instead each gated part of the page (a tab, the methods section) has a
store (``ids.VIEW_GATES``) that its server callbacks take as their one view ``Input`` (the
filters are ``State``). A clientside callback (``assets/visible.js``) writes a fingerprint of
the view into that store only while the part is visible and the view differs from the one it
last showed: a filter change requests the always-visible panels and the open tab; opening a
tab requests it only when its view changed meanwhile (else it still shows it: cached for the
view in the page). A restored upload bumps the cohort store's ``restored`` count, a new view
for every gate, so the open tab asks again.
"""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State

from app.callbacks.view import CONTROL_INPUTS
from app.layout import ids
from app.layout.lazy import LAZY_PARTS, container_id
from app.layout.tabs import panel_id

VIEW_INPUTS = [*CONTROL_INPUTS, Input(ids.COHORT_STORE, "data")]
# Beyond the filters and the cohort, what a gated part's view also depends on.
EXTRA_INPUTS = {"timelines": [Input(ids.KM_STEP, "data")]}
TAB_GATES = tuple(key for key in ids.VIEW_GATES if key != "methods")
# A tab whose outputs are built lazily (app/layout/lazy.py) is requested once they exist.
BUILT_FIRST = {tab: key for key, tab in LAZY_PARTS.items() if tab in TAB_GATES}


def gate_input(key: str) -> Input:
    """The one view ``Input`` of a gated server callback."""
    return Input(ids.VIEW_GATES[key], "data")


def register(app: Dash) -> None:
    """Register the gates (browser functions) on ``app``."""
    for key in TAB_GATES:
        lazy_part = BUILT_FIRST.get(key)
        built = [Input(container_id(lazy_part), "children")] if lazy_part else []
        app.clientside_callback(
            ClientsideFunction(
                namespace="views", function_name="whenBuilt" if lazy_part else "whenShown"
            ),
            Output(ids.VIEW_GATES[key], "data"),
            *VIEW_INPUTS,
            *EXTRA_INPUTS.get(key, []),
            *built,
            Input(panel_id(key), "hidden"),
            State(ids.VIEW_GATES[key], "data"),
        )
    app.clientside_callback(
        ClientsideFunction(namespace="views", function_name="whenOpen"),
        Output(ids.VIEW_GATES["methods"], "data"),
        *VIEW_INPUTS,
        Input(ids.METHODS_TOGGLE, "n_clicks"),
        State(ids.VIEW_GATES["methods"], "data"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="views", function_name="forgetStep"),
        Output(ids.KM_STEP_RESET, "data"),
        *VIEW_INPUTS,
        # State: the click that sets it must not clear it again.
        State(ids.KM_STEP, "data"),
        prevent_initial_call=True,
    )
