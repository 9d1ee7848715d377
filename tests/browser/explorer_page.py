"""Page object for the browser tests: what a user sees and does, and the CLI's expected numbers.

Expected values always come from the CLI (``python -m analytics report --format json``, run
in-process) for the same filters, so a test states the filters once and compares the page's
cards and Kaplan-Meier figure with what the command line prints.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from analytics.__main__ import main as analytics_cli
from components.figures.km import CENSOR_TICKS, CLICK_TARGETS

# A ceiling, not a wait: every wait polls for its condition and returns as soon as it holds.
# CI machines may be new and busy (a page took 25 s to open at load 12-17 on 2 cores).
TIMEOUT = 90.0
DEMO_PATIENTS = Path(__file__).resolve().parents[2] / "analytics" / "data" / "demo" / "patients.csv"
DEFAULT_GROUP = ("--group-by", "asymptomatic_lesions")  # the page's default grouping
EMPTY_KM_MESSAGE = "No patients match these filters: widen them or press Reset."

# Reads a component's current props from the Dash renderer's store (what the callbacks set),
# not from the DOM, so hidden tabs and Plotly's own transformations do not matter.
_PROPS_JS = """
const state = window.store && window.store.getState();
if (!state || !state.paths || !state.paths.strs[arguments[0]]) { return null; }
let node = state.layout;
for (const key of state.paths.strs[arguments[0]]) { node = node[key]; }
return node.props[arguments[1]] === undefined ? null : node.props[arguments[1]];
"""
_SETTLED_JS = """
const state = window.store && window.store.getState();
if (!state || state.isLoading) { return false; }
const callbacks = state.callbacks || {};
return ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed']
    .every(stage => !callbacks[stage] || callbacks[stage].length === 0);
"""


def cli_report(*args: str) -> dict:
    """The CLI's JSON report for ``args`` (e.g. ``"--sex", "F"``), run in-process."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = analytics_cli(["report", "--format", "json", *args])
    assert code == 0, f"CLI exited {code} for {args}"
    return json.loads(out.getvalue())


def _decode(values: object) -> list:
    """Plotly JSON arrays: plain lists, or {"dtype", "bdata"} base64 typed arrays."""
    if isinstance(values, dict) and "bdata" in values:
        raw = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        return raw.tolist()
    return list(values or [])


def km_curves(figure: dict | None) -> list[dict]:
    """The KM figure's curves, in drawing order: legend text and (month, survival) points.

    A curve is drawn as a solid part and a faded tail (fewer than 5 at risk) sharing one
    legend group; CI bands are skipped (edges of width 0) and so are the at-risk table (text),
    the drops' and ticks' click targets (invisible lines) and the censoring ticks' strokes
    (their ``meta`` says so: components.figures.km).
    """
    curves: dict[str, dict] = {}
    for trace in (figure or {}).get("data", []):
        if trace.get("mode") != "lines" or (trace.get("line") or {}).get("width") == 0:
            continue
        if trace.get("meta") in (CENSOR_TICKS, CLICK_TARGETS):
            continue
        curve = curves.setdefault(trace.get("legendgroup"), {"legend": None, "points": []})
        if trace.get("showlegend", True):
            curve["legend"] = trace.get("name")
        for point in zip(_decode(trace.get("x")), _decode(trace.get("y")), strict=True):
            if not curve["points"] or curve["points"][-1] != point:
                curve["points"].append(point)
    return list(curves.values())


def km_mismatch(figure: dict | None, report: dict) -> str | None:
    """Why the KM figure differs from the CLI report's ``km`` groups, or None if it does not."""
    groups = list(report["km"]["groups"].values())
    curves = km_curves(figure)
    if len(curves) != len(groups):
        return f"{len(curves)} curves drawn, the CLI has {len(groups)} groups"
    for curve, group in zip(curves, groups, strict=True):
        counts = rf"\bn={group['n']}, {group['events']} failures?\b"
        if not re.search(counts, curve["legend"] or ""):
            return f"legend {curve['legend']!r} does not match {counts!r}"
        expected = list(zip(group["timeline"], group["survival"], strict=True))
        if len(curve["points"]) != len(expected) or not np.allclose(
            curve["points"], expected, rtol=1e-9, atol=1e-12
        ):
            return f"curve {curve['legend']!r}: {curve['points']} != CLI {expected}"
    return None


def expected_cards(report: dict) -> dict[str, str]:
    """The summary cards' texts as the CLI's numbers give them."""
    estimate = report["failure_rate"]["estimate"]
    proportion = "n/a" if report["n"] == 0 or estimate is None else f"{estimate:.1%}"
    return {"n": str(report["n"]), "events": str(report["events"]), "proportion": proportion}


# The label of the selected analysis tab.
_ACTIVE_TAB_JS = """const tab = document.querySelector('[role=tab][aria-selected=true]');
return tab ? tab.innerText.trim() : null;"""


class ExplorerPage:
    """The running dashboard in one browser tab: ``driver`` is a selenium WebDriver and
    ``server_url`` the app's address (``http://127.0.0.1:PORT``)."""

    def __init__(self, driver, server_url: str, downloads: Path, server_errors: list) -> None:
        self.driver = driver
        self.server_url = server_url.rstrip("/")
        self.downloads = downloads
        self.server_errors = server_errors

    # -- navigation and waiting -------------------------------------------------------
    def open(self, query: str = "") -> None:
        """Load the page fresh (a new memory store: no upload) and wait for the first render."""
        self.driver.get(f"{self.server_url}/{query}")
        self.wait_until(
            lambda: self.driver.find_elements(By.CSS_SELECTOR, "#card-n-value"),
            "#card-n-value on the page",
        )
        self.wait_settled()

    def wait_settled(self, timeout: float = TIMEOUT) -> None:
        self.wait_until(
            lambda: self.driver.execute_script(_SETTLED_JS), "callbacks settle", timeout
        )

    def wait_until(self, condition, what: str, timeout: float = TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            result = condition()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:g} s waiting for: {what}")
            time.sleep(0.1)

    def query(self) -> str:
        return urlsplit(self.driver.current_url).query

    # -- reading ------------------------------------------------------------------------
    def prop(self, component_id: str, name: str):
        return self.driver.execute_script(_PROPS_JS, component_id, name)

    def text(self, css: str) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, css).text

    def visible_text(self, css: str) -> str | None:
        """The text of a displayed element matching ``css``, else None (for waiting)."""
        return self.driver.execute_script(
            """const el = document.querySelector(arguments[0]);
            return el && el.getClientRects().length ? el.innerText : null;""",
            css,
        )

    def problem_lines(self) -> list[str]:
        """The listed upload problems (one per line item of #upload-problems), or []: the
        per-column summary and the cell-by-cell detail under it (collapsed, so textContent:
        innerText is empty for what a closed <details> does not render)."""
        return self.driver.execute_script(
            """const items = document.querySelectorAll('#upload-problems li');
            return Array.from(items, item => item.textContent.replace(/\\s+/g, ' ').trim());"""
        )

    def cards(self) -> dict[str, str | None]:
        """The n, failures and failure-proportion card values (read in one go: the cards are
        re-rendered by every callback, so element handles go stale)."""
        return self.driver.execute_script(
            """const out = {};
            for (const key of ['n', 'events', 'proportion']) {
                const el = document.getElementById('card-' + key + '-value');
                out[key] = el ? el.innerText.trim() : null;
            }
            return out;"""
        )

    def shows(self, report: dict) -> str | None:
        """None when the cards and KM figure show ``report``'s numbers, else what differs."""
        cards, wanted = self.cards(), expected_cards(report)
        if cards != wanted:
            return f"cards {cards} != CLI {wanted}"
        figure = self.prop("km-graph", "figure")
        if report["n"] == 0:
            texts = [a.get("text") for a in (figure or {}).get("layout", {}).get("annotations", [])]
            return None if EMPTY_KM_MESSAGE in texts else f"KM annotations {texts}"
        return km_mismatch(figure, report)

    def expect(self, report: dict) -> None:
        """Wait until the page shows ``report``'s numbers; fail with the difference.

        The Kaplan–Meier figure is drawn only while the Survival tab is shown (a hidden tab is
        computed when it is opened), so the Survival tab is opened first, as a reader would,
        and the tab that was open before is opened again afterwards."""
        previous = self.driver.execute_script(_ACTIVE_TAB_JS)
        if previous != "Survival":
            self.open_tab("Survival")
        deadline = time.monotonic() + TIMEOUT
        while (difference := self.shows(report)) is not None:
            if time.monotonic() > deadline:
                raise AssertionError(f"page does not show the CLI's numbers: {difference}")
            time.sleep(0.2)
        self.wait_settled()
        assert self.shows(report) is None, self.shows(report)
        if previous and previous != "Survival":
            self.open_tab(previous)

    def km_x_range(self) -> list[float] | None:
        figure = self.prop("km-graph", "figure") or {}
        return figure.get("layout", {}).get("xaxis", {}).get("range")

    def forest_hazard_ratios(self, model: str) -> list[float] | None:
        """Hazard ratios plotted for ``model`` ("Univariable", "Multivariable", "Firth")."""
        figure = self.prop("forest-graph", "figure") or {}
        for trace in figure.get("data", []):
            if trace.get("name") == model and trace.get("mode") == "markers":
                return _decode(trace.get("x"))
        return None

    def slider_values(self, control_id: str) -> list[float]:
        """What the slider thumbs show (aria-valuenow), min first."""
        thumbs = self.driver.find_elements(By.CSS_SELECTOR, f"#{control_id} [role=slider]")
        return [float(t.get_attribute("aria-valuenow")) for t in thumbs]

    def radio_value(self, control_id: str) -> str:
        return self.driver.find_element(
            By.CSS_SELECTOR, f"#{control_id} input[type=radio]:checked"
        ).get_attribute("value")

    # -- acting -------------------------------------------------------------------------
    def _visible(self, element):
        """Scroll ``element`` to the middle of the 1440x900 window so it can be clicked."""
        # "instant": Bootstrap's smooth scrolling would still be moving when we click.
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
        )
        return element

    def _click(self, by: str, selector: str) -> None:
        """Scroll the element into view and click it. A panel still being drawn (a lazy tab,
        a plot taking its height) can move it between the scroll and the click: then the
        click lands elsewhere (Chromium refuses it) and is tried again where it now is."""

        def clicked() -> bool:
            try:
                self._visible(self.driver.find_element(by, selector)).click()
            except ElementClickInterceptedException:
                return False
            return True

        self.wait_until(clicked, f"{selector} to take a click")

    def click(self, element_id: str) -> None:
        self._click(By.ID, element_id)

    def click_radio(self, control_id: str, value: str) -> None:
        self._click(
            By.CSS_SELECTOR, f"label[for='_dbcprivate_radioitems_{control_id}_input_{value}']"
        )

    def choose(self, control_id: str, value: str) -> None:
        """Pick an option by its value: Dash 4 dropdown, native select or checklist.

        By value, not label, so relabelling an option does not break the test; a missing
        option fails (dash.testing's select_dcc_dropdown only logged it).
        """
        control = self._visible(self.driver.find_element(By.ID, control_id))
        if control.tag_name == "select":  # a native <select> (dbc.Select)
            Select(control).select_by_value(value)
            return
        boxes = control.find_elements(By.CSS_SELECTOR, f"input[type=checkbox][value='{value}']")
        if boxes:  # a checklist (dbc.Checklist): tick the box through its label
            label = control.find_element(
                By.CSS_SELECTOR, f"label[for='{boxes[0].get_attribute('id')}']"
            )
            self._visible(label).click()
            return
        control.click()
        xpath = (
            "//*[contains(@class,'dash-dropdown-options')]//*[contains(@class,"
            f"'dash-dropdown-option') and .//input[@value='{value}']]"
        )
        last: list = [None]

        def settled_option():
            # The popover animates open: click only once the option has stopped moving,
            # or the click lands on a neighbour.
            found = self.driver.find_elements(By.XPATH, xpath)
            if not found:
                return None
            rect = found[0].rect
            stable, last[0] = rect == last[0], rect
            return found[0] if stable else None

        try:
            item = self.wait_until(settled_option, f"option {value!r} of #{control_id}", 5)
        except AssertionError:
            shown = self.driver.execute_script(
                "return Array.from(document.querySelectorAll('.dash-dropdown-option input'))"
                ".map(o => o.value)"
            )
            raise AssertionError(f"no option {value!r} in #{control_id}: {shown}") from None
        self._visible(item).click()
        self.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)

    def slide(self, control_id: str, target: float, step: float, thumb: int = -1) -> None:
        """Move a slider thumb (0 = min, -1 = max/only) to ``target`` with the keyboard, as a
        keyboard user would: Page Up/Down move ten steps, arrows one (Radix slider keys)."""
        handle = self._visible(
            self.driver.find_elements(By.CSS_SELECTOR, f"#{control_id} [role=slider]")[thumb]
        )
        now = float(handle.get_attribute("aria-valuenow"))
        steps = round((target - now) / step)
        keys = [Keys.PAGE_UP if steps > 0 else Keys.PAGE_DOWN] * (abs(steps) // 10)
        keys += [Keys.ARROW_RIGHT if steps > 0 else Keys.ARROW_LEFT] * (abs(steps) % 10)
        for key in keys:
            handle.send_keys(key)
        self.wait_until(
            lambda: float(handle.get_attribute("aria-valuenow")) == target,
            f"#{control_id} thumb at {target:g}",
        )

    def open_tab(self, label: str) -> None:
        tab = f"//*[contains(@class,'nav-link') and normalize-space()='{label}']"
        self._visible(self.driver.find_element(By.XPATH, tab)).click()

    def upload(self, upload_id: str, path: Path) -> None:
        box = self.driver.find_element(By.CSS_SELECTOR, f"#{upload_id} input[type=file]")
        box.send_keys(str(path.resolve()))

    def download(self, button_id: str, file_name: str) -> Path:
        """Click an export button and wait for the finished file in Chrome's download dir."""
        target = self.downloads / file_name
        target.unlink(missing_ok=True)
        self.click(button_id)
        # Chrome writes into a .crdownload file and renames it when done: finished means the
        # file is there, not empty, and no .crdownload is left.
        self.wait_until(
            lambda: (
                target.exists()
                and target.stat().st_size > 0
                and not any(self.downloads.glob("*.crdownload"))
            ),
            f"download of {file_name}",
        )
        return target

    # -- the check every test ends with -------------------------------------------------
    def console_errors(self) -> list[dict]:
        """SEVERE browser console entries since the last call (chromedriver hands each entry
        out once; the session asks for SEVERE only, through goog:loggingPrefs)."""
        return [e for e in self.driver.get_log("browser") if e.get("level") == "SEVERE"]

    def assert_no_errors(self) -> None:
        """No SEVERE console entries (a failed callback shows as a 500) and no server errors
        (a guarded callback failure is logged server-side and shown as a message)."""
        logs = self.console_errors()
        assert logs == [], f"browser console errors: {logs}"
        server = [r.getMessage() for r in self.server_errors]
        self.server_errors.clear()
        assert server == [], f"server logged errors: {server}"


def tiled_demo_patients(path: Path, copies: int, prefix: str) -> Path:
    """The demo patients tiled ``copies`` times into ``path``, a larger upload: new IDs
    (``{prefix}{copy:02d}-``), every other cell as is."""
    header, *rows = DEMO_PATIENTS.read_text(encoding="utf-8").splitlines()
    lines = [header]
    for copy in range(copies):
        lines += [row.replace("SYN-", f"{prefix}{copy:02d}-", 1) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
