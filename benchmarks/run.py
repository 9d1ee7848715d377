"""``python -m benchmarks``: the whole benchmark in one command; writes RESULTS.md (+ .json).

Stages (each one's failure is recorded in the results and the run goes on):
1. scaled cohorts for every size (generated once into benchmarks/.data/, verified);
2. per size, in this process: our core fits (the same fits as R), the naive baseline,
   ``build_report`` (first view, repeat view, distinct views), the callback through Dash;
3. R ``survival`` on the same files and views (when Rscript is installed);
4. gunicorn (the image's CMD) at n = 54: cold start, first-page bytes, load test;
   at the largest size: cold start and peak RSS per worker under concurrent recomputes;
5. optionally cProfile of ``build_report`` (``--profile 1000,100000``).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import cohorts, http_runs, inprocess, machine, naive, page, rbench, views
from benchmarks import server as gunicorn_server
from benchmarks.results_md import write_markdown
from benchmarks.stats import summarise

HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE / "RESULTS.md"
QUICK_OUTPUT = cohorts.DATA_DIR / "RESULTS-quick.md"
STARTED = time.perf_counter()


@dataclass(frozen=True)
class Plan:
    """Samples per size: distinct-view reports, repeat-view reports, callbacks, fits views."""

    distinct: int
    repeat: int
    callback: int
    fits: int


# Fewer samples where one recompute takes seconds, so the full run stays near 15 minutes.
FULL_PLANS = {
    54: Plan(32, 10, 24, 16),
    1_000: Plan(16, 5, 12, 12),
    10_000: Plan(6, 2, 4, 6),
    100_000: Plan(3, 1, 2, 3),
}
QUICK_PLANS = {54: Plan(4, 1, 3, 3), 1_000: Plan(3, 1, 2, 2), 10**9: Plan(2, 1, 1, 2)}


def plan_for(n: int, quick: bool) -> Plan:
    table = QUICK_PLANS if quick else FULL_PLANS
    for limit in sorted(table):
        if n <= limit:
            return table[limit]
    return table[max(table)]


def log(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def guarded(results: dict, name: str, function, *args):
    """Run one stage; on failure record it and carry on (a long run is never wasted)."""
    log(f"{name} ...")
    try:
        return function(*args)
    except Exception as error:  # the harness reports every failure instead of stopping
        results["errors"].append(f"{name}: {type(error).__name__}: {error}")
        log(f"{name} FAILED: {error}\n{traceback.format_exc(limit=4)}")
        return None


# In-process measurements --------------------------------------------------------------------


def measure_size(
    files: cohorts.CohortFiles, plan: Plan, budget: float | None, results: dict
) -> dict:
    """(a), (b), (c) and our core fits for one cohort size; ``budget`` bounds each stage."""
    out: dict[str, object] = {"files": asdict(files) | {"patients": files.patients.name}}
    cohort, out["load_seconds"] = inprocess.load(files)
    bounds = inprocess.age_bounds(cohort)
    fits_views = views.distinct_views(views.FITS_START, plan.fits, bounds)
    core = guarded(
        results, f"n={files.n} core fits", inprocess.time_core_fits, cohort, fits_views, budget
    )
    if core is not None:
        out["core"], out["core_results"] = summarise(core[0]), core[1]
        fits_views = fits_views[: len(core[0])]  # naive and R time the same views
    out["fits_views"] = fits_views
    fitted = guarded(
        results,
        f"n={files.n} naive",
        naive.time_naive,
        cohort.patients,
        cohort.relapses,
        fits_views,
    )
    if fitted is not None:
        out["naive"] = {
            "prepare": summarise(fitted.prepare),
            "fits": summarise(fitted.fits),
            "table_one": summarise(fitted.table_one),
            "full": summarise(fitted.full()),
        }
    report_views = views.distinct_views(views.REPORT_START, plan.distinct, bounds)
    reports = guarded(
        results, f"n={files.n} reports", inprocess.time_reports,
        cohort, views.REPEAT_VIEW, plan.repeat, report_views, budget,
    )  # fmt: skip
    if reports is not None:
        out["report"] = {
            "first_view": reports.first_view,
            "repeat": summarise(reports.repeat),
            "distinct": summarise(reports.distinct),
            "views": [views.describe(v) for v in report_views[:8]],
        }
    del cohort
    callback_views = views.distinct_views(views.CALLBACK_START, plan.callback, bounds)
    calls = guarded(
        results, f"n={files.n} callbacks", inprocess.time_callbacks, files, callback_views
    )
    if calls is not None:
        out["callback"] = {
            "create_app_seconds": calls.create_app_seconds,
            "round_trip": summarise(calls.seconds),
            "gzip_bytes": summarise(calls.gzip_bytes),
            "raw_bytes": summarise(calls.raw_bytes),
            "errors": calls.errors,
        }
    return out


def run_r(sizes: dict[int, dict], files: dict[int, cohorts.CohortFiles], results: dict) -> None:
    plan = [(files[n], sizes[n]["fits_views"]) for n in sizes if "fits_views" in sizes[n]]
    r = guarded(results, "R survival", rbench.run, plan)
    if r is None:
        return
    results["r"] = {"available": r.available, "note": r.note, "version": r.r_version,
                    "survival": r.survival_version}  # fmt: skip
    for n, times in r.cohorts.items():
        entry = sizes[n]
        entry["r"] = {"prepare": summarise(times.prepare), "fits": summarise(times.fits),
                      "inner_repetitions": times.inner}  # fmt: skip
        if "core_results" in entry:
            counts, worst = rbench.agreement(entry["core_results"], times)
            entry["agreement"] = {"n_events_equal": counts, "max_abs_coef_difference": worst}


# Against gunicorn ---------------------------------------------------------------------------

IMPORT_PROBE = """
import json, time
started = time.perf_counter()
# The libraries alone first: the floor no start-up of this stack can go below.
import pandas, scipy.stats, dash, dash_bootstrap_components, plotly.graph_objects
libraries = time.perf_counter()
from app.server.config import Config
from app.server.factory import create_app
imported = time.perf_counter()
app = create_app(Config.from_env())
built = time.perf_counter()
status = app.server.test_client().get("/").status_code
print(json.dumps({"import_seconds": imported - started, "libraries_seconds": libraries - started,
                  "create_app_seconds": built - imported,
                  "first_get_seconds": time.perf_counter() - built, "status": status}))
"""


def import_probe(files: cohorts.CohortFiles) -> dict:
    """Where a worker's start-up goes: imports, create_app (loads the cohort), first GET."""
    env = dict(os.environ, COHORT_PATH=str(files.patients), RELAPSES_PATH=str(files.relapses),
               LOG_LEVEL="WARNING", PYTHONPATH=str(gunicorn_server.ROOT))  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE], cwd=gunicorn_server.ROOT, env=env,
        capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    probe["process_seconds"] = time.perf_counter() - started
    return probe


def started_server(
    files: cohorts.CohortFiles, wait_for_workers: bool = True
) -> tuple[gunicorn_server.Server, dict]:
    server = gunicorn_server.start(files)
    try:
        cold = http_runs.cold_start(server)
        if wait_for_workers:  # so that the load test meets every worker ready
            server.wait_until_workers_idle()
            cold["workers_idle_seconds"] = time.perf_counter() - server.launched
    except BaseException:
        server.stop()
        raise
    return server, cold


def http_small(files: cohorts.CohortFiles, args, results: dict) -> None:
    """Cold start, first-page bytes and the load test at the load-test size."""
    server, results["cold_start"] = started_server(files, wait_for_workers=not args.quick)
    try:
        results["page_static"] = guarded(
            results, "first page (static)", page.static_page_bytes, server.port
        )
        if args.browser:
            results["page_browser"] = guarded(
                results, "first page (Chromium)", page.browser_page_bytes, server.port
            )
        log(f"load test: {args.users} users, {args.load_seconds} s, think {args.think} s")
        load = http_runs.load_test(
            server, args.users, args.load_seconds, args.think, views.LOAD_TEST_START
        )
        results["load_test"] = load.to_dict()
        if args.saturation_seconds:
            saturation = http_runs.load_test(
                server, args.users, args.saturation_seconds, 0.0, views.LOAD_TEST_START + 2000
            )
            results["saturation"] = saturation.to_dict()
        if files.n == args.memory_n:
            results["memory"] = http_runs.memory_workload(server, args.memory_concurrent, 3000)
    finally:
        server.stop()


def http_large(files: cohorts.CohortFiles, args, results: dict) -> None:
    """Cold start and peak RSS per worker at the largest size."""
    server, results["cold_start_large"] = started_server(files)
    try:
        results["memory"] = http_runs.memory_workload(server, args.memory_concurrent, 3000)
    finally:
        server.stop()


# The command ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Benchmarks of the NMOSD cohort explorer."
    )
    parser.add_argument("--sizes", default="54,1000,10000,100000", help="cohort sizes")
    parser.add_argument("--quick", action="store_true", help="few samples, 5 s load test")
    parser.add_argument("--label", default="", help="e.g. 'before optimisation'")
    parser.add_argument("--output", type=Path, default=None, help="markdown results file")
    parser.add_argument("--no-r", dest="r", action="store_false", help="skip R survival")
    parser.add_argument("--no-http", dest="http", action="store_false", help="skip gunicorn")
    parser.add_argument(
        "--browser",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="first page in headless Chromium (default: on, off with --quick)",
    )
    parser.add_argument(
        "--users", type=int, default=None, help="load test: simulated users (default 20, quick 4)"
    )
    parser.add_argument("--load-seconds", type=float, default=None, help="default 60 (quick 5)")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="load test: mean pause between a user's view changes (s)",
    )
    parser.add_argument(
        "--saturation-seconds",
        type=float,
        default=0.0,
        help="extra load test without pauses (0 = off)",
    )
    parser.add_argument("--load-n", type=int, default=54, help="cohort size of the load test")
    parser.add_argument(
        "--memory-concurrent",
        type=int,
        default=4,
        help="concurrent recomputes while peak RSS is sampled",
    )
    parser.add_argument("--profile", default="", help="sizes to cProfile, e.g. 1000,100000")
    parser.add_argument("--profile-top", type=int, default=15)
    parser.add_argument(
        "--stage-budget",
        type=float,
        default=None,
        help="seconds per in-process stage and size before sampling stops "
        "(at least 2 samples; default 240, quick 60; 0 = no limit)",
    )
    parser.add_argument("--note", default="", help="free text for the results' header")
    parser.add_argument("--seed", type=int, default=cohorts.SEED)
    args = parser.parse_args(argv)  # fmt: skip
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    args.load_seconds = args.load_seconds or (5.0 if args.quick else 60.0)
    args.users = args.users or (4 if args.quick else 20)
    if args.stage_budget is None:
        args.stage_budget = 60.0 if args.quick else 240.0
    args.stage_budget = args.stage_budget or None
    if args.browser is None:
        args.browser = not args.quick
    args.output = args.output or (QUICK_OUTPUT if args.quick else DEFAULT_OUTPUT)
    args.memory_n = max(args.sizes)
    return args


def _json_default(value: object) -> object:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Path):
        return str(value)
    return str(value)


def run_http(files: dict[int, cohorts.CohortFiles], args, results: dict) -> None:
    small = cohorts.ensure(args.load_n, args.seed)
    if not args.quick:
        results["import_probe"] = guarded(results, "import probe", import_probe, small)
    guarded(results, f"gunicorn n={small.n}", http_small, small, args, results)
    if args.memory_n != small.n:
        guarded(results, f"gunicorn n={args.memory_n}", http_large, files[args.memory_n], args,
                results)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    command = "python -m benchmarks " + shlex.join(sys.argv[1:] if argv is None else argv)
    results: dict = {
        "meta": {
            "label": args.label,
            "note": args.note,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": command.strip(),
            "quick": args.quick,
            "machine": machine.machine(),
            "versions": machine.versions(),
            "git": machine.git_state(),
            "plans": {n: asdict(plan_for(n, args.quick)) for n in args.sizes},
            "settings": {k: v for k, v in vars(args).items() if k not in ("output",)},
        },
        "errors": [],
        "sizes": {},
    }
    files = {}
    for n in args.sizes:
        files[n] = guarded(results, f"cohort n={n}", cohorts.ensure, n, args.seed)
    for n in args.sizes:
        if files[n] is not None:
            log(f"n={n}: in-process measurements")
            plan = plan_for(n, args.quick)
            results["sizes"][n] = measure_size(files[n], plan, args.stage_budget, results)
    if args.r:
        run_r(results["sizes"], files, results)
    if args.http:
        run_http(files, args, results)
    for n in [int(s) for s in args.profile.split(",") if s.strip()]:
        from benchmarks.profiling import profile_report

        text = guarded(results, f"profile n={n}", profile_report, n, args.profile_top)
        results.setdefault("profiles", {})[n] = text
    results["meta"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["meta"]["git_at_end"] = machine.git_state()
    results["meta"]["wall_seconds"] = time.perf_counter() - STARTED
    for entry in results["sizes"].values():
        entry.pop("core_results", None)
        entry["fits_views"] = [views.describe(v) for v in entry.get("fits_views", [])]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    json_path = args.output.with_suffix(".json")
    json_path.write_text(json.dumps(results, indent=1, default=_json_default) + "\n")
    write_markdown(json.loads(json_path.read_text()), args.output)
    log(f"wrote {args.output} and {json_path.name}")
    return 1 if results["errors"] else 0
