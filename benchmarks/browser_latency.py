"""What the user feels: latency of control changes in real headless Chromium, per cohort size.

    python -m benchmarks.browser_latency --sizes 54,10000,100000 --upload 10000 --changes 20 \\
        [--base REV] [--lighthouse] [--quick]

Per setting (the server's cohort of n patients: 54 is the synthetic demo, larger sizes are
benchmarks/cohorts.py's files through COHORT_PATH/RELAPSES_PATH; and an n-patient upload
through the Data tab on the demo server) the Docker image's gunicorn CMD is started, Chromium
opens the page and changes each control type ``--changes`` times (benchmarks/
browser_controls.py); benchmarks/browser_probe.py times each change inside the page: the
patient count updated and the visible panel settled, with the bytes of the Dash requests the
change sent. ``--base REV`` checks REV out into a temporary git worktree, starts its server
too and alternates the rounds between the two (the machine is shared and noisy: compare the
ratios). ``--lighthouse`` adds Lighthouse 12 (desktop and mobile) on the n = 54 page.

Writes a markdown section for benchmarks/RESULTS.md and the JSON next to it (default
benchmarks/.data/BROWSER-LATENCY.md, git-ignored). Exit 1 when a stage failed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import browser_probe, cohorts, lighthouse, machine
from benchmarks import server as gunicorn_server
from benchmarks.browser_results import markdown, summarise_changes, targets

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = cohorts.DATA_DIR / "BROWSER-LATENCY.md"
QUICK_OUTPUT = cohorts.DATA_DIR / "BROWSER-LATENCY-quick.md"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--window-size=1440,900",
)
# browser_controls.CONTROL_TYPES' names (that module needs selenium, checked first in main).
CONTROL_NAMES = ("radio", "slider-keys", "slider-drag", "dropdown", "checkbox", "km-option")
PAGE_SECONDS = 300  # first render of a 100 000-patient cohort on a busy 2-core machine
STARTED = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def missing_browser() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            return f"{path} is missing (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (the `test` extra: make setup)"
    return None


def new_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))


# The page is ready once the Dash renderer has nothing pending (its store) and the count shows.
_READY_JS = """
const n = document.querySelector(arguments[0]);
const state = window.store && window.store.getState && window.store.getState();
if (!n || !n.textContent.trim() || !state || state.isLoading) { return false; }
const callbacks = state.callbacks || {};
return ['requested', 'prioritized', 'blocked', 'executing', 'watched', 'executed']
    .every(stage => !callbacks[stage] || callbacks[stage].length === 0);
"""


def wait_until(condition, what: str, seconds: float, interval: float = 0.05):
    deadline = time.perf_counter() + seconds
    while True:
        found = condition()
        if found:
            return found
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {seconds:g} s waiting for {what}")
        time.sleep(interval)


def wait_ready(driver, seconds: float = PAGE_SECONDS) -> None:
    """Three readiness polls in a row: the renderer settles between chained callbacks."""
    streak = [0]

    def ready() -> bool:
        ok = driver.execute_script(_READY_JS, browser_probe.Selectors().counts[-1])
        streak[0] = streak[0] + 1 if ok else 0
        return streak[0] >= 3

    wait_until(ready, "the page's first render", seconds, interval=0.1)


def count_digits(driver) -> str:
    text = driver.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
        browser_probe.Selectors().counts[-1],
    )
    return "".join(ch for ch in text if ch.isdigit())


@dataclass
class Side:
    """One revision under measurement: its checkout, its server, its browser."""

    name: str  # "head" or "base"
    root: Path
    server: gunicorn_server.Server | None = None
    driver: object = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.port}/"


def start_server(side: Side, files: cohorts.CohortFiles | None) -> None:
    side.server = gunicorn_server.start(files, root=side.root)
    side.server.wait_for_page()
    side.server.wait_until_workers_idle()


def stop(side: Side) -> None:
    if side.driver is not None:
        side.driver.quit()
        side.driver = None
    if side.server is not None:
        side.server.stop()
        side.server = None


def upload(driver, files: cohorts.CohortFiles) -> None:
    """The cohort through the Data tab's upload inputs, as a user would load it."""
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "tab-data").click()
    for upload_id, path in (("upload-patients", files.patients),
                            ("upload-relapses", files.relapses)):  # fmt: skip
        box = driver.find_element(By.CSS_SELECTOR, f"#{upload_id} input[type=file]")
        box.send_keys(str(path.resolve()))
        wait_until(
            lambda p=path: p.name in (driver.execute_script(
                "const e = document.getElementById('upload-ok'); return e && e.innerText;"
            ) or ""),
            f"the upload of {path.name} to be accepted",
            PAGE_SECONDS,
        )  # fmt: skip
        wait_ready(driver)
    if count_digits(driver) != str(files.n):
        raise RuntimeError(f"after the upload the page counts {count_digits(driver)!r} patients")
    driver.find_element(By.ID, "tab-km").click()
    wait_ready(driver)


def open_page(side: Side, upload_files: cohorts.CohortFiles | None) -> None:
    if side.driver is None:
        side.driver = new_driver()
    side.driver.get(side.url)
    wait_ready(side.driver)
    if upload_files is not None:
        upload(side.driver, upload_files)
    browser_probe.install(side.driver, browser_probe.Selectors())


def measure_change(side: Side, setting: str, control, index: int, timeout_s: float) -> dict:
    """One change of ``control`` on ``side``'s page, timed in the page; errors recorded."""
    record = {"side": side.name, "setting": setting, "control": control.name, "index": index}
    described: list[str] = []
    try:
        result = browser_probe.measure(
            side.driver,
            lambda: described.append(control.act(side.driver, index)),
            control.rule,
            timeout_s,
        )
    except Exception as error:  # one failed change is recorded, the run goes on
        record["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        return record
    record.update(result, change=described[0] if described else None)
    if control.changes_count and result["count_before"] == result["count_after"]:
        record["count_note"] = "count unchanged by this change"
    return record


def measure_round(
    side: Side, setting: str, controls: list, per_round: int, first_index: int, timeout_s: float
) -> list[dict]:
    """``per_round`` changes of every control type, interleaved (see browser_controls)."""
    records = []
    for offset in range(per_round):
        for control in controls:
            records.append(measure_change(side, setting, control, first_index + offset, timeout_s))
        log(f"{setting} {side.name}: {offset + 1}/{per_round} changes of each control type")
    return records


def settings_of(sizes: list[int], upload_n: int) -> list[tuple[str, int | None, int | None]]:
    """(name, server cohort size or None for the demo, uploaded size or None)."""
    found: list[tuple[str, int | None, int | None]] = [
        (f"n={n}", None if n == 54 else n, None) for n in sizes
    ]
    if upload_n:
        found.append((f"upload n={upload_n}", None, upload_n))
    return found


def run_setting(args, sides: list[Side], setting, controls, results: dict) -> None:
    name, server_n, upload_n = setting
    server_files = cohorts.ensure(server_n) if server_n else None
    upload_files = cohorts.ensure(upload_n) if upload_n else None
    timeout = args.change_timeout
    try:
        for side in sides:
            log(f"{name}: starting the {side.name} server ({side.root})")
            start_server(side, server_files)
            open_page(side, upload_files)
        per_round = math.ceil(args.changes / args.rounds)
        for round_ in range(args.rounds):
            for side in sides if round_ % 2 == 0 else list(reversed(sides)):
                records = measure_round(
                    side, name, controls, per_round, round_ * per_round, timeout
                )
                results["records"].extend(records)
                failed = sum(1 for r in records if r.get("error"))
                log(f"{name}: round {round_ + 1}/{args.rounds} {side.name}: "
                    f"{len(records)} changes, {failed} failed")  # fmt: skip
        if args.lighthouse and name == "n=54":
            for side in sides:
                results["lighthouse"][side.name] = {}
                for preset in lighthouse.PRESETS:
                    log(f"Lighthouse {preset} on {side.name}")
                    results["lighthouse"][side.name][preset] = lighthouse.run(side.url, preset)
    finally:
        for side in sides:
            stop(side)


def _git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def parse(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="54,10000,100000", help="server cohort sizes")
    parser.add_argument("--upload", type=int, default=10000, help="uploaded size (0: none)")
    parser.add_argument("--changes", type=int, default=20, help="changes per control type")
    parser.add_argument("--rounds", type=int, default=None,
                        help="alternating rounds (default 4 with --base, else 1)")  # fmt: skip
    parser.add_argument("--base", default=None, help="git revision measured as 'before'")
    parser.add_argument("--lighthouse", action="store_true", help="Lighthouse at n = 54")
    parser.add_argument("--controls", default=None,
                        help="comma-separated control types (default: all)")  # fmt: skip
    parser.add_argument("--change-timeout", type=float, default=300.0)
    parser.add_argument("--quick", action="store_true", help="smoke run: n = 54, 3 changes")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--note", default=None)
    args = parser.parse_args(argv)
    try:
        # --sizes "" with --upload N: the upload only.
        args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: comma-separated whole numbers, got {args.sizes!r}")
    if min(args.size_list + [args.changes]) < 1 or args.upload < 0:
        parser.error("--sizes and --changes must be at least 1, --upload at least 0")
    if not args.size_list and not args.upload:
        parser.error("nothing to measure: give --sizes or --upload")
    known = ("radio", "slider-keys", "slider-drag", "dropdown", "checkbox", "km-option")
    unknown = set((args.controls or "").split(",")) - set(known) - {""}
    if unknown:
        parser.error(
            f"--controls: unknown {', '.join(sorted(unknown))} (known: {', '.join(known)})"
        )
    if args.base and subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{args.base}^{{commit}}"],
        cwd=ROOT, capture_output=True, check=False,
    ).returncode:  # fmt: skip
        parser.error(f"--base: {args.base!r} is not a commit of this repository")
    if args.quick:
        args.size_list, args.upload, args.changes = [54], 0, min(args.changes, 3)
    args.rounds = args.rounds or (4 if args.base else 1)
    args.rounds = max(1, min(args.rounds, args.changes))
    args.output = args.output or (QUICK_OUTPUT if args.quick else DEFAULT_OUTPUT)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    missing = missing_browser()
    if missing:
        print(f"browser latency benchmark skipped: {missing}", file=sys.stderr)
        return 1
    from benchmarks.browser_controls import CONTROL_TYPES

    names = args.controls.split(",") if args.controls else list(CONTROL_TYPES)
    controls = [CONTROL_TYPES[n] for n in names]
    state = machine.git_state()
    results: dict = {"records": [], "lighthouse": {}, "errors": []}
    if args.lighthouse and lighthouse.missing_reason():
        results["lighthouse"]["skipped"] = lighthouse.missing_reason()
        print(lighthouse.missing_reason(), file=sys.stderr)
        args.lighthouse = False
    load_start = [round(x, 2) for x in os.getloadavg()]
    base_label = None
    with ExitStack() as stack:
        sides = [Side("head", ROOT)]
        if args.base:
            base_label = f"{_git('rev-parse', '--short', args.base)} ({args.base})"
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            base_dir = tmp / "base"
            _git("worktree", "add", "--detach", str(base_dir), args.base)
            stack.callback(_git, "worktree", "remove", "--force", str(base_dir))
            sides.insert(0, Side("base", base_dir))
        for setting in settings_of(args.size_list, args.upload):
            try:
                run_setting(args, sides, setting, controls, results)
            except Exception as error:  # record the failed setting and go on with the next
                results["errors"].append(f"{setting[0]}: {type(error).__name__}: {error}")
                log(f"{setting[0]} FAILED: {error}\n{traceback.format_exc(limit=5)}")
    results["errors"] += sorted({
        f"{r['setting']} {r['side']} {r['control']}: {r['error']}"
        for r in results["records"] if r.get("error")
    })  # fmt: skip
    summary = summarise_changes(results["records"])
    results["summary"] = summary
    results["targets"] = targets(summary, results["lighthouse"])
    results["meta"] = {
        "command": "python -m benchmarks.browser_latency " + shlex.join(argv or sys.argv[1:]),
        "commit": f"{state['commit']} ({state['subject']})",
        "uncommitted": state["uncommitted_in_measured_code"],
        "base": base_label,
        "rounds": args.rounds,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{machine.cpu_model()}, {os.cpu_count()} logical cores",
        "load_start": load_start,
        "load_end": [round(x, 2) for x in os.getloadavg()],
        "server": " ".join(gunicorn_server.image_command()),
        "browser": _chromium_version(),
        "note": args.note,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = markdown(results)
    if args.note:
        text = text.replace("\n\n", f"\n\n- Note: {args.note}\n", 1)
    args.output.write_text(text, encoding="utf-8")
    args.output.with_suffix(".json").write_text(
        json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8"
    )
    print(text)
    log(f"wrote {args.output} and {args.output.with_suffix('.json').name}")
    return 1 if results["errors"] else 0


def _chromium_version() -> str:
    try:
        done = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown Chromium"
    return done.stdout.strip() + " (headless)"


if __name__ == "__main__":
    raise SystemExit(main())
