"""The Table 1 & MANCOVA tab: each analysis's controls above its panel (``app.callbacks.report``
fills the panels)."""

from __future__ import annotations

from dash import html

from app import ids
from app.open_controls import OpenOptions
from app.open_layout import mancova_controls, table_by_control


def table_one_tab(options: OpenOptions | None) -> list[object]:
    return [
        table_by_control(options),
        html.Div(id=ids.TABLE_ONE),
        mancova_controls(options),
        html.Div(id=ids.MANCOVA),
    ]
