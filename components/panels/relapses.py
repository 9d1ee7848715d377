"""The Relapses panel: rates before/after rituximab, rate ratios, MCF curves, Andersen–Gill.

Pure rendering of :class:`analytics.reports.relapse_report.RelapseReport`; no statistics here. The
tables' text comes from :mod:`components.text.relapse_text`, shared with the exported report.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.reports.relapse_report import RelapseReport
from components.export.menu import export_menu
from components.figures.mcf import mcf_figure, tail_caption
from components.panels.plot_caption import captioned
from components.text.captions import mcf_caption
from components.text.relapse_text import (
    THETA_SENTENCE,
    Cell,
    RateCell,
    TextTable,
    andersen_gill_tables,
    between_table,
    counting_sentence,
    group_notes,
    mcf_method_sentence,
    rates_table,
    regression_to_mean_caveat,
)
from i18n.language import N_, t, translate_message

__all__ = ["MCF_GRAPH", "NO_PATIENTS", "NO_RELAPSES_FILE", "THETA_SENTENCE", "relapse_panel"]

NO_RELAPSES_FILE = N_(
    "This panel needs a relapses file: one row per relapse with patient_id and "
    "months_from_rtx (months from the first rituximab infusion; negative = before it). "
    "Load it with the patients file on the Data tab. The demo cohort has one."
)
NO_PATIENTS = N_(
    "No patients match these filters. Widen a range or set a filter back to “All” "
    "(or press “Reset filters”)."
)
MCF_GRAPH = "relapse-mcf-graph"


def _cell(cell: Cell) -> object:
    if isinstance(cell, RateCell):
        return [cell.rate, html.Br(), html.Span(cell.counts, className="small text-body-secondary")]
    return cell


def _table(table: TextTable) -> dbc.Table:
    return dbc.Table(
        [
            html.Caption(table.caption),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in table.header])),
            html.Tbody([html.Tr([html.Td(_cell(c)) for c in row]) for row in table.rows]),
        ],
        striped=True,
        size="sm",
        responsive=True,
        className="caption-top",
    )


def _between(report: RelapseReport) -> object:
    table = between_table(report)
    if table is None:
        return html.P(
            t(
                "No between-group rate ratio: the groups do not differ among the patients "
                "shown (see the notes below)."
            ),
            className="form-text",
        )
    return _table(table)


def _andersen_gill(report: RelapseReport) -> object:
    """Hazard ratio of every post-rituximab relapse, robust CI; naive SEs in a collapsed part."""
    tables = andersen_gill_tables(report)
    if tables is None:
        return html.P(
            t(
                "No Andersen–Gill model: the groups do not differ among the patients shown "
                "(see the notes below)."
            ),
            className="form-text",
        )
    robust, naive = tables
    return html.Div(
        [
            _table(robust),
            html.Details(
                [
                    html.Summary(t("Model-based (naive) standard errors")),
                    html.P(
                        t(
                            "The naive standard error treats a patient's relapses as "
                            "independent; they are not, so the robust one is reported above."
                        ),
                        className="form-text",
                    ),
                    _table(naive),
                ],
                className="small mb-3",
            ),
        ]
    )


def _notes(messages: Sequence[str]) -> object:
    if not messages:
        return html.Div()
    return dbc.Alert(
        [
            html.Div(t("Read with care"), className="fw-semibold mb-1"),
            html.Ul([html.Li(translate_message(m)) for m in messages], className="mb-0"),
        ],
        color="warning",
        className="small",
    )


def relapse_panel(
    report: RelapseReport, *, synthetic: bool = False, context_notes: Sequence[str] = ()
) -> object:
    """The whole Relapses tab for ``report`` (an empty state when there is nothing to show).

    ``context_notes`` are the view's own notes (e.g. a grouping this cohort lacks), listed
    with the models' notes.
    """
    if not report.available:
        return dbc.Alert(t(NO_RELAPSES_FILE), color="light", className="border empty-state")
    if report.n == 0:
        return dbc.Alert(t(NO_PATIENTS), color="light", className="border empty-state")
    suffix = " · " + t("synthetic demo cohort") if synthetic else ""
    children: list[object] = [
        html.H2(t("Relapses before and after rituximab"), className="h5"),
        html.P(counting_sentence(report), className="form-text"),
        _table(rates_table(report)),
        # Next to the on ÷ before ratio it qualifies.
        html.P(regression_to_mean_caveat(report), className="form-text rtm-caveat"),
        html.P(t(THETA_SENTENCE), className="form-text"),
    ]
    if report.group_by is not None:
        children += [
            html.H3(t("Between groups"), className="h6 mt-3"),
            _between(report),
        ]
    if report.mcf is not None and report.mcf.curves:
        graph = dcc.Graph(
            id=MCF_GRAPH,
            figure=mcf_figure(
                report.mcf, title=t("Mean cumulative number of relapses on rituximab") + suffix
            ),
            config={
                "displaylogo": False,
                "toImageButtonOptions": {"format": "svg", "filename": "nmosd-mcf"},
                "modeBarButtonsToRemove": ["lasso2d", "select2d"],
            },
        )
        children.append(captioned(graph, MCF_GRAPH + "-caption", mcf_caption(report.mcf)))
        children.append(export_menu(MCF_GRAPH, "mcf"))
        children.append(html.P(mcf_method_sentence(), className="form-text"))
        faded = tail_caption(report.mcf)
        if faded is not None:
            children.append(html.P(faded, className="form-text"))
    if report.group_by is not None:
        children += [
            html.H3(t("All post-rituximab relapses: Andersen–Gill"), className="h6 mt-3"),
            _andersen_gill(report),
        ]
    if report.group_by is None:
        children.append(
            html.P(
                t(
                    "Choose a grouping under “Compare groups by” for the rate ratio between "
                    "groups and the Andersen–Gill hazard ratio of all post-rituximab relapses."
                ),
                className="form-text",
            )
        )
    notes = [*context_notes, *group_notes(report), *report.notes]
    children.append(_notes(list(dict.fromkeys(notes))))
    return html.Div(children)
