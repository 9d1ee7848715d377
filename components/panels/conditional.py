"""Conditional survival calculator read-out: a table per group and one plain sentence each.

Pure rendering of :class:`analytics.stats.conditional.ConditionalSurvivalTable`; no statistics here.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html

from analytics.reports.conditional_text import conditional_sentence
from analytics.reports.conditional_text import interval_text as _interval
from analytics.stats.conditional import ConditionalSurvival, ConditionalSurvivalTable
from analytics.stats.levels import ci_label, level_percent
from components.text.labels import level_label
from i18n.language import percent, short, t, translate_message


def _group_name(group_by: str | None, label: str) -> str:
    return t("All patients") if group_by is None else level_label(group_by, label)


def sentence(entry: ConditionalSurvival, group_by: str | None) -> str:
    """One sentence in clinical language, or why the group has no estimate."""
    name = None if group_by is None else _group_name(group_by, entry.label)
    return conditional_sentence(entry, name)


def conditional_panel(table: ConditionalSurvivalTable) -> html.Div:
    """The per-group table (estimate, CI, at risk at X) and the sentences below it."""
    x, y = table.given_months, table.horizon_months
    rows = []
    for entry in table.groups:
        if entry.estimate is None:
            reason = translate_message(entry.reason) if entry.reason else t("not estimable")
            shown: object = html.Span(reason, className="small")
        else:
            shown = f"{percent(entry.estimate, 0)} ({_interval(entry)})"
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
        t("Group"),
        t("Patients"),
        t("Failure-free and followed at {x} months").format(x=short(x)),
        t("Failures in months {x}–{end}").format(x=short(x), end=short(x + y)),
        t("Failure-free at {end} months, given failure-free at {x} ({ci})").format(
            end=short(x + y), x=short(x), ci=ci_label(_level(table))
        ),
    ]
    notes = [n for entry in table.groups for n in entry.notes] + list(table.notes)
    return html.Div(
        [
            dbc.Table(
                [
                    html.Caption(
                        t(
                            "Conditional survival S(X + Y) / S(X) from the Kaplan–Meier curve, "
                            "Greenwood variance, log-log {level}% CI (R survfit start.time = X)."
                        ).format(level=level_percent(_level(table)))
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


def _level(table: ConditionalSurvivalTable) -> float:
    return table.groups[0].conf_level if table.groups else 0.95


def _notes(messages: Sequence[str]) -> object:
    if not messages:
        return html.Div()
    return dbc.Alert(
        html.Ul([html.Li(translate_message(m)) for m in dict.fromkeys(messages)], className="mb-0"),
        color="warning",
        className="small",
    )


def input_problem(messages: Sequence[str]) -> dbc.Alert:
    """What is wrong with the two inputs, in words (shown instead of the table)."""
    return dbc.Alert(
        html.Ul([html.Li(translate_message(m)) for m in messages], className="mb-0"),
        color="danger",
        className="small",
    )
