"""Before its scripts run the page shows its header (app/layout/shell.py), exactly where
React draws it afterwards: nothing moves when the page is built."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

_RECTS_JS = """
return ['header', 'header h1', '#cohort-label', '#start-here', '.abbreviations'].map(s => {
    const e = document.querySelector(s);
    if (!e) { return null; }
    const r = e.getBoundingClientRect();
    return [s, Math.round(r.left * 2) / 2, Math.round(r.top * 2) / 2,
            Math.round(r.width * 2) / 2, Math.round(r.height * 2) / 2];
});
"""


def _shell_only(explorer, query: str) -> list:
    """The page as served, its script files refused: only the shell is drawn."""
    driver = explorer.driver
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*.js", "*.js?*"]})
    try:
        driver.get(f"{explorer.server_url}/{query}")
        explorer.wait_until(
            lambda: driver.execute_script("return document.readyState") == "complete",
            "the served page",
        )
        text = explorer.text("#react-entry-point")
        rects = driver.execute_script(_RECTS_JS)
        # Read (and so cleared): "DashRenderer is not defined", the refused scripts' doing.
        driver.get_log("browser")
    finally:
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        driver.execute_cdp_cmd("Network.disable", {})
    return [text, rects]


@pytest.mark.parametrize(
    ("query", "loading"), [("", "Loading the explorer…"), ("?lang=es", "Cargando el explorador…")]
)
def test_the_shell_header_is_where_the_page_draws_it(explorer, query, loading):
    text, shell = _shell_only(explorer, query)
    assert loading in text
    assert "NMOSD" in text
    assert all(rect is not None for rect in shell), shell
    explorer.open(query)
    assert explorer.driver.execute_script(_RECTS_JS) == shell
    assert loading not in explorer.text("body")  # React replaced the shell
    explorer.assert_no_errors()
