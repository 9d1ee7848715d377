"""In-process timings: (a) ``build_report``, the same fits as R through our analytics, and
(b) the ``update_panels`` callback through Dash's real HTTP layer (Flask test client).

(a) calls ``build_report`` exactly as the callback does (``app.callbacks.common.report_for``:
filters, grouping, covariates, landmark). The first view after loading is timed on its own,
then one view repeated ("repeat view": what a result cache would serve), then distinct views
(none seen before in this process: the recompute after a filter change).

(b) builds the app with ``create_app`` on the same files and POSTs the body the browser's
renderer sends to ``/_dash-update-component`` (output key, Inputs and States taken from
``/_dash-dependencies`` and the first-rendered ``/_dash-layout``) with ``Accept-Encoding:
gzip``: routing, the callback, JSON serialisation of every figure and table, and compression
are inside the timer.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from analytics.data.cohort import Cohort, analysis_frame
from analytics.data.io import load_cohort
from analytics.reports.report import build_report
from app.layout import ids
from app.state.controls import CONTROL_IDS, cohort_controls, controls_from_state
from app.state.view_state import ViewState
from benchmarks.cohorts import CohortFiles
from benchmarks.stats import timed

FAILED_TEXTS = ("could not be computed", "Something went wrong")


def load(files: CohortFiles) -> tuple[Cohort, float]:
    seconds, cohort = timed(lambda: load_cohort(files.patients, files.relapses))
    return cohort, seconds


def age_bounds(cohort: Cohort) -> tuple[float, float]:
    """The age slider's extent for this cohort (what the page shows)."""
    return cohort_controls(cohort).age_bounds


def report(cohort: Cohort, view: ViewState) -> object:
    """One full recompute, with the arguments the dashboard's callback passes."""
    return build_report(
        cohort,
        view.filters(),
        group_by=view.group_by,
        covariates=view.covariates,
        landmark_months=view.landmark,
    )


@dataclass
class ReportTimes:
    first_view: float
    repeat: list[float] = field(default_factory=list)
    distinct: list[float] = field(default_factory=list)


class Budget:
    """A stage's time budget: ``more(taken)`` is False once the budget is spent and at least
    ``minimum`` samples were taken (slow code still gets a median, in bounded time)."""

    def __init__(self, seconds: float | None, minimum: int = 2) -> None:
        self.deadline = None if seconds is None else time.perf_counter() + seconds
        self.minimum = minimum

    def more(self, taken: int) -> bool:
        return taken < self.minimum or self.deadline is None or time.perf_counter() < self.deadline


def time_reports(
    cohort: Cohort,
    repeat_view: ViewState,
    repeats: int,
    views: Sequence[ViewState],
    budget: float | None = None,
) -> ReportTimes:
    limit = Budget(budget)
    first, _ = timed(lambda: report(cohort, repeat_view))
    times = ReportTimes(first_view=first)
    for _ in range(repeats):
        if times.repeat and not limit.more(len(times.repeat) + 1):
            break
        times.repeat.append(timed(lambda: report(cohort, repeat_view))[0])
    for view in views:
        if not limit.more(len(times.distinct)):
            break
        times.distinct.append(timed(lambda v=view: report(cohort, v))[0])
    return times


# The fits R does too (KM per group + log-rank + Cox univariable and multivariable) -------


def core_fits(frame, view: ViewState) -> dict[str, object]:
    """Our analytics' KM, log-rank and Cox fits for ``view`` on a prepared analysis frame,
    grouped and referenced as ``build_report`` does. Returns the multivariable (else the
    first univariable) model's coefficients, to check they equal R's."""
    from analytics.reports.report import REFERENCE_LEVELS
    from analytics.stats.cox.models import cox_model
    from analytics.stats.subgroups import level_labels
    from analytics.stats.survival import kaplan_meier, logrank

    def references(names):
        return {k: v for k, v in REFERENCE_LEVELS.items() if k in names}

    time, failure = frame["time_months"], frame["failure"]
    if view.group_by is None:
        kaplan_meier(time, failure)
    else:
        labels = level_labels(frame[view.group_by])
        known = labels.notna()
        levels = sorted(labels[known].unique())
        for level in levels:
            rows = known & (labels == level)
            kaplan_meier(time[rows], failure[rows], label=level)
        if len(levels) > 1:
            logrank(time[known], failure[known], labels[known].to_numpy())
    names = list(view.covariates) or ([view.group_by] if view.group_by else [])
    models = [cox_model(frame, [name], categorical=references([name])) for name in names]
    if view.covariates:
        models.append(cox_model(frame, view.covariates, categorical=references(view.covariates)))
    last = models[-1] if models else None
    coefs = {t.term: t.coef for t in last.terms} if last is not None else {}
    return {"n": len(frame), "events": int(failure.sum()), "coef": coefs}


def time_core_fits(
    cohort: Cohort, views: Sequence[ViewState], budget: float | None = None
) -> tuple[list[float], list[dict[str, object]]]:
    """Seconds of :func:`core_fits` per view (the first views only, if the budget runs out);
    the frame is filtered outside the timer, as R's data preparation is outside R's."""
    limit = Budget(budget)
    seconds, results = [], []
    for view in views:
        if not limit.more(len(seconds)):
            break
        frame = analysis_frame(cohort, view.filters())
        elapsed, result = timed(lambda f=frame, v=view: core_fits(f, v))
        seconds.append(elapsed)
        results.append(result)
    return seconds, results


# (b) The callback through Dash's HTTP layer -------------------------------------------------


def _walk(component: object) -> Iterator[dict]:
    if isinstance(component, list | tuple):
        for child in component:
            yield from _walk(child)
    elif isinstance(component, dict) and "props" in component:
        yield component
        yield from _walk(component["props"].get("children"))


def _split_output(key: str) -> list[dict[str, str]]:
    """Dash's output key as [{"id": "a", "property": "b"}, ...]: ``a.b`` for one output,
    ``..a.b...c.d..`` for several (the format /_dash-dependencies sends)."""
    parts = key[2:-2].split("...") if key.startswith("..") else [key]
    # The property has no dot; an id may (a pattern-matching id is JSON).
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


@dataclass
class DashPage:
    """What a browser knows after loading the page: callback specs and initial props."""

    dependencies: list[dict]
    props: dict[str, dict]

    def spec(self, output_contains: str) -> dict:
        # Server callbacks only: a clientside one (e.g. the KM display toggles) also writes
        # some outputs, under a duplicate-output suffix.
        found = [
            d
            for d in self.dependencies
            if output_contains in d["output"] and not d.get("clientside_function")
        ]
        if len(found) != 1:
            raise LookupError(f"{len(found)} callbacks output {output_contains!r}")
        return found[0]

    def body(self, spec: dict, values: dict[tuple[str, str], object], changed: str) -> bytes:
        def value(dependency: dict) -> dict:
            where = (dependency["id"], dependency["property"])
            current = values.get(where, self.props.get(where[0], {}).get(where[1]))
            return {"id": where[0], "property": where[1], "value": current}

        payload = {
            "output": spec["output"],
            "outputs": _split_output(spec["output"]),
            "inputs": [value(d) for d in spec["inputs"]],
            "state": [value(d) for d in spec["state"]],
            "changedPropIds": [changed],
        }
        return json.dumps(payload).encode("utf-8")


def read_page(get) -> DashPage:
    """``get(path) -> bytes``: the dependencies and the layout's props by component id."""
    dependencies = json.loads(get("/_dash-dependencies"))
    layout = json.loads(get("/_dash-layout"))
    props = {c["props"]["id"]: c["props"] for c in _walk(layout) if "id" in c["props"]}
    return DashPage(dependencies, props)


def control_values(view: ViewState, bounds: tuple[float, float]) -> dict[tuple[str, str], object]:
    """The filter controls' values showing ``view`` (as the URL sync callback sets them)."""
    values = controls_from_state(view, bounds)
    shown = {(cid, "value"): value for cid, value in zip(CONTROL_IDS, values, strict=True)}
    # The views read a slider's settled store (app.callbacks.settle), set with the slider.
    settled = {(ids.SETTLED[cid], "data"): shown[(cid, "value")] for cid in ids.SETTLED}
    return shown | settled


def panels_body(page: DashPage, view: ViewState) -> bytes:
    """The update_panels request for ``view`` (the KM graph is one of its outputs)."""
    spec = page.spec(f"{ids.KM_GRAPH}.figure")
    bounds = (float(page.props[ids.AGE]["min"]), float(page.props[ids.AGE]["max"]))
    return page.body(spec, control_values(view, bounds), f"{ids.SETTLED[ids.AGE]}.data")


def failed(body: bytes, encoding: str | None) -> bool:
    """Did the callback answer with its 'could not be computed' fallback?"""
    text = (gzip.decompress(body) if encoding == "gzip" else body).decode("utf-8", "replace")
    return any(marker in text for marker in FAILED_TEXTS)


@dataclass
class CallbackTimes:
    create_app_seconds: float
    seconds: list[float] = field(default_factory=list)
    gzip_bytes: list[int] = field(default_factory=list)
    raw_bytes: list[int] = field(default_factory=list)
    errors: int = 0


def time_callbacks(
    files: CohortFiles, views: Sequence[ViewState], budget: float | None = None
) -> CallbackTimes:
    from app.server.config import Config
    from app.server.factory import create_app

    env = {
        "COHORT_PATH": str(files.patients),
        "RELAPSES_PATH": str(files.relapses),
        "LOG_LEVEL": "WARNING",
    }
    build_seconds, app = timed(lambda: create_app(Config.from_env(env)))
    client = app.server.test_client()
    page = read_page(lambda path: client.get(path).data)
    headers = {"Accept-Encoding": "gzip"}
    times = CallbackTimes(create_app_seconds=build_seconds)
    limit = Budget(budget)
    for view in views:
        if not limit.more(len(times.seconds)):
            break
        body = panels_body(page, view)
        elapsed, response = timed(
            lambda b=body: client.post(
                "/_dash-update-component", data=b, headers=headers, content_type="application/json"
            )
        )
        encoding = response.headers.get("Content-Encoding")
        if response.status_code != 200 or failed(response.data, encoding):
            times.errors += 1
        times.seconds.append(elapsed)
        times.gzip_bytes.append(len(response.data))
        raw = gzip.decompress(response.data) if encoding == "gzip" else response.data
        times.raw_bytes.append(len(raw))
    return times
