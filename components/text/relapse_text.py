"""What the relapse analyses' tables and sentences say, as plain text.

The Relapses tab (:mod:`components.panels.relapses`, Dash) and the exported report
(:mod:`components.export.html_report`, HTML) render these same tables, so the two show the same
numbers with the same rounding. No statistics here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from analytics.reports.relapse_report import ALL, GroupRelapses, RelapseReport
from analytics.reports.text import small_number
from analytics.stats.levels import current_conf_level, level_percent
from analytics.stats.rates import IncidenceRate
from analytics.stats.recurrent import AndersenGillTerm, RateRatioModel, RateRatioTerm
from components.text.format import ci_label, format_p
from components.text.labels import column_label, level_label
from i18n.language import N_, localize_digits, short, t, translate_message

THETA_SENTENCE = N_(
    "θ (theta) says how much relapse frequency differs between patients: a large θ means little "
    "between-patient variation (the negative binomial is then close to Poisson); a small θ "
    "means some patients relapse much more often than others, and the Poisson interval is "
    "too narrow."
)


@dataclass(frozen=True)
class RateCell:
    """An annualized relapse rate with its CI, and the counts it comes from (shown below it)."""

    rate: str
    counts: str


Cell = str | int | RateCell


@dataclass(frozen=True)
class TextTable:
    """A captioned table of text cells, rendered by the tab and by the exported report."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str


def group_name(group_by: str | None, label: str) -> str:
    return t("All patients") if label == ALL else level_label(group_by, label)


def number(value: float) -> str:
    """Two decimals, but two significant digits below 0.1 (0.0041, not 0.00), so a small
    rate or ratio never reads as zero; very large ratios (near-separation) as '> 1000'."""
    if math.isnan(value):
        return t("n/a")
    return localize_digits(small_number(value))


def with_ci(estimate: float, low: float, high: float) -> str:
    return f"{number(estimate)} ({number(low)}–{number(high)})"


def _rate(rate: IncidenceRate | None) -> Cell:
    if rate is None or rate.person_years <= 0:
        return "—"
    relapses = t("1 relapse") if rate.events == 1 else t("{n} relapses").format(n=rate.events)
    return RateCell(
        with_ci(rate.estimate, rate.ci_low, rate.ci_high),
        t("{relapses} / {years} patient-years").format(
            relapses=relapses, years=localize_digits(f"{rate.person_years:.1f}")
        ),
    )


def _ratio(term: RateRatioTerm | None) -> str:
    """Ratio with CI and p, or why there is none (separation gives NaN)."""
    if term is None:
        return "—"
    if not math.isfinite(term.rate_ratio):
        return t("not estimable")
    return f"{with_ci(term.rate_ratio, term.ci_low, term.ci_high)}, {format_p(term.p)}"


def _first_term(model: RateRatioModel | None) -> RateRatioTerm | None:
    return model.terms[0] if model is not None and model.terms else None


def _theta(model: RateRatioModel | None) -> str:
    if model is None or not model.terms:
        return "—"
    if model.theta is None:
        return t("∞ (no extra variation)")
    return localize_digits(f"{model.theta:.2f}")


def _rates_row(group_by: str | None, entry: GroupRelapses) -> tuple[Cell, ...]:
    pre = entry.rates.pooled_pre if entry.rates else None
    post = entry.rates.pooled_post if entry.rates else None
    return (
        group_name(group_by, entry.label),
        entry.n,
        _rate(pre),
        _rate(post),
        _ratio(_first_term(entry.after_vs_before_nb)),
        _ratio(_first_term(entry.after_vs_before_poisson)),
        _theta(entry.after_vs_before_nb),
    )


def rates_table(report: RelapseReport) -> TextTable:
    """Annualized relapse rates before and after rituximab, and their ratio, per group."""
    return TextTable(
        (
            t("Group"),
            t("Patients"),
            t("ARR before rituximab ({ci})").format(ci=ci_label()),
            t("ARR on rituximab ({ci})").format(ci=ci_label()),
            t("Rate ratio on ÷ before, negative binomial ({ci}), p").format(ci=ci_label()),
            t("Rate ratio, Poisson ({ci}), p").format(ci=ci_label()),
            "θ",
        ),
        tuple(_rates_row(report.group_by, g) for g in report.groups),
        t(
            "Annualized relapse rate (ARR, relapses per patient-year) in the {window} months "
            "before the first rituximab infusion and on rituximab (from month {grace}, after "
            "the grace period), exact Poisson {level}% CI (R poisson.test). Rate ratios: R glm.nb "
            "and glm(family = poisson)."
        ).format(
            window=short(report.pre_window_months),
            grace=short(report.grace_months),
            level=level_percent(report.conf_level),
        ),
    )


def regression_to_mean_caveat(report: RelapseReport) -> str:
    """Why the on ÷ before ratio overstates what rituximab itself did, in the clinic's words."""
    return t(
        "Reading the on ÷ before ratio: rituximab is usually started soon after a relapse or a "
        "run of relapses, and relapse rates tend to settle after such a period even without a "
        "change of treatment (regression to the mean). The rate in the {window} months before "
        "the first infusion can therefore be higher than a patient's usual rate, and part of "
        "the fall on rituximab may not be due to the drug. The ratio describes the course of "
        "these patients; it is not a treatment effect measured against an untreated "
        "comparison group."
    ).format(window=short(report.pre_window_months))


def counting_sentence(report: RelapseReport) -> str:
    """Which relapses the panel counts."""
    return t(
        "Every relapse counts here, not only the first after the grace period. Relapses in "
        "the first {grace} months after the first infusion are not counted after rituximab "
        "(grace period control)."
    ).format(grace=short(report.grace_months))


def mcf_method_sentence() -> str:
    return t(
        "Mean cumulative function (Nelson–Aalen), Lawless–Nadeau robust {level}% CI: unlike "
        "1 − Kaplan–Meier it keeps counting after a patient's first relapse."
    ).format(level=level_percent(current_conf_level()))


def group_notes(report: RelapseReport) -> list[str]:
    """Each group's notes, prefixed with the group's name as the tables show it."""
    return [
        f"{group_name(report.group_by, entry.label)} — {translate_message(note)}"
        for entry in report.groups
        for note in entry.notes
    ]


def _term_name(group_by: str | None, term: RateRatioTerm | AndersenGillTerm) -> str:
    if term.level is not None and term.reference is not None:
        return t("{level} vs {reference}").format(
            level=level_label(group_by, term.level), reference=level_label(group_by, term.reference)
        )
    return column_label(term.term)


def between_table(report: RelapseReport) -> TextTable | None:
    """Post-rituximab relapse rate ratio between the groups (NB headline, Poisson beside);
    None when there is no model to show."""
    nb, poisson = report.between_nb, report.between_poisson
    if nb is None or not nb.terms:
        return None
    by_term = {t.term: t for t in (poisson.terms if poisson is not None else ())}
    return TextTable(
        (
            t("Comparison"),
            t("Negative binomial ({ci}), p").format(ci=ci_label()),
            t("Poisson ({ci}), p").format(ci=ci_label()),
            "θ",
        ),
        tuple(
            (_term_name(report.group_by, t), _ratio(t), _ratio(by_term.get(t.term)), _theta(nb))
            for t in nb.terms
        ),
        t(
            "Rate ratio of relapses after rituximab between groups of {column}, one row per "
            "patient, offset log(patient-years) (R glm.nb, glm)."
        ).format(column=column_label(report.group_by)),
    )


def andersen_gill_tables(report: RelapseReport) -> tuple[TextTable, TextTable] | None:
    """Hazard ratio of every post-rituximab relapse with its robust CI, and the table of
    robust vs naive standard errors; None when there is no model to show."""
    ag = report.andersen_gill
    if ag is None or not ag.terms:
        return None
    rows, naive_rows = [], []
    for term in ag.terms:
        name = _term_name(report.group_by, term)
        estimable = math.isfinite(term.hr)
        rows.append(
            (
                name,
                with_ci(term.hr, term.ci_low, term.ci_high) if estimable else t("not estimable"),
                format_p(term.p) if estimable else "—",
                ag.n_patients,
                ag.events,
            )
        )
        naive_rows.append(
            (
                name,
                localize_digits(f"{term.coef:.3f}"),
                localize_digits(f"{term.se:.3f}"),
                localize_digits(f"{term.naive_se:.3f}"),
            )
        )
    robust = TextTable(
        (
            t("Comparison"),
            t("HR (robust {ci})").format(ci=ci_label()),
            t("p (robust)"),
            t("Patients"),
            t("Relapses"),
        ),
        tuple(rows),
        t(
            "Andersen–Gill Cox model of every relapse after the grace period; a patient stays "
            "at risk after a relapse; standard errors clustered by patient (R coxph + "
            "cluster(id), Efron ties)."
        ),
    )
    naive = TextTable(
        (t("Comparison"), t("log HR"), t("Robust SE"), t("Naive SE")),
        tuple(naive_rows),
        t("Standard errors of the log hazard ratio."),
    )
    return robust, naive
