"""First visit (issue 15): the 'start here' line and the spelled-out abbreviations are on the
page, and the age and EDSS sliders show their chosen range as text at all times, following
the thumbs, a shared URL and the page's language."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

AGE_READOUT = "#filter-age-range"
EDSS_READOUT = "#filter-edss-range"


# The header and the readouts need no server callback: wait for them, not for every panel.
SLOW_PAGE = 90.0


def _readout(explorer, css: str) -> str | None:
    return explorer.visible_text(css)


def _load(explorer, query: str = "") -> None:
    explorer.driver.get(f"{explorer.server_url}/{query}")


def test_start_here_and_abbreviations_are_shown(explorer):
    page = explorer
    _load(page)
    text = page.wait_until(lambda: page.visible_text("#start-here"), "#start-here", SLOW_PAGE)
    assert text.startswith("Start here:")
    for abbreviation in ("NMOSD", "AQP4-IgG", "RTX", "EDSS", "FCGR3A", "Gd"):
        assert f"{abbreviation}: " in text, abbreviation
    assert "neuromyelitis optica spectrum disorder" in text


def test_the_chosen_ranges_are_text_that_follows_the_thumbs(explorer):
    page = explorer
    page.open()
    low, high = page.slider_values("filter-age")
    assert _readout(explorer, AGE_READOUT) == f"{low:g}\u2013{high:g}"
    assert _readout(explorer, EDSS_READOUT) == "0\u201310"
    page.slide("filter-edss", 6, 0.5)
    page.wait_until(lambda: _readout(explorer, EDSS_READOUT) == "0\u20136", "EDSS readout 0–6")
    page.slide("filter-age", low + 10, 1, thumb=0)
    expected = f"{low + 10:g}\u2013{high:g}"
    page.wait_until(lambda: _readout(explorer, AGE_READOUT) == expected, "age readout")
    page.assert_no_errors()


def test_a_shared_url_and_spanish_marks_show_in_the_readout(explorer):
    page = explorer
    _load(page, "?edss=1.5-4.5&lang=es")
    page.wait_until(
        lambda: _readout(explorer, EDSS_READOUT) == "1,5\u20134,5",
        "EDSS readout 1,5–4,5",
        SLOW_PAGE,
    )
    assert page.visible_text("#start-here").startswith("Para empezar:")
    page.assert_no_errors()
