"""Words around the swimmer plot: its caption, and the patients behind a clicked KM step."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from analytics.stats.timelines import KmStep, Timelines
from components.text.labels import column_label, level_label
from i18n.language import number, t

# The patient-code list under the KM plot: a long at-risk list is summarised, not dumped.
MAX_LISTED = 60


def swimmer_caption(timelines: Timelines) -> html.Div:
    """What the plot shows, in words: the rows, the sort, and any patients left out."""
    matched = (
        t("1 patient matches the filters;")
        if timelines.total == 1
        else t("{n} patients match the filters;").format(n=timelines.total)
    )
    order = (
        t("rows are grouped by {column}, longest follow-up first.").format(
            column=column_label(timelines.group_by).lower()
        )
        if timelines.group_by is not None
        else t("rows are longest follow-up first.")
    )
    text = [f"{matched} {order}"]
    truncated = t(
        "Showing {shown} of {total} patients: each group's longest follow-up, in proportion "
        "to its size (a timeline per patient is unreadable beyond a few hundred rows). Narrow "
        "the filters to see the others."
    ).format(shown=len(timelines.rows), total=timelines.total)
    if not timelines.has_infusions:
        text.append(" " + t("No infusions file is loaded, so infusions are not drawn."))
    if not timelines.has_relapses:
        text.append(" " + t("No relapses file is loaded: only treatment failures are marked."))
    return html.Div(
        [
            dbc.Alert(truncated, color="warning", className="py-2 mb-2")
            if timelines.truncated
            else None,
            html.P("".join(text), className="form-text mb-0"),
        ]
    )


def km_step_panel(step: KmStep | None, group_by: str | None = None) -> html.Div | html.P:
    """The patients behind a clicked Kaplan–Meier step (pseudonymous codes only)."""
    if step is None:
        return html.P(
            t(
                "Click a step or a censoring tick of a curve to list the patients behind it and "
                "highlight them in the Timelines tab."
            ),
            className="form-text",
        )

    def codes(values: tuple[str, ...]) -> str:
        if not values:
            return t("none")
        listed = ", ".join(values[:MAX_LISTED])
        more = len(values) - MAX_LISTED
        return listed + (" " + t("… and {n} more").format(n=more) if more > 0 else "")

    return html.Div(
        [
            html.H3(
                f"{level_label(group_by, step.group)} · "
                + t("month {month}").format(month=number(step.time_months)),
                className="h6 mb-1",
            ),
            html.Dl(
                [
                    html.Dt(t("Failed here ({n})").format(n=len(step.failed))),
                    html.Dd(codes(step.failed), id="km-step-failed"),
                    html.Dt(t("Censored here ({n})").format(n=len(step.censored))),
                    html.Dd(codes(step.censored), id="km-step-censored"),
                    html.Dt(t("At risk just before ({n})").format(n=len(step.at_risk))),
                    html.Dd(codes(step.at_risk), id="km-step-at-risk"),
                ],
                className="mb-1 small",
            ),
            html.P(
                t(
                    "These patients are highlighted in the Timelines tab (at risk: full "
                    "colour; failed or censored here: yellow band)."
                ),
                className="form-text mb-0",
            ),
        ],
        className="km-step border rounded p-2 mt-2",
    )
