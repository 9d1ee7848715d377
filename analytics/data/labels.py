"""Clinician-facing names for contract columns and their coded levels (the page, the HTML
report and the CLI's text name columns alike).

Two forms of each name: ``column_label`` / ``level_label`` give the text in the current
language, for text built as it is shown; ``column_message`` / ``level_message`` give a
:class:`~i18n.message.Message` for a warning or note that ``analytics`` writes once and the page
renders later in its language (its own text is the English label). A column the contract does
not know (an uploaded extra column) has no label: its name is shown as it is in the file.
"""

from __future__ import annotations

from i18n.language import N_, t
from i18n.message import Message

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
    # Derived by analytics.data.cohort (outcome with the grace period) and the relapse rates:
    # the MANCOVA's default dependent variables and Table 1's rows name them.
    "time_months": N_("Time to failure or censoring (months)"),
    "failure_months": N_("Months to treatment failure"),
    "post_rtx_arr": N_("Annualized relapse rate on rituximab"),
}
_BINARY = {"asymptomatic_lesions", "gd_persistent", "failure"}
_LEVELS = {"sex": {"F": N_("female"), "M": N_("male")}}
_YES, _NO = N_("yes"), N_("no")


def column_label(column: str | None) -> str:
    if column is None:
        return t("All patients")
    label = COLUMN_LABELS.get(column)
    return column if label is None else t(label)


def measured_label(column: str) -> str:
    """``column_label`` with the unit of a measured column whose label lacks it (Table 1's
    rows: 'Age at rituximab (years)'); the labels of the others already say it or need none."""
    if column == "age_at_rtx":
        return t("Age at rituximab (years)")
    return column_label(column)


def zph_term_label(term: str) -> str:
    """A row of R's ``cox.zph`` table: a column (all its levels) or the global test."""
    return t("all terms (global test)") if term == "GLOBAL" else column_label(term)


def _level_id(column: str | None, level: str) -> str | None:
    """The catalog id naming ``level`` of ``column`` ('yes', 'female'), None without one."""
    if column in _BINARY and level in ("0", "1"):
        return _YES if level == "1" else _NO
    return _LEVELS.get(column or "", {}).get(level)


def level_name(column: str | None, level: str) -> str:
    """A level on its own, as a table cell or a comparison names it: 'yes', 'female'; a
    level without a label (a code of an extra column) as it is in the data."""
    english = _level_id(column, level)
    return level if english is None else t(english)


def level_label(column: str | None, level: str) -> str:
    """'Asymptomatic lesions: yes' for a 0/1 column, 'Sex: female' for sex, else 'col: level'."""
    if column is None:
        return t("All patients") if level == "All" else level
    return f"{column_label(column)}: {level_name(column, level)}"


def column_message(column: str) -> str:
    """``column_label`` for a message: the label, translated when the message is shown; a
    column without a label stays its name (a plain ``str`` parameter is never translated)."""
    label = COLUMN_LABELS.get(column)
    return column if label is None else Message(label)


def level_name_message(column: str, level: str) -> str:
    """``level_name`` for a message (see :func:`column_message`)."""
    english = _level_id(column, level)
    return level if english is None else Message(english)


def level_message(column: str, level: str) -> Message:
    """``level_label`` for a message: 'Asymptomatic lesions: no' in the page's language."""
    return Message(
        "{column}: {level}",
        column=column_message(column),
        level=level_name_message(column, level),
    )
