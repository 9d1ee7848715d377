"""In-page timing of one control change in headless Chromium: what the user waits for.

Everything is timed inside the page, on its own clock (``performance.now()`` and the input
events' ``timeStamp``, the same time line), so selenium's round trips and Python's polling
never enter a number:

- ``PROBE_JS`` (installed once per page load) wraps ``window.fetch`` to count the Dash
  renderer's ``/_dash-update-component`` requests in flight and the bytes of their bodies,
  records the user's input events (capture phase, before any handler of the page), and runs a
  MutationObserver on the page that keeps the time of the last change to a *visible* watched
  region (the live count, the summary cards, the warnings and the tab panel that is shown:
  hidden panels rendered in the background are not what the user waits for) and every change
  of the count texts.
- ``ARM_JS`` starts one measurement; selenium then acts like a user; ``WAIT_JS`` (an async
  script) polls every 5 ms until the change has settled: at least one Dash request since the
  arming, none in flight, and no watched mutation, request or response for ``quiet_ms``
  (100 ms; after a key press the settle pause more, ``SETTLE_PAUSE_MS``: the live count
  answers each key at once, and the view's requests start only after the pause, so a 100 ms
  quiet would end the measurement between the two). It returns the *time of the last
  mutation*, not the end of the quiet period.

The regions and the count elements are CSS selectors in ``Selectors``: other branches change
the page, so adjust them there, not in the scripts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from benchmarks.browser_results import SETTLE_PAUSE_MS

DASH_REQUEST = "_dash-update-component"
QUIET_MS = 100
POLL_MS = 5


@dataclass(frozen=True)
class Selectors:
    """Where the page shows what a change updates (app/layout/ids.py)."""

    # The patient count: the always-visible live count and the "Patients" card's value.
    counts: tuple[str, ...] = ("#live-count", "#card-n-value")
    # Regions whose visible changes make up "the panel settled".
    regions: tuple[str, ...] = ("#live-count", "#summary-cards", "#warnings", "[role=tabpanel]")

    def to_js(self) -> dict[str, object]:
        return asdict(self)


PROBE_JS = (
    r"""
const selectors = arguments[0];
if (window.__latency) { return 'already installed'; }
const lat = window.__latency = {
  selectors: selectors, armedAt: null, events: [], requests: [], inflight: 0,
  lastActivity: 0, lastMutation: null, countChanges: [], countTexts: {},
};
const nativeFetch = window.fetch.bind(window);
function bodyBytes(body) {
  if (body === undefined || body === null) { return 0; }
  if (typeof body === 'string') { return new TextEncoder().encode(body).length; }
  if (body.byteLength !== undefined) { return body.byteLength; }
  if (body.size !== undefined) { return body.size; }
  return 0;
}
// Which callback a request is (its "output" key), for the per-change timeline.
function outputOf(body) {
  if (typeof body !== 'string') { return null; }
  const found = body.match(/"output":"([^"]{0,120})/);
  return found ? found[1] : null;
}
window.fetch = function (input, init) {
  const url = typeof input === 'string' ? input : (input && input.url) || String(input);
  if (!url.includes('"""
    + DASH_REQUEST
    + r"""')) { return nativeFetch(input, init); }
  const record = {start: performance.now(), end: null, sent: bodyBytes(init && init.body),
                  received: null, status: null, armed: lat.armedAt !== null,
                  output: outputOf(init && init.body)};
  lat.requests.push(record);
  lat.inflight += 1;
  lat.lastActivity = record.start;
  const finish = () => {
    if (record.end === null) {
      record.end = performance.now();
      lat.inflight -= 1;
      lat.lastActivity = record.end;
    }
  };
  const pending = nativeFetch(input, init);
  // In flight until the body has arrived (the renderer reads it next), not just the headers.
  pending.then(response => {
    record.status = response.status;
    return response.clone().arrayBuffer();
  }).then(buffer => { record.received = buffer.byteLength; }).then(finish, finish);
  return pending;
};
for (const type of ['pointerdown', 'mousedown', 'keydown', 'pointerup', 'mouseup', 'click',
                    'input', 'change']) {
  window.addEventListener(type, event => {
    if (lat.armedAt !== null) { lat.events.push({type: type, t: event.timeStamp}); }
  }, {capture: true, passive: true});
}
function countText(selector) {
  const element = document.querySelector(selector);
  return element ? element.textContent.trim() : null;
}
function inVisibleRegion(node) {
  const element = node.nodeType === 1 ? node : node.parentElement;
  if (!element || !element.closest) { return false; }
  for (const selector of lat.selectors.regions) {
    const region = element.closest(selector);
    if (region && !region.hidden && !region.closest('[hidden]')) { return true; }
  }
  return false;
}
new MutationObserver(records => {
  const now = performance.now();
  if (lat.armedAt === null) { return; }
  if (records.some(r => inVisibleRegion(r.target))) {
    lat.lastMutation = now;
    lat.lastActivity = Math.max(lat.lastActivity, now);
  }
  for (const selector of lat.selectors.counts) {
    const text = countText(selector);
    if (text !== lat.countTexts[selector]) {
      lat.countTexts[selector] = text;
      lat.countChanges.push({selector: selector, t: now, text: text});
    }
  }
}).observe(document.documentElement,
           {subtree: true, childList: true, attributes: true, characterData: true});
return 'installed';
"""
)

ARM_JS = r"""
const lat = window.__latency;
if (!lat) { return false; }
lat.armedAt = performance.now();
lat.events = []; lat.requests = lat.requests.filter(r => r.end === null);
lat.countChanges = []; lat.lastMutation = null; lat.lastActivity = lat.armedAt;
lat.countTexts = {};
for (const selector of lat.selectors.counts) {
  const element = document.querySelector(selector);
  lat.countTexts[selector] = element ? element.textContent.trim() : null;
}
lat.countsAtArm = Object.assign({}, lat.countTexts);
return true;
"""

# arguments: start rule ("first" | "last-keydown" | "last-pointerup"), quiet ms, timeout ms,
# then selenium's callback.
WAIT_JS = (
    r"""
const [rule, quietMs, timeoutMs, done] = arguments;
const lat = window.__latency;
if (!lat || lat.armedAt === null) { done({error: 'probe not installed or not armed'}); return; }
function startTime() {
  const events = lat.events;
  if (events.length === 0) { return null; }
  const pick = (types) => events.filter(e => types.includes(e.type)).map(e => e.t);
  let times = [];
  if (rule === 'last-keydown') { times = pick(['keydown']); }
  else if (rule === 'last-pointerup') { times = pick(['pointerup', 'mouseup']); }
  if (times.length > 0) { return Math.max(...times); }
  return Math.min(...events.map(e => e.t));
}
function result(error) {
  const start = startTime();
  const armed = lat.requests.filter(r => r.armed || r.start >= lat.armedAt);
  const finalTexts = {};
  for (const selector of lat.selectors.counts) {
    const element = document.querySelector(selector);
    finalTexts[selector] = element ? element.textContent.trim() : null;
  }
  // The count is "updated" when every count element shows its final text: the latest of
  // the last changes (null when no count text differs from before the change).
  let countAt = null;
  for (const selector of lat.selectors.counts) {
    if (finalTexts[selector] === lat.countsAtArm[selector]) { continue; }
    const changes = lat.countChanges.filter(c => c.selector === selector);
    if (changes.length) { countAt = Math.max(countAt ?? -Infinity, changes.at(-1).t); }
  }
  // The live count beside the filters alone: when it first showed its final text (it can
  // answer before the view, e.g. while a slider waits for the settle pause).
  const live = lat.selectors.counts[0];
  const shown = lat.countChanges.filter(c => c.selector === live && c.text === finalTexts[live]);
  const liveAt = (finalTexts[live] === lat.countsAtArm[live] || !shown.length) ? null : shown[0].t;
  const since = (t) => (t === null || start === null || t < start) ? null : t - start;
  lat.armedAt = null;
  return {
    error: error, start_rule: rule, events: lat.events.length,
    count_ms: since(countAt), live_count_ms: since(liveAt), settled_ms: since(lat.lastMutation),
    last_response_ms: since(Math.max(...armed.map(r => r.end ?? -Infinity))),
    requests: armed.length, bytes_sent: armed.reduce((s, r) => s + r.sent, 0),
    bytes_received: armed.reduce((s, r) => s + (r.received ?? 0), 0),
    statuses: armed.map(r => r.status), count_before: lat.countsAtArm, count_after: finalTexts,
    // Each request: [sent at, answered at] after the input event, bytes, callback output.
    timeline: armed.map(r => [since(r.start), since(r.end), r.sent, r.received, r.output]),
  };
}
const deadline = performance.now() + timeoutMs;
(function poll() {
  const now = performance.now();
  const started = lat.requests.some(r => r.armed || r.start >= lat.armedAt);
  if (started && lat.inflight === 0 && now - lat.lastActivity >= quietMs) {
    done(result(null)); return;
  }
  if (now > deadline) {
    done(result(started ? 'requests still in flight or page still changing'
                        : 'the change sent no Dash request'));
    return;
  }
  setTimeout(poll, """
    + str(POLL_MS)
    + r""");
})();
"""
)


def install(driver, selectors: Selectors) -> None:
    """The probe on the current page (again after every page load)."""
    driver.execute_script(PROBE_JS, selectors.to_js())


def measure(driver, action, rule: str, timeout_s: float) -> dict:
    """Arm, run ``action()`` (selenium acting as the user), wait in the page; the record."""
    if not driver.execute_script(ARM_JS):
        raise RuntimeError("the latency probe is not installed on this page")
    action()
    driver.set_script_timeout(timeout_s + 10)
    quiet = QUIET_MS + (SETTLE_PAUSE_MS if rule == "last-keydown" else 0)
    return driver.execute_async_script(WAIT_JS, rule, quiet, timeout_s * 1000)
