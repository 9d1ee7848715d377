"""The Table 1 & MANCOVA tab: each analysis's controls above its panel (``app.callbacks.report``
fills the panels)."""

from __future__ import annotations

from dash import html

from app.layout import ids
from app.layout.loading import computing
from app.layout.open_analyses import mancova_controls, table_by_control
from app.state.open_controls import OpenOptions


def table_one_tab(options: OpenOptions | None) -> list[object]:
    return [
        table_by_control(options),
        computing(html.Div(id=ids.TABLE_ONE), {ids.TABLE_ONE: "children"}),
        mancova_controls(options),
        computing(html.Div(id=ids.MANCOVA), {ids.MANCOVA: "children"}),
    ]
