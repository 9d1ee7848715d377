"""Clinician-facing names for contract columns and their coded levels."""

from __future__ import annotations

COLUMN_LABELS = {
    "asymptomatic_lesions": "Asymptomatic lesions",
    "gd_persistent": "Persistent Gd enhancement",
    "sex": "Sex",
    "fcgr3a_v158f": "FCGR3A-V158F",
    "age_at_rtx": "Age at rituximab",
    "edss_baseline": "Baseline EDSS",
    "failure": "Treatment failure",
}
_BINARY = {"asymptomatic_lesions", "gd_persistent", "failure"}
_LEVELS = {"sex": {"F": "female", "M": "male"}}


def column_label(column: str | None) -> str:
    if column is None:
        return "All patients"
    return COLUMN_LABELS.get(column, column)


def level_label(column: str | None, level: str) -> str:
    """'Asymptomatic lesions: yes' for a 0/1 column, 'Sex: female' for sex, else 'col: level'."""
    if column is None:
        return "All patients" if level == "All" else level
    if column in _BINARY and level in ("0", "1"):
        return f"{column_label(column)}: {'yes' if level == '1' else 'no'}"
    shown = _LEVELS.get(column, {}).get(level, level)
    return f"{column_label(column)}: {shown}"
