"""The Failure rates tab: one panel, filled by ``app.callbacks.report``."""

from __future__ import annotations

from dash import html

from app.layout import ids


def rates_tab() -> list[object]:
    return [html.Div(id=ids.RATES_PANEL)]
