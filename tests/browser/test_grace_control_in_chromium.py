"""The grace-period slider in a real browser: disabled, with its reason, on a failure-column
cohort; enabled again once a relapses file gives the relapse dates (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
GOOD = Path(__file__).resolve().parents[1] / "data" / "good"
REASON = "Not applied: this cohort's outcome is its failure column"


def _thumb_disabled(explorer) -> bool:
    thumb = explorer.driver.find_element("css selector", "#filter-grace [role=slider]")
    return thumb.get_attribute("data-disabled") is not None


def test_the_slider_follows_whether_a_grace_period_can_be_applied(explorer):
    explorer.open()
    assert not _thumb_disabled(explorer)
    assert explorer.visible_text("#filter-grace-reason") is None

    explorer.open_tab("Data")
    explorer.upload("upload-patients", GOOD / "patients.csv")
    explorer.wait_until(lambda: explorer.visible_text("#upload-ok"), "the upload to succeed")
    reason = explorer.wait_until(
        lambda: explorer.visible_text("#filter-grace-reason"), "the reason to be shown"
    )
    assert reason.startswith(REASON)
    assert _thumb_disabled(explorer)
    explorer.wait_settled()
    explorer.click("methods-toggle")  # the methods are written when their section is opened
    explorer.wait_until(
        lambda: (
            "as recorded in the cohort file's failure column"
            in (explorer.visible_text("#methods-paragraph") or "")
        ),
        "the methods to say the failure column was taken as recorded",
    )

    explorer.upload("upload-relapses", GOOD / "relapses.csv")
    explorer.wait_until(
        lambda: explorer.visible_text("#filter-grace-reason") is None, "the reason to go"
    )
    assert not _thumb_disabled(explorer)
    explorer.assert_no_errors()
