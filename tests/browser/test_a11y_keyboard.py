"""The page with the keyboard alone, in real Chromium (issue 15): the skip link, the tabs'
arrow keys and roving tabindex, a radio group as one Tab stop, a visible focus ring on every
control reached with Tab, and the plots' words following the view."""

from __future__ import annotations

import re

import pytest
from explorer_page import DEFAULT_GROUP, cli_report
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from app.layout.page import TAB_KEYS
from tests.survival_words import assert_reads

pytestmark = pytest.mark.browser

_ACTIVE_JS = """const el = document.activeElement;
return el ? {id: el.id, tag: el.tagName.toLowerCase(), cls: el.className || '',
             role: el.getAttribute('role'), type: el.getAttribute('type'),
             group: el.closest('[role=radiogroup]') ? el.closest('[role=radiogroup]')
                 .querySelector('[id]').id : null} : null;"""

# The focused element's ring (outline or, failing that, box-shadow) and the opaque background
# it is drawn on: the ring's width and its contrast against that background.
_RING_JS = """
const el = document.activeElement;
const style = getComputedStyle(el);
function rgb(text) { const m = text.match(/[\\d.]+/g); return m ? m.map(Number) : null; }
function background(node) {
  for (let n = node.parentElement; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c && (c.length < 4 || c[3] > 0.99)) return c.slice(0, 3);
  }
  return [255, 255, 255];
}
const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
return {
  width: outline ? parseFloat(style.outlineWidth) : 0,
  colour: outline ? rgb(style.outlineColor).slice(0, 3) : null,
  shadow: style.boxShadow,
  background: background(el),
  what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + (el.className || ''),
};
"""


def _luminance(rgb: list[float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: list[float], b: list[float]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _press(explorer, *keys: str) -> None:
    chain = ActionChains(explorer.driver)
    for key in keys:
        chain.send_keys(key)
    chain.perform()


def _active(explorer) -> dict:
    return explorer.driver.execute_script(_ACTIVE_JS)


def _tab_state(explorer) -> dict[str, tuple[str, str, bool]]:
    """Per tab key: its aria-selected, its tabindex, and whether its panel is hidden."""
    return explorer.driver.execute_script(
        """const out = {};
        for (const key of arguments[0]) {
            const tab = document.getElementById('tab-' + key);
            const panel = document.getElementById('panel-' + key);
            out[key] = [tab.getAttribute('aria-selected'), tab.getAttribute('tabindex'),
                        panel.hidden];
        }
        return out;""",
        list(TAB_KEYS),
    )


def _selected_is(explorer, key: str) -> bool:
    state = _tab_state(explorer)
    return (
        all(
            tuple(state[k]) == (("true", "0", False) if k == key else ("false", "-1", True))
            for k in state
        )
        and (_active(explorer) or {}).get("id") == f"tab-{key}"
    )


def test_the_first_tab_stop_is_the_skip_link_to_the_results(explorer):
    explorer.open()
    explorer.driver.execute_script("document.activeElement && document.activeElement.blur()")
    _press(explorer, Keys.TAB)
    focused = _active(explorer)
    assert focused["tag"] == "a", focused
    assert "skip-link" in focused["cls"], focused
    # Shown while focused (it sits off-screen otherwise).
    top = explorer.driver.execute_script(
        "return document.activeElement.getBoundingClientRect().top"
    )
    assert top >= 0
    _press(explorer, Keys.ENTER)
    explorer.wait_until(lambda: _active(explorer)["id"] == "results", "focus on the results")
    # The address stays the view's shareable URL (no "#results").
    assert "#" not in explorer.driver.current_url
    # The next Tab stop is inside the results, not back in the header or the filters.
    _press(explorer, Keys.TAB)
    assert explorer.driver.execute_script(
        "return document.getElementById('results').contains(document.activeElement)"
    )
    explorer.assert_no_errors()


def test_arrow_keys_move_between_tabs_and_open_them(explorer):
    explorer.open()
    explorer.driver.execute_script("document.getElementById('tab-km').focus()")
    assert _selected_is(explorer, "km"), (_tab_state(explorer), _active(explorer))

    _press(explorer, Keys.ARROW_RIGHT)
    explorer.wait_until(lambda: _selected_is(explorer, "timelines"), "Timelines selected")
    _press(explorer, Keys.ARROW_RIGHT)
    explorer.wait_until(lambda: _selected_is(explorer, "hr"), "Hazard ratios selected")
    # Opened by the keyboard, the tab computes its view as after a click.
    report = cli_report(*DEFAULT_GROUP)
    explorer.wait_until(
        lambda: (
            explorer.forest_hazard_ratios("Univariable")
            == pytest.approx([term["hr"] for term in report["univariable"]], rel=1e-9)
        ),
        "the CLI's hazard ratios in the forest plot",
    )
    _press(explorer, Keys.END)
    explorer.wait_until(lambda: _selected_is(explorer, TAB_KEYS[-1]), "the last tab")
    _press(explorer, Keys.ARROW_RIGHT)  # wraps around
    explorer.wait_until(lambda: _selected_is(explorer, TAB_KEYS[0]), "back to the first")
    _press(explorer, Keys.ARROW_LEFT)
    explorer.wait_until(lambda: _selected_is(explorer, TAB_KEYS[-1]), "wrapped to the last")
    _press(explorer, Keys.HOME)
    explorer.wait_until(lambda: _selected_is(explorer, "km"), "the first tab again")

    # The tab list is one Tab stop: Tab goes on to the open panel, not to the next tab.
    _press(explorer, Keys.TAB)
    assert _active(explorer)["role"] != "tab"
    explorer.assert_no_errors()


def test_a_radio_group_is_one_tab_stop_and_arrows_change_the_filter(explorer):
    explorer.open()
    explorer.driver.execute_script(
        "document.querySelector('#filter-sex input[type=radio]:checked').focus()"
    )
    assert _active(explorer)["type"] == "radio"
    _press(explorer, Keys.ARROW_DOWN)  # "All" -> "Female"
    explorer.wait_until(lambda: explorer.radio_value("filter-sex") == "F", "Female chosen")
    explorer.expect(cli_report(*DEFAULT_GROUP, "--sex", "F"))
    assert _active(explorer)["type"] == "radio"

    # Tab leaves the group at once; Shift+Tab comes back to its checked radio.
    explorer.driver.execute_script(
        "document.querySelector('#filter-sex input[type=radio]:checked').focus()"
    )
    _press(explorer, Keys.TAB)
    outside = explorer.driver.execute_script(
        "return !document.getElementById('filter-sex').contains(document.activeElement)"
    )
    assert outside, _active(explorer)
    ActionChains(explorer.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(
        Keys.SHIFT
    ).perform()
    back = explorer.driver.execute_script(
        "const el = document.activeElement; return el.type === 'radio' && el.checked"
        " && document.getElementById('filter-sex').contains(el)"
    )
    assert back, _active(explorer)
    explorer.assert_no_errors()


def test_every_control_reached_with_tab_shows_a_clear_focus_ring(explorer):
    """2 px or more, at least 3:1 against what it is drawn on (WCAG 2.2 focus appearance)."""
    explorer.open()
    explorer.driver.execute_script("document.activeElement && document.activeElement.blur()")
    seen, weak = [], []
    for _ in range(45):  # the header, every filter, and on through the tabs into the panel
        _press(explorer, Keys.TAB)
        if explorer.driver.execute_script("return document.activeElement === document.body"):
            break  # past the last control (the browser's own toolbar would be next)
        ring = explorer.driver.execute_script(_RING_JS)
        seen.append(ring["what"])
        if ring["width"] < 2 or contrast(ring["colour"], ring["background"]) < 3:
            weak.append(ring)
    assert len(set(seen)) > 25, seen  # the walk really went through the page
    assert any(what.startswith("button#tab-") for what in seen), seen
    assert weak == [], weak
    explorer.assert_no_errors()


def test_the_plots_words_follow_the_view(explorer):
    explorer.open()
    caption = explorer.wait_until(
        lambda: explorer.driver.execute_script(
            "return document.getElementById('km-caption').textContent"
        ),
        "the KM caption",
    )
    everyone = cli_report(*DEFAULT_GROUP)
    _caption_has(caption, everyone)
    graph = explorer.driver.execute_script(
        "return document.getElementById('km-graph').closest('figure')"
        ".getAttribute('aria-describedby')"
    )
    assert graph == "km-caption"

    explorer.click_radio("filter-sex", "F")
    women = cli_report(*DEFAULT_GROUP, "--sex", "F")
    explorer.expect(women)
    _caption_has(
        explorer.driver.execute_script("return document.getElementById('km-caption').textContent"),
        women,
    )
    explorer.assert_no_errors()


def _caption_has(caption: str, report: dict) -> None:
    """The caption's 24-month survival per group is the CLI's, rounded as the page rounds."""
    match = re.search(r"Failure-free at 24 months: ([^.]*)\.", caption)
    assert match, caption
    assert_reads(match.group(1), report["survival_at"], 24)
