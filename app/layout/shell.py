"""What the page shows before its scripts have run: the header, in the page's language.

Dash serves a page whose only content is "Loading..." until its scripts (about 900 KB
compressed, plotly.js most of it) have loaded and React has built the page. On a slow link
that is seconds of an empty page. The shell is the page's own header (title, the cohort's
badge, where to start and the abbreviations), written into the served HTML
(``ExplorerDash.interpolate_index``) from the same components React draws, plus a line
saying the explorer is loading. React replaces it when it builds the page; the header it
draws is the same size in the same place, so nothing moves. Lighthouse counts the first
paint of this text as the page's largest contentful paint.
"""

from __future__ import annotations

from dash import html

from analytics.data.cohort import Cohort
from app.layout.header import page_header
from components.static_html import to_html
from i18n.language import Language, t, using_language


def shell_html(cohort: Cohort, language: Language) -> str:
    """The header and a loading line as HTML, for the page's entry point."""
    with using_language(language):
        return to_html(
            [
                page_header(cohort, language),
                html.P(
                    t("Loading the explorer…"),
                    className="container-fluid small text-body-secondary",
                    role="status",
                ),
            ]
        )
