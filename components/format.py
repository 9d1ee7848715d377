"""Number formatting shared by cards, tables, figures and the exported report."""

from __future__ import annotations

import math


def format_p(p: float | None) -> str:
    """p-values as journals print them: three decimals, '< 0.001' below that."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p = n/a"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def format_number(value: float | None, digits: int = 1) -> str:
    """A number, or 'n/a' when undefined (None, NaN or infinite)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.{digits}f}"


def format_ci(low: float | None, high: float | None, digits: int = 1, percent: bool = False) -> str:
    """'(95% CI a–b)' with an en dash; percentages when ``percent``."""
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return "(95% CI n/a)"
    if percent:
        return f"(95% CI {low:.{digits}%}–{high:.{digits}%})"
    return f"(95% CI {low:.{digits}f}–{high:.{digits}f})"


def format_hr(hr: float, low: float, high: float) -> str:
    """Hazard ratio with CI; very large values (separation) are shown as '> 1000'."""

    def one(value: float) -> str:
        if math.isnan(value):
            return "n/a"
        if value > 1000:  # includes +inf (separation)
            return "> 1000"
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"

    return f"{one(hr)} ({one(low)}–{one(high)})"
