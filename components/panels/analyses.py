"""Panel bodies built from a Report: hazard notes, lesion timing, failure rates, Table 1, MANCOVA.

Each builder takes result objects and returns Dash components; none computes a statistic.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.reports.km_text import km_summary_cells
from analytics.reports.lesion_timing import LesionTiming
from analytics.reports.model_notes import hazard_model_warnings, named_warnings
from analytics.reports.paper import PaperComparison
from analytics.reports.report import Report
from analytics.stats.cox.models import CoxModel
from analytics.stats.cox.results import term_label
from analytics.stats.subgroups import SubgroupRate
from analytics.stats.table_one import MancovaResult, TableOne
from components.export.menu import export_menu
from components.figures.rates import rates_figure
from components.panels.plot_caption import captioned
from components.text import exposure_text
from components.text.captions import rates_caption
from components.text.format import (
    ci_label,
    format_ci,
    format_hr,
    format_p,
)
from components.text.labels import column_label, level_label, zph_term_label
from components.text.table_one_text import mancova_cells, table_one_cells
from i18n.language import (
    N_,
    localize_decimals,
    number,
    percent,
    t,
    translate_message,
)

EMPTY_MESSAGE = N_(
    "No patients match these filters. Widen a range or set a filter back to “All” "
    "(or press “Reset filters”)."
)


def empty_state(text: str = EMPTY_MESSAGE) -> dbc.Alert:
    """A friendly explanation where a panel has nothing to show (``text`` in English)."""
    return dbc.Alert(t(text), color="light", className="border empty-state")


def warnings_list(messages: Sequence[str], title: str = N_("Read with care")) -> object:
    """Messages from ``analytics`` (English) under a title, in the page's language."""
    if not messages:
        return html.Div()
    return dbc.Alert(
        [
            html.Div(t(title), className="fw-semibold mb-1"),
            html.Ul([html.Li(translate_message(m)) for m in messages], className="mb-0"),
        ],
        color="warning",
        className="small",
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], caption: str | None = None):
    parts: list[object] = []
    if caption:
        parts.append(html.Caption(caption))
    parts.append(html.Thead(html.Tr([html.Th(h, scope="col") for h in header])))
    parts.append(html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]))
    return dbc.Table(parts, striped=True, size="sm", responsive=True, className="caption-top")


def km_summary(report: Report) -> object:
    """Median time to failure and survival at 1, 2 and 5 years per curve."""
    if not report.km:
        return empty_state()
    return _table(*km_summary_cells(report))


def _model_rows(name: str, model: CoxModel | None) -> list[list[object]]:
    if model is None:
        return []
    return [
        [name, term_label(term), format_hr(term.hr, term.ci_low, term.ci_high)]
        + [format_p(term.p), model.n, model.events]
        for term in model.terms
    ]


def hazard_notes(report: Report) -> object:
    """Model table and the warnings a reader must see beside the forest plot."""
    rows: list[list[object]] = []
    for name, model in report.univariable_models.items():
        rows += _model_rows(t("Univariable ({name})").format(name=column_label(name)), model)
    rows += _model_rows(t("Multivariable"), report.cox)
    rows += _model_rows(t("Firth-penalized"), report.firth)
    notes = [
        translate_message(w) for w in hazard_model_warnings(report.univariable_models, report.cox)
    ]
    if report.firth is not None:
        notes.append(
            t(
                "Firth-penalized Cox (profile-likelihood CIs) is shown because a group has 0–1 "
                "failures; prefer it over the standard estimate here."
            )
        )
    if report.ph_test is not None:
        for row in report.ph_test.rows:
            template = (
                N_(
                    "Proportional hazards, {term}: cox.zph score χ² = {chisq}, {p} — may be "
                    "violated."
                )
                if row.p < 0.05
                else N_("Proportional hazards, {term}: cox.zph score χ² = {chisq}, {p}.")
            )
            notes.append(
                t(template).format(
                    term=zph_term_label(row.term), chisq=number(row.chisq, 2), p=format_p(row.p)
                )
            )
    children: list[object] = []
    if rows:
        children.append(
            _table(
                [t("Model"), t("Term"), t("HR ({ci})").format(ci=ci_label()), "p", "n"]
                + [t("Failures")],
                rows,
                t("Cox proportional hazards, Efron ties, Wald CIs (R coxph)."),
            )
        )
    else:
        children.append(empty_state(N_("Choose a grouping or covariates to fit a Cox model.")))
    children.append(warnings_list(list(dict.fromkeys(notes)), N_("Model checks")))
    return html.Div(children)


def lesion_panel(timing: LesionTiming | None, patients: int) -> object:
    """The three exposure estimates; ``patients`` is the filtered n (0 means nothing matched)."""
    if patients == 0:
        return empty_state()
    if timing is None:
        return empty_state(N_("This cohort has no asymptomatic_lesions column."))
    rows = []
    for name, model in zip(
        exposure_text.model_names(timing),
        (timing.naive, timing.time_dependent, timing.landmark),
        strict=True,
    ):
        if model is None:
            rows.append([name, "", exposure_text.needs_onset(timing), "", "", ""])
        elif not model.terms:
            rows.append([name, "", t("not estimable"), "", model.n, model.events])
        else:
            term = model.terms[0]
            rows.append(
                [name, term_label(term), format_hr(term.hr, term.ci_low, term.ci_high)]
                + [format_p(term.p), model.n, model.events]
            )
    notes = []
    for name, model in zip(
        exposure_text.model_names(timing),
        (timing.naive, timing.time_dependent, timing.landmark),
        strict=True,
    ):
        if model is not None:
            notes += named_warnings(model.warnings, name)
    adjusted = exposure_text.adjusted_for(timing)
    return html.Div(
        [
            html.H2(exposure_text.title(timing), className="h5"),
            _table(
                [t("Model"), t("Term"), t("HR ({ci})").format(ci=ci_label()), "p", "n"]
                + [t("Failures")],
                rows,
            ),
            *([html.P(adjusted, className="small")] if adjusted else []),
            html.P(translate_message(timing.explanation), className="lesion-explanation"),
            warnings_list(list(dict.fromkeys(notes)), N_("Model notes")),
        ]
    )


def rates_panel(rates: Sequence[SubgroupRate], report: Report) -> object:
    if report.n == 0:
        return empty_state()
    fr = report.failure_rate
    rows = [
        [
            t("All patients"),
            "",
            fr.events,
            fr.n,
            percent(fr.estimate),
            format_ci(fr.ci_low, fr.ci_high, percent=True),
        ]
    ]
    for rate in rates:
        p = rate.proportion
        rows.append(
            [
                column_label(rate.variable),
                level_label(rate.variable, rate.level).split(": ", 1)[-1],
                p.events,
                p.n,
                t("n/a") if p.n == 0 else percent(p.estimate),
                format_ci(p.ci_low, p.ci_high, percent=True),
            ]
        )
    return html.Div(
        [
            captioned(
                dcc.Graph(
                    id="rates-graph",
                    figure=rates_figure(fr, rates),
                    config={
                        "displaylogo": False,
                        "toImageButtonOptions": {"format": "svg", "filename": "nmosd-rates"},
                    },
                ),
                "rates-caption",
                rates_caption(fr, rates),
            ),
            export_menu("rates-graph", "rates"),
            _table(
                [t("Variable"), t("Level"), t("Failures"), "n", t("Proportion"), ci_label()],
                rows,
                t("Failure proportion with exact Clopper–Pearson CIs (R binom.test)."),
            ),
        ]
    )


def table_one_panel(table: TableOne | None) -> object:
    if table is None:
        return empty_state()
    header, rows = table_one_cells(table)
    return html.Div(
        [
            html.H2(t("Table 1"), className="h5"),
            _table(header, rows, t("Median (IQR) or n (%).")),
            warnings_list(list(table.warnings)),
        ]
    )


def mancova_panel(result: MancovaResult | None) -> object:
    if result is None:
        return empty_state(N_("MANCOVA needs its factor column and at least 10 patients."))
    header, rows, caption = mancova_cells(result)
    return html.Div(
        [
            html.H2("MANCOVA", className="h5 mt-4"),
            _table(header, rows, caption),
            html.P(
                t("Partial η² = 1 − λ^(1/s); with one hypothesis df it is 1 − λ."),
                className="form-text",
            ),
            warnings_list(list(result.warnings)),
        ]
    )


def paper_panel(comparison: PaperComparison) -> object:
    """Published figures next to those recomputed on the loaded cohort."""
    rows = [
        [
            translate_message(row.quantity),
            row.published,  # quoted from the (English) abstract as printed
            localize_decimals(translate_message(row.recomputed)),
            localize_decimals(translate_message(row.comparison)),
            html.Span(t("✓ agree with each other"), className="text-success-emphasis")
            if row.consistent
            else html.Span(
                t("⚠ internally inconsistent"), className="text-danger-emphasis fw-semibold"
            ),
            translate_message(row.note),
        ]
        for row in comparison.rows
    ]
    source = (
        t("the synthetic demo cohort (calibrated to the abstract, so agreement is by design)")
        if comparison.synthetic
        else comparison.cohort_label
    )
    return html.Div(
        [
            html.H2(t("Reproducing the published study"), className="h5"),
            html.P(
                [
                    "Factors for Rituximab Refractoriness in AQP4-IgG+ NMOSD: A Cohort Study. ",
                    html.I("Ann Clin Transl Neurol"),
                    " 2025;12(8):1566-74. ",
                    t("Recomputed on {source}, all patients, 6-month grace period.").format(
                        source=source
                    ),
                ]
            ),
            _table(
                [t("Quantity"), t("Published (abstract)"), t("Recomputed")]
                + [t("Published vs recomputed"), t("Published numbers"), t("Note")],
                rows,
            ),
            html.P(
                t(
                    "“Published vs recomputed”: a count, percentage, median or p-value is equal "
                    "when our number, rounded to the digits the abstract prints, is the "
                    "published one; a hazard ratio is compatible when the published estimate "
                    "lies inside our confidence interval (which does not make the two equal). "
                    "“Published numbers” says whether the abstract's own numbers agree with "
                    "each other (e.g. λ and η² of one test), whatever our data give."
                ),
                className="form-text",
            ),
        ]
    )
