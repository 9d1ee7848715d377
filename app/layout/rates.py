"""The Failure rates tab: one panel, filled by ``app.callbacks.report``."""

from __future__ import annotations

from dash import html

from app.layout import ids
from app.layout.loading import computing


def rates_tab() -> list[object]:
    return [computing(html.Div(id=ids.RATES_PANEL), {ids.RATES_PANEL: "children"})]
