"""Static structure of the Relapses tab and of the conditional survival calculator.

Numbers are filled in by ``app.callbacks.relapses`` and ``app.callbacks.conditional``.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from app.layout import ids
from app.layout.filters import TYPING_PAUSE_MS
from app.layout.static_parts import static_part
from i18n.language import t

DEFAULT_GIVEN_MONTHS = 12
DEFAULT_AHEAD_MONTHS = 12


def relapses_tab() -> list[object]:
    """The Relapses tab: computed when first opened (its models load statsmodels)."""
    return [
        html.Div(
            dbc.Alert(t("Open this tab to compute the relapse analyses…"), color="light"),
            id=ids.RELAPSE_PANEL,
            **{"aria-live": "polite"},
        )
    ]


def _number(label: str, component_id: str, value: float, help_text: str) -> dbc.Col:
    return dbc.Col(
        [
            html.Label(label, htmlFor=component_id, className="fw-semibold small mb-1"),
            dbc.Input(
                id=component_id,
                type="number",
                # No min: the browser would swallow a negative entry without a word (the input
                # just stops updating); the callback says what is wrong instead.
                step="any",
                value=value,
                inputMode="decimal",
                # One computation for "18", not one for "1" and one for "18".
                debounce=TYPING_PAUSE_MS,
            ),
            html.Div(help_text, className="form-text mt-0"),
        ],
        md=6,
    )


def conditional_calculator(opening: object = None) -> dbc.Card:
    """Two inputs (months failure-free so far, months ahead) and a table filled by a callback
    (``opening``: the table for the default inputs and view, shown first)."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(t("Conditional survival calculator"), className="h5"),
                html.P(
                    t(
                        "For a patient already failure-free on rituximab for some months: the "
                        "chance of staying failure-free for the next months, S(X + Y) / S(X)."
                    ),
                    className="form-text",
                ),
                dbc.Row(
                    [
                        _number(
                            t("Failure-free for (months)"),
                            ids.CONDITIONAL_GIVEN,
                            DEFAULT_GIVEN_MONTHS,
                            t("X: months since the first infusion without treatment failure."),
                        ),
                        _number(
                            t("Probability of staying failure-free for the next (months)"),
                            ids.CONDITIONAL_AHEAD,
                            DEFAULT_AHEAD_MONTHS,
                            t("Y: months ahead."),
                        ),
                    ],
                    className="g-3 mb-2",
                ),
                *static_part(ids.CONDITIONAL_PANEL, opening, **{"aria-live": "polite"}),
            ]
        ),
        className="mt-3",
    )
