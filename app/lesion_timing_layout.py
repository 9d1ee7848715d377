"""The Lesion timing tab: the exposure's controls and the panel ``app.callbacks.report`` fills."""

from __future__ import annotations

from dash import html

from app import ids
from app.open_controls import OpenOptions
from app.open_layout import exposure_controls


def lesion_timing_tab(options: OpenOptions | None) -> list[object]:
    return [exposure_controls(options), html.Div(id=ids.LESION_PANEL)]
