"""The browser tests' Chromium runs on the chromedriver on PATH: Selenium Manager, which would
download a driver from the internet (none on CI runners or the intranet), is never asked."""

from __future__ import annotations

import chromium
import pytest
from selenium.webdriver.common.selenium_manager import SeleniumManager

pytestmark = pytest.mark.browser


def test_the_driver_starts_without_selenium_manager(explorer, monkeypatch):
    asked: list[object] = []

    def refuse(self, args):  # what a download attempt would go through
        asked.append(args)
        raise AssertionError("Selenium Manager was asked for a driver")

    monkeypatch.setattr(SeleniumManager, "binary_paths", refuse)
    driver = chromium.start(chromium.headless_options())
    try:
        assert driver.capabilities["browserName"] in {"chrome", "chromium"}
    finally:
        driver.quit()
    assert asked == []
