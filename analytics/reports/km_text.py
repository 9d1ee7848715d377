"""The Survival tab's summary table as header + rows of text: the page's panel and the HTML
report render it, so both show the same medians and failure-free percentages, rounded alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analytics.data.labels import level_label
from analytics.reports.display import (
    NOT_REACHED_LEGEND,
    ci_label,
    format_median,
    format_p,
    format_survival,
    not_reached,
)
from analytics.stats.levels import level_percent
from i18n.language import number, short, t

if TYPE_CHECKING:
    from analytics.reports.report import Report

Cells = list[list[object]]


def km_summary_cells(report: Report) -> tuple[list[str], Cells, str]:
    """Per curve: n, failures, median with its CI and failure-free survival at the report's
    times (1, 2 and 5 years); the caption names the method, explains 'NR' and the log-rank."""
    horizons = [s.time for s in next(iter(report.survival_at.values()), [])]
    header = [t("Group"), "n", t("Failures"), t("Median (months, {ci})").format(ci=ci_label())]
    header += [t("Failure-free at {months} mo").format(months=short(h)) for h in horizons]
    rows: Cells = []
    for label, km in report.km.items():
        median = format_median(km.median, km.median_ci_low, km.median_ci_high)
        at = [
            format_survival(s.survival, s.ci_low, s.ci_high) if s.at_risk > 0 else "—"
            for s in report.survival_at.get(label, [])
        ]
        rows.append([level_label(report.group_by, label), km.n, km.events, median, *at])
    caption = t(
        "Kaplan–Meier, Greenwood variance, log-log {level}% CI (R survfit conf.type = “log-log”)."
    ).format(level=level_percent(report.conf_level))
    if any(not_reached(km) for km in report.km.values()):
        caption += " " + t(NOT_REACHED_LEGEND)
    if report.logrank is not None:
        lr = report.logrank
        caption += " " + t("Log-rank χ² = {chisq} on {df} df, {p}.").format(
            chisq=number(lr.chisq, 2), df=lr.df, p=format_p(lr.p)
        )
    return header, rows, caption
