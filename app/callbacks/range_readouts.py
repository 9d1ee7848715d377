"""The chosen range of the age and EDSS sliders, written under each as text ("18–72"), so it
is readable at all times, not only in the tooltip while a thumb is dragged; in the browser
(no server round trip), with the page language's decimal mark.

Registered by ``create_app`` like ``km_display``: browser functions are not in
``callback_specs``.
"""

from __future__ import annotations

import json

from dash import Dash, Input, Output, State

from app.layout import ids
from i18n.locale_context import LANGUAGES
from i18n.numbers import symbols

# Each language's decimal mark, from the locale data that writes every other number.
_DECIMAL_MARKS = json.dumps({language: symbols(language)[0] for language in LANGUAGES})

SHOW_RANGE = f"""
function(value, language) {{
    if (!Array.isArray(value) || value.length !== 2) {{
        return window.dash_clientside.no_update;
    }}
    const mark = ({_DECIMAL_MARKS})[language] || ".";
    const shown = value.map(function(v) {{ return String(v).replace(".", mark); }});
    return shown[0] + "\\u2013" + shown[1];
}}
"""


def register(app: Dash) -> None:
    """Register the readouts' browser function on ``app`` (one per slider)."""
    for slider, readout in ids.RANGE_READOUTS.items():
        app.clientside_callback(
            SHOW_RANGE,
            Output(readout, "children"),
            Input(slider, "value"),
            State(ids.LANGUAGE, "data"),
            prevent_initial_call=True,  # the layout writes the opening range
        )
