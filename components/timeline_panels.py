"""Words around the swimmer plot: its caption, and the patients behind a clicked KM step."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from analytics.timelines import ROLE_AT_RISK, KmStep, Timelines
from components.labels import column_label, level_label

# The patient-code list under the KM plot: a long at-risk list is summarised, not dumped.
MAX_LISTED = 60


def swimmer_caption(timelines: Timelines) -> html.Div:
    """What the plot shows, in words: the rows, the sort, and any patients left out."""
    grouped = (
        f"grouped by {column_label(timelines.group_by).lower()}, "
        if timelines.group_by is not None
        else ""
    )
    text = [
        f"{timelines.total} patient{'' if timelines.total == 1 else 's'} match the filters; "
        f"rows are {grouped}longest follow-up first."
    ]
    truncated = (
        f"Showing {len(timelines.rows)} of {timelines.total} patients: each group's longest "
        "follow-up, in proportion to its size (a timeline per patient is unreadable beyond a "
        "few hundred rows). Narrow the filters to see the others."
    )
    if not timelines.has_infusions:
        text.append(" No infusions file is loaded, so infusions are not drawn.")
    if not timelines.has_relapses:
        text.append(" No relapses file is loaded: only treatment failures are marked.")
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
            "Click a step or a censoring tick of a curve to list the patients behind it and "
            "highlight them in the Timelines tab.",
            className="form-text",
        )

    def codes(values: tuple[str, ...]) -> str:
        if not values:
            return "none"
        listed = ", ".join(values[:MAX_LISTED])
        more = len(values) - MAX_LISTED
        return listed + (f" … and {more} more" if more > 0 else "")

    return html.Div(
        [
            html.H3(
                f"{level_label(group_by, step.group)} · month {step.time_months:.1f}",
                className="h6 mb-1",
            ),
            html.Dl(
                [
                    html.Dt(f"Failed here ({len(step.failed)})"),
                    html.Dd(codes(step.failed), id="km-step-failed"),
                    html.Dt(f"Censored here ({len(step.censored)})"),
                    html.Dd(codes(step.censored), id="km-step-censored"),
                    html.Dt(f"At risk just before ({len(step.at_risk)})"),
                    html.Dd(codes(step.at_risk), id="km-step-at-risk"),
                ],
                className="mb-1 small",
            ),
            html.P(
                f"These patients are highlighted in the Timelines tab ({ROLE_AT_RISK}: full "
                "colour; failed or censored here: yellow band).",
                className="form-text mb-0",
            ),
        ],
        className="km-step border rounded p-2 mt-2",
    )
