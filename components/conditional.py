"""Conditional survival calculator read-out: a table per group and one plain sentence each.

Pure rendering of :class:`analytics.conditional.ConditionalSurvivalTable`; no statistics here.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_bootstrap_components as dbc
from dash import html

from analytics.conditional import ConditionalSurvival, ConditionalSurvivalTable
from analytics.language import number, percent, short, t, translate_message
from components.format import NO_FAILURES_NO_CI, ci_label
from components.labels import level_label


def _months(value: float) -> str:
    return (t("{n} month") if value == 1 else t("{n} months")).format(n=short(value))


def _group_name(group_by: str | None, label: str) -> str:
    return t("All patients") if group_by is None else level_label(group_by, label)


def _interval(entry: ConditionalSurvival) -> str:
    # With no failure in the window the log-log interval is [1, 1] (as R's): a "100–100%"
    # interval would read as certainty, so say why there is none instead -- in the words
    # the Kaplan–Meier table uses for the same case (analytics.display).
    if entry.events == 0:
        return t(NO_FAILURES_NO_CI)
    if entry.ci_low is None or entry.ci_high is None or entry.ci_low != entry.ci_low:
        return f"{ci_label()} {t('n/a')}"
    return f"{ci_label()} {number(entry.ci_low * 100, 0)}–{percent(entry.ci_high, 0)}"


def sentence(entry: ConditionalSurvival, group_by: str | None) -> str:
    """One sentence in clinical language, or why the group has no estimate."""
    prefix = "" if group_by is None else f"{_group_name(group_by, entry.label)} — "
    if entry.estimate is None:
        reason = translate_message(entry.reason) if entry.reason else t("no patients")
        return prefix + t("not estimable: {reason}").format(reason=reason)
    target = entry.given_months + entry.horizon_months
    text = t(
        "Of patients failure-free at {given} on rituximab, an estimated {estimate} "
        "({interval}) remain failure-free at {target}."
    ).format(
        given=_months(entry.given_months),
        estimate=percent(entry.estimate, 0),
        interval=_interval(entry),
        target=_months(target),
    )
    # After "Group — " the sentence goes on in lower case.
    return prefix + (text if group_by is None else text[:1].lower() + text[1:])


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
            end=short(x + y), x=short(x), ci=ci_label()
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
                            "Greenwood variance, log-log 95% CI (R survfit start.time = X)."
                        )
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
