"""Lazy tab layouts: a hidden tab's static parts are not rendered until the tab is opened.

React builds every component of the page on its first render, hidden tabs included (an
empty plot for each graph, every row of the data dictionary): most of the first load's main-
thread work. A lazy part is an empty container in the page, its content kept as data in a
``dcc.Store``; a clientside callback (``assets/lazy.js``) puts the content in the container
the first time its tab is shown. The content holds no control (the filters and the tabs'
choices stay in the page, so the URL and Reset set them whether or not a tab was opened),
only what callbacks write, and those are gated on the part being built
(``app.callbacks.visible``). Dash checks callbacks against the validation layout, which
builds every lazy part in place (``building_everything``).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Iterator

from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html
from plotly.utils import PlotlyJSONEncoder

_everything = contextvars.ContextVar("lazy_everything", default=False)
# Lazy parts by key: the tab whose opening builds them.
LAZY_PARTS = {"timelines": "timelines", "hr": "hr", "dictionary": "data"}


def container_id(key: str) -> str:
    return f"lazy-{key}"


def content_id(key: str) -> str:
    return f"lazy-{key}-content"


@contextlib.contextmanager
def building_everything() -> Iterator[None]:
    """Within: lazy parts are built in place (the validation layout)."""
    token = _everything.set(True)
    try:
        yield
    finally:
        _everything.reset(token)


def lazy(key: str, children: list[object]) -> list[object]:
    """``children`` rendered the first time part ``key``'s tab is shown (``LAZY_PARTS``)."""
    if _everything.get():
        return [html.Div(children, id=container_id(key)), dcc.Store(id=content_id(key))]
    return [
        html.Div(id=container_id(key)),
        # As plain JSON (the form Dash sends components in): a Store's data holds no component.
        dcc.Store(id=content_id(key), data=json.loads(json.dumps(children, cls=PlotlyJSONEncoder))),
    ]


def register_lazy_parts(app: Dash) -> None:
    """One clientside callback per lazy part (per app, as app.layout.tabs explains)."""
    from app.layout.tabs import panel_id

    for key, tab in LAZY_PARTS.items():
        app.clientside_callback(
            ClientsideFunction(namespace="lazy", function_name="build"),
            Output(container_id(key), "children"),
            Input(panel_id(tab), "hidden"),
            State(content_id(key), "data"),
            State(container_id(key), "children"),
            prevent_initial_call=True,  # every lazy part's tab is hidden when the page opens
        )
