"""The browser latency benchmark's own parts: the in-page timing on a tiny static page in real
headless Chromium, and the summaries, targets and markdown (it asserts no timings of the app).

The static page plays a Dash page: a click POSTs to ``/_dash-update-component`` (the server
holds the answer for 50 ms), then the page updates the count, 40 ms later the visible panel,
and 40 ms after that a hidden panel, writing ``performance.now()`` at each step. The probe
must report the count's and the visible panel's times as the page itself recorded them (not
the hidden panel's, not the end of its quiet period) and the exact body bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks import browser_latency, browser_probe
from benchmarks.browser_results import markdown, summarise_changes, targets

# Same-task microtasks: the observer runs right after the page's own mutation (no other task
# can come in between), so only clock rounding separates the two times.
SAME_MOMENT_MS = 5
SERVER_DELAY_S = 0.05
BODY = json.dumps({"output": "live-count.children", "pad": "é" * 300}, ensure_ascii=False)

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>probe</title></head><body>
<aside><div id="live-count">10 of 10 patients</div><button id="go">go</button></aside>
<main><div id="summary-cards"><div id="card-n-value">10</div></div>
<div role="tabpanel" id="panel-a">A</div><div role="tabpanel" id="panel-b" hidden>B</div></main>
<script>
window.marks = {};
document.getElementById('go').addEventListener('click', (event) => {
  window.marks.click = event.timeStamp;
  fetch('/_dash-update-component', {method: 'POST', body: BODY_JSON})
    .then(r => r.json()).then(() => {
      document.getElementById('card-n-value').textContent = '7';
      document.getElementById('live-count').textContent = '7 of 10 patients';
      window.marks.count = performance.now();
      setTimeout(() => {
        document.getElementById('panel-a').textContent = 'A, redrawn';
        window.marks.visible = performance.now();
        setTimeout(() => {
          document.getElementById('panel-b').textContent = 'B, redrawn while hidden';
          window.marks.hidden = performance.now();
        }, 40);
      }, 40);
    });
});
</script></body></html>""".replace("BODY_JSON", json.dumps(BODY))


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self._send(PAGE.encode(), "text/html; charset=utf-8")

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        threading.Event().wait(SERVER_DELAY_S)  # the server's computation
        self._send(b'{"response": {}}', "application/json")

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def chromium():
    missing = browser_latency.missing_browser()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser latency test cannot run in CI: {missing}", pytrace=False)
        pytest.skip(f"needs Chromium: {missing}")
    driver = browser_latency.new_driver()
    yield driver
    driver.quit()


@pytest.fixture
def static_page():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_the_probe_times_the_count_and_the_last_visible_change_from_the_click(
    chromium, static_page
):
    from selenium.webdriver.common.by import By

    chromium.get(static_page)
    browser_probe.install(chromium, browser_probe.Selectors())
    result = browser_probe.measure(
        chromium, lambda: chromium.find_element(By.ID, "go").click(), "first", 30
    )
    marks = chromium.execute_script("return window.marks;")
    assert result["error"] is None
    assert "hidden" in marks  # the hidden panel did change, and is not counted
    assert result["requests"] == 1
    assert result["bytes_sent"] == len(BODY.encode("utf-8"))
    assert result["count_after"]["#card-n-value"] == "7"
    assert result["count_ms"] >= SERVER_DELAY_S * 1000  # after the answer, never before
    assert abs(result["count_ms"] - (marks["count"] - marks["click"])) < SAME_MOMENT_MS
    assert abs(result["settled_ms"] - (marks["visible"] - marks["click"])) < SAME_MOMENT_MS


def _record(setting, control, count, settled, sent, side="head", error=None):
    # The live count answers before the card (a slider's key: before the settle pause ends).
    live = None if count is None else count - 50
    return {"side": side, "setting": setting, "control": control, "count_ms": count,
            "live_count_ms": live, "settled_ms": settled, "bytes_sent": sent,
            "bytes_received": 1000, "requests": 2, "error": error}  # fmt: skip


def test_summaries_targets_and_markdown_of_a_small_run():
    records = [_record("n=54", "radio", 100.0 + i, 200.0 + 10 * i, 5000) for i in range(21)]
    records += [_record("n=54", "dropdown", None, 400.0, 30000) for _ in range(3)]
    records += [_record("n=54", "dropdown", None, None, None, error="TimeoutError: x")]
    records += [_record("n=54", "radio", 50.0, 100.0, 5000, side="base") for _ in range(3)]
    summary = summarise_changes(records)
    radio = summary["head"]["n=54"]["radio"]
    # numpy's linear interpolation (R type 7) over 200, 210, ..., 400: p95 at 390.
    assert radio["settled_ms"]["median"] == 300.0
    assert radio["settled_ms"]["p95"] == pytest.approx(390.0)
    dropdown = summary["head"]["n=54"]["dropdown"]
    assert dropdown["changes"] == 4
    assert dropdown["count_changed"] == 0
    assert dropdown["errors"] == ["TimeoutError: x"]
    lighthouse = {"head": {"desktop": {"scores": {"performance": 0.95, "accessibility": 1.0,
                                                  "best-practices": 0.93},
                                       "total_blocking_time_ms": 120.0,
                                       "bootup_top": [], "mainthread_top": []}}}  # fmt: skip
    rows = {row["target"]: row for row in targets(summary, lighthouse)}
    settled = rows["n=54: panel settled p95 ≤ 300 ms (every control type)"]
    assert not settled["reached"]
    assert settled["measured"] == "400 ms (worst: dropdown)"  # radio's p95 is 390
    assert rows["bytes sent per filter change ≤ 20 KB (every setting)"]["reached"]  # radio only
    assert rows["Lighthouse desktop performance ≥ 0.9"]["reached"]
    assert not rows["Lighthouse desktop best-practices ≥ 1"]["reached"]
    meta = {"command": "x", "commit": "abc (subject)", "base": "def (main)", "rounds": 4,
            "date": "today", "machine": "m", "load_start": [1, 1, 1], "load_end": [2, 2, 2],
            "server": "gunicorn", "browser": "Chromium"}  # fmt: skip
    text = markdown({"meta": meta, "summary": summary, "lighthouse": lighthouse,
                     "targets": list(rows.values()), "errors": []})  # fmt: skip
    assert "| n=54 | radio | 21 | 110 / 119 | 60 / 69 | 300 / 390 | 4.9 / 4.9 |" in text
    assert "| n=54 | dropdown | 4 (1 kinds of error) | — (count unchanged) | — |" in text
    assert "| n=54 | radio | 100 → 300 (3.00) | 100 → 390 (3.90) |" in text
    assert "| head | desktop | 0.95 | 1.00 | 0.93 | 120 |" in text
    assert "**not reached**" in text


def test_the_control_names_are_the_control_types():
    pytest.importorskip("selenium")
    from benchmarks.browser_controls import CONTROL_TYPES

    assert browser_latency.CONTROL_NAMES == tuple(CONTROL_TYPES)


def test_settings_and_the_quick_mode():
    assert browser_latency.settings_of([54, 10000], 10000) == [
        ("n=54", None, None),
        ("n=10000", 10000, None),
        ("upload n=10000", None, 10000),
    ]
    quick = browser_latency.parse(["--quick"])
    assert (quick.size_list, quick.upload, quick.changes, quick.rounds) == ([54], 0, 3, 1)
    assert browser_latency.parse(["--base", "main", "--changes", "20"]).rounds == 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sizes", "54,lots"], "--sizes: comma-separated whole numbers"),
        (["--controls", "radio,knob"], "--controls: unknown knob"),
        (["--changes", "0"], "must be at least 1"),
        (["--base", "no-such-revision-anywhere"], "--base: 'no-such-revision-anywhere' is not"),
    ],
)
def test_bad_arguments_get_one_line_naming_the_option(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        browser_latency.parse(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_lighthouse_is_skipped_with_a_reason_when_absent(monkeypatch, tmp_path):
    from benchmarks import lighthouse

    monkeypatch.setenv("LIGHTHOUSE_BIN", str(tmp_path / "nowhere" / "lighthouse"))
    assert "LIGHTHOUSE_BIN" in (lighthouse.missing_reason() or "")
    monkeypatch.delenv("LIGHTHOUSE_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("lighthouse") is None
    assert lighthouse.missing_reason() is not None


def test_lighthouse_summary_picks_the_largest_contributors():
    from benchmarks.lighthouse import summarise

    report = json.loads((Path(__file__).parent / "data" / "lighthouse-sample.json").read_text())
    found = summarise(report, "desktop")
    assert found["scores"] == {"performance": 0.81, "accessibility": 1, "best-practices": 0.96}
    assert found["total_blocking_time_ms"] == 310.5
    assert [s["url"] for s in found["bootup_top"]] == ["plotly.min.js", "dash_renderer.min.js"]
    assert found["mainthread_top"][0] == {"group": "Script Evaluation", "ms": 900}
    assert found["failed_audits"] == ["errors-in-console"]


def test_the_results_name_the_pause_the_page_uses():
    """The targets' note on keyboard steps names assets/settle.js's pause, not a stale copy."""
    import re
    from pathlib import Path

    from benchmarks.browser_results import SETTLE_PAUSE_MS

    script = (Path(__file__).resolve().parent.parent / "assets" / "settle.js").read_text()
    assert re.search(r"PAUSE_MS = (\d+);", script).group(1) == str(SETTLE_PAUSE_MS)
