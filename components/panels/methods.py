"""The copy-ready methods paragraph of the current view, with a copy button."""

from __future__ import annotations

from dash import dcc, html

from analytics.reports.methods import methods_text
from analytics.reports.report import Report
from i18n.language import t

METHODS_PARAGRAPH = "methods-paragraph"


def methods_section(report: Report) -> list[object]:
    """The paragraph (selectable text), a copy-to-clipboard button and how it was written
    (its heading is the summary of the collapsed section, app.layout.methods)."""
    return [
        html.Div(
            [
                html.P(
                    methods_text(report), id=METHODS_PARAGRAPH, className="methods-text small mb-0"
                ),
                dcc.Clipboard(
                    target_id=METHODS_PARAGRAPH,
                    title=t("Copy the methods paragraph"),
                    className="methods-copy",
                ),
            ],
            className="d-flex align-items-start gap-2 mb-1",
        ),
        html.Div(
            t(
                "Written for the filters, grouping and covariates chosen now; it changes with "
                "them. Copy it into a methods section and check it against your protocol."
            ),
            className="form-text",
        ),
    ]
