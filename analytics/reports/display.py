"""How numbers are rounded and written, for the page, the HTML report and the CLI's text.

One rule each, in the current language (i18n/language.py: decimal commas and "IC 95 %"
in Spanish; the CLI runs in English). It lives in ``analytics`` because the CLI cannot
import ``components``; ``components.text.format`` re-exports it, so a number reads the same
wherever it is shown. ``dash`` separates interval limits: an en dash on the page, and a
plain hyphen in the CLI's ASCII-leaning text.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import TYPE_CHECKING

from analytics.stats.levels import ci_label as level_ci_label
from i18n.language import N_, Message, fixed, number, t
from i18n.language import percent as percent_text

if TYPE_CHECKING:
    from analytics.stats.cox.models import HazardTerm
    from analytics.stats.survival import KaplanMeier

# A median (or a median's confidence limit) the curve never reaches: R prints NA; we print
# "NR" ("NA" = "no alcanzada" in Spanish) and explain it once beside the table.
NOT_REACHED = N_("NR")
NOT_REACHED_LEGEND = N_("NR: not reached (the curve, or its confidence limit, stays above 50%).")
# With no failure up to a time, S = 1 and Greenwood's variance is 0: the log-log interval
# degenerates to [1, 1] (R prints 1-1 before the first time and NA after it). Neither is a
# real interval, so say so.
NO_FAILURES_NO_CI = N_("no failures; CI not estimable")
EN_DASH = "\u2013"


def _undefined(value: float | None) -> bool:
    return value is None or not math.isfinite(value)


def ci_label() -> str:
    """'95% CI' / 'IC 95 %', at the view's confidence level (analytics.stats.levels)."""
    return level_ci_label()


# Below this a p-value is written as a bound ('p < 0.001'): more digits claim a precision
# that the models' assumptions do not have (and "p = 0.000" reads as impossible).
P_FLOOR = 0.001


def p_parts(p: float) -> tuple[str, Decimal]:
    """The one rule for p-values, as journals print them: ``("<", 0.001)`` below 0.001, else
    ``("=", p)`` with 3 decimals below 0.1 and 2 from 0.1 (p = 0.012, p = 0.34); never
    'p = 0.000'. For a finite ``p``; the text is :func:`p_value` or :func:`format_p`."""
    if p < P_FLOOR:
        return "<", fixed(P_FLOOR, 3)
    # Rounded first: 0.0996 is 'p = 0.10', not 'p = 0.100'.
    return "=", fixed(p, 3 if round(p, 3) < 0.1 else 2)


def p_value(p: float | None) -> Message:
    """'p = 0.012' / 'p < 0.001' (:func:`p_parts`), 'p = n/a' when undefined: a message whose
    number is written in the page's language when shown ('p < 0,001'), so results cached for
    every language can carry it."""
    if p is None or not math.isfinite(p):
        return Message("p = {value}", value=Message("n/a"))
    relation, value = p_parts(p)
    if relation == "<":
        return Message("p < {value}", value=value)
    return Message("p = {value}", value=value)


def format_p(p: float | None) -> str:
    """A p-value by :func:`p_value`'s rule, in the current language."""
    return p_value(p).render()


def format_number(value: float | None, digits: int = 1) -> str:
    """A number, or 'n/a' when undefined (None, NaN or infinite)."""
    return number(value, digits)


def format_ci(
    low: float | None,
    high: float | None,
    digits: int = 1,
    percent: bool = False,
    dash: str = EN_DASH,
) -> str:
    """'(95% CI a–b)'; percentages when ``percent``; '(95% CI n/a)' without both limits."""
    if _undefined(low) or _undefined(high):
        return f"({ci_label()} {t('n/a')})"
    show = percent_text if percent else number
    return f"({ci_label()} {show(low, digits)}{dash}{show(high, digits)})"


def hazard_ratio(value: float) -> str:
    """One hazard ratio: 2 decimals below 10, 1 from 10, '> 1000' (separation) above."""
    if math.isnan(value):
        return t("n/a")
    if value > 1000:  # includes +inf (separation)
        return "> 1000"
    return number(value, 2) if value < 10 else number(value, 1)


def hazard_ratio_line(term: HazardTerm, dash: str = "-") -> str:
    """'HR 22.8 (95% CI 2.38-218.9), p = 0.007': a Cox term as the CLI's text prints it, at
    the current confidence level (analytics.stats.levels)."""
    limits = f"{hazard_ratio(term.ci_low)}{dash}{hazard_ratio(term.ci_high)}"
    return f"HR {hazard_ratio(term.hr)} ({ci_label()} {limits}), {format_p(term.p)}"


def format_hr(hr: float, low: float, high: float, dash: str = EN_DASH) -> str:
    """Hazard ratio with its interval: '22.8 (2.38–218.9)'."""
    return f"{hazard_ratio(hr)} ({hazard_ratio(low)}{dash}{hazard_ratio(high)})"


def median_value(value: float | None) -> str:
    """A median (or one of its limits) in months, 'NR' when the curve does not reach 50 %."""
    return t(NOT_REACHED) if value is None else number(value, 1)


def format_median_ci(low: float | None, high: float | None, dash: str = EN_DASH) -> str:
    """A median's interval with R's limits: '(95% CI 25.0–NR)'."""
    return f"({ci_label()} {median_value(low)}{dash}{median_value(high)})"


def format_median(
    median: float | None, low: float | None, high: float | None, dash: str = EN_DASH
) -> str:
    """A Kaplan–Meier median with R's confidence limits: '36.9 (95% CI 25.0–NR)'.

    Each of the three is shown when the curve (or its limit) reaches 50 %, else 'NR', as
    R's ``print(survfit)`` gives a limit wherever it exists ('NR (95% CI 32.2–NR)').
    """
    return f"{median_value(median)} {format_median_ci(low, high, dash)}"


def format_survival(
    survival: float, low: float, high: float, digits: int = 0, dash: str = EN_DASH
) -> str:
    """Survival at a time with its interval: '80% (95% CI 61%–90%)', or, before any failure
    (S = 1, zero variance), '100% (no failures; CI not estimable)'."""
    if survival == 1.0 and low == high:
        return f"{percent_text(survival, digits)} ({t(NO_FAILURES_NO_CI)})"
    return f"{percent_text(survival, digits)} {format_ci(low, high, digits, True, dash)}"


def not_reached(km: KaplanMeier) -> bool:
    """Whether ``km``'s median line shows 'NR' anywhere (then the legend explains it)."""
    return None in (km.median, km.median_ci_low, km.median_ci_high)
