"""Where the browser's time goes during control changes: a CPU profile of the page.

    python -m benchmarks.browser_profile [--control radio] [--changes 10] [--size 54]

Starts the Docker image's gunicorn CMD (benchmarks/server.py) on the demo cohort (or a
benchmarks/cohorts.py file of ``--size`` patients), opens the page in headless Chromium,
and, with the DevTools CPU profiler sampling every 100 µs, makes ``--changes`` changes of one
control type (benchmarks/browser_controls.py), each timed in the page
(benchmarks/browser_probe.py). Prints:

- per change: the input event → each Dash request sent / answered (which callback), the
  count updated and the panel settled, so the gaps between requests (the browser's own work
  between chained callbacks) are visible;
- the sampled main-thread time over all changes, by script file and by function (self time),
  and the share that is idle (waiting for the server).

A profiling aid, not a benchmark: the profiler slows the page down by some percent; the
latency numbers of record come from benchmarks/browser_latency.py.
"""

from __future__ import annotations

import argparse
import collections
import statistics
import sys

from benchmarks import browser_latency, browser_probe, cohorts

SAMPLING_US = 100


def _short_url(url: str) -> str:
    if not url:
        return "(native / idle / GC)"
    return url.rsplit("/", 1)[-1].split("?")[0][:60] or url[:60]


def self_times(profile: dict) -> tuple[collections.Counter, collections.Counter, float]:
    """Self time (ms) per script and per function from a DevTools CPU profile."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    per_node: collections.Counter = collections.Counter()
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"], strict=False):
        per_node[node_id] += delta / 1000.0
    by_script: collections.Counter = collections.Counter()
    by_function: collections.Counter = collections.Counter()
    for node_id, ms in per_node.items():
        frame = nodes[node_id]["callFrame"]
        name = frame.get("functionName") or "(anonymous)"
        script = _short_url(frame.get("url", ""))
        if name in ("(idle)", "(program)", "(garbage collector)"):
            script = name
        by_script[script] += ms
        by_function[f"{name} {script}:{frame.get('lineNumber', 0) + 1}"] += ms
    total = (profile["endTime"] - profile["startTime"]) / 1000.0
    return by_script, by_function, total


def _timeline_line(record: dict) -> str:
    parts = []
    for sent, answered, _size, _received, output in record.get("timeline") or []:
        name = (output or "?").strip(".").split(".")[0][:28]
        parts.append(f"{name} {sent or 0:.0f}→{answered or 0:.0f}")
    return (
        f"count {record.get('count_ms') or 0:5.0f}  settled {record.get('settled_ms') or 0:5.0f}  "
        + " | ".join(parts)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--control", default="radio")
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--size", type=int, default=54)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--url",
        default=None,
        help="profile a server already running (e.g. one serving Dash's dev bundles, whose "
        "function names are readable) instead of starting the image's gunicorn",
    )
    args = parser.parse_args(argv)
    missing = browser_latency.missing_browser()
    if missing:
        print(f"skipped: {missing}", file=sys.stderr)
        return 1
    from benchmarks.browser_controls import CONTROL_TYPES

    control = CONTROL_TYPES[args.control]
    files = cohorts.ensure(args.size) if args.size != 54 else None
    side = browser_latency.Side("head", browser_latency.ROOT)
    try:
        if args.url:
            side.driver = browser_latency.new_driver()
            side.driver.get(args.url)
            browser_latency.wait_ready(side.driver)
            browser_probe.install(side.driver, browser_probe.Selectors())
        else:
            browser_latency.start_server(side, files)
            browser_latency.open_page(side, None)
        driver = side.driver
        # Two unprofiled changes first: the lazy chunks (sliders, graphs) are loaded by then.
        for index in range(2):
            browser_latency.measure_change(side, "warm-up", control, index, 120)
        driver.execute_cdp_cmd("Profiler.enable", {})
        driver.execute_cdp_cmd("Profiler.setSamplingInterval", {"interval": SAMPLING_US})
        driver.execute_cdp_cmd("Profiler.start", {})
        records = [
            browser_latency.measure_change(side, "profile", control, 2 + index, 120)
            for index in range(args.changes)
        ]
        profile = driver.execute_cdp_cmd("Profiler.stop", {})["profile"]
    finally:
        browser_latency.stop(side)
    for record in records:
        print(record.get("error") or _timeline_line(record))
    settled = [r["settled_ms"] for r in records if r.get("settled_ms") is not None]
    if settled:
        print(f"\nsettled median {statistics.median(settled):.0f} ms over {len(settled)} changes")
    by_script, by_function, total = self_times(profile)
    print(f"\nprofile {total:.0f} ms (sampled every {SAMPLING_US} µs), self time by script:")
    for script, ms in by_script.most_common(12):
        print(f"{ms:8.0f} ms {100 * ms / total:5.1f} %  {script}")
    print(f"\ntop {args.top} functions by self time:")
    for function, ms in by_function.most_common(args.top):
        print(f"{ms:8.0f} ms {100 * ms / total:5.1f} %  {function}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
