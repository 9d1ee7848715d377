"""Clinician-facing names for columns and levels; the names themselves live in
:mod:`analytics.data.labels` (the CLI's text uses them too), the figure-safe forms here."""

from __future__ import annotations

from analytics.data.labels import (
    COLUMN_LABELS,
    column_label,
    level_label,
    level_name,
    measured_label,
    zph_term_label,
)

__all__ = [
    "COLUMN_LABELS",
    "column_label",
    "figure_column_label",
    "figure_level_label",
    "level_label",
    "level_name",
    "markup_free",
    "measured_label",
    "zph_term_label",
]


def markup_free(text: str) -> str:
    """Data-derived text made literal for a plotly figure. Plotly renders a subset of HTML in
    trace names, hover text, tick labels and titles: a group value ``<a href=...>`` would be
    a live link in the page and in the exported report. Its entities show as the characters.
    Our own markup (``<b>``, ``<br>``) is added around the escaped text, never inside it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def figure_column_label(column: str | None) -> str:
    """``column_label`` for a figure (a column name can be anything a file's header says)."""
    return markup_free(column_label(column))


def figure_level_label(column: str | None, level: str) -> str:
    """``level_label`` for a figure: legends, hovers and axis labels of every figure builder."""
    return markup_free(level_label(column, level))
