"""Sliders and typed numbers recompute once, after the user stops (issue 13), in Chromium.

Each request the page posts to ``/_dash-update-component`` is counted by its callback's
output key (a ``fetch`` wrapper installed before the page's own scripts run), so a test
can say how many times the view was computed for one gesture.
"""

from __future__ import annotations

import pytest
from callback_requests import counted_requests, requests
from explorer_page import DEFAULT_GROUP, cli_report
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

pytestmark = pytest.mark.browser

# update_panels (every number of the view) and the conditional calculator's callback.
VIEW = "km-graph.figure"
CONDITIONAL = "conditional-panel-content.data"
# The count that follows a moving slider (app.callbacks.report.follow_live_count).
LIVE_COUNT = "live-count.children@"


def _forget_requests(explorer) -> None:
    explorer.driver.execute_script("window.__callbackRequests = [];")


# Between two key presses: a user's tapping pace, inside the 350 ms pause. Keys sent with no
# gap reach Dash in one tick, which it merges into one request anyway, and while the URL
# callback is in flight Dash holds the views back; at this pace each key was a view
# computation of its own before issue 13 (6 of 6 with the views on the raw slider value).
KEY_GAP_SECONDS = 0.2


def _press(explorer, element, keys, select_all: bool = False) -> None:
    """Press ``keys`` on ``element`` one by one at a human pace (after Ctrl+A if asked)."""
    explorer.driver.execute_script("arguments[0].focus();", element)
    chain = ActionChains(explorer.driver)
    if select_all:
        chain.key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL)
    for key in keys:
        # send_keys, not send_keys_to_element: that one clicks the element before each key.
        chain.send_keys(key).pause(KEY_GAP_SECONDS)
    chain.perform()


def _thumb(explorer, control_id: str, index: int):
    thumb = explorer.driver.find_elements(By.CSS_SELECTOR, f"#{control_id} [role=slider]")[index]
    explorer.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", thumb
    )
    return thumb


def test_six_quick_arrow_steps_on_the_age_slider_compute_the_view_once(explorer):
    with counted_requests(explorer):
        explorer.open()
    _forget_requests(explorer)
    thumb = _thumb(explorer, "filter-age", 0)
    low = explorer.slider_values("filter-age")[0]
    assert low + 6 < explorer.slider_values("filter-age")[1]

    _press(explorer, thumb, [Keys.ARROW_RIGHT] * 6)

    explorer.wait_until(
        lambda: explorer.slider_values("filter-age")[0] == low + 6, "the thumb six steps on"
    )
    high = explorer.slider_values("filter-age")[1]
    explorer.expect(cli_report(*DEFAULT_GROUP, "--age-min", f"{low + 6:g}"))
    assert requests(explorer, VIEW) == 1
    # The live count followed the keys: its own requests went out before the view's.
    sent = explorer.driver.execute_script("return window.__callbackRequests;")
    counts = [i for i, key in enumerate(sent) if key.startswith(LIVE_COUNT)]
    assert counts, sent
    assert counts[0] < next(i for i, key in enumerate(sent) if VIEW in key)
    assert explorer.query() == f"age={low + 6:g}-{high:g}"
    # The thumb keeps the accessible name assets/a11y.js gives it.
    assert thumb.get_attribute("aria-label") == "Age at first rituximab (years) (from)"
    explorer.assert_no_errors()


def test_dragging_the_grace_slider_computes_once_on_release(explorer):
    with counted_requests(explorer):
        explorer.open()
    _forget_requests(explorer)
    thumb = _thumb(explorer, "filter-grace", 0)
    track = explorer.driver.find_element(By.CSS_SELECTOR, "#filter-grace [role=slider]")
    width = explorer.driver.execute_script(
        "return arguments[0].closest('.slider-slot').getBoundingClientRect().width;", track
    )
    # From 6 towards 0 in several small moves: the value changes only on release (dcc's
    # updatemode "mouseup"), then settles once.
    chain = ActionChains(explorer.driver).click_and_hold(thumb)
    for _ in range(6):
        chain = chain.move_by_offset(-round(width / 24), 0).pause(0.05)
    chain.release().perform()

    explorer.wait_until(lambda: explorer.slider_values("filter-grace")[0] < 6, "a lower grace")
    grace = explorer.slider_values("filter-grace")[0]
    explorer.expect(cli_report(*DEFAULT_GROUP, "--grace-months", f"{grace:g}"))
    assert requests(explorer, VIEW) == 1
    explorer.assert_no_errors()


def test_typing_a_number_computes_once(explorer):
    with counted_requests(explorer):
        explorer.open()
    _forget_requests(explorer)
    box = explorer.driver.find_element(By.ID, "conditional-given")
    explorer.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", box
    )

    # Select what is there (12) and type 18: "1" alone would be a view of its own.
    _press(explorer, box, ["1", "8"], select_all=True)

    explorer.wait_until(
        lambda: "followed at 18 months" in explorer.text("#conditional-panel"),
        "the calculator for 18 months",
    )
    explorer.wait_settled()
    assert requests(explorer, CONDITIONAL) == 1
    assert requests(explorer, VIEW) == 0
    explorer.assert_no_errors()


def test_typing_the_landmark_computes_the_view_once(explorer):
    with counted_requests(explorer):
        explorer.open()
    _forget_requests(explorer)
    box = explorer.driver.find_element(By.ID, "filter-landmark")
    explorer.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", box
    )

    _press(explorer, box, ["2", "4"], select_all=True)

    explorer.wait_until(lambda: explorer.query() == "landmark=24", "the landmark in the URL")
    explorer.wait_settled()
    assert requests(explorer, VIEW) == 1
    explorer.assert_no_errors()


SHARED = "?age=30-50&edss=1-6&grace=3"
SHARED_CLI = ("--age-min", "30", "--age-max", "50", "--edss-min", "1", "--edss-max", "6")


def test_a_shared_url_with_slider_values_computes_once(explorer):
    with counted_requests(explorer):
        explorer.open(SHARED)
    report = cli_report(*DEFAULT_GROUP, *SHARED_CLI, "--grace-months", "3")

    explorer.expect(report)
    assert explorer.slider_values("filter-age") == [30.0, 50.0]
    assert explorer.slider_values("filter-edss") == [1.0, 6.0]
    assert explorer.slider_values("filter-grace") == [3.0]
    # Once: not once more per slider after its pause.
    assert requests(explorer, VIEW) == 1
    assert explorer.query() == SHARED.lstrip("?")

    _forget_requests(explorer)
    explorer.click("filter-reset")
    explorer.expect(cli_report(*DEFAULT_GROUP))
    explorer.wait_until(lambda: explorer.query() == "", "the URL query to be cleared")
    assert explorer.slider_values("filter-grace") == [6.0]
    assert requests(explorer, VIEW) == 1
    explorer.assert_no_errors()


def test_reset_during_the_pause_wins(explorer):
    """Reset pressed while keyboard steps are still settling: the steps are dropped, not
    applied after the reset."""
    explorer.open()
    thumb = _thumb(explorer, "filter-grace", 0)
    _press(explorer, thumb, [Keys.ARROW_LEFT] * 3)
    explorer.click("filter-reset")

    explorer.expect(cli_report(*DEFAULT_GROUP))
    assert explorer.slider_values("filter-grace") == [6.0]
    assert explorer.query() == ""
    explorer.assert_no_errors()
