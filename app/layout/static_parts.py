"""Display-only panels whose content the browser draws from plain data (components/plain_html.py).

A part is an empty container (Dash renders no children in it, so React never touches what
the browser draws there) and a ``dcc.Store`` holding its content; callbacks write the store,
and a clientside callback (``assets/static_parts.js``) draws it into the container, at page
load too (the opening view's numbers come in the store's first value).
"""

from __future__ import annotations

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html

from app.layout import ids
from components.plain_html import plain

# The summary cards, the Kaplan–Meier summary table, the conditional-survival read-out.
PARTS = (ids.CARDS, ids.KM_SUMMARY, ids.CONDITIONAL_PANEL)


def data_id(part_id: str) -> str:
    """The store that holds part ``part_id``'s content."""
    return f"{part_id}-content"


def static_part(part_id: str, content: object = None, **container: object) -> list[object]:
    """The container (``container``: its other props) and the store, with ``content`` (a
    component tree) to show first."""
    if part_id not in PARTS:
        raise ValueError(f"{part_id} is not a static part")
    return [html.Div(id=part_id, **container), dcc.Store(id=data_id(part_id), data=plain(content))]


def register_static_parts(app: Dash) -> None:
    """One drawing callback per part (in the browser); the first draws the opening view."""
    for part_id in PARTS:
        app.clientside_callback(
            ClientsideFunction(namespace="staticParts", function_name="render"),
            # Never changed (the function answers no_update): Dash needs an output.
            Output(part_id, "className"),
            Input(data_id(part_id), "data"),
            State(part_id, "id"),
        )
