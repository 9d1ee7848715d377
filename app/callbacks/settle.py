"""A slider's value reaches the views once it has settled, not at every keyboard step.

Each arrow key on a slider thumb sets its ``value``; Dash has no debounce for sliders, so
every step started a full recompute (Cox models, Firth, MANCOVA…). Per slider, a clientside
callback (``assets/settle.js``) copies the value into its settled store (``ids.SETTLED``)
once no newer value arrived for a short pause; the view callbacks read that store. Mouse
drags already set ``value`` once, on release (dcc's default ``updatemode="mouseup"``): a
value set by a pointer (the last input was a release, not a key) is copied at once.

Opening a URL, Reset and a new cohort set a slider and its settled store together
(``app.callbacks.view``): then the thumb's value equals the store, and nothing waits.
"""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State

from app.layout import ids


def register(app: Dash) -> None:
    """Register one settling callback per slider on ``app``."""
    for control, settled in ids.SETTLED.items():
        app.clientside_callback(
            ClientsideFunction(namespace="controls", function_name="settle"),
            Output(settled, "data", allow_duplicate=True),
            Input(control, "value"),
            State(settled, "data"),
            State(control, "id"),
            prevent_initial_call=True,
        )
