"""The first lines a new reader sees under the title: where to start, and the abbreviations
the page uses, each spelled out once (a visitor from outside neuroimmunology meets them in
every panel)."""

from __future__ import annotations

from dash import html

from i18n.language import N_, t

# (abbreviation, what it stands for); the abbreviations are the same in both languages.
ABBREVIATIONS = (
    ("NMOSD", N_("neuromyelitis optica spectrum disorder")),
    ("AQP4-IgG", N_("aquaporin-4 immunoglobulin G antibodies")),
    ("RTX", N_("rituximab")),
    ("EDSS", N_("Expanded Disability Status Scale (0–10)")),
    ("FCGR3A", N_("gene of the Fc-gamma receptor IIIa (V158F variant)")),
    ("Gd", N_("gadolinium (contrast enhancement on MRI)")),
)


def start_here() -> html.Div:
    """A 'start here' line and the abbreviations, under the page title."""
    terms: list[object] = []
    for abbreviation, meaning in ABBREVIATIONS:
        if terms:
            terms.append(" · ")
        terms += [html.Abbr(abbreviation, title=t(meaning)), f": {t(meaning)}"]
    return html.Div(
        [
            html.P(
                [
                    html.Strong(t("Start here:")),
                    " ",
                    t(
                        "choose the patients with the filters on the left (the count under "
                        "“Filters” follows), then open a tab; each tab analyses those patients "
                        "and says how."
                    ),
                ],
                className="mb-1",
            ),
            html.P(terms, className="small text-body-secondary mb-0 abbreviations"),
        ],
        className="start-here",
        id="start-here",
    )
