"""The data dictionary as a table for the Data tab."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from analytics.dictionary import DICTIONARY


def dictionary_table() -> dbc.Table:
    header = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in ("File", "Column", "Type", "Required", "Rule", "Meaning")
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(doc.file),
                    html.Td(html.Code(doc.column)),
                    html.Td(doc.kind),
                    html.Td(doc.required),
                    html.Td(doc.rule),
                    html.Td(doc.meaning),
                ]
            )
            for doc in DICTIONARY
        ]
    )
    return dbc.Table([header, body], bordered=False, striped=True, size="sm", responsive=True)
