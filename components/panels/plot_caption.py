"""A plot with its text alternative: the graph, then "The plot in words" (collapsed).

Screen readers cannot read a plotly SVG; the caption (components/text/captions.py) says what
is drawn and its key numbers. It is tied to the figure with aria-describedby, so a screen
reader announces it with the plot, and a sighted reader can open it too.
"""

from __future__ import annotations

from dash import html

from i18n.language import t


def captioned(graph: object, caption_id: str, caption: str | None = None) -> html.Figure:
    """``graph`` with the caption ``caption`` (filled by a callback when None) under it."""
    return html.Figure(
        [
            graph,
            html.Details(
                [
                    html.Summary(t("The plot in words"), className="plot-caption-summary"),
                    html.P(caption, id=caption_id, className="plot-caption mb-0"),
                ],
                className="plot-caption-box",
            ),
        ],
        className="mb-2",
        **{"aria-describedby": caption_id},
    )
