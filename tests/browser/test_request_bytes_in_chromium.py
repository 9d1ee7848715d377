"""Hidden tabs send nothing (issue 13), in Chromium: a filter change requests the
always-visible panels and the open tab only, posts at most 20 KB in all, never an upload's
bytes, and the page then shows the CLI's numbers for the view.

Every request the Dash renderer posts is recorded (``window.fetch`` wrapped): its size and the
outputs it asks for.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from explorer_page import DEFAULT_GROUP, cli_report, expected_cards, tiled_demo_patients

pytestmark = pytest.mark.browser
MAX_CHANGE_BYTES = 20 * 1024  # issue 13: bytes sent per filter change, all requests together
COPIES = 12  # an upload of 648 patients (~35 KB): more than a change may post

# What each tab's server callbacks write: a request for one of these while its tab is hidden
# is a request the page should not have made.
TAB_OUTPUTS = {
    "km": ("km-graph.figure", "conditional-panel-content.data"),
    "timelines": ("timeline-graph.figure",),
    "hr": ("forest-graph.figure",),
    "lesions": ("lesion-panel.children",),
    "rates": ("rates-panel.children",),
    "relapses": ("relapse-panel.children",),
    "table": ("table-one.children",),
    "methods": ("methods-panel.children",),
}

_RECORD_JS = """
window.__requests = [];
window.__lastRequestActivity = performance.now();
if (!window.__recordingRequests) {
    window.__recordingRequests = true;
    window.__requestsInFlight = 0;
    const originalFetch = window.fetch;
    window.fetch = function (resource, init) {
        const url = typeof resource === 'string' ? resource : resource.url;
        if (!url.includes('_dash-update-component')) {
            return originalFetch.apply(this, arguments);
        }
        const body = init && typeof init.body === 'string' ? init.body : '';
        window.__requests.push({size: new Blob([body]).size, body: body});
        window.__requestsInFlight += 1;
        window.__lastRequestActivity = performance.now();
        const done = () => {
            window.__requestsInFlight -= 1;
            window.__lastRequestActivity = performance.now();
        };
        const pending = originalFetch.apply(this, arguments);
        pending.then(response => response.clone().text()).then(done, done);
        return pending;
    };
}
"""
_REQUESTS_JS = "return window.__requests || [];"
# Quiet: no request in flight and none started or answered for a while. The renderer passes a
# clientside callback's answer on to the server callbacks it triggers a moment later, so "no
# callback pending" alone can be seen in between.
QUIET_MS = 400
_QUIET_JS = f"""
return window.__requestsInFlight === 0
    && performance.now() - window.__lastRequestActivity > {QUIET_MS};
"""


def _outputs(body: str) -> str:
    return json.loads(body).get("output", "")


def _quiet(explorer) -> None:
    explorer.wait_settled()
    explorer.wait_until(lambda: explorer.driver.execute_script(_QUIET_JS), "requests to end")
    explorer.wait_settled()


def _change(explorer, act, shown) -> list[dict]:
    """Record the requests of one change (``act``) until ``shown()`` (the open tab shows the
    new view: ``explorer.expect`` would open the Survival tab) and no request is pending."""
    explorer.driver.execute_script(_RECORD_JS)
    _quiet(explorer)
    explorer.driver.execute_script(_RECORD_JS)
    act()
    explorer.wait_until(shown, "the open tab showing the new view")
    _quiet(explorer)
    return explorer.driver.execute_script(_REQUESTS_JS)


def _survival_shows(explorer, report: dict):
    return lambda: explorer.shows(report) is None


def _hazards_show(explorer, report: dict):
    hrs = [term["hr"] for term in report["univariable"]]

    def shown() -> bool:
        forest = explorer.forest_hazard_ratios("Univariable")
        return (
            explorer.cards() == expected_cards(report)
            and forest is not None
            and forest == pytest.approx(hrs, rel=1e-9)
        )

    return shown


def _assert_only_visible(requests: list[dict], shown: set[str]) -> None:
    assert requests, "no request recorded for the change"
    total = sum(r["size"] for r in requests)
    sizes = [(_outputs(r["body"])[:60], r["size"]) for r in requests]
    assert total <= MAX_CHANGE_BYTES, sizes
    for tab, outputs in TAB_OUTPUTS.items():
        if tab in shown:
            continue
        for request in requests:
            requested = _outputs(request["body"])
            changed = json.loads(request["body"]).get("changedPropIds")
            assert not any(o in requested for o in outputs), f"hidden {tab}: {requested} {changed}"


def test_a_filter_change_requests_only_what_is_visible(explorer):
    explorer.open()
    explorer.expect(cli_report(*DEFAULT_GROUP))
    women = cli_report(*DEFAULT_GROUP, "--sex", "F")
    requests = _change(
        explorer,
        lambda: explorer.click_radio("filter-sex", "F"),
        _survival_shows(explorer, women),
    )
    _assert_only_visible(requests, {"km"})
    # The open tab is requested once (the live count and cards, the URL, the Survival tab's
    # plot and its calculator): not one request per tab of the page.
    assert len(requests) <= 5, [_outputs(r["body"]) for r in requests]
    assert any("km-graph.figure" in _outputs(r["body"]) for r in requests)

    # With the Hazard ratios tab open, a change requests that tab and not the Survival tab.
    explorer.open_tab("Hazard ratios")
    everyone = cli_report(*DEFAULT_GROUP)
    requests = _change(
        explorer,
        lambda: explorer.click_radio("filter-sex", "all"),
        _hazards_show(explorer, everyone),
    )
    _assert_only_visible(requests, {"hr"})
    assert any("forest-graph.figure" in _outputs(r["body"]) for r in requests)

    # Going back to a tab whose view did not change asks for nothing of it; one whose view
    # changed meanwhile is requested when opened.
    explorer.driver.execute_script(_RECORD_JS)
    explorer.open_tab("Survival")
    explorer.wait_until(_survival_shows(explorer, everyone), "the curves of all patients")
    _quiet(explorer)
    reopened = [_outputs(r["body"]) for r in explorer.driver.execute_script(_REQUESTS_JS)]
    assert any("km-graph.figure" in o for o in reopened), reopened
    explorer.driver.execute_script(_RECORD_JS)
    explorer.open_tab("Hazard ratios")
    _quiet(explorer)
    explorer.open_tab("Survival")
    _quiet(explorer)
    assert explorer.driver.execute_script(_REQUESTS_JS) == []
    explorer.assert_no_errors()


@pytest.fixture(scope="module")
def upload_file(tmp_path_factory) -> Path:
    """The demo patients tiled into a larger upload (new IDs, every other cell as is)."""
    folder = tmp_path_factory.mktemp("uploads")
    return tiled_demo_patients(folder / "tiled.csv", COPIES, "U")


def test_after_an_upload_a_change_posts_no_upload_bytes(explorer, upload_file):
    encoded = base64.b64encode(upload_file.read_bytes()).decode()
    explorer.open()
    explorer.open_tab("Data")
    explorer.upload("upload-patients", upload_file)
    shown = f"{COPIES * 54:,} patients"
    explorer.wait_until(
        lambda: shown in (explorer.visible_text("#upload-ok") or ""), f"the upload ({shown})"
    )
    explorer.open_tab("Survival")
    explorer.expect(cli_report("--cohort", str(upload_file), *DEFAULT_GROUP))
    report = cli_report("--cohort", str(upload_file), "--sex", "F", *DEFAULT_GROUP)
    requests = _change(
        explorer,
        lambda: explorer.click_radio("filter-sex", "F"),
        _survival_shows(explorer, report),
    )
    _assert_only_visible(requests, {"km"})
    for request in requests:
        body = request["body"]
        assert "upload-patients" not in body  # not even the component's name
        assert encoded[:64] not in body
        assert encoded[len(encoded) // 2 : len(encoded) // 2 + 64] not in body
        assert "U07-001" not in body
    explorer.assert_no_errors()


def _count(explorer, css: str) -> int:
    return explorer.driver.execute_script(
        "return document.querySelectorAll(arguments[0]).length;", css
    )


def test_hidden_tabs_static_parts_are_built_when_first_opened(explorer):
    """Lazy tab layouts: the forest plot, the patient timelines and the data dictionary are
    not in the page until their tab is opened; then they are, with the view's numbers."""
    explorer.open("?sex=F")
    women = cli_report(*DEFAULT_GROUP, "--sex", "F")
    explorer.expect(women)
    before = _count(explorer, "*")
    for css in ("#forest-graph", "#timeline-graph", "#lazy-dictionary tr"):
        assert _count(explorer, css) == 0, css

    explorer.open_tab("Hazard ratios")
    hrs = [term["hr"] for term in women["univariable"]]
    explorer.wait_until(
        lambda: explorer.forest_hazard_ratios("Univariable") == pytest.approx(hrs, rel=1e-9),
        "the CLI's HRs in the forest plot",
    )
    explorer.open_tab("Timelines")
    explorer.wait_until(
        lambda: _count(explorer, "#timeline-graph .main-svg") > 0, "the timelines drawn"
    )
    explorer.open_tab("Data")
    explorer.wait_until(lambda: _count(explorer, "#lazy-dictionary tr") > 10, "the dictionary")
    assert _count(explorer, "*") > before
    explorer.assert_no_errors()
