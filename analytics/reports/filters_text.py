"""The view's filters in words, for the HTML report and the CLI's text: 'Sex: female; age
30–60 years; grace period 6 months' rather than the Filters field names and codes (the JSON
output keeps those: ``filters``)."""

from __future__ import annotations

from analytics.data.cohort import Filters
from analytics.data.labels import level_label
from i18n.language import N_, short, t


def _range(low: float | None, high: float | None, template: str) -> str | None:
    if low is None and high is None:
        return None
    shown = (
        f"{short(low)}\u2013{short(high)}"
        if low is not None and high is not None
        else (f"≥ {short(low)}" if low is not None else f"≤ {short(high or 0)}")
    )
    return t(template).format(range=shown)


def filters_text(filters: Filters, grace_applied: bool = True) -> str:
    """Each active filter labelled as the page labels it, '; '-separated; 'none' when no
    filter restricts the patients and the grace period does not apply."""
    parts = [
        None if filters.sex is None else level_label("sex", filters.sex),
        _range(filters.age_min, filters.age_max, N_("age {range} years")),
        _range(filters.edss_min, filters.edss_max, N_("EDSS {range}")),
        None
        if filters.lesions is None
        else level_label("asymptomatic_lesions", str(filters.lesions)),
        None
        if filters.gd_persistent is None
        else level_label("gd_persistent", str(filters.gd_persistent)),
        None if filters.fcgr3a is None else level_label("fcgr3a_v158f", filters.fcgr3a),
        t("grace period {months} months").format(months=short(filters.grace_months))
        if grace_applied
        else None,
    ]
    shown = [part for part in parts if part]
    return "; ".join(shown) if shown else t("none")
