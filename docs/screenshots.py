"""Screenshots of every tab, at given window widths, in English and Spanish.

    .venv/bin/python docs/screenshots.py --url http://127.0.0.1:8050 --out /tmp/shots
    .venv/bin/python docs/screenshots.py --url ... --out docs/screenshots --widths 1024 1440

Run against a served app (``make run`` or ``python -m app``). Each picture is the whole page
(not only the window), taken once the page's callbacks have settled: what a neurologist sees
after opening the tab. Uses Debian's chromium and chromedriver, like the browser tests.
"""

from __future__ import annotations

import argparse
import base64
import shutil
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

TABS = ("km", "timelines", "hr", "lesions", "rates", "relapses", "table", "paper", "data")

# Dash's store has nothing queued or running: the page shows its final numbers.
_SETTLED_JS = """
const state = window.store && window.store.getState();
if (!state || state.isLoading) { return false; }
const callbacks = state.callbacks || {};
return ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed']
    .every(stage => !callbacks[stage] || callbacks[stage].length === 0);
"""


def _driver(width: int) -> webdriver.Chrome:
    options = Options()
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--window-size={width},1000",
    ):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def _wait(driver: webdriver.Chrome, condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not settle")
        time.sleep(0.2)


def _settle(driver: webdriver.Chrome) -> None:
    _wait(driver, lambda: driver.execute_script(_SETTLED_JS))
    # Plotly draws after Dash settles; wait until every visible graph has its SVG.
    _wait(
        driver,
        lambda: driver.execute_script(
            "return [...document.querySelectorAll('.js-plotly-plot')]"
            ".filter(g => g.offsetParent !== null).every(g => g.querySelector('.main-svg'));"
        ),
    )


def _full_page(driver: webdriver.Chrome, path: Path) -> None:
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    path.write_bytes(base64.b64decode(shot["data"]))


def take(url: str, out: Path, widths: list[int], languages: list[str], tabs: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for width in widths:
        driver = _driver(width)
        try:
            for language in languages:
                driver.get(f"{url.rstrip('/')}/?lang={language}")
                _wait(driver, lambda d=driver: d.find_elements(By.ID, "card-n-value"))
                _settle(driver)
                for tab in tabs:
                    button = driver.find_element(By.ID, f"tab-{tab}")
                    driver.execute_script("arguments[0].click();", button)
                    _settle(driver)
                    driver.execute_script("window.scrollTo(0, 0);")
                    target = out / f"{tab}-{width}-{language}.png"
                    _full_page(driver, target)
                    print(target)
        finally:
            driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8050")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--widths", type=int, nargs="+", default=[1024, 1440])
    parser.add_argument("--languages", nargs="+", default=["en", "es"])
    parser.add_argument("--tabs", nargs="+", default=list(TABS))
    arguments = parser.parse_args()
    take(arguments.url, arguments.out, arguments.widths, arguments.languages, arguments.tabs)


if __name__ == "__main__":
    main()
