"""Panel bodies built from a Report: hazard notes, lesion timing, failure rates, Table 1, MANCOVA.

Each builder takes result objects and returns Dash components; none computes a statistic.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.compare import MancovaResult, TableOne, TableOneRow
from analytics.hazards import CoxModel
from analytics.lesion_timing import LesionTiming
from analytics.paper import PaperComparison
from analytics.report import Report
from analytics.subgroups import SubgroupRate
from components.format import format_ci, format_hr, format_number, format_p
from components.labels import column_label, level_label
from components.rates import rates_figure

EMPTY_MESSAGE = (
    "No patients match these filters. Widen a range or set a filter back to “All” "
    "(or press “Reset filters”)."
)


def empty_state(text: str = EMPTY_MESSAGE) -> dbc.Alert:
    """A friendly explanation where a panel has nothing to show."""
    return dbc.Alert(text, color="light", className="border empty-state")


def warnings_list(messages: Sequence[str], title: str = "Read with care") -> object:
    if not messages:
        return html.Div()
    return dbc.Alert(
        [
            html.Div(title, className="fw-semibold mb-1"),
            html.Ul([html.Li(m) for m in messages], className="mb-0"),
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
    horizons = [s.time for s in next(iter(report.survival_at.values()))]
    header = ["Group", "n", "Failures", "Median (months, 95% CI)"] + [
        f"Failure-free at {h:g} mo" for h in horizons
    ]
    rows = []
    for label, km in report.km.items():
        median = (
            "not reached"
            if km.median is None
            else f"{km.median:.1f} {format_ci(km.median_ci_low, km.median_ci_high)}"
        )
        at = [
            f"{s.survival:.0%} {format_ci(s.ci_low, s.ci_high, digits=0, percent=True)}"
            if s.at_risk > 0
            else "—"
            for s in report.survival_at[label]
        ]
        rows.append([level_label(report.group_by, label), km.n, km.events, median, *at])
    caption = "Kaplan–Meier, Greenwood variance, log-log 95% CI (R survfit conf.type = “log-log”)."
    if report.logrank is not None:
        lr = report.logrank
        caption += f" Log-rank χ² = {lr.chisq:.2f} on {lr.df} df, {format_p(lr.p)}."
    return _table(header, rows, caption)


def _model_rows(name: str, model: CoxModel | None) -> list[list[object]]:
    if model is None:
        return []
    return [
        [name, t.term, format_hr(t.hr, t.ci_low, t.ci_high), format_p(t.p), model.n, model.events]
        for t in model.terms
    ]


def hazard_notes(report: Report) -> object:
    """Model table and the warnings a reader must see beside the forest plot."""
    rows: list[list[object]] = []
    for name, model in report.univariable_models.items():
        rows += _model_rows(f"Univariable ({name})", model)
    rows += _model_rows("Multivariable", report.cox)
    rows += _model_rows("Firth-penalized", report.firth)
    notes: list[str] = []
    for model in [*report.univariable_models.values(), report.cox]:
        if model is not None:
            notes += list(model.warnings)
    if report.firth is not None:
        notes.append(
            "Firth-penalized Cox (profile-likelihood CIs) is shown because a group has 0–1 "
            "failures; prefer it over the standard estimate here."
        )
    if report.ph_test is not None:
        for row in report.ph_test.rows:
            notes.append(
                f"Proportional hazards, {row.term}: cox.zph score χ² = {row.chisq:.2f}, "
                f"{format_p(row.p)}" + (" — may be violated." if row.p < 0.05 else ".")
            )
    children: list[object] = []
    if rows:
        children.append(
            _table(
                ["Model", "Term", "HR (95% CI)", "p", "n", "Failures"],
                rows,
                "Cox proportional hazards, Efron ties, Wald CIs (R coxph).",
            )
        )
    else:
        children.append(empty_state("Choose a grouping or covariates to fit a Cox model."))
    children.append(warnings_list(list(dict.fromkeys(notes)), "Model checks"))
    return html.Div(children)


def lesion_panel(timing: LesionTiming | None, patients: int) -> object:
    """The three lesion estimates; ``patients`` is the filtered n (0 means nothing matched)."""
    if patients == 0:
        return empty_state()
    if timing is None:
        return empty_state("This cohort has no asymptomatic_lesions column.")
    rows = []
    for name, model in (
        ("Naive (lesion as a baseline covariate)", timing.naive),
        ("Time-dependent (lesion from the month it is seen)", timing.time_dependent),
        (f"Landmark at {timing.landmark_months:g} months", timing.landmark),
    ):
        if model is None:
            rows.append([name, "needs asymptomatic_lesion_months", "", "", ""])
        elif not model.terms:
            rows.append([name, "not estimable", "", model.n, model.events])
        else:
            t = model.terms[0]
            rows.append(
                [name, format_hr(t.hr, t.ci_low, t.ci_high), format_p(t.p), model.n, model.events]
            )
    notes = []
    for model in (timing.naive, timing.time_dependent, timing.landmark):
        if model is not None:
            notes += list(model.warnings)
    return html.Div(
        [
            html.H2(
                "Asymptomatic lesions and treatment failure: three ways to count time",
                className="h5",
            ),
            _table(["Model", "HR (95% CI)", "p", "n", "Failures"], rows),
            html.P(timing.explanation, className="lesion-explanation"),
            warnings_list(list(dict.fromkeys(notes)), "Model notes"),
        ]
    )


def rates_panel(rates: Sequence[SubgroupRate], report: Report) -> object:
    if report.n == 0:
        return empty_state()
    fr = report.failure_rate
    rows = [
        [
            "All patients",
            "",
            fr.events,
            fr.n,
            f"{fr.estimate:.1%}",
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
                "n/a" if p.n == 0 else f"{p.estimate:.1%}",
                format_ci(p.ci_low, p.ci_high, percent=True),
            ]
        )
    return html.Div(
        [
            dcc.Graph(
                id="rates-graph",
                figure=rates_figure(fr, rates),
                config={
                    "displaylogo": False,
                    "toImageButtonOptions": {"format": "svg", "filename": "nmosd-rates"},
                },
            ),
            _table(
                ["Variable", "Level", "Failures", "n", "Proportion", "95% CI"],
                rows,
                "Failure proportion with exact Clopper–Pearson CIs (R binom.test).",
            ),
        ]
    )


def _cell(row: TableOneRow, group) -> str:
    if row.kind == "numeric":
        if group.median is None:
            return "—"
        return f"{group.median:.1f} ({group.q1:.1f}–{group.q3:.1f})"
    return "; ".join(f"{lv.level}: {lv.count} ({lv.percent:.0f}%)" for lv in group.levels) or "—"


def table_one_panel(table: TableOne | None) -> object:
    if table is None:
        return empty_state()
    header = [
        "Variable",
        *[
            f"{level_label(table.by, g)} (n={n})"
            for g, n in zip(table.group_labels, table.group_sizes, strict=True)
        ],
        "Overall",
        "p",
        "Test",
    ]
    rows = []
    for row in table.rows:
        missing = sum(g.missing for g in row.groups)
        name = column_label(row.variable) + (f" ({missing} missing)" if missing else "")
        rows.append(
            [
                name,
                *[_cell(row, g) for g in row.groups],
                _cell(row, row.overall),
                format_p(row.p) if row.p is not None else "—",
                row.test or "—",
            ]
        )
    return html.Div(
        [
            html.H2("Table 1", className="h5"),
            _table(header, rows, "Median (IQR) or n (%)."),
            warnings_list(list(table.warnings)),
        ]
    )


def mancova_panel(result: MancovaResult | None) -> object:
    if result is None:
        return empty_state(
            "MANCOVA needs the asymptomatic_lesions column and at least 10 patients."
        )
    rows = [
        [
            t.term,
            f"{t.wilks_lambda:.3f}",
            f"{t.pillai_trace:.3f}",
            f"{t.f:.2f}",
            f"{t.num_df:g}, {t.den_df:g}",
            format_p(t.p),
            format_number(t.partial_eta_sq, 3),
        ]
        for t in result.terms
    ]
    caption = (
        f"Dependent variables: {', '.join(result.dependent)}; factor {result.factor}; "
        f"covariates {', '.join(result.covariates) or 'none'}; n = {result.n_used}"
        + (f" ({result.n_dropped} dropped for missing values)." if result.n_dropped else ".")
    )
    return html.Div(
        [
            html.H2("MANCOVA", className="h5 mt-4"),
            _table(
                ["Term", "Wilks' λ", "Pillai's trace", "F", "df", "p", "Partial η²"], rows, caption
            ),
            html.P(
                "Partial η² = 1 − λ^(1/s); with one hypothesis df it is 1 − λ.",
                className="form-text",
            ),
            warnings_list(list(result.warnings)),
        ]
    )


def paper_panel(comparison: PaperComparison) -> object:
    """Published figures next to those recomputed on the loaded cohort."""
    rows = [
        [
            row.quantity,
            row.published,
            row.recomputed,
            html.Span("✓ consistent", className="text-success-emphasis")
            if row.consistent
            else html.Span(
                "⚠ internally inconsistent", className="text-danger-emphasis fw-semibold"
            ),
            row.note,
        ]
        for row in comparison.rows
    ]
    source = (
        "the synthetic demo cohort (calibrated to the abstract, so agreement is by design)"
        if comparison.synthetic
        else comparison.cohort_label
    )
    return html.Div(
        [
            html.H2("Reproducing the published study", className="h5"),
            html.P(
                [
                    "Factors for Rituximab Refractoriness in AQP4-IgG+ NMOSD: A Cohort Study. ",
                    html.I("Ann Clin Transl Neurol"),
                    " 2025;12(8):1566-74. Recomputed on ",
                    source,
                    ", all patients, 6-month grace period.",
                ]
            ),
            _table(
                ["Quantity", "Published (abstract)", "Recomputed", "Published value", "Note"], rows
            ),
        ]
    )
