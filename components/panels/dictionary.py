"""The data dictionary as a table for the Data tab."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from analytics.data.dictionary import DICTIONARY
from i18n.language import N_, t, translate_message


def dictionary_table() -> dbc.Table:
    header = html.Thead(
        html.Tr(
            [
                html.Th(t(h), scope="col")
                for h in (N_("File"), N_("Column"), N_("Type"), N_("Required"), N_("Rule"))
                + (N_("Meaning"),)
            ]
        )
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(translate_message(doc.file)),
                    html.Td(html.Code(doc.column)),
                    html.Td(translate_message(doc.kind)),
                    html.Td(translate_message(doc.required)),
                    html.Td(translate_message(doc.rule)),
                    html.Td(translate_message(doc.meaning)),
                ]
            )
            for doc in DICTIONARY
        ]
    )
    return dbc.Table([header, body], bordered=False, striped=True, size="sm", responsive=True)
