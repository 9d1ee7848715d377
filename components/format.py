"""Number formatting shared by cards, tables, figures and the exported report.

In the page's language: decimal commas and "IC 95 %" in Spanish (analytics/language.py).
"""

from __future__ import annotations

import math

from analytics.language import number, t
from analytics.language import percent as percent_text
from analytics.levels import ci_label as level_ci_label


def format_p(p: float | None) -> str:
    """p-values as journals print them: three decimals, '< 0.001' below that."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return f"p = {t('n/a')}"
    if p < 0.001:
        return f"p < {number(0.001, 3)}"
    return f"p = {number(p, 3)}" if p < 0.1 else f"p = {number(p, 2)}"


def format_number(value: float | None, digits: int = 1) -> str:
    """A number, or 'n/a' when undefined (None, NaN or infinite)."""
    return number(value, digits)


def ci_label() -> str:
    """'95% CI' / 'IC 95 %', at the view's confidence level (analytics.levels)."""
    return level_ci_label()


def format_ci(low: float | None, high: float | None, digits: int = 1, percent: bool = False) -> str:
    """'(95% CI a–b)' with an en dash; percentages when ``percent``."""
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return f"({ci_label()} {t('n/a')})"
    if percent:
        return f"({ci_label()} {percent_text(low, digits)}–{percent_text(high, digits)})"
    return f"({ci_label()} {number(low, digits)}–{number(high, digits)})"


def format_hr(hr: float, low: float, high: float) -> str:
    """Hazard ratio with CI; very large values (separation) are shown as '> 1000'."""

    def one(value: float) -> str:
        if math.isnan(value):
            return t("n/a")
        if value > 1000:  # includes +inf (separation)
            return "> 1000"
        return number(value, 2) if value < 10 else number(value, 1)

    return f"{one(hr)} ({one(low)}–{one(high)})"
