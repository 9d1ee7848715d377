"""The confidence level (filters) and the cox.zph transform (Hazard ratios tab) in a browser."""

from __future__ import annotations

import pytest
from explorer_page import DEFAULT_GROUP, cli_report

pytestmark = pytest.mark.browser


def test_level_and_transform_reach_the_url_and_the_labels(explorer):
    explorer.open()
    explorer.expect(cli_report(*DEFAULT_GROUP))
    explorer.choose("filter-conf-level", "90")
    explorer.wait_until(lambda: "conf=90" in explorer.query(), "conf=90 in the URL")
    explorer.wait_until(lambda: "90% CI" in explorer.text("#km-summary"), "90% CI labels")
    explorer.wait_settled()
    assert "95% CI" not in explorer.text("#km-summary")
    report = cli_report(*DEFAULT_GROUP, "--conf-level", "90")
    at_12 = report["survival_at"]["1"][0]  # survival at 12 months, lesion group
    assert f"(90% CI {at_12['ci_low']:.0%}–{at_12['ci_high']:.0%})" in explorer.text("#km-summary")
    explorer.open_tab("Hazard ratios")
    explorer.click_radio("zph-transform", "rank")
    explorer.wait_until(lambda: "zph=rank" in explorer.query(), "zph=rank in the URL")
    explorer.click("methods-toggle")  # the methods are written when their section is opened
    explorer.wait_until(
        lambda: "rank time transform" in explorer.text("#methods-panel"), "the methods to say it"
    )
    explorer.assert_no_errors()


def test_the_url_restores_level_and_transform(explorer):
    explorer.open("?conf=99&zph=identity")
    explorer.wait_until(lambda: "99% CI" in explorer.text("#km-summary"), "99% CI labels")
    assert explorer.prop("filter-conf-level", "value") == "99"
    assert explorer.prop("zph-transform", "value") == "identity"
    explorer.assert_no_errors()
