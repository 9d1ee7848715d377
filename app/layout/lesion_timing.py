"""The Lesion timing tab: the exposure's controls and the panel ``app.callbacks.report`` fills."""

from __future__ import annotations

from dash import html

from app.layout import ids
from app.layout.loading import computing
from app.layout.open_analyses import exposure_controls
from app.state.open_controls import OpenOptions


def lesion_timing_tab(options: OpenOptions | None) -> list[object]:
    return [
        exposure_controls(options),
        computing(html.Div(id=ids.LESION_PANEL), {ids.LESION_PANEL: "children"}),
    ]
