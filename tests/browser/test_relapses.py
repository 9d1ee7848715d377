"""Relapses tab, conditional survival calculator and KMunicate option in real Chromium.

Expected numbers come from the CLI's JSON for the same filters (its ``relapses`` key),
formatted as the panel formats them.
"""

from __future__ import annotations

import pytest
from explorer_page import DEFAULT_GROUP, cli_report
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.browser


def _post_rate_text(*cli_args: str) -> str:
    """The 'relapses / patient-years' line of the All-patients row for the CLI's filters."""
    groups = cli_report(*DEFAULT_GROUP, *cli_args)["relapses"]["groups"]
    assert groups[0]["label"] == "All"
    post = groups[0]["rates"]["pooled_post"]
    return f"{post['events']} relapses / {post['person_years']:.1f} patient-years"


def _shows(explorer, css: str, wanted: str) -> bool:
    text = explorer.visible_text(css)
    return text is not None and wanted in text


def test_relapses_tab_shows_rates_and_follows_a_filter(explorer):
    explorer.open()
    explorer.open_tab("Relapses")

    everyone = _post_rate_text()
    explorer.wait_until(lambda: _shows(explorer, "#relapse-panel", everyone), everyone, 30)
    panel = explorer.visible_text("#relapse-panel")
    assert "Asymptomatic lesions: yes" in panel
    assert "Andersen–Gill" in panel
    assert "(regression to the mean)" in panel
    assert "Dotted, faded part of a curve: fewer than 10 patients still followed" in panel
    assert explorer.driver.find_elements(By.CSS_SELECTOR, "#relapse-mcf-graph .main-svg")
    figure = explorer.prop("relapse-mcf-graph", "figure")
    dotted = [t for t in figure["data"] if (t.get("line") or {}).get("dash") == "dot"]
    assert len(dotted) == 3  # each group's tail, and the legend key

    explorer.click_radio("filter-sex", "M")
    men = _post_rate_text("--sex", "M")
    assert men != everyone
    explorer.wait_until(lambda: _shows(explorer, "#relapse-panel", men), men, 30)
    explorer.wait_settled()
    explorer.assert_no_errors()


def _set_number(explorer, element_id: str, value: str) -> None:
    box = explorer.driver.find_element(By.ID, element_id)
    explorer.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", box
    )
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(value)


def test_calculator_gives_a_probability_that_changes_with_x(explorer):
    explorer.open()
    at_24 = "remain failure-free at 24 months"
    explorer.wait_until(lambda: _shows(explorer, "#conditional-panel", at_24), at_24)
    before = explorer.visible_text("#conditional-panel")
    assert "an estimated" in before
    assert "failure-free at 12 months on rituximab" in before

    _set_number(explorer, "conditional-given", "36")

    at_48 = "remain failure-free at 48 months"
    explorer.wait_until(lambda: _shows(explorer, "#conditional-panel", at_48), at_48)
    explorer.wait_settled()
    after = explorer.visible_text("#conditional-panel")
    assert "failure-free at 36 months on rituximab" in after
    assert after != before

    _set_number(explorer, "conditional-given", "-5")
    explorer.wait_until(
        lambda: _shows(explorer, "#conditional-panel", "cannot be negative"), "a message"
    )
    explorer.wait_settled()
    explorer.assert_no_errors()


def _table_rows(explorer) -> list[str]:
    figure = explorer.prop("km-graph", "figure") or {}
    return [t.get("name") or "" for t in figure.get("data", []) if t.get("mode") == "text"]


def test_kmunicate_option_adds_the_cumulative_table(explorer):
    explorer.open()
    assert len(_table_rows(explorer)) == 2  # the plain at-risk row per group

    explorer.choose("km-options", "kmunicate")

    explorer.wait_until(lambda: len(_table_rows(explorer)) == 6, "the KMunicate table")
    names = _table_rows(explorer)
    for row in ("At risk", "Events", "Censored"):
        assert sum(name.endswith(row) for name in names) == 2
    explorer.wait_settled()
    explorer.assert_no_errors()
