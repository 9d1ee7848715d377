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

import json

from dash import ClientsideFunction, Dash, Input, Output, State

from app.callbacks.view import CONTROL_INPUTS
from app.layout import ids
from app.layout.lazy import LAZY_PARTS, container_id
from app.layout.tabs import panel_id

VIEW_INPUTS = [*CONTROL_INPUTS, Input(ids.COHORT_STORE, "data")]
TAB_GATES = tuple(key for key in ids.VIEW_GATES if key != "methods")
# A tab whose outputs are built lazily (app/layout/lazy.py) is requested once they exist.
BUILT_FIRST = {tab: key for key, tab in LAZY_PARTS.items() if tab in TAB_GATES}


def gate_input(key: str) -> Input:
    """The one view ``Input`` of a gated server callback."""
    return Input(ids.VIEW_GATES[key], "data")


# Every gate but the timelines' is one browser callback: Dash's renderer spends about as much
# per callback it runs (its store steps, each re-running every mounted component's selectors)
# as the callback itself, so ten gates cost ten times that on every change
# (benchmarks/browser_profile.py). The timelines gate stays apart: it listens to the clicked
# Kaplan-Meier step, which the clearing below would otherwise feed back into.
MERGED_GATES = tuple(key for key in ids.VIEW_GATES if key != "timelines")


def _merged_gates(app: Dash) -> None:
    inputs: list[Input] = list(VIEW_INPUTS)
    kinds: list[str] = []
    for key in MERGED_GATES:
        if key == "methods":
            inputs.append(Input(ids.METHODS_TOGGLE, "n_clicks"))
            kinds.append("open")
        elif key in BUILT_FIRST:
            inputs += [Input(container_id(BUILT_FIRST[key]), "children"),
                       Input(panel_id(key), "hidden")]  # fmt: skip
            kinds.append("built")
        else:
            inputs.append(Input(panel_id(key), "hidden"))
            kinds.append("shown")
    spec = {
        "view": len(VIEW_INPUTS),
        "kinds": kinds,
        # A change of one of these is a new view (it clears a clicked step); opening a tab
        # is not.
        "viewProps": [f"{i.component_id}.{i.component_property}" for i in VIEW_INPUTS],
    }
    app.clientside_callback(
        "function () { return window.dash_clientside.views.gates("
        + json.dumps(spec)
        + ", Array.prototype.slice.call(arguments)); }",
        *[Output(ids.VIEW_GATES[key], "data") for key in MERGED_GATES],
        Output(ids.KM_STEP_RESET, "data"),
        *inputs,
        *[State(ids.VIEW_GATES[key], "data") for key in MERGED_GATES],
        # State: the click that sets it must not clear it again.
        State(ids.KM_STEP, "data"),
        # The page opens with the open tab's view drawn (app/layout/opening_readouts.py) and
        # every other tab hidden: nothing to request until something changes.
        prevent_initial_call=True,
    )


def register(app: Dash) -> None:
    """Register the gates (browser functions) on ``app``."""
    _merged_gates(app)
    # The Paper tab compares the whole cohort with the article: a new cohort is its only new
    # view (filters do not change it). Before this gate it was built at every page load,
    # hidden: a request and 71 components the renderer then carried through every change.
    app.clientside_callback(
        ClientsideFunction(namespace="views", function_name="whenShown"),
        Output(ids.PAPER_GATE, "data"),
        Input(ids.COHORT_STORE, "data"),
        Input(panel_id("paper"), "hidden"),
        State(ids.PAPER_GATE, "data"),
        prevent_initial_call=True,  # hidden when the page opens
    )
    lazy_part = BUILT_FIRST.get("timelines")
    built = [Input(container_id(lazy_part), "children")] if lazy_part else []
    app.clientside_callback(
        ClientsideFunction(
            namespace="views", function_name="whenBuilt" if lazy_part else "whenShown"
        ),
        Output(ids.VIEW_GATES["timelines"], "data"),
        *VIEW_INPUTS,
        # The timelines highlight the clicked Kaplan–Meier step: it is part of their view.
        Input(ids.KM_STEP, "data"),
        *built,
        Input(panel_id("timelines"), "hidden"),
        State(ids.VIEW_GATES["timelines"], "data"),
        prevent_initial_call=True,  # hidden when the page opens
    )
