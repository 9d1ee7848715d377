"""Headless Chromium driven by the system's chromedriver (Debian's chromium-driver).

Selenium 4.6+ asks Selenium Manager for a driver when none is given, and Selenium Manager
downloads one from the internet: CI machines and the hospital's intranet have none, and a
downloaded driver is an unreviewed binary. So the driver is always the one on PATH, passed as
a Service, and the browser binary is named too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
WINDOW = "--window-size=1440,900"  # a fixed window so layouts (and clicks) are stable


def browser_binary() -> str | None:
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def missing_requirement() -> str | None:
    """Why Chromium cannot be driven here, or None."""
    if shutil.which("chromedriver") is None:
        return "chromedriver is not on PATH (apt-get install chromium chromium-driver)"
    if browser_binary() is None:
        return "no Chromium/Chrome on PATH (apt-get install chromium chromium-driver)"
    return None


def headless_options(*arguments: str) -> Options:
    """Headless Chromium as root in a container: no sandbox, no GPU, no /dev/shm."""
    options = Options()
    options.binary_location = browser_binary() or ""
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        WINDOW,
        *arguments,
    ):
        options.add_argument(argument)
    return options


def start(options: Options) -> webdriver.Chrome:
    """A Chrome WebDriver on PATH's chromedriver (never one Selenium Manager downloads)."""
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def allow_downloads(driver: webdriver.Chrome, folder: Path) -> None:
    """Save downloads to ``folder`` without a prompt: headless Chrome has no download shelf to
    ask on, so the DevTools command allows them explicitly (as dash.testing did)."""
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )
