"""Real-Chromium fixtures: one app server and one headless browser for the whole browser suite.

A server and a browser per test cost about 4 s each on a 2-core machine; the pages here are
independent once reloaded (uploads live in the tab's memory store), so one of each serves
every test and keeps the suite well under the CI budget. Selenium drives Debian's
chromedriver directly (chromium.py) and the app runs in a thread of this process
(app_server.py): no dash[testing], whose selenium pin held urllib3 1.26 in the lock.
"""

from __future__ import annotations

import logging
import os

import pytest

# The app server runs in a thread of this process, and Python's warning filters are
# process-wide: pytest's per-test "error" filters (set and restored in the main thread) can
# replace the app's own while a callback in the server thread is fitting a model, turning a
# warning the app records as a note (lifelines/firthmodels convergence, statsmodels and
# openpyxl warnings it silences) into an exception. Under gunicorn the app owns its filters;
# here those categories are let through for browser tests only.
_SERVER_THREAD_WARNINGS = (
    "ignore::lifelines.exceptions.ConvergenceWarning",
    "ignore::sklearn.exceptions.ConvergenceWarning",
    "ignore::RuntimeWarning:statsmodels",
    "ignore::UserWarning:openpyxl",
)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("browser") is not None:
            for spec in _SERVER_THREAD_WARNINGS:
                item.add_marker(pytest.mark.filterwarnings(spec))


def _missing_requirement() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (it is in the `test` extra: `make test`)"
    from chromium import missing_requirement

    return missing_requirement()


class _ErrorRecords(logging.Handler):
    """Collects the server's error log lines: a guarded callback failure only shows there."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="session")
def explorer(tmp_path_factory):
    """The dashboard on the demo cohort in headless Chromium (skips locally without Chromium;
    fails in CI, where a silently skipped browser suite would hide regressions)."""
    missing = _missing_requirement()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests cannot run in CI: {missing}", pytrace=False)
        pytest.skip(f"browser tests skipped: {missing}")

    import chromium
    from app_server import AppServer
    from explorer_page import ExplorerPage

    from app.server.config import Config
    from app.server.factory import create_app

    downloads = tmp_path_factory.mktemp("downloads")
    options = chromium.headless_options()
    # SEVERE console entries (a failed callback's 500, a script error) for assert_no_errors.
    options.set_capability("goog:loggingPrefs", {"browser": "SEVERE"})
    prefs = {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    options.add_experimental_option("prefs", prefs)
    errors = _ErrorRecords()
    app_log = logging.getLogger("app")
    app_log.addHandler(errors)
    try:
        with AppServer(create_app(Config()).server) as server:
            driver = chromium.start(options)
            try:
                # find_element waits up to 2 s for an element to appear, as under dash.testing,
                # which the page object's methods and the tests were written against.
                driver.implicitly_wait(2)
                chromium.allow_downloads(driver, downloads)
                yield ExplorerPage(driver, server.url, downloads, errors.records)
            finally:
                driver.quit()
    finally:
        app_log.removeHandler(errors)
