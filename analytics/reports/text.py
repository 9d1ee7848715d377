"""Plain-text rendering of a :class:`~analytics.reports.report.Report` for the CLI's ``--format
text``.

Numbers are rounded by :mod:`analytics.reports.display`, the page's own rules (p, hazard ratios,
medians with R's limits), so the CLI and the page print the same digits.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from analytics.data.labels import column_label, level_label
from analytics.reports.conditional_text import conditional_sentence
from analytics.reports.display import (
    NOT_REACHED_LEGEND,
    format_median,
    format_number,
    format_p,
    format_survival,
    hazard_ratio_line,
    not_reached,
)
from analytics.reports.filters_text import filters_text
from analytics.reports.open_text import exposure_lines, mancova_lines, table_one_lines
from analytics.stats.cox.results import term_label
from analytics.stats.levels import ci_label, using_conf_level
from i18n.language import short, t

if TYPE_CHECKING:
    from collections.abc import Sequence

    from analytics.reports.relapse_report import GroupRelapses, RelapseReport
    from analytics.reports.report import Report
    from analytics.stats.conditional import ConditionalSurvivalTable
    from analytics.stats.cox.models import HazardTerm
    from analytics.stats.rates import IncidenceRate
    from analytics.stats.recurrent import AndersenGillTerm, RateRatioModel, RateRatioTerm
    from analytics.stats.survival import SurvivalAt


def _term_line(term: HazardTerm) -> str:
    return f"  {term_label(term)}: {hazard_ratio_line(term)}"


def small_number(value: float) -> str:
    """How rates and ratios are rounded, here and in the Relapses tab (components.text.relapse_text
    adds the language's decimal mark): two decimals, two significant digits below 0.1 so a
    small rate never reads as 0.00, '> 1000' for near-separation."""
    if not math.isfinite(value):
        return "n/a" if math.isnan(value) else "> 1000"
    if value > 1000:
        return "> 1000"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 0.1 or value == 0:
        return f"{value:.2f}"
    # "#": keep the trailing zero (0.0996 is "0.10", 0.02 "0.020"); plain "g" drops it.
    return f"{value:#.2g}"


def _with_ci(estimate: float, low: float, high: float) -> str:
    return f"{small_number(estimate)} ({ci_label()} {small_number(low)}-{small_number(high)})"


def _arr(rate: IncidenceRate | None) -> str:
    if rate is None or rate.person_years <= 0:
        return "n/a"
    plural = "" if rate.events == 1 else "s"
    return (
        f"{_with_ci(rate.estimate, rate.ci_low, rate.ci_high)} "
        f"[{rate.events} relapse{plural} / {rate.person_years:.1f} patient-years]"
    )


def _ratio(term: RateRatioTerm | AndersenGillTerm | None, estimate: float | None) -> str:
    if term is None or estimate is None:
        return "n/a"
    if not math.isfinite(estimate):
        return "not estimable"
    return f"{_with_ci(estimate, term.ci_low, term.ci_high)}, {format_p(term.p)}"


def _first(model: RateRatioModel | None) -> RateRatioTerm | None:
    return model.terms[0] if model is not None and model.terms else None


def _theta(model: RateRatioModel | None) -> str:
    if model is None or not model.terms:
        return "n/a"
    return "infinite (no extra variation)" if model.theta is None else f"{model.theta:.2f}"


def _group_name(group_by: str | None, label: str) -> str:
    """A group as the page names it: 'Asymptomatic lesions: yes'."""
    return "All patients" if group_by is None or label == "All" else level_label(group_by, label)


def _group_lines(group_by: str | None, entry: GroupRelapses) -> list[str]:
    name = _group_name(group_by, entry.label)
    rates = entry.rates
    nb, poisson = _first(entry.after_vs_before_nb), _first(entry.after_vs_before_poisson)
    return [
        f"  {name}: n {entry.n}",
        f"    ARR before rituximab: {_arr(None if rates is None else rates.pooled_pre)}",
        f"    ARR on rituximab: {_arr(None if rates is None else rates.pooled_post)}",
        f"    Rate ratio on / before: negative binomial "
        f"{_ratio(nb, None if nb is None else nb.rate_ratio)}; "
        f"Poisson {_ratio(poisson, None if poisson is None else poisson.rate_ratio)}; "
        f"theta {_theta(entry.after_vs_before_nb)}",
    ]


def _comparison(group_by: str | None, term: RateRatioTerm | AndersenGillTerm) -> str:
    if term.level is not None and term.reference is not None:
        # The Relapses tab's words (components.text.relapse_text): "Sex: male vs Sex: female".
        return f"{level_label(group_by, term.level)} vs {level_label(group_by, term.reference)}"
    return column_label(term.term)


def render_relapses(relapses: RelapseReport) -> list[str]:
    """The Relapses tab's numbers, rounded as the tab rounds them, with its notes; intervals
    labelled with the relapse report's level."""
    with using_conf_level(relapses.conf_level):
        return _relapse_lines(relapses)


def _relapse_lines(relapses: RelapseReport) -> list[str]:
    lines = [
        "",
        f"Relapses (every relapse; ARR = relapses per patient-year, exact Poisson CI; before = "
        f"the {relapses.pre_window_months:g} months before the first infusion; on rituximab "
        f"= from month {relapses.grace_months:g}, after the grace period):",
    ]
    if relapses.n == 0:
        return [*lines, "  no patients"]
    for entry in relapses.groups:
        lines += _group_lines(relapses.group_by, entry)
    lines.append(
        "  Note: rituximab is usually started soon after a relapse or a run of relapses, and "
        "relapse rates tend to settle after such a period even without a change of treatment "
        "(regression to the mean): part of the fall on rituximab may not be due to the drug."
    )
    between = relapses.between_nb
    if between is not None and between.terms:
        poisson = {t.term: t for t in (relapses.between_poisson or between).terms}
        lines.append("  Rate ratio after rituximab between groups:")
        for t in between.terms:
            other = poisson.get(t.term)
            lines.append(
                f"    {_comparison(relapses.group_by, t)}: negative binomial "
                f"{_ratio(t, t.rate_ratio)}; Poisson "
                f"{_ratio(other, None if other is None else other.rate_ratio)}; "
                f"theta {_theta(between)}"
            )
    ag = relapses.andersen_gill
    if ag is not None and ag.terms:
        lines.append(
            f"  Andersen-Gill, every relapse after the grace period (robust SE; {ag.n_patients} "
            f"patients, {ag.events} relapses):"
        )
        lines += [
            f"    {_comparison(relapses.group_by, t)}: HR {_ratio(t, t.hr)}" for t in ag.terms
        ]
    notes = [
        *(
            f"{_group_name(relapses.group_by, entry.label)}: {note}"
            for entry in relapses.groups
            for note in entry.notes
        ),
        *relapses.notes,
    ]
    if notes:
        lines.append("  Read with care:")
    return lines + [f"    - {note}" for note in dict.fromkeys(notes)]


def _failure_free(points: Sequence[SurvivalAt]) -> str:
    """'failure-free at 12 mo 89% (95% CI 76%-95%) | ...': the Survival tab's table cells."""
    cells = [
        f"{short(s.time)} mo "
        + (format_survival(s.survival, s.ci_low, s.ci_high, dash="-") if s.at_risk > 0 else "—")
        for s in points
    ]
    return "failure-free at " + " | ".join(cells)


def _conditional_lines(table: ConditionalSurvivalTable) -> list[str]:
    """The Survival tab's sentences (same wording and rounding), then its notes."""
    lines = ["", "Conditional survival S(X + Y) / S(X) (log-log CI, R survfit start.time = X):"]
    if not table.groups:
        lines.append("  no patients")
    for entry in table.groups:
        name = None if table.group_by is None else _group_name(table.group_by, entry.label)
        lines.append(f"  {conditional_sentence(entry, name)}")
    notes = [n for entry in table.groups for n in entry.notes] + list(table.notes)
    return lines + [f"  - {note}" for note in dict.fromkeys(notes)]


def _outcome_line(report: Report) -> str:
    if not report.grace_applied:
        return (
            "Outcome: treatment failure as recorded in the patients file's failure column "
            "(no relapses file: grace period not applied)"
        )
    return (
        f"Outcome: first relapse more than {report.filters.grace_months:g} months after the "
        "first infusion (grace period)"
    )


def _km_lines(report: Report) -> list[str]:
    """Per curve: n, failures, median and failure-free survival at the Survival tab's times;
    then the log-rank test and the median follow-up (the card's, with its CI)."""
    lines: list[str] = []
    for label, km in report.km.items():
        median = format_median(km.median, km.median_ci_low, km.median_ci_high, dash="-")
        name = level_label(report.group_by, label)
        lines.append(f"  {name}: n {km.n}, failures {km.events}, median {median}")
        lines.append(f"    {_failure_free(report.survival_at.get(label, []))}")
    if any(not_reached(km) for km in report.km.values()):
        lines.append(f"  {t(NOT_REACHED_LEGEND)}")
    if report.logrank is not None:
        lr = report.logrank
        lines.append(
            f"  Log-rank: chi-square {format_number(lr.chisq, 2)} on {lr.df} df, {format_p(lr.p)}"
        )
    if report.follow_up is not None:
        follow = report.follow_up
        shown = format_median(follow.median, follow.median_ci_low, follow.median_ci_high, "-")
        lines.append(f"  Median follow-up (reverse Kaplan-Meier), months: {shown}")
    return lines


def render_text(report: Report, relapses: RelapseReport | None = None) -> str:
    """A readable summary: counts, rates, KM medians, log-rank, Cox terms, exposure timing,
    Table 1, MANCOVA, warnings, and the
    relapse analyses when ``relapses`` is given; every interval labelled at the report's level."""
    with using_conf_level(report.conf_level):
        return _render_lines(report, relapses)


def _render_lines(report: Report, relapses: RelapseReport | None) -> str:
    synthetic = " [SYNTHETIC DEMO DATA]" if report.synthetic else ""
    fr, inc = report.failure_rate, report.incidence
    ci = ci_label(report.conf_level)
    lines = [
        f"Cohort: {report.cohort_label}{synthetic}",
        f"Filters: {filters_text(report.filters, report.grace_applied)}",
        _outcome_line(report),
        f"Patients: {report.n}; treatment failures: {report.events}; "
        f"person-years: {report.person_years:.1f}",
        f"Failure proportion: {fr.estimate:.1%} ({ci} {fr.ci_low:.1%}-{fr.ci_high:.1%}, "
        "Clopper-Pearson)"
        if report.n
        else "Failure proportion: no patients",
        f"Incidence: {format_number(inc.estimate, 2)} per 100 person-years "
        f"({ci} {format_number(inc.ci_low, 2)}-{format_number(inc.ci_high, 2)}, exact Poisson)",
        "",
        "Kaplan-Meier (time to treatment failure, months):",
    ]
    lines += _km_lines(report)
    if report.conditional is not None:
        lines += _conditional_lines(report.conditional)
    if report.univariable:
        lines += ["", "Univariable Cox (Efron ties, Wald CI):"]
        lines += [_term_line(t) for t in report.univariable]
    if report.cox is not None and report.cox.terms:
        lines += ["", f"Multivariable Cox (n {report.cox.n}, events {report.cox.events}):"]
        lines += [_term_line(t) for t in report.cox.terms]
    if report.firth is not None and report.firth.terms:
        lines += ["", "Firth-penalized Cox (profile-likelihood CI):"]
        lines += [_term_line(t) for t in report.firth.terms]
    lines += exposure_lines(report.lesion_timing)
    lines += table_one_lines(report.table_one)
    lines += mancova_lines(report.mancova)
    if relapses is not None:
        lines += render_relapses(relapses)
    if report.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in report.warnings]
    lines += [
        "",
        "Labels name columns and levels as the page does; the JSON output (--format json) "
        "keeps the data file's column names and codes, which programs read.",
    ]
    return "\n".join(lines)
