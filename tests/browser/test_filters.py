"""Each filter, changed in the browser, gives the CLI's numbers for the same filters."""

from __future__ import annotations

import pytest
from explorer_page import DEFAULT_GROUP, cli_report

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("control", "value", "cli_args", "query"),
    [
        ("filter-sex", "F", ("--sex", "F"), "sex=F"),
        ("filter-sex", "M", ("--sex", "M"), "sex=M"),
        ("filter-lesions", "1", ("--lesions", "1"), "lesions=1"),
        ("filter-gd", "0", ("--gd-persistent", "0"), "gd=0"),
        ("filter-fcgr3a", "VF", ("--fcgr3a", "VF"), "fcgr3a=VF"),
    ],
)
def test_radio_filter_matches_cli(explorer, control, value, cli_args, query):
    explorer.open()

    explorer.click_radio(control, value)

    explorer.expect(cli_report(*DEFAULT_GROUP, *cli_args))
    assert explorer.radio_value(control) == value
    assert explorer.query() == query
    explorer.assert_no_errors()


def test_two_radio_filters_combine_like_cli(explorer):
    explorer.open()

    explorer.click_radio("filter-sex", "F")
    explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F"))
    explorer.click_radio("filter-gd", "1")

    explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F", "--gd-persistent", "1"))
    assert explorer.query() == "sex=F&gd=1"
    explorer.assert_no_errors()


def test_grace_period_set_with_slider_keys_matches_cli(explorer):
    explorer.open()

    explorer.slide("filter-grace", 3, step=1)

    explorer.expect(cli_report(*DEFAULT_GROUP, "--grace-months", "3"))
    assert explorer.query() == "grace=3"
    explorer.assert_no_errors()


def test_age_range_set_with_slider_keys_matches_cli(explorer):
    explorer.open()

    explorer.slide("filter-age", 30, step=1, thumb=0)
    explorer.slide("filter-age", 50, step=1, thumb=-1)

    explorer.expect(cli_report(*DEFAULT_GROUP, "--age-min", "30", "--age-max", "50"))
    assert explorer.query() == "age=30-50"
    explorer.assert_no_errors()


def test_edss_range_set_with_slider_keys_matches_cli(explorer):
    explorer.open()

    explorer.slide("filter-edss", 4.5, step=0.5, thumb=-1)

    explorer.expect(cli_report(*DEFAULT_GROUP, "--edss-min", "0", "--edss-max", "4.5"))
    assert explorer.query() == "edss=0-4.5"
    explorer.assert_no_errors()


@pytest.mark.parametrize(
    ("value", "cli_args", "query"),
    [
        ("sex", ("--group-by", "sex"), "group=sex"),
        ("fcgr3a_v158f", ("--group-by", "fcgr3a_v158f"), "group=fcgr3a_v158f"),
        ("none", (), "group=none"),
    ],
)
def test_group_by_matches_cli(explorer, value, cli_args, query):
    explorer.open()

    explorer.choose("filter-group-by", value)

    explorer.expect(cli_report(*cli_args))
    assert explorer.query() == query
    explorer.assert_no_errors()


def test_covariates_fit_the_clis_multivariable_cox(explorer):
    explorer.open()

    explorer.choose("filter-covariates", "asymptomatic_lesions")
    explorer.choose("filter-covariates", "age_at_rtx")

    report = cli_report(*DEFAULT_GROUP, "--covariates", "asymptomatic_lesions,age_at_rtx")
    explorer.expect(report)
    assert explorer.query() == "cov=asymptomatic_lesions%2Cage_at_rtx"
    expected_hr = [term["hr"] for term in report["cox"]["terms"]]
    explorer.open_tab("Hazard ratios")  # the Cox models are computed when their tab is shown
    explorer.wait_until(
        lambda: explorer.forest_hazard_ratios("Multivariable") is not None,
        "the multivariable model in the forest plot",
    )
    assert explorer.forest_hazard_ratios("Multivariable") == pytest.approx(expected_hr, rel=1e-9)
    explorer.assert_no_errors()


def test_time_horizon_sets_the_km_axis_and_keeps_the_cli_numbers(explorer):
    explorer.open()

    explorer.choose("filter-horizon", "24")

    explorer.wait_until(
        lambda: explorer.km_x_range() == pytest.approx([-24 * 0.035, 24 * 1.02]),
        "the KM x-axis to end at 2 years",
    )
    explorer.expect(cli_report(*DEFAULT_GROUP))
    assert explorer.query() == "horizon=24"
    explorer.assert_no_errors()
