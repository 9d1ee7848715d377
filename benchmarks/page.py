"""First-page bytes: what a browser downloads to show the dashboard.

``static_page_bytes``: ``GET /`` with ``Accept-Encoding: gzip`` plus every script,
stylesheet and icon the HTML references, and the two JSON documents Dash's renderer always
fetches (``/_dash-layout``, ``/_dash-dependencies``), counted as transferred (compressed body
bytes, headers excluded).

``browser_page_bytes``: headless Chromium (when installed, with selenium from the test
extra) opens the page and waits until the Kaplan-Meier figure is drawn; the sum of the
DevTools ``encodedDataLength`` of every response (headers included) is what really crossed
the wire: it adds the chunks the renderer loads on demand (plotly.js for the graphs, the
sliders' and dropdowns' code) and the first callbacks' answers.
"""

from __future__ import annotations

import gzip
import json
import shutil
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from benchmarks.server import request

GZIP = {"Accept-Encoding": "gzip"}
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
BROWSER_SECONDS = 180


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls.append(values["src"])
        elif tag == "link" and values.get("href"):
            self.urls.append(values["href"])


@dataclass
class PageBytes:
    transferred: int = 0
    uncompressed: int = 0
    files: list[dict[str, object]] = field(default_factory=list)

    def add(self, path: str, body: bytes, encoding: str | None) -> None:
        raw = gzip.decompress(body) if encoding == "gzip" else body
        self.transferred += len(body)
        self.uncompressed += len(raw)
        self.files.append({"path": path.split("?")[0], "bytes": len(body), "raw": len(raw)})


def static_page_bytes(port: int) -> dict[str, object]:
    page = request(port, "GET", "/", headers=GZIP)
    if page.status != 200:
        raise RuntimeError(f"GET / answered {page.status}")
    encoding = page.headers.get("content-encoding")
    html = PageBytes()
    html.add("/", page.body, encoding)
    parser = _References()
    parser.feed((gzip.decompress(page.body) if encoding == "gzip" else page.body).decode())
    for url in dict.fromkeys(parser.urls):
        path = urljoin("/", url)
        if not path.startswith("/"):
            continue  # the page loads nothing from outside; such a URL would be a finding
        reply = request(port, "GET", path, headers=GZIP)
        html.add(path, reply.body, reply.headers.get("content-encoding"))
    with_json = PageBytes(html.transferred, html.uncompressed, list(html.files))
    for path in ("/_dash-layout", "/_dash-dependencies"):
        reply = request(port, "GET", path, headers=GZIP)
        with_json.add(path, reply.body, reply.headers.get("content-encoding"))
    largest = sorted(with_json.files, key=lambda f: -int(f["bytes"]))[:6]
    return {
        "html_and_assets_bytes": html.transferred,
        "html_and_assets_uncompressed": html.uncompressed,
        "with_dash_json_bytes": with_json.transferred,
        "with_dash_json_uncompressed": with_json.uncompressed,
        "files": len(with_json.files),
        "largest": largest,
    }


def _browser_binary() -> str | None:
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def _driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    binary = _browser_binary()
    if binary:
        options.binary_location = binary
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1440,900",
        "--disable-extensions",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    # The chromedriver on PATH: without a Service path selenium >= 4.6 asks Selenium Manager,
    # which downloads a driver (no internet here, and an unreviewed binary).
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


DRAWN = (
    "const g = document.querySelector('#km-graph .main-svg');"
    "const n = document.getElementById('live-count');"
    "return g !== null && n !== null && n.textContent.trim().length > 0;"
)


def _transfers(log: list[dict]) -> tuple[int, dict[str, int]]:
    urls: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for entry in log:
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.responseReceived":
            urls[params["requestId"]] = params["response"]["url"]
        elif message.get("method") == "Network.loadingFinished":
            sizes[params["requestId"]] = int(params.get("encodedDataLength", 0))
    by_path: dict[str, int] = {}
    for request_id, size in sizes.items():
        path = "/" + urls.get(request_id, "?").split("/", 3)[-1].split("?")[0]
        by_path[path] = by_path.get(path, 0) + size
    return sum(sizes.values()), by_path


def browser_page_bytes(port: int) -> dict[str, object]:
    """Bytes transferred until the first view is drawn, measured in headless Chromium."""
    if _browser_binary() is None or shutil.which("chromedriver") is None:
        return {"skipped": "no Chromium/chromedriver on PATH"}
    try:
        from selenium.webdriver.support.ui import WebDriverWait
    except ImportError:
        return {"skipped": "selenium not installed (it comes with `make setup`'s test extra)"}
    driver = _driver()
    try:
        started = time.perf_counter()
        driver.get(f"http://127.0.0.1:{port}/")
        WebDriverWait(driver, BROWSER_SECONDS, poll_frequency=0.05).until(
            lambda d: d.execute_script(DRAWN)
        )
        drawn = time.perf_counter() - started
        time.sleep(1.0)  # let the page's other first callbacks finish
        total, by_path = _transfers(driver.get_log("performance"))
    finally:
        driver.quit()
    largest = sorted(by_path.items(), key=lambda item: -item[1])[:8]
    return {
        "transferred_bytes": total,
        "requests": len(by_path),
        "seconds_to_km_drawn": drawn,
        "largest": [{"path": p, "bytes": b} for p, b in largest],
    }
