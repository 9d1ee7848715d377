"""The conditional-survival sentence, in the page's language: one wording and one rounding for
the Survival tab (components.panels.conditional) and the CLI's ``--format text``.
"""

from __future__ import annotations

from analytics.reports.display import NO_FAILURES_NO_CI
from analytics.stats.conditional import ConditionalSurvival
from analytics.stats.levels import ci_label
from i18n.language import number, percent, short, t, translate_message


def months_text(value: float) -> str:
    return (t("{n} month") if value == 1 else t("{n} months")).format(n=short(value))


def interval_text(entry: ConditionalSurvival) -> str:
    """'95% CI 71–93%' at the entry's own level (whole percentages, as the estimate)."""
    # With no failure in the window the log-log interval is [1, 1] (as R's): a "100–100%"
    # interval would read as certainty, so say why there is none instead -- in the words
    # the Kaplan–Meier table uses for the same case (analytics.reports.display).
    if entry.events == 0:
        return t(NO_FAILURES_NO_CI)
    label = ci_label(entry.conf_level)
    if entry.ci_low is None or entry.ci_high is None or entry.ci_low != entry.ci_low:
        return f"{label} {t('n/a')}"
    return f"{label} {number(entry.ci_low * 100, 0)}–{percent(entry.ci_high, 0)}"


def conditional_sentence(entry: ConditionalSurvival, group_name: str | None) -> str:
    """One sentence in clinical language, or why the group has no estimate; ``group_name``
    (None when ungrouped) starts it, e.g. 'Sex: female — of patients ...'."""
    prefix = "" if group_name is None else f"{group_name} — "
    if entry.estimate is None:
        reason = translate_message(entry.reason) if entry.reason else t("no patients")
        return prefix + t("not estimable: {reason}").format(reason=reason)
    target = entry.given_months + entry.horizon_months
    text = t(
        "Of patients failure-free at {given} on rituximab, an estimated {estimate} "
        "({interval}) remain failure-free at {target}."
    ).format(
        given=months_text(entry.given_months),
        estimate=percent(entry.estimate, 0),
        interval=interval_text(entry),
        target=months_text(target),
    )
    # After "Group — " the sentence goes on in lower case.
    return prefix + (text if group_name is None else text[:1].lower() + text[1:])
