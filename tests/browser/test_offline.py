"""Offline: with every non-local address unreachable, the page fully works and asks for nothing
outside the server (the hospital intranet has no internet)."""

from __future__ import annotations

import json
import time

import pytest
from chromium import headless_options, start
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.browser

LOCAL_SCHEMES = ("data:", "blob:", "about:", "chrome-extension:")


@pytest.fixture
def offline_driver(explorer):
    """A second Chromium in which only 127.0.0.1 resolves and every other host goes through
    an unreachable proxy; its network log records each request the page makes."""
    options = headless_options(
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1;localhost",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
    )
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = start(options)
    yield driver, explorer.server_url
    driver.quit()


def _requested_urls(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def _wait_for(driver, script: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for: {script}")


def test_page_works_offline_and_requests_nothing_external(offline_driver):
    driver, base = offline_driver
    driver.get(base + "/")
    # The cards, the Kaplan-Meier curves and the synthetic label all render.
    n = _wait_for(
        driver,
        "const v = document.getElementById('card-n-value'); return v && v.textContent;",
    )
    assert n == "54"
    curves = _wait_for(
        driver, "return document.querySelectorAll('#km-graph .scatterlayer .trace').length;"
    )
    assert curves >= 2
    assert "Synthetic demo cohort" in driver.find_element(By.TAG_NAME, "body").text
    # A callback round trip and a tab switch work too.
    driver.find_element(By.CSS_SELECTOR, "#filter-sex input[value='M']").click()
    _wait_for(
        driver,
        "const v = document.getElementById('card-n-value'); "
        "return v && v.textContent !== '54' && v.textContent;",
    )
    driver.find_element(By.ID, "tab-hr").click()
    _wait_for(driver, "return !document.getElementById('panel-hr').hidden;")
    _wait_for(driver, "return document.querySelectorAll('#forest-graph .point').length;")

    urls = _requested_urls(driver)
    assert urls, "the network log recorded no request"
    external = [u for u in urls if not u.startswith((base, *LOCAL_SCHEMES))]
    assert external == []
    severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
