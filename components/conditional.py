"""Conditional survival calculator read-out: a table per group and one plain sentence each.

Pure rendering of :class:`analytics.conditional.ConditionalSurvivalTable`; no statistics here.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html

from analytics.conditional import ConditionalSurvival, ConditionalSurvivalTable
from components.labels import level_label


def _months(value: float) -> str:
    return f"{value:g} month" + ("" if value == 1 else "s")


def _group_name(group_by: str | None, label: str) -> str:
    return "All patients" if group_by is None else level_label(group_by, label)


def _interval(entry: ConditionalSurvival) -> str:
    # With no failure in the window the log-log interval is [1, 1] (as R's): a "100–100%"
    # interval would read as certainty, so say why there is none instead.
    if entry.events == 0:
        return "no failures in this window, so no confidence interval"
    if entry.ci_low is None or entry.ci_high is None or entry.ci_low != entry.ci_low:
        return "95% CI n/a"
    return f"95% CI {entry.ci_low * 100:.0f}–{entry.ci_high:.0%}"


def sentence(entry: ConditionalSurvival, group_by: str | None) -> str:
    """One sentence in clinical language, or why the group has no estimate."""
    prefix = "" if group_by is None else f"{_group_name(group_by, entry.label)} — "
    if entry.estimate is None:
        return f"{prefix}not estimable: {entry.reason or 'no patients'}"
    target = entry.given_months + entry.horizon_months
    who = "Of patients" if group_by is None else "of patients"
    return (
        f"{prefix}{who} failure-free at {_months(entry.given_months)} on rituximab, an "
        f"estimated {entry.estimate:.0%} ({_interval(entry)}) remain failure-free at "
        f"{_months(target)}."
    )


def conditional_panel(table: ConditionalSurvivalTable) -> html.Div:
    """The per-group table (estimate, CI, at risk at X) and the sentences below it."""
    x, y = table.given_months, table.horizon_months
    rows = []
    for entry in table.groups:
        if entry.estimate is None:
            shown: object = html.Span(entry.reason or "not estimable", className="small")
        else:
            shown = f"{entry.estimate:.0%} ({_interval(entry)})"
        rows.append(
            html.Tr(
                [
                    html.Th(_group_name(table.group_by, entry.label), scope="row"),
                    html.Td(entry.n),
                    html.Td(entry.at_risk),
                    html.Td(entry.events),
                    html.Td(shown),
                ]
            )
        )
    header = [
        "Group",
        "Patients",
        f"Failure-free and followed at {x:g} months",
        f"Failures in months {x:g}–{x + y:g}",
        f"Failure-free at {x + y:g} months, given failure-free at {x:g} (95% CI)",
    ]
    notes = [n for entry in table.groups for n in entry.notes] + list(table.notes)
    return html.Div(
        [
            dbc.Table(
                [
                    html.Caption(
                        "Conditional survival S(X + Y) / S(X) from the Kaplan–Meier curve, "
                        "Greenwood variance, log-log 95% CI (R survfit start.time = X)."
                    ),
                    html.Thead(html.Tr([html.Th(h, scope="col") for h in header])),
                    html.Tbody(rows),
                ],
                size="sm",
                striped=True,
                responsive=True,
                className="caption-top mb-2",
            ),
            html.Ul(
                [html.Li(sentence(entry, table.group_by)) for entry in table.groups],
                className="conditional-sentences mb-2",
            ),
            _notes(notes),
        ]
    )


def _notes(messages: Sequence[str]) -> object:
    if not messages:
        return html.Div()
    return dbc.Alert(
        html.Ul([html.Li(m) for m in dict.fromkeys(messages)], className="mb-0"),
        color="warning",
        className="small",
    )


def input_problem(messages: Sequence[str]) -> dbc.Alert:
    """What is wrong with the two inputs, in words (shown instead of the table)."""
    return dbc.Alert(
        html.Ul([html.Li(m) for m in messages], className="mb-0"),
        color="danger",
        className="small",
    )
