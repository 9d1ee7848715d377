"""Shareable URLs restore the view; Reset returns to the defaults; empty subgroups explain."""

from __future__ import annotations

import pytest
from callback_requests import counted_requests, requests
from explorer_page import DEFAULT_GROUP, cli_report

pytestmark = pytest.mark.browser
SHARED = "?sex=F&lesions=1&grace=3&group=sex"


def _assert_friendly_empty_view(explorer) -> None:
    page = explorer.text("main")
    assert "No patients match these filters" in page
    assert "could not be computed" not in page
    assert "Something went wrong" not in page


def test_url_restores_controls_and_cli_numbers(explorer):
    explorer.open(SHARED)

    explorer.expect(
        cli_report("--sex", "F", "--lesions", "1", "--grace-months", "3", "--group-by", "sex")
    )
    assert explorer.radio_value("filter-sex") == "F"
    assert explorer.radio_value("filter-lesions") == "1"
    assert explorer.radio_value("filter-gd") == "all"
    assert explorer.slider_values("filter-grace") == [3.0]
    assert explorer.prop("filter-group-by", "value") == "sex"
    assert explorer.query() == SHARED.lstrip("?")
    explorer.assert_no_errors()


def test_reset_returns_to_defaults_and_clears_the_query(explorer):
    explorer.open(SHARED)
    explorer.expect(
        cli_report("--sex", "F", "--lesions", "1", "--grace-months", "3", "--group-by", "sex")
    )

    explorer.click("filter-reset")

    explorer.expect(cli_report(*DEFAULT_GROUP))
    explorer.wait_until(lambda: explorer.query() == "", "the URL query to be cleared")
    assert explorer.radio_value("filter-sex") == "all"
    assert explorer.radio_value("filter-lesions") == "all"
    assert explorer.slider_values("filter-grace") == [6.0]
    assert explorer.prop("filter-group-by", "value") == "asymptomatic_lesions"
    explorer.assert_no_errors()


def test_filters_matching_nobody_show_a_message_not_an_error(explorer):
    explorer.open()

    # No man in the demo cohort has persistent Gd enhancement and the FF genotype.
    explorer.click_radio("filter-sex", "M")
    explorer.click_radio("filter-gd", "1")
    explorer.click_radio("filter-fcgr3a", "FF")

    report = cli_report(*DEFAULT_GROUP, "--sex", "M", "--gd-persistent", "1", "--fcgr3a", "FF")
    assert report["n"] == 0
    explorer.expect(report)
    _assert_friendly_empty_view(explorer)
    explorer.assert_no_errors()


def test_age_range_outside_the_cohort_from_url_shows_a_message(explorer):
    explorer.open("?age=119-120")

    report = cli_report(*DEFAULT_GROUP, "--age-min", "119", "--age-max", "120")
    assert report["n"] == 0
    explorer.expect(report)
    _assert_friendly_empty_view(explorer)
    explorer.assert_no_errors()


OPEN = "?t1=fcgr3a_v158f&exp=gd_persistent&expm=asymptomatic_lesion_months&mfac=sex"


def test_url_restores_the_open_analyses(explorer):
    """Exposure, Table 1 grouping and MANCOVA factor come back from a shared URL, and their
    tabs show the CLI's numbers for the same options."""
    explorer.open(OPEN)
    report = cli_report(
        *DEFAULT_GROUP, "--table-by", "fcgr3a_v158f", "--exposure", "gd_persistent",
        "--exposure-months", "asymptomatic_lesion_months", "--mancova-factor", "sex",
    )  # fmt: skip
    explorer.expect(report)
    assert explorer.prop("exposure", "value") == "gd_persistent"
    assert explorer.prop("exposure-months", "value") == "asymptomatic_lesion_months"
    assert explorer.prop("table-by", "value") == "fcgr3a_v158f"
    assert explorer.prop("mancova-factor", "value") == "sex"
    explorer.open_tab("Lesion timing")
    explorer.wait_until(
        lambda: "Persistent Gd enhancement and treatment failure" in explorer.text("#lesion-panel"),
        "the lesion tab to name the exposure",
    )
    explorer.open_tab("Table 1 & MANCOVA")
    table = explorer.text("#table-one")
    assert "FCGR3A-V158F: VV" in table
    assert "factor Sex" in explorer.text("#mancova-panel")
    assert explorer.query() == OPEN.lstrip("?")
    explorer.assert_no_errors()


def test_a_bad_open_choice_in_the_url_is_a_note(explorer):
    explorer.open("?exp=sex")
    explorer.wait_until(
        lambda: "must be 0/1 (a binary exposure)" in explorer.text("main"),
        "a note on the bad exposure",
    )
    explorer.assert_no_errors()


def test_back_and_forward_return_to_the_previous_views(explorer):
    """Each filter change is a history entry: Back shows the view before it (controls and
    the CLI's numbers), Forward the one after; the language link follows the view."""
    explorer.open()
    explorer.click_radio("filter-sex", "F")
    explorer.wait_until(lambda: explorer.query() == "sex=F", "the URL to name sex=F")
    explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F"))
    explorer.click_radio("filter-lesions", "1")
    explorer.wait_until(lambda: explorer.query() == "sex=F&lesions=1", "the URL to add lesions")
    explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F", "--lesions", "1"))
    assert explorer.prop("language-link", "href").endswith("?sex=F&lesions=1&lang=es")

    explorer.driver.back()
    explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F"))
    assert explorer.radio_value("filter-lesions") == "all"
    assert explorer.query() == "sex=F"  # going back writes no new entry
    explorer.driver.forward()
    explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F", "--lesions", "1"))
    assert explorer.radio_value("filter-lesions") == "1"
    # Back to the plain address the page opened with: its empty query sets the defaults
    # (only the opening itself skips the server: the layout held the defaults then).
    explorer.driver.back()
    explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F"))
    explorer.driver.back()
    explorer.expect(cli_report(*DEFAULT_GROUP))
    assert explorer.query() == ""
    assert explorer.radio_value("filter-sex") == "all"
    explorer.assert_no_errors()


def test_a_plain_address_opens_without_asking_the_server_anything(explorer):
    """The layout holds the default view, drawn (app/layout/opening_readouts.py): opening a
    plain address posts no callback request at all (not controls_from_url's, a round trip
    every view waited for, nor the views'), while a shared address still sets the controls
    and computes its view (test_url_restores_controls_and_cli_numbers)."""
    with counted_requests(explorer):
        explorer.open()
        explorer.expect(cli_report(*DEFAULT_GROUP))
        assert requests(explorer, "") == 0  # every output key contains ""
        explorer.click_radio("filter-sex", "F")
        explorer.wait_until(lambda: explorer.query() == "sex=F", "the first change in the URL")
        explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F"))
        explorer.open(SHARED)
        explorer.expect(
            cli_report("--sex", "F", "--lesions", "1", "--grace-months", "3", "--group-by", "sex")
        )
        assert requests(explorer, "filter-sex.value") == 1
    explorer.assert_no_errors()
