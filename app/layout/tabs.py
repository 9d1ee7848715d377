"""Accessible tabs (WAI-ARIA tab pattern): real buttons, valid aria-controls, hidden panels.

dbc.Tabs renders every tab with aria-controls="...-tabpane-null" (an invalid reference that
screen readers and Lighthouse flag), so the page builds its own. Switching runs in the
browser (a clientside callback): no server round trip to change tabs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dash import Dash, Input, Output, html


@dataclass(frozen=True)
class TabSpec:
    key: str
    label: str
    children: Sequence[object]


def button_id(key: str) -> str:
    return f"tab-{key}"


def panel_id(key: str) -> str:
    return f"panel-{key}"


def accessible_tabs(tabs: Sequence[TabSpec], active: str) -> html.Div:
    buttons = [
        html.Li(
            html.Button(
                tab.label,
                id=button_id(tab.key),
                type="button",
                role="tab",
                className="nav-link active" if tab.key == active else "nav-link",
                n_clicks=0,
                **{
                    "aria-selected": "true" if tab.key == active else "false",
                    "aria-controls": panel_id(tab.key),
                },
            ),
            className="nav-item",
            role="presentation",
        )
        for tab in tabs
    ]
    panels = [
        html.Div(
            tab.children,
            id=panel_id(tab.key),
            role="tabpanel",
            hidden=tab.key != active,
            className="tab-panel pt-3",
            tabIndex=0,
            **{"aria-labelledby": button_id(tab.key)},
        )
        for tab in tabs
    ]
    return html.Div(
        [
            html.Ul(
                buttons, className="nav nav-tabs", role="tablist", **{"aria-label": "Analyses"}
            ),
            html.Div(panels, className="tab-content"),
        ]
    )


def register_tab_switching(app: Dash, keys: Sequence[str]) -> None:
    """One clientside callback: the clicked tab becomes selected, its panel visible.

    Registered on the app, not globally: Dash hands global inline scripts to the first app
    that renders, so a second app in the same process (tests) would lose them.
    """
    key_list = ", ".join(f'"{k}"' for k in keys)
    app.clientside_callback(
        f"""
        function() {{
            const keys = [{key_list}];
            const trigger = dash_clientside.callback_context.triggered_id;
            const active = trigger ? trigger.replace(/^tab-/, "") : keys[0];
            const classes = keys.map(k => k === active ? "nav-link active" : "nav-link");
            const selected = keys.map(k => k === active ? "true" : "false");
            const hidden = keys.map(k => k !== active);
            return classes.concat(selected, hidden);
        }}
        """,
        *[Output(button_id(k), "className") for k in keys],
        *[Output(button_id(k), "aria-selected") for k in keys],
        *[Output(panel_id(k), "hidden") for k in keys],
        *[Input(button_id(k), "n_clicks") for k in keys],
        prevent_initial_call=True,
    )
