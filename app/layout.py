"""Page layout. Placeholder until the dashboard issue: a summary of the loaded cohort."""

from __future__ import annotations

from dash import html

from analytics.report import Report
from analytics.schema import CohortValidationError


def _fmt_ci(low: float | None, high: float | None, pct: bool = False) -> str:
    if low is None or high is None:
        return "n/a"
    return f"{low:.1%}–{high:.1%}" if pct else f"{low:.1f}–{high:.1f}"


def build_layout(report: Report) -> html.Div:
    fr, inc = report.failure_rate, report.incidence
    banner = (
        html.P("Synthetic demo cohort: not real patients.", className="synthetic-banner")
        if report.synthetic
        else None
    )
    rows = [
        ("Patients", str(report.n)),
        ("Treatment failures", str(report.events)),
        (
            "Failure proportion (95% CI, exact)",
            f"{fr.estimate:.1%} ({_fmt_ci(fr.ci_low, fr.ci_high, True)})",
        ),
        (
            "Failures per 100 person-years (95% CI)",
            f"{inc.estimate:.1f} ({_fmt_ci(inc.ci_low, inc.ci_high)})",
        ),
    ]
    for term in report.univariable:
        rows.append(
            (
                f"Cox HR, {term.term}",
                f"{term.hr:.1f} (95% CI {term.ci_low:.1f}–{term.ci_high:.1f}), p = {term.p:.4f}",
            )
        )
    return html.Main(
        [
            html.H1("RTX-Refractory NMOSD Cohort Explorer"),
            html.P(f"Cohort: {report.cohort_label}"),
            banner,
            html.Table(
                [html.Tbody([html.Tr([html.Th(k, scope="row"), html.Td(v)]) for k, v in rows])],
                className="summary-table",
            ),
            html.P("The interactive dashboard is under construction; the CLI has every statistic."),
        ],
        lang="en",
    )


def error_layout(error: CohortValidationError) -> html.Div:
    return html.Main(
        [
            html.H1("The configured cohort file could not be loaded"),
            html.P(f"{len(error.problems)} problem(s) were found. Fix the file and restart:"),
            html.Ul([html.Li(str(p)) for p in error.problems[:100]]),
        ]
    )
