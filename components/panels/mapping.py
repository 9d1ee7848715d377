"""The upload's mapping step: how a clinic's columns and values will be read, and the
months derived from its dates, for the user to check before confirming."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from analytics.data.mapping import Example, Proposal, failure_line
from i18n.language import integer, number, t, translate_message


def _headers(proposal: Proposal) -> list:
    if not proposal.headers:
        return []
    rows = [
        html.Tr([html.Td(html.Code(header)), html.Td(html.Code(column))])
        for header, column in proposal.headers
    ]
    head = html.Thead(
        html.Tr([html.Th(t("Column in the file"), scope="col"), html.Th(t("Read as"), scope="col")])
    )
    return [dbc.Table([head, html.Tbody(rows)], size="sm", bordered=False, id="mapping-columns")]


def _values(proposal: Proposal) -> list:
    if not proposal.values:
        return []
    items = [
        html.Li(
            t("{column}: {words} read as the data dictionary's codes").format(
                column=column, words=", ".join(words)
            )
        )
        for column, words in proposal.values.items()
    ]
    items.append(html.Li(t("Sí/No read as 1/0; Femenino/Mujer as F, Masculino/Hombre as M")))
    return [html.Ul(items, className="mb-2", id="mapping-values")]


def _derivations(proposal: Proposal, shown: dict[str, list[Example]]) -> list:
    blocks: list = []
    for derivation in proposal.derivations:
        blocks.append(
            html.Div(
                t(
                    "{target} = ({end} − {start}) in days / (365.25 / 12): derived for {n} patients"
                ).format(
                    target=derivation.target,
                    end=derivation.end,
                    start=derivation.start,
                    n=integer(derivation.derived),
                ),
                className="fw-semibold mt-2",
            )
        )
        head = html.Thead(
            html.Tr(
                [
                    html.Th(t("Patient"), scope="col"),
                    html.Th(derivation.start, scope="col"),
                    html.Th(derivation.end, scope="col"),
                    html.Th(derivation.target, scope="col"),
                ]
            )
        )
        body = html.Tbody(
            [
                html.Tr(
                    [
                        html.Td(example.patient),
                        html.Td(example.start),
                        html.Td(example.end),
                        html.Td(number(example.months, 1)),
                    ]
                )
                for example in shown.get(derivation.target, [])
            ]
        )
        blocks.append(
            dbc.Table(
                [head, body],
                size="sm",
                bordered=False,
                className="mb-1",
                id=f"mapping-derived-{derivation.target}",
            )
        )
    if proposal.failure_from_date:
        end = next(d.end for d in proposal.derivations if d.target == "failure_months")
        blocks.append(html.Div(translate_message(failure_line(end)), className="fw-semibold"))
    if blocks:
        blocks.append(
            html.P(
                t(
                    "The date columns are not kept once turned into months. Months are shown "
                    "here with one decimal; the analyses use them unrounded."
                ),
                className="form-text",
            )
        )
    return blocks


def mapping_table(proposal: Proposal, shown: dict[str, list[Example]]) -> html.Div:
    """What the mapping step shows: renamed columns, translated values, derived months."""
    return html.Div(_headers(proposal) + _values(proposal) + _derivations(proposal, shown))
