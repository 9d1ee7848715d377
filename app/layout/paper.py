"""The Paper reproduction tab: one panel, filled by ``app.callbacks.data``."""

from __future__ import annotations

from dash import html

from app.layout import ids


def paper_tab() -> list[object]:
    return [html.Div(id=ids.PAPER)]
