"""Display-only panels whose content the browser draws from plain data (components/plain_html.py).

A part is an empty container (Dash renders no children in it, so React never touches what
the browser draws there) and a ``dcc.Store`` that callbacks write its content to; a clientside
callback (``assets/static_parts.js``) draws the store's content into the container.

The opening view's content is not in the store but in the container's ``data-opening``
attribute, drawn by the same script the moment React puts the container in the page (a
MutationObserver: before the browser paints). Through the store, the opening cards waited
for the first server answer (Dash holds a callback at page load until every callback that
writes one of its inputs has answered), and the page shifted down under the reader when
they came (Lighthouse: layout shift 0.08 on the results). Only parts in the page's first
render have opening content (a lazy tab's part is drawn by its callbacks).
"""

from __future__ import annotations

import json

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html

from app.layout import ids
from components.plain_html import plain

# The summary cards, the Kaplan–Meier summary table, the conditional-survival read-out.
PARTS = (ids.CARDS, ids.KM_SUMMARY, ids.CONDITIONAL_PANEL)


def data_id(part_id: str) -> str:
    """The store callbacks write part ``part_id``'s content to (``None``: nothing to draw;
    ``[]``: draw nothing, i.e. clear the part)."""
    return f"{part_id}-content"


def static_part(part_id: str, content: object = None, **container: object) -> list[object]:
    """The container (``container``: its other props, and ``content``, a component tree to
    show first, as its ``data-opening``) and the store callbacks write."""
    if part_id not in PARTS:
        raise ValueError(f"{part_id} is not a static part")
    if content is not None:
        container["data-opening"] = json.dumps(plain(content), separators=(",", ":"))
    return [html.Div(id=part_id, **container), dcc.Store(id=data_id(part_id))]


def register_static_parts(app: Dash) -> None:
    """One drawing callback per part (in the browser) for what callbacks write; the opening
    content needs none."""
    for part_id in PARTS:
        app.clientside_callback(
            ClientsideFunction(namespace="staticParts", function_name="render"),
            # Never changed (the function answers no_update): Dash needs an output.
            Output(part_id, "className"),
            Input(data_id(part_id), "data"),
            State(part_id, "id"),
            prevent_initial_call=True,  # the opening content is drawn without it
        )
