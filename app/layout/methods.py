"""The collapsed "Methods for this view": the paragraph is written when it is opened
(app.callbacks.methods), since it describes every tab's analyses of the view."""

from __future__ import annotations

from dash import html

from app.layout import ids
from app.layout.loading import computing
from i18n.language import t


def methods_details() -> html.Details:
    return html.Details(
        [
            html.Summary(
                html.H2(t("Methods for this view"), className="h6 d-inline mb-0"),
                id=ids.METHODS_TOGGLE,
                n_clicks=0,
            ),
            computing(html.Div(id=ids.METHODS, className="mt-2"), {ids.METHODS: "children"}),
        ],
        className="methods-section mt-4 p-3",
    )
