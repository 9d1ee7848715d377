"""Progress for long computations: a spinner over a panel whose answer takes a while, with
the previous numbers kept and greyed, never a frozen page."""

from __future__ import annotations

from collections.abc import Mapping

from dash import dcc

# Fast answers (the 54-patient demo, a cached view) come well within this: no flash.
SHOW_AFTER_MS = 600


def computing(child: object, targets: Mapping[str, str | list[str]]) -> dcc.Loading:
    """``child`` under a spinner while one of ``targets`` (component id -> property) is
    being computed; what it showed stays readable, at half opacity, meanwhile."""
    return dcc.Loading(
        child,
        target_components=dict(targets),
        delay_show=SHOW_AFTER_MS,
        overlay_style={"visibility": "visible", "opacity": 0.5},
        type="circle",
    )
