"""Text alternatives of the plots: one sentence or two with the numbers a plot shows.

A screen reader cannot read a plotly SVG, so each graph gets a caption (app.layout.figure_box)
naming what is drawn and its key numbers. The numbers are those of the tables beside the
plots, written by the same functions (analytics.reports.display), so caption, table, HTML
report and CLI round alike; the captions follow every change of the view because the callback
that draws a plot writes its caption.
"""

from __future__ import annotations

from collections.abc import Sequence

from analytics.reports.report import Report
from analytics.reports.sections import CoreSection
from analytics.stats.cox.models import HazardTerm
from analytics.stats.cox.results import term_label
from analytics.stats.rates import Proportion
from analytics.stats.recurrent.mcf import MeanCumulativeFunction
from analytics.stats.subgroups import SubgroupRate
from components.text.format import ci_label, format_ci, format_hr, format_p, format_survival
from components.text.labels import column_label, level_label
from i18n.language import number, percent, short, t


def km_caption(core: CoreSection | Report) -> str:
    """'Kaplan–Meier curves of time to treatment failure by …: failure-free at 12 months:
    …; … Log-rank …' (the KM summary table's numbers)."""
    if core.n == 0 or not core.km:
        return t("Kaplan–Meier plot: no patients match these filters.")
    if core.group_by is None:
        parts = [t("Kaplan–Meier curve of time to treatment failure, all patients.")]
    else:
        parts = [
            t("Kaplan–Meier curves of time to treatment failure by {grouping}.").format(
                grouping=column_label(core.group_by)
            )
        ]
    times = [s.time for s in next(iter(core.survival_at.values()))]
    for i, months in enumerate(times):
        # A time nobody is followed to shows "—" in the table: nothing to read out.
        values = [
            f"{level_label(core.group_by, label)} "
            + format_survival(at[i].survival, at[i].ci_low, at[i].ci_high)
            for label, at in core.survival_at.items()
            if at[i].at_risk > 0
        ]
        if values:
            parts.append(
                t("Failure-free at {months} months: {values}.").format(
                    months=short(months), values="; ".join(values)
                )
            )
    if core.logrank is not None:
        parts.append(
            t("Log-rank χ² = {chisq} on {df} df, {p}.").format(
                chisq=number(core.logrank.chisq, 2), df=core.logrank.df, p=format_p(core.logrank.p)
            )
        )
    return " ".join(parts)


def forest_caption(sections: Sequence[tuple[str, Sequence[HazardTerm]]]) -> str:
    """'Forest plot of hazard ratios of treatment failure (95% CI), log scale. Univariable:
    … 2.10 (1.02–4.33), p = 0.04; …' (the models table's numbers); ``sections`` as drawn."""
    if not any(terms for _, terms in sections):
        return t(
            "No hazard ratio to show: choose a grouping or covariates with at least one failure."
        )
    parts = [
        t("Forest plot of hazard ratios of treatment failure ({ci}), log scale.").format(
            ci=ci_label()
        )
    ]
    for english, terms in sections:
        if terms:
            values = "; ".join(
                f"{term_label(term)} {format_hr(term.hr, term.ci_low, term.ci_high)}, "
                f"{format_p(term.p)}"
                for term in terms
            )
            parts.append(f"{t(english)}: {values}.")
    return " ".join(parts)


def rates_caption(overall: Proportion, rates: Sequence[SubgroupRate]) -> str:
    """'Failure proportion by subgroup: all patients 33.3% (95% CI …); …' (the table's)."""
    values = [t("all patients {value}").format(value=_proportion(overall))]
    for rate in rates:
        values.append(f"{level_label(rate.variable, rate.level)} {_proportion(rate.proportion)}")
    return t("Failure proportion by subgroup, exact {ci}: {values}.").format(
        ci=ci_label(), values="; ".join(values)
    )


def _proportion(proportion: Proportion) -> str:
    """As the rates table writes it (n/a for an empty subgroup)."""
    if proportion.n == 0:
        return t("n/a")
    limits = format_ci(proportion.ci_low, proportion.ci_high, percent=True)
    return f"{percent(proportion.estimate)} {limits}"


def mcf_caption(mcf: MeanCumulativeFunction) -> str:
    """'Mean cumulative number of relapses per patient on rituximab by …: … 0.42 by 60 months
    (30 patients, 14 relapses); …' (each curve's last step)."""
    if mcf.group_by is None:
        parts = [t("Mean cumulative number of relapses per patient on rituximab, all patients.")]
    else:
        parts = [
            t("Mean cumulative number of relapses per patient on rituximab by {grouping}.").format(
                grouping=column_label(mcf.group_by)
            )
        ]
    values = [
        t("{group}: {mean} by {months} months ({n} patients, {events} relapses)").format(
            group=level_label(mcf.group_by, curve.label),
            mean=number(curve.mcf[-1], 2),
            months=number(curve.timeline[-1], 1),
            n=curve.n,
            events=curve.events,
        )
        for curve in mcf.curves
    ]
    return " ".join([*parts, "; ".join(values) + "."])
