"""Clinician-facing names for contract columns and their coded levels (the page, the HTML
report and the CLI's text name columns alike)."""

from __future__ import annotations

from i18n.language import N_, t

COLUMN_LABELS = {
    "asymptomatic_lesions": N_("Asymptomatic lesions"),
    "asymptomatic_lesion_months": N_("Months to first asymptomatic lesion"),
    "followup_months": N_("Follow-up (months)"),
    "gd_persistent": N_("Persistent Gd enhancement"),
    "sex": N_("Sex"),
    "fcgr3a_v158f": N_("FCGR3A-V158F"),
    "age_at_rtx": N_("Age at rituximab"),
    "edss_baseline": N_("Baseline EDSS"),
    "failure": N_("Treatment failure"),
}
_BINARY = {"asymptomatic_lesions", "gd_persistent", "failure"}
_LEVELS = {"sex": {"F": N_("female"), "M": N_("male")}}


def column_label(column: str | None) -> str:
    if column is None:
        return t("All patients")
    label = COLUMN_LABELS.get(column)
    return column if label is None else t(label)


def level_label(column: str | None, level: str) -> str:
    """'Asymptomatic lesions: yes' for a 0/1 column, 'Sex: female' for sex, else 'col: level'."""
    if column is None:
        return t("All patients") if level == "All" else level
    if column in _BINARY and level in ("0", "1"):
        return f"{column_label(column)}: {t('yes') if level == '1' else t('no')}"
    shown = _LEVELS.get(column, {}).get(level)
    return f"{column_label(column)}: {level if shown is None else t(shown)}"
