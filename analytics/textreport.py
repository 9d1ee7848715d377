"""Plain-text rendering of a :class:`~analytics.report.Report` for the CLI's ``--format text``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analytics.hazards import HazardTerm
    from analytics.report import Report


def _num(value: float | None, digits: int = 2) -> str:
    return "not reached" if value is None else f"{value:.{digits}f}"


def _p(value: float | None) -> str:
    if value is None:
        return "p = n/a"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def _term_line(term: HazardTerm) -> str:
    ref = f" (vs {term.reference})" if term.reference else ""
    return (
        f"  {term.term}{ref}: HR {term.hr:.2f} "
        f"(95% CI {term.ci_low:.2f}-{term.ci_high:.2f}), {_p(term.p)}"
    )


def render_text(report: Report) -> str:
    """A readable summary: counts, rates, KM medians, log-rank, Cox terms and warnings."""
    synthetic = " [SYNTHETIC DEMO DATA]" if report.synthetic else ""
    fr, inc = report.failure_rate, report.incidence
    lines = [
        f"Cohort: {report.cohort_label}{synthetic}",
        f"Filters: {report.filters.active()}",
        f"Patients: {report.n}; treatment failures: {report.events}; "
        f"person-years: {report.person_years:.1f}",
        f"Failure proportion: {fr.estimate:.1%} (95% CI {fr.ci_low:.1%}-{fr.ci_high:.1%}, "
        "Clopper-Pearson)"
        if report.n
        else "Failure proportion: no patients",
        f"Incidence: {_num(inc.estimate)} per 100 person-years "
        f"(95% CI {_num(inc.ci_low)}-{_num(inc.ci_high)}, exact Poisson)",
        "",
        "Kaplan-Meier (time to treatment failure, months):",
    ]
    for label, km in report.km.items():
        lines.append(
            f"  {label}: n {km.n}, failures {km.events}, median {_num(km.median, 1)} "
            f"(95% CI {_num(km.median_ci_low, 1)}-{_num(km.median_ci_high, 1)})"
        )
    if report.logrank is not None:
        lr = report.logrank
        lines.append(f"  Log-rank: chi-square {lr.chisq:.2f} on {lr.df} df, {_p(lr.p)}")
    if report.univariable:
        lines += ["", "Univariable Cox (Efron ties, Wald CI):"]
        lines += [_term_line(t) for t in report.univariable]
    if report.cox is not None and report.cox.terms:
        lines += ["", f"Multivariable Cox (n {report.cox.n}, events {report.cox.events}):"]
        lines += [_term_line(t) for t in report.cox.terms]
    if report.firth is not None and report.firth.terms:
        lines += ["", "Firth-penalized Cox (profile-likelihood CI):"]
        lines += [_term_line(t) for t in report.firth.terms]
    if report.warnings:
        lines += ["", "Warnings:"] + [f"  - {w}" for w in report.warnings]
    return "\n".join(lines)
