"""Number formatting: p-values, CIs, hazard ratios, undefined values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from components.text.format import (
    NOT_REACHED_LEGEND,
    format_ci,
    format_hr,
    format_median,
    format_number,
    format_p,
    format_survival,
)
from i18n.language import t, using_language


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.0, "p < 0.001"),
        (0.000999, "p < 0.001"),
        (0.001, "p = 0.001"),
        (0.0123, "p = 0.012"),
        (0.05, "p = 0.050"),
        (0.2, "p = 0.20"),
        (1.0, "p = 1.00"),
        (None, "p = n/a"),
        (math.nan, "p = n/a"),
        (np.float64(0.0004), "p < 0.001"),
        (np.float64("nan"), "p = n/a"),
    ],
)
def test_format_p(p, text):
    assert format_p(p) == text


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (3.14159, 1, "3.1"),
        (3.14159, 2, "3.14"),
        (0.0, 1, "0.0"),
        (None, 1, "n/a"),
        (math.nan, 1, "n/a"),
        (math.inf, 1, "n/a"),
        (-math.inf, 2, "n/a"),
    ],
)
def test_format_number(value, digits, text):
    assert format_number(value, digits) == text


@pytest.mark.parametrize(
    ("low", "high", "kwargs", "text"),
    [
        (1.234, 5.678, {}, "(95% CI 1.2–5.7)"),
        (1.234, 5.678, {"digits": 2}, "(95% CI 1.23–5.68)"),
        (0.1234, 0.5, {"percent": True}, "(95% CI 12.3%–50.0%)"),
        (None, 2.0, {}, "(95% CI n/a)"),
        (1.0, None, {}, "(95% CI n/a)"),
        (1.0, math.inf, {}, "(95% CI n/a)"),
        (math.nan, 1.0, {}, "(95% CI n/a)"),
    ],
)
def test_format_ci(low, high, kwargs, text):
    assert format_ci(low, high, **kwargs) == text


def test_ci_uses_an_en_dash():
    assert "–" in format_ci(1.0, 2.0)


@pytest.mark.parametrize(
    ("hr", "low", "high", "text"),
    [
        (1.5, 0.8, 2.8, "1.50 (0.80–2.80)"),
        (25.9, 3.09, 218.0, "25.9 (3.09–218.0)"),
        (1500.0, 3.0, 2e6, "> 1000 (3.00–> 1000)"),
        (math.inf, 2.0, math.inf, "> 1000 (2.00–> 1000)"),
        (1000.0, 10.0, 1000.0, "1000.0 (10.0–1000.0)"),
        (0.05, 0.001, 0.9, "0.05 (0.00–0.90)"),
    ],
)
def test_format_hr(hr, low, high, text):
    assert format_hr(hr, low, high) == text


def test_an_undefined_hr_is_not_shown_as_huge():
    assert "> 1000" not in format_hr(math.nan, math.nan, math.nan)


@pytest.mark.parametrize(
    ("median", "low", "high", "text"),
    [
        # R: print(survfit(...)) median 0.95LCL 0.95UCL -> our text
        (36.9, 25.0, None, "36.9 (95% CI 25.0–NR)"),
        (None, 32.2, None, "NR (95% CI 32.2–NR)"),
        (None, None, None, "NR (95% CI NR–NR)"),
        (12.04, 8.96, 20.0, "12.0 (95% CI 9.0–20.0)"),
    ],
)
def test_a_median_shows_every_limit_r_gives(median, low, high, text):
    """R prints "36.9 (25.0–NR)" where the page used to print "36.9 (95% CI n/a)"."""
    assert format_median(median, low, high) == text


def test_a_median_in_spanish_says_no_alcanzada():
    with using_language("es"):
        assert format_median(None, 32.2, None) == "NA (IC 95 % 32,2–NA)"
        assert "no alcanzada" in t(NOT_REACHED_LEGEND)


@pytest.mark.parametrize(
    ("survival", "low", "high", "text"),
    [
        (1.0, 1.0, 1.0, "100% (no failures; CI not estimable)"),
        (0.8, 0.61, 0.9, "80% (95% CI 61%–90%)"),
        (0.0, math.nan, math.nan, "0% (95% CI n/a)"),
    ],
)
def test_survival_before_any_failure_has_no_zero_width_interval(survival, low, high, text):
    """R's log-log interval is [1, 1] (or NA) there: not a "100%–100%" certainty."""
    assert format_survival(survival, low, high) == text


def test_survival_without_failures_in_spanish():
    with using_language("es"):
        assert format_survival(1.0, 1.0, 1.0) == "100\u00a0% (sin fracasos; IC no estimable)"


@pytest.mark.parametrize(
    ("p", "english", "spanish"),
    [
        (0.00004, "p < 0.001", "p < 0,001"),
        (0.0123, "p = 0.012", "p = 0,012"),
        (0.0996, "p = 0.10", "p = 0,10"),
        (0.456, "p = 0.46", "p = 0,46"),
    ],
)
def test_one_p_value_rule_in_both_languages(p, english, spanish):
    # Never "p = 0.00" / "p < 0,00": the figures, tables, report and CLI share this rule.
    assert format_p(p) == english
    with using_language("es"):
        assert format_p(p) == spanish
