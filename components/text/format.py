"""Number formatting shared by cards, tables, figures and the exported report.

In the page's language: decimal commas and "IC 95 %" in Spanish (i18n/language.py).
The rules live in :mod:`analytics.reports.display`, so that the CLI's text (which cannot import
``components``) rounds exactly as the page does; this module is where components take them.
"""

from __future__ import annotations

from analytics.reports.display import (
    NO_FAILURES_NO_CI,
    NOT_REACHED,
    NOT_REACHED_LEGEND,
    ci_label,
    format_ci,
    format_hr,
    format_median,
    format_median_ci,
    format_number,
    format_p,
    format_survival,
    median_value,
    not_reached,
)

__all__ = [
    "NOT_REACHED",
    "NOT_REACHED_LEGEND",
    "NO_FAILURES_NO_CI",
    "ci_label",
    "format_ci",
    "format_hr",
    "format_median",
    "format_median_ci",
    "format_number",
    "format_p",
    "format_survival",
    "median_value",
    "not_reached",
]
