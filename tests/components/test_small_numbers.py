"""Rates and ratios below 0.1 keep two significant digits, trailing zero included: 0.0996 is
"0.10" beside "0.18", never "0.1" (which reads as one digit), in the CLI text and on the
Relapses tab alike (the CLI printed "0.066 (95% CI 0.042-0.1)" for the demo cohort)."""

from __future__ import annotations

import pytest

from analytics.reports.text import small_number
from components.text import relapse_text
from i18n.language import using_language


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.0996, "0.10"),  # rounds up to 0.1: two significant digits are "0.10"
        (0.02, "0.020"),
        (0.0041, "0.0041"),
        (0.066, "0.066"),
        (0.5, "0.50"),
        (12.34, "12.3"),
    ],
)
def test_small_numbers_keep_two_significant_digits(value, shown):
    assert small_number(value) == shown


def test_the_relapses_tab_writes_the_same_digits_in_spanish():
    with using_language("es"):
        assert relapse_text.number(0.0996) == "0,10"
        assert relapse_text.number(0.02) == "0,020"
