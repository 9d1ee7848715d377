"""The Relapses panel: rates before/after rituximab, rate ratios, MCF curves, Andersen–Gill.

Pure rendering of :class:`analytics.relapse_report.RelapseReport`; no statistics here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.rates import IncidenceRate
from analytics.recurrent import (
    AndersenGillTerm,
    RateRatioModel,
    RateRatioTerm,
)
from analytics.relapse_report import ALL, GroupRelapses, RelapseReport
from components.format import format_p
from components.labels import column_label, level_label
from components.mcf import mcf_figure, tail_caption

NO_RELAPSES_FILE = (
    "This panel needs a relapses file: one row per relapse with patient_id and "
    "months_from_rtx (months from the first rituximab infusion; negative = before it). "
    "Load it with the patients file on the Data tab. The demo cohort has one."
)
NO_PATIENTS = (
    "No patients match these filters. Widen a range or set a filter back to “All” "
    "(or press “Reset filters”)."
)
THETA_SENTENCE = (
    "θ (theta) says how much relapse frequency differs between patients: a large θ means little "
    "between-patient variation (the negative binomial is then close to Poisson); a small θ "
    "means some patients relapse much more often than others, and the Poisson interval is "
    "too narrow."
)
MCF_GRAPH = "relapse-mcf-graph"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], caption: str) -> dbc.Table:
    return dbc.Table(
        [
            html.Caption(caption),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        striped=True,
        size="sm",
        responsive=True,
        className="caption-top",
    )


def _group_name(group_by: str | None, label: str) -> str:
    return "All patients" if label == ALL else level_label(group_by, label)


def _number(value: float) -> str:
    """Two decimals, but two significant digits below 0.1 (0.0041, not 0.00), so a small
    rate or ratio never reads as zero; very large ratios (near-separation) as '> 1000'."""
    if not math.isfinite(value):
        return "n/a" if math.isnan(value) else "> 1000"
    if value > 1000:
        return "> 1000"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 0.1 or value == 0:
        return f"{value:.2f}"
    return f"{value:.2g}"


def _with_ci(estimate: float, low: float, high: float) -> str:
    return f"{_number(estimate)} ({_number(low)}–{_number(high)})"


def _rate(rate: IncidenceRate | None) -> object:
    """ARR with its exact CI, and the relapses and patient-years it comes from below."""
    if rate is None or rate.person_years <= 0:
        return "—"
    return [
        _with_ci(rate.estimate, rate.ci_low, rate.ci_high),
        html.Br(),
        html.Span(
            f"{rate.events} relapse{'' if rate.events == 1 else 's'} / "
            f"{rate.person_years:.1f} patient-years",
            className="small text-body-secondary",
        ),
    ]


def _ratio(term: RateRatioTerm | None, *, with_p: bool = True) -> str:
    """Ratio with CI (and p), or why there is none (separation gives NaN)."""
    if term is None:
        return "—"
    if not math.isfinite(term.rate_ratio):
        return "not estimable"
    shown = _with_ci(term.rate_ratio, term.ci_low, term.ci_high)
    return f"{shown}, {format_p(term.p)}" if with_p else shown


def _first_term(model: RateRatioModel | None) -> RateRatioTerm | None:
    return model.terms[0] if model is not None and model.terms else None


def _theta(model: RateRatioModel | None) -> str:
    if model is None or not model.terms:
        return "—"
    if model.theta is None:
        return "∞ (no extra variation)"
    return f"{model.theta:.2f}"


def _rates_row(group_by: str | None, entry: GroupRelapses) -> list[object]:
    pre = entry.rates.pooled_pre if entry.rates else None
    post = entry.rates.pooled_post if entry.rates else None
    return [
        _group_name(group_by, entry.label),
        entry.n,
        _rate(pre),
        _rate(post),
        _ratio(_first_term(entry.after_vs_before_nb)),
        _ratio(_first_term(entry.after_vs_before_poisson)),
        _theta(entry.after_vs_before_nb),
    ]


def rates_table(report: RelapseReport) -> dbc.Table:
    """Annualized relapse rates before and after rituximab, and their ratio, per group."""
    header = [
        "Group",
        "Patients",
        "ARR before rituximab (95% CI)",
        "ARR on rituximab (95% CI)",
        "Rate ratio on ÷ before, negative binomial (95% CI), p",
        "Rate ratio, Poisson (95% CI), p",
        "θ",
    ]
    caption = (
        f"Annualized relapse rate (ARR, relapses per patient-year) in the "
        f"{report.pre_window_months:g} months before the first rituximab infusion and on "
        f"rituximab (from month {report.grace_months:g}, after the grace period), exact Poisson "
        "95% CI (R poisson.test). Rate ratios: R glm.nb and glm(family = poisson)."
    )
    return _table(header, [_rates_row(report.group_by, g) for g in report.groups], caption)


def group_notes(report: RelapseReport) -> list[str]:
    """Each group's notes, prefixed with the group's name as the tables show it."""
    return [
        f"{_group_name(report.group_by, entry.label)} — {note}"
        for entry in report.groups
        for note in entry.notes
    ]


def _term_name(group_by: str | None, term: RateRatioTerm | AndersenGillTerm) -> str:
    if term.level is not None and term.reference is not None:
        return f"{level_label(group_by, term.level)} vs {level_label(group_by, term.reference)}"
    return term.term


def between_table(report: RelapseReport) -> object:
    """Post-rituximab relapse rate ratio between the groups (NB headline, Poisson beside)."""
    nb, poisson = report.between_nb, report.between_poisson
    if nb is None or not nb.terms:
        return html.P(
            "No between-group rate ratio: the groups do not differ among the patients shown "
            "(see the notes below).",
            className="form-text",
        )
    by_term = {t.term: t for t in (poisson.terms if poisson is not None else ())}
    rows = [
        [_term_name(report.group_by, t), _ratio(t), _ratio(by_term.get(t.term)), _theta(nb)]
        for t in nb.terms
    ]
    return _table(
        ["Comparison", "Negative binomial (95% CI), p", "Poisson (95% CI), p", "θ"],
        rows,
        f"Rate ratio of relapses after rituximab between groups of "
        f"{column_label(report.group_by)}, one row per patient, offset log(patient-years) "
        "(R glm.nb, glm).",
    )


def andersen_gill_table(report: RelapseReport) -> object:
    """Hazard ratio of every post-rituximab relapse, robust CI; naive SEs in a collapsed part."""
    ag = report.andersen_gill
    if ag is None or not ag.terms:
        return html.P(
            "No Andersen–Gill model: the groups do not differ among the patients shown "
            "(see the notes below).",
            className="form-text",
        )
    rows, naive_rows = [], []
    for t in ag.terms:
        name = _term_name(report.group_by, t)
        estimable = math.isfinite(t.hr)
        rows.append(
            [
                name,
                _with_ci(t.hr, t.ci_low, t.ci_high) if estimable else "not estimable",
                format_p(t.p) if estimable else "—",
                ag.n_patients,
                ag.events,
            ]
        )
        naive_rows.append([name, f"{t.coef:.3f}", f"{t.se:.3f}", f"{t.naive_se:.3f}"])
    return html.Div(
        [
            _table(
                ["Comparison", "HR (robust 95% CI)", "p (robust)", "Patients", "Relapses"],
                rows,
                "Andersen–Gill Cox model of every relapse after the grace period; a patient "
                "stays at risk after a relapse; standard errors clustered by patient (R coxph "
                "+ cluster(id), Efron ties).",
            ),
            html.Details(
                [
                    html.Summary("Model-based (naive) standard errors"),
                    html.P(
                        "The naive standard error treats a patient's relapses as independent; "
                        "they are not, so the robust one is reported above.",
                        className="form-text",
                    ),
                    _table(
                        ["Comparison", "log HR", "Robust SE", "Naive SE"],
                        naive_rows,
                        "Standard errors of the log hazard ratio.",
                    ),
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
            html.Div("Read with care", className="fw-semibold mb-1"),
            html.Ul([html.Li(m) for m in messages], className="mb-0"),
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
        return dbc.Alert(NO_RELAPSES_FILE, color="light", className="border empty-state")
    if report.n == 0:
        return dbc.Alert(NO_PATIENTS, color="light", className="border empty-state")
    suffix = " · synthetic demo cohort" if synthetic else ""
    children: list[object] = [
        html.H2("Relapses before and after rituximab", className="h5"),
        html.P(
            "Every relapse counts here, not only the first after the grace period. Relapses in "
            f"the first {report.grace_months:g} months after the first infusion are not counted "
            "after rituximab (grace period control).",
            className="form-text",
        ),
        rates_table(report),
        html.P(THETA_SENTENCE, className="form-text"),
    ]
    if report.group_by is not None:
        children += [
            html.H3("Between groups", className="h6 mt-3"),
            between_table(report),
        ]
    if report.mcf is not None and report.mcf.curves:
        children.append(
            dcc.Graph(
                id=MCF_GRAPH,
                figure=mcf_figure(
                    report.mcf, title=f"Mean cumulative number of relapses on rituximab{suffix}"
                ),
                config={
                    "displaylogo": False,
                    "toImageButtonOptions": {"format": "svg", "filename": "nmosd-mcf"},
                    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
                },
            )
        )
        children.append(
            html.P(
                "Mean cumulative function (Nelson–Aalen), Lawless–Nadeau robust 95% CI: unlike "
                "1 − Kaplan–Meier it keeps counting after a patient's first relapse.",
                className="form-text",
            )
        )
        faded = tail_caption(report.mcf)
        if faded is not None:
            children.append(html.P(faded, className="form-text"))
    if report.group_by is not None:
        children += [
            html.H3("All post-rituximab relapses: Andersen–Gill", className="h6 mt-3"),
            andersen_gill_table(report),
        ]
    if report.group_by is None:
        children.append(
            html.P(
                "Choose a grouping under “Compare groups by” for the rate ratio between groups "
                "and the Andersen–Gill hazard ratio of all post-rituximab relapses.",
                className="form-text",
            )
        )
    notes = [*context_notes, *group_notes(report), *report.notes]
    children.append(_notes(list(dict.fromkeys(notes))))
    return html.Div(children)
