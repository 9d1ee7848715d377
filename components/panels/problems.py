"""Problems of an input file, in the page's language: a summary per column, then each cell."""

from __future__ import annotations

from dash import html

from analytics.data.problem_summary import ProblemGroup, summarise
from analytics.data.schema import Problem
from i18n.language import integer, ngettext, t, translate_message


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


def group_text(group: ProblemGroup) -> str:
    """'patients.csv, column followup_months: 80 cells are dates (rows 2, 3, 4, 5, 6, …)';
    a problem of its own kind is shown whole (row, value, rule)."""
    if group.count == 1 and not group.dates:
        return problem_text(group.first)
    where = translate_message(group.file)
    if group.column is not None:
        where += ", " + t("column {name}").format(name=group.column)
    if group.dates:
        what = ngettext(
            "{n} cell is a date — give months since the first infusion (a first-infusion "
            "date column lets the mapping step derive them)",
            "{n} cells are dates — give months since the first infusion (a first-infusion "
            "date column lets the mapping step derive them)",
            group.count,
        ).format(n=integer(group.count))
    elif group.count > 1:
        what = ngettext("{n} cell: {rule}", "{n} cells: {rule}", group.count).format(
            n=integer(group.count), rule=translate_message(group.rule)
        )
    else:
        what = translate_message(group.rule)
    if group.rows and group.count > 1:
        shown = ", ".join(str(row) for row in group.shown_rows)
        more = ", …" if len(group.rows) > len(group.shown_rows) else ""
        what += " " + t("(rows {rows})").format(rows=shown + more)
    elif group.rows:
        what += " " + t("(row {n})").format(n=group.rows[0])
    return f"{where}: {what}"


def problems_summary(problems: list[Problem], detail_limit: int = 200) -> list[html.Div]:
    """The per-column summary, then every problem in a collapsed list."""
    groups = summarise(problems)
    detail = [html.Li(problem_text(p)) for p in problems[:detail_limit]]
    if len(problems) > detail_limit:
        detail.append(html.Li(t("… and {n} more").format(n=len(problems) - detail_limit)))
    return [
        html.Ul([html.Li(group_text(g)) for g in groups], className="mb-1", id="problem-summary"),
        html.Details(
            [
                html.Summary(
                    t("Every problem, cell by cell ({n})").format(n=integer(len(problems)))
                ),
                html.Ul(detail, className="mb-0 small"),
            ],
            id="problem-detail",
        ),
    ]
