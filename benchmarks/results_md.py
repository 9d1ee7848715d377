"""RESULTS.md from the run's JSON: header, tables, targets, method notes, profiles."""

from __future__ import annotations

from pathlib import Path

TARGET_N_SMALL = "54"
TARGET_N_LARGE = "100000"


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    value = seconds * 1000
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def times(ratio: float | None) -> str:
    if ratio is None:
        return "–"
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.2f}×"


def med(summary: dict | None) -> float | None:
    return None if not summary else summary["median"]


def p95(summary: dict | None) -> float | None:
    return None if not summary else summary["p95"]


def div(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b <= 0 else a / b


def kb(value: float | None) -> str:
    return "–" if value is None else f"{value / 1024:,.0f} KiB"


def mb(value: float | None) -> str:
    return "–" if value is None else f"{value / 2**20:.2f} MiB"


def _get(data: dict, *path: str) -> object:
    for key in path:
        if not isinstance(data, dict) or key not in data or data[key] is None:
            return None
        data = data[key]
    return data


def _header(results: dict) -> list[str]:
    meta = results["meta"]
    m, v, git = meta["machine"], meta["versions"], meta["git"]
    label = f" — {meta['label']}" if meta.get("label") else ""
    r = results.get("r") or {}
    lines = [
        f"# Benchmark results{label}",
        "",
        f"- Date: {meta['date']} (wall time of the run {meta.get('wall_seconds', 0) / 60:.1f} min)",
        f"- Command: `.venv/bin/{meta['command']}` (from the repository root)",
        f"- Machine: {m['cpu']}, {m['logical_cores']} logical cores "
        f"({m['physical_cores']} physical), {m['ram_gb']} GB RAM, {m['platform']}",
        f"- Load average (1/5/15 min) at start {m['load_average_at_start']}, at end "
        f"{meta.get('load_average_at_end')}: the machine is shared and noisy, so compare the "
        "ratios more than the absolute times.",
        f"- Code: commit `{git['commit'][:12]}` ({git['subject']})",
    ]
    dirty = sorted(
        set(git["uncommitted_in_measured_code"])
        | set(_get(meta, "git_at_end", "uncommitted_in_measured_code") or [])
    )
    if dirty:
        lines.append(f"  - uncommitted changes in measured code during the run: {', '.join(dirty)}")
    lines.append("- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()))
    if r.get("available"):
        lines.append(f"- R: {r['version']}, survival {r['survival']}")
    elif r:
        lines.append(f"- R: {r.get('note')}")
    if meta.get("note"):
        lines.append(f"- Note: {meta['note']}")
    budget = meta["settings"].get("stage_budget")
    plans = "; ".join(
        f"n={int(n):,}: {p['distinct']} distinct, {p['repeat']} repeat, {p['callback']} callbacks, "
        f"{p['fits']} fits views"
        for n, p in meta.get("plans", {}).items()
    )
    limit = f" (fewer once a stage has used {budget:g} s, never fewer than 2)" if budget else ""
    lines.append(f"- Samples per size at most{limit}: {plans}")
    if meta.get("quick"):
        lines.append("- QUICK run (few samples, short load test): a smoke test, not a result.")
    return lines


def _sizes(results: dict) -> list[tuple[str, dict]]:
    return sorted(results["sizes"].items(), key=lambda item: int(item[0]))


def _table_full(results: dict) -> list[str]:
    lines = [
        "## Full recompute after a filter change (every panel's statistics), ms",
        "",
        "| n | (a) report, distinct views: median | p95 | (a) repeat view: median | p95 "
        "| first view after load | (b) Dash callback: median | p95 | (b) answer, gzip "
        "| (c) naive script: median | p95 | (a)/(c) | samples a/b/c |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n, s in _sizes(results):
        report, callback, naive = (
            s.get("report") or {},
            s.get("callback") or {},
            s.get("naive") or {},
        )
        distinct, repeat = report.get("distinct"), report.get("repeat")
        trip, full = callback.get("round_trip"), naive.get("full")
        counts = "/".join(str((x or {}).get("count", 0)) for x in (distinct, trip, full))
        lines.append(
            f"| {int(n):,} | {ms(med(distinct))} | {ms(p95(distinct))} | {ms(med(repeat))} "
            f"| {ms(p95(repeat))} | {ms(report.get('first_view'))} | {ms(med(trip))} "
            f"| {ms(p95(trip))} | {kb(med(callback.get('gzip_bytes')))} | {ms(med(full))} "
            f"| {ms(p95(full))} | {times(div(med(distinct), med(full)))} | {counts} |"
        )
    return lines


def _table_fits(results: dict) -> list[str]:
    lines = [
        "## The same fits in three implementations: KM per group + log-rank + Cox "
        "univariable and multivariable (Efron), ms",
        "",
        "Data preparation (outcome, filters) is outside these timers on every side.",
        "",
        "| n | ours (analytics): median | p95 | naive lifelines: median | p95 "
        "| R survival: median | p95 | ours/naive | **ours/R** | **full report (a)/R** "
        "| same n & events | max abs Δcoef vs R |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for n, s in _sizes(results):
        core, naive_fits = s.get("core"), _get(s, "naive", "fits")
        r_fits = _get(s, "r", "fits")
        distinct = _get(s, "report", "distinct")
        agree = s.get("agreement") or {}
        worst = agree.get("max_abs_coef_difference")
        lines.append(
            f"| {int(n):,} | {ms(med(core))} | {ms(p95(core))} | {ms(med(naive_fits))} "
            f"| {ms(p95(naive_fits))} | {ms(med(r_fits))} | {ms(p95(r_fits))} "
            f"| {times(div(med(core), med(naive_fits)))} | {times(div(med(core), med(r_fits)))} "
            f"| {times(div(med(distinct), med(r_fits)))} "
            f"| {'yes' if agree.get('n_events_equal') else '–' if not agree else 'NO'} "
            f"| {'–' if worst is None else f'{worst:.1e}'} |"
        )
    return lines


def _load_line(name: str, load: dict | None) -> str:
    if not load:
        return f"| {name} | – | – | – | – | – | – |"
    return (
        f"| {name}: {load['users']} users, {load['duration_seconds']:g} s, think "
        f"{load['think_seconds']:g} s | {load['requests']} | {ms(load['p50'])} | {ms(load['p95'])} "
        f"| {load['throughput_per_second']:.2f}/s | {load['errors']} "
        f"| {mb(_max_rss(load.get('rss')))} |"
    )


def _max_rss(rss: dict | None) -> float | None:
    peak = (rss or {}).get("peak_mb_max_worker")
    return None if peak is None else peak * 2**20


def _table_http(results: dict) -> list[str]:
    cold, large = results.get("cold_start") or {}, results.get("cold_start_large") or {}
    static, browser = results.get("page_static") or {}, results.get("page_browser") or {}
    memory, probe = results.get("memory") or {}, results.get("import_probe") or {}
    settings = results["meta"]["settings"]
    load_n, memory_n = settings.get("load_n"), settings.get("memory_n")
    static_page = (
        f"{mb(static.get('html_and_assets_bytes'))} "
        f"({mb(static.get('html_and_assets_uncompressed'))} uncompressed)"
    )
    in_browser = (
        f"{mb(browser.get('transferred_bytes'))} in {browser.get('requests', '–')} requests, "
        f"drawn after {ms(browser.get('seconds_to_km_drawn'))} ms"
    )
    start_up = " / ".join(
        ms(probe.get(k)) for k in ("import_seconds", "create_app_seconds", "first_get_seconds")
    )
    large_start = f"{ms(large.get('first_page_seconds'))} / {ms(large.get('first_view_seconds'))}"
    rows = [
        (f"cold start n={load_n}: launch → first `GET /` 200",
         f"{ms(cold.get('first_page_seconds'))} ms"),
        ("… → first statistics (opening view's callback answered)",
         f"{ms(cold.get('first_view_seconds'))} ms"),
        ("… of which importing pandas, scipy.stats, dash, dbc and plotly alone (floor)",
         f"{ms(probe.get('libraries_seconds'))} ms"),
        ("… → both workers booted (idle)", f"{ms(cold.get('workers_idle_seconds'))} ms"),
        ("one worker's start-up, in-process: imports / create_app / first GET", f"{start_up} ms"),
        ("first page, gzip: HTML + referenced scripts/CSS/icons", static_page),
        ("… + /_dash-layout + /_dash-dependencies", mb(static.get("with_dash_json_bytes"))),
        ("first page in headless Chromium until the KM curve is drawn (all requests, headers "
         "included)", in_browser),
        (f"peak RSS per worker (max over workers; VmHWM and 0.1 s psutil samples), n={memory_n}, "
         f"{memory.get('concurrent_requests', '–')} concurrent recomputes",
         mb(_max_rss(memory))),
    ]  # fmt: skip
    if large:
        rows.insert(4, (f"cold start n={memory_n}: launch → first `GET /` 200 / → first "
                        "statistics", f"{large_start} ms"))  # fmt: skip
    lines = [
        "## Production server (the image's gunicorn CMD on 127.0.0.1, 2 workers × 2 threads)",
        "",
        "| measure | value |",
        "|---|---:|",
        *[f"| {name} | {value} |" for name, value in rows],
        "",
        "| load test (update_panels, distinct views) | requests | p50 ms | p95 ms | throughput "
        "| errors | peak RSS/worker |",
        "|---|---:|---:|---:|---:|---:|---:|",
        _load_line(f"n={load_n}", results.get("load_test")),
    ]
    if results.get("saturation"):
        lines.append(_load_line("saturation", results["saturation"]))
    if browser.get("largest"):
        biggest = ", ".join(
            f"`{f['path'].rsplit('/', 1)[-1]}` {kb(f['bytes'])}" for f in browser["largest"][:4]
        )
        lines += ["", f"Largest transfers in the browser: {biggest}."]
    return lines


def _targets(results: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, reached) for each of the issue's targets."""
    small = results["sizes"].get(TARGET_N_SMALL) or {}
    large = results["sizes"].get(TARGET_N_LARGE) or {}
    small_report = p95(_get(small, "report", "distinct"))
    small_callback = p95(_get(small, "callback", "round_trip"))
    large_report = med(_get(large, "report", "distinct"))
    r_fits = med(_get(large, "r", "fits"))
    core = med(large.get("core"))
    peak = _max_rss(results.get("memory"))
    cold = _get(results, "cold_start", "first_page_seconds")
    browser = _get(results, "page_browser", "transferred_bytes")
    page = browser if browser is not None else _get(results, "page_static", "with_dash_json_bytes")
    load = results.get("load_test") or {}
    memory_n = results["meta"]["settings"].get("memory_n")

    def check(value, limit):
        return None if value is None else value <= limit

    rows = [
        ("n=54 report recompute p95 ≤ 50 ms", f"{ms(small_report)} ms", check(small_report, 0.05)),
        ("n=54 callback round trip p95 ≤ 100 ms", f"{ms(small_callback)} ms",
         check(small_callback, 0.1)),
        ("n=100 000 report recompute ≤ 1.5 s (median)", f"{ms(large_report)} ms",
         check(large_report, 1.5)),
        ("n=100 000 full report ≤ 2× R doing the same fits (strict: the report does more)",
         times(div(large_report, r_fits)), check(div(large_report, r_fits), 2.0)),
        ("n=100 000 our KM + log-rank + Cox ≤ 2× R (like for like)", times(div(core, r_fits)),
         check(div(core, r_fits), 2.0)),
        (f"peak RSS per worker ≤ 500 MB (10^6 bytes; n={memory_n})",
         "–" if peak is None else f"{peak / 1e6:.0f} MB = {mb(peak)}", check(peak, 500 * 10**6)),
        ("cold start ≤ 3 s (launch → first page)", f"{ms(cold)} ms", check(cold, 3.0)),
        ("first page ≤ 2 MB (10^6 bytes) transferred"
         + (" (Chromium)" if browser is not None else " (static)"),
         "–" if page is None else f"{page:,} bytes = {page / 1e6:.2f} MB = {mb(page)}",
         check(page, 2 * 10**6)),
        ("load test: 0 errors", str(load.get("errors", "–")),
         None if not load else load["errors"] == 0),
        ("load test p95 ≤ 300 ms (n=54, 2 workers, 2 cores)", f"{ms(load.get('p95'))} ms",
         check(load.get("p95"), 0.3)),
    ]  # fmt: skip
    return rows


def _targets_table(results: dict) -> list[str]:
    mark = {True: "reached", False: "**not reached**", None: "not measured"}
    lines = ["## Targets (benchmarks, not tests: what is reached is recorded)", "",
             "| target | measured | |", "|---|---:|---|"]  # fmt: skip
    lines += [f"| {t} | {value} | {mark[ok]} |" for t, value, ok in _targets(results)]
    return lines


METHOD = """## How each number is measured

- Cohorts: `benchmarks/cohorts.py` tiles the seeded 54-patient demo generator
  (`analytics.data.demo.generate`) to n patients and jitters times, ages and EDSS by small seeded
  amounts within the data contract; failure is derived again from the jittered relapses.
  Every file is loaded through `analytics.data.io.load_cohort` before use.
- Views: `benchmarks/views.py`, 8 templates (sex, age, EDSS, lesion, Gd, grace filters;
  grouping by lesions/sex/genotype/none; 0–3 Cox covariates) with a moving age window, so
  that every timed view is new to the process ("distinct views": a cache keyed on the view
  misses). "Repeat view" asks for the opening view again and again (what a cache serves).
- (a) `analytics.reports.report.build_report` with the callback's arguments, `time.perf_counter`
  around each call, in this process, after the cohort is loaded.
- (b) `update_panels` through Dash's HTTP layer: `create_app` on the same files, Flask test
  client POSTs the renderer's `/_dash-update-component` body (output key, Inputs, States
  from `/_dash-dependencies` and `/_dash-layout`) with `Accept-Encoding: gzip`; routing,
  figure building, JSON serialisation and compression are inside the timer.
- (c) `benchmarks/naive.py`: pandas outcome + filters, lifelines KaplanMeierFitter per group,
  multivariate_logrank_test, CoxPHFitter (univariable + multivariable, `.summary`), Table-1
  tests (Mann-Whitney, Fisher, statsmodels chi-square); no caching. "(c) naive script" is
  all of it; the fits table uses its fits phase only.
- (d) `benchmarks/r_bench.R` via one `Rscript` run: survfit (log-log CI, medians) + survdiff
  + coxph (Efron) univariable and multivariable with `summary`, timed with `proc.time()`
  around repeated calls inside R (start-up and CSV reading excluded). The fits table times
  the same views on all three sides; "same n & events" and "max abs Δcoef" check that R and
  our analytics fitted the same data to the same estimates (separated fits, |coef| > 8, left
  out).
- Median and p95: numpy percentiles (linear interpolation) over the samples; with 3 samples
  (n = 100 000) p95 is close to the maximum.
- Server: the Dockerfile's CMD (`gunicorn --config gunicorn.conf.py app.server.wsgi:server`) with
  its GUNICORN_* settings, on 127.0.0.1 and a free port, COHORT_PATH/RELAPSES_PATH set to a
  generated cohort. Cold start: from launching the process until `GET /` first answers 200
  (polled every 20 ms). First page: compressed bytes of the page and everything it
  references; in Chromium, DevTools' encodedDataLength of every response until the KM graph
  is drawn. Peak RSS: each worker's VmHWM (kernel high-water mark) and 0.1 s psutil samples.
- Load test: `users` threads, each a simulated user changing the view (a new distinct view
  every time), waiting for the `update_panels` answer, pausing `think` s on average
  (uniform 0.5–1.5×), until the duration has passed (requests in flight then complete).
  Errors: non-200, network errors/timeouts, or the callback's "could not be computed" answer.
"""


def write_markdown(results: dict, path: Path) -> None:
    lines = _header(results) + [""]
    lines += _table_full(results) + [""] + _table_fits(results) + [""]
    if results.get("cold_start") or results.get("memory"):
        lines += _table_http(results) + [""]
    lines += _targets_table(results) + [""]
    if results["errors"]:
        lines += ["## Errors during the run", ""] + [f"- {e}" for e in results["errors"]] + [""]
    views_line = next((s.get("report", {}).get("views") for _, s in _sizes(results)), None)
    if views_line:
        lines += ["Views timed first (n-dependent age window): " + "; ".join(views_line[:8]), ""]
    lines += [METHOD]
    for n, text in (results.get("profiles") or {}).items():
        if text:
            lines += [f"## cProfile of build_report, n = {int(n):,} (cumulative time)", "", "```",
                      text, "```", ""]  # fmt: skip
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
