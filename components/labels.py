"""Clinician-facing names for contract columns and their coded levels."""

from __future__ import annotations

from analytics.language import N_, t

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


def markup_free(text: str) -> str:
    """Data-derived text made literal for a plotly figure. Plotly renders a subset of HTML in
    trace names, hover text, tick labels and titles: a group value ``<a href=...>`` would be
    a live link in the page and in the exported report. Its entities show as the characters.
    Our own markup (``<b>``, ``<br>``) is added around the escaped text, never inside it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def figure_column_label(column: str | None) -> str:
    """``column_label`` for a figure (a column name can be anything a file's header says)."""
    return markup_free(column_label(column))


def figure_level_label(column: str | None, level: str) -> str:
    """``level_label`` for a figure: legends, hovers and axis labels of every figure builder."""
    return markup_free(level_label(column, level))


def level_label(column: str | None, level: str) -> str:
    """'Asymptomatic lesions: yes' for a 0/1 column, 'Sex: female' for sex, else 'col: level'."""
    if column is None:
        return t("All patients") if level == "All" else level
    if column in _BINARY and level in ("0", "1"):
        return f"{column_label(column)}: {t('yes') if level == '1' else t('no')}"
    shown = _LEVELS.get(column, {}).get(level)
    return f"{column_label(column)}: {level if shown is None else t(shown)}"
