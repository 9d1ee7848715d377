"""One problem of an input file, in the page's language: where it is, then the rule broken."""

from __future__ import annotations

from analytics.data.schema import Problem
from i18n.language import t, translate_message


def problem_text(problem: Problem) -> str:
    """'patients.csv, row 3, column age_at_rtx, value "150": must be between 0 and 120'."""
    parts = [translate_message(problem.file)]
    if problem.row is not None:
        parts.append(t("row {n}").format(n=problem.row))
    if problem.column is not None:
        parts.append(t("column {name}").format(name=problem.column))
    if problem.value is not None:
        parts.append(t('value "{value}"').format(value=problem.value))
    return f"{', '.join(parts)}: {translate_message(problem.rule)}"
