"""A figure that explains why there is nothing to plot, instead of a blank frame."""

from __future__ import annotations

from components.figures.base import Figure, fast_figure


def empty_figure(message: str) -> Figure:
    layout = {
        "annotations": [
            {
                "text": message,
                "x": 0.5,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": 15, "color": "#495057"},
            }
        ],
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "height": 320,
        "margin": {"l": 20, "r": 20, "t": 20, "b": 20},
    }
    return fast_figure([], layout)
