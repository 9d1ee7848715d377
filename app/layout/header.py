"""The page header: title, the cohort's badge and the link to the other language."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from analytics.data.cohort import Cohort
from app.layout import ids
from app.layout.start_here import start_here
from app.state.view_state import ViewState
from components.panels import cards
from i18n.language import LANGUAGE_NAMES, Language, t


def page_header(cohort: Cohort | None, language: Language) -> html.Header:
    return html.Header(
        [
            _title_row(cohort, language),
            dbc.Container(start_here(), fluid=True, className="pt-2"),
        ],
        className="app-header py-2 mb-3",
    )


def _title_row(cohort: Cohort | None, language: Language) -> dbc.Container:
    return dbc.Container(
        [
            html.H1(t("RTX-Refractory NMOSD Cohort Explorer"), className="h4 mb-0"),
            html.Div(
                [
                    html.Div(
                        cards.cohort_badge(cohort.label, cohort.synthetic, cohort.fingerprint)
                        if cohort is not None
                        else None,
                        id=ids.COHORT_LABEL,
                        className="cohort-label",
                    ),
                    language_switch(language),
                ],
                className="d-flex flex-wrap align-items-center gap-3",
            ),
        ],
        fluid=True,
        className="d-flex flex-wrap align-items-center justify-content-between gap-2",
    )


def language_switch(language: Language) -> html.A:
    """A link to this page in the other language (the view's query is kept: a callback
    rewrites the link as the URL changes). Switching reloads the page, which is built once
    per language on the server."""
    other: Language = "es" if language == "en" else "en"
    return html.A(
        LANGUAGE_NAMES[other],
        id=ids.LANGUAGE_LINK,
        href=ViewState(language=other).to_query() or "?",
        hrefLang=other,
        lang=other,
        className="language-link",
        title=t("Show this page in {language}").format(language=LANGUAGE_NAMES[other]),
    )
