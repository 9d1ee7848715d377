"""Table 1 and MANCOVA as header + rows of text: the page's panels, the HTML report and the
CLI's ``--format text`` all render these, so they show the same numbers with the same rounding."""

from __future__ import annotations

from analytics.data.labels import column_label, level_label, level_name, measured_label
from analytics.reports.display import format_number, format_p
from analytics.stats.table_one import GroupSummary, MancovaResult, TableOne, TableOneRow
from i18n.language import integer, number, percent, short, t, translate_message

Cells = list[list[object]]


def _level(variable: str, level: str) -> str:
    # A cell starts with its level: "No: 20 (48%)", "Female: 31 (57%)"; an extra column's
    # codes stay as they are in the data.
    name = level_name(variable, level)
    return name if name == level else name[:1].upper() + name[1:]


def _cell(row: TableOneRow, group: GroupSummary) -> str:
    if row.kind == "numeric":
        if group.median is None:
            return "—"
        return f"{number(group.median)} ({number(group.q1)}–{number(group.q3)})"
    return (
        "; ".join(
            f"{_level(row.variable, lv.level)}: {lv.count} ({percent(lv.percent / 100, 0)})"
            for lv in group.levels
        )
        or "—"
    )


def table_one_cells(table: TableOne) -> tuple[list[str], Cells]:
    """Variable, one column per group, overall, p and the test used."""
    header = [
        t("Variable"),
        *[
            f"{level_label(table.by, g)} (n={integer(n)})"
            for g, n in zip(table.group_labels, table.group_sizes, strict=True)
        ],
        t("Overall"),
        "p",
        t("Test"),
    ]
    rows: Cells = []
    for row in table.rows:
        missing = sum(g.missing for g in row.groups)
        name = measured_label(row.variable) + (
            " " + t("({n} missing)").format(n=missing) if missing else ""
        )
        rows.append(
            [
                name,
                *[_cell(row, g) for g in row.groups],
                _cell(row, row.overall),
                format_p(row.p) if row.p is not None else "—",
                translate_message(row.test) if row.test else "—",
            ]
        )
    return header, rows


def mancova_cells(result: MancovaResult) -> tuple[list[str], Cells, str]:
    """Per term: Wilks' lambda, Pillai's trace, F, df, p, partial eta squared; the caption
    names the design."""
    header = [t("Term"), t("Wilks' λ"), t("Pillai's trace"), "F", t("df"), "p", t("Partial η²")]
    rows: Cells = [
        [
            column_label(term.term),
            number(term.wilks_lambda, 3),
            number(term.pillai_trace, 3),
            number(term.f, 2),
            f"{short(term.num_df)}; {short(term.den_df)}",
            format_p(term.p),
            format_number(term.partial_eta_sq, 3),
        ]
        for term in result.terms
    ]
    dropped = (
        " " + t("({n} dropped for missing values).").format(n=result.n_dropped)
        if result.n_dropped
        else "."
    )
    caption = (
        t(
            "Dependent variables: {dependent}; factor {factor}; covariates {covariates}; n = {n}"
        ).format(
            dependent=", ".join(column_label(c) for c in result.dependent),
            factor=column_label(result.factor),
            covariates=", ".join(column_label(c) for c in result.covariates) or t("none"),
            n=result.n_used,
        )
        + dropped
    )
    return header, rows, caption
