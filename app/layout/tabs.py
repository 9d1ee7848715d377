"""Accessible tabs (WAI-ARIA tab pattern): real buttons, valid aria-controls, hidden panels.

dbc.Tabs renders every tab with aria-controls="...-tabpane-null" (an invalid reference that
screen readers and Lighthouse flag), so the page builds its own. Switching runs in the
browser (a clientside callback): no server round trip to change tabs.

Keyboard, as the WAI-ARIA Authoring Practices' tabs pattern asks: the tab list is one Tab stop
(roving tabindex: only the selected tab has tabindex 0), and Left/Right/Home/End move to a tab
and open it (assets/tabs_keyboard.js clicks it, so the same callback switches).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dash import Dash, Input, Output, html

from i18n.language import t


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
                tabIndex=0 if tab.key == active else -1,
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
                buttons, className="nav nav-tabs", role="tablist", **{"aria-label": t("Analyses")}
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
            const tabindex = keys.map(k => k === active ? 0 : -1);
            return classes.concat(selected, hidden, tabindex);
        }}
        """,
        *[Output(button_id(k), "className") for k in keys],
        *[Output(button_id(k), "aria-selected") for k in keys],
        *[Output(panel_id(k), "hidden") for k in keys],
        *[Output(button_id(k), "tabIndex") for k in keys],
        *[Input(button_id(k), "n_clicks") for k in keys],
        prevent_initial_call=True,
    )
