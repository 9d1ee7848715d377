"""Real-Chromium fixtures: one app server and one headless browser for the whole browser suite.

dash's own ``dash_duo`` starts a server and a browser per test (about 4 s each on a 2-core
machine); the pages here are independent once reloaded (uploads live in the tab's memory
store), so one of each serves every test and keeps the suite well under the CI budget.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def pytest_configure(config):
    """Headless always: `make test` passes no --headless and CI machines have no display."""
    if hasattr(config.option, "headless"):
        config.option.headless = True


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


def pytest_setup_options():
    """Chrome options for dash.testing: a fixed window so layouts (and clicks) are stable."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.add_argument("--window-size=1440,900")
    return options


def _missing_requirement() -> str | None:
    try:
        import dash.testing.composite  # noqa: F401
    except ImportError:
        return "dash[testing] is not installed (it is in the `test` extra: `make test`)"
    if shutil.which("chromedriver") is None:
        return "chromedriver is not on PATH (apt-get install chromium chromium-driver)"
    if not any(shutil.which(name) for name in BROWSERS):
        return "no Chromium/Chrome on PATH (apt-get install chromium chromium-driver)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _ErrorRecords(logging.Handler):
    """Collects the server's error log lines: a guarded callback failure only shows there."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="session")
def explorer(request, tmp_path_factory):
    """The dashboard on the demo cohort in headless Chromium (skips locally without Chromium;
    fails in CI, where a silently skipped browser suite would hide regressions)."""
    missing = _missing_requirement()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests cannot run in CI: {missing}", pytrace=False)
        pytest.skip(f"browser tests skipped: {missing}")

    from dash.testing.application_runners import ThreadedRunner
    from dash.testing.composite import DashComposite
    from explorer_page import ExplorerPage

    from app.server.config import Config
    from app.server.factory import create_app

    downloads = tmp_path_factory.mktemp("downloads")
    errors = _ErrorRecords()
    app_log = logging.getLogger("app")
    app_log.addHandler(errors)
    try:
        with (
            ThreadedRunner() as server,
            DashComposite(
                server=server,
                browser="Chrome",
                headless=request.config.getoption("headless", default=True),
                options=request.config.hook.pytest_setup_options(),
                download_path=str(downloads),
                percy_run=False,
            ) as duo,
        ):
            duo.start_server(create_app(Config()), port=_free_port())
            yield ExplorerPage(duo, downloads, errors.records)
    finally:
        app_log.removeHandler(errors)
