"""Twenty sessions share one server, each with its own cohort: no errors, no mix-ups.

The image's gunicorn (2 workers x 2 threads) serves 20 concurrent simulated browsers. Each
uploads a different cohort through the real upload callback, keeps the store the server
returns (as dcc.Store does), lets the controls adapt, then changes filters. Every answer's
numbers (patients, failures, proportion, the live count, the cohort's fingerprint) must be
those of build_report on that session's own file. A session's upload lives in its request,
never in a worker: a request may land on the worker that never saw the upload, or find the
content-keyed cache (16 entries) evicted by the other sessions, and must rebuild the cohort.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from dash_requests import (
    call,
    card_value,
    cohort_label_text,
    layout_props,
    live_count_text,
    texts,
    upload_changes,
)
from test_image_contract import run_image

from analytics.data.cohort import Filters
from analytics.data.io import load_cohort
from analytics.reports.report import build_report
from app.layout import ids

pytestmark = pytest.mark.slow

SESSIONS = 20
DEADLINE_SECONDS = 90  # the whole load, once the server is up
STEPS_PER_SESSION = 3  # a panel answer costs about 1 CPU-second: 60 of them on 2 cores
# (control changes, the Filters they mean). Each session takes STEPS_PER_SESSION of them,
# starting at its own place, so that at any moment the sessions ask different questions.
FILTER_STEPS = [
    ({}, Filters()),
    ({ids.SEX: "F"}, Filters(sex="F")),
    ({ids.LESIONS: "1"}, Filters(lesions=1)),
    ({ids.GRACE: 3}, Filters(grace_months=3)),
    ({ids.SEX: "M", ids.EDSS: [2, 5]}, Filters(sex="M", edss_min=2, edss_max=5)),
    ({ids.AGE: [30, 50]}, Filters(age_min=30, age_max=50)),
]


def write_cohort(path: Path, seed: int, n: int, failures: int) -> Path:
    """A valid form-A cohort of ``n`` patients with exactly ``failures`` failures."""
    rng = np.random.default_rng(seed)
    followup = rng.uniform(12, 96, n).round(1)
    failed = np.zeros(n, dtype=int)
    failed[rng.choice(n, failures, replace=False)] = 1
    failure_months = np.where(failed == 1, (followup * rng.uniform(0.1, 0.9, n)).round(1), np.nan)
    # Lesions independent of failure: these cohorts test isolation, not statistics. (Lesions
    # that match failure exactly in a subgroup make build_report's MANCOVA raise
    # ZeroDivisionError, a statistics edge case reported separately.)
    lesions = (np.arange(n) % 3 == 0).astype(int)
    frame = pd.DataFrame(
        {
            "patient_id": [f"S{seed:02d}-{k:03d}" for k in range(n)],
            "followup_months": followup,
            "failure": failed,
            "failure_months": failure_months,
            "sex": np.where(rng.uniform(size=n) < 0.8, "F", "M"),
            "age_at_rtx": rng.integers(18, 75, n),
            "edss_baseline": rng.integers(0, 15, n) / 2,
            "asymptomatic_lesions": lesions,
            "gd_persistent": rng.integers(0, 2, n),
            "fcgr3a_v158f": rng.choice(["VV", "VF", "FF"], n),
        }
    )
    frame.to_csv(path, index=False)
    return path


@dataclass
class Session:
    number: int
    path: Path
    expected: dict[int, tuple[int, int, str]]  # step -> (n, failures, proportion card)
    total: int
    fingerprint: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mixups: list[str] = field(default_factory=list)
    checked: int = 0


def session_steps(number: int) -> list[int]:
    return [(number + k) % len(FILTER_STEPS) for k in range(STEPS_PER_SESSION)]


def make_session(number: int, folder: Path) -> Session:
    n, failures = 15 + 2 * number, 2 + (number * 3) % 11  # 20 different (n, failures)
    path = write_cohort(folder / f"session-{number:02d}.csv", number, n, failures)
    cohort = load_cohort(path)
    expected = {}
    for step in session_steps(number):
        _, filters = FILTER_STEPS[step]
        # Counts and proportions do not depend on the grouping; without one the report
        # skips the Cox models and takes a fifth of the time.
        report = build_report(cohort, filters)
        share = "n/a" if report.n == 0 else f"{report.failure_rate.estimate:.1%}"
        expected[step] = (report.n, report.events, share)
    return Session(number, path, expected, len(cohort.patients), cohort.fingerprint)


def check_panels(session: Session, step: int, response: dict) -> None:
    """Every number shown must be this session's own; anything else is a mix-up."""
    n, events, share = session.expected[step]
    shown = (
        card_value(response, "card-n"),
        card_value(response, "card-events"),
        card_value(response, "card-proportion"),
        live_count_text(response),
    )
    wanted = (str(n), str(events), share, f"{n} of {session.total} patients, {events} failures")
    label = cohort_label_text(response)
    if shown != wanted or session.fingerprint[:12] not in label or session.path.name not in label:
        session.mixups.append(f"step {step}: showed {shown} / {label!r}, expected {wanted}")
    session.checked += 1


def run_session(port: int, layout: dict, session: Session, start_together) -> None:
    start_together.wait(timeout=30)
    try:
        response, seconds = call(port, "load_upload", layout, upload_changes(session.path))
        session.latencies.append(seconds)
        store = response[ids.COHORT_STORE]["data"]
        status = " ".join(texts(response[ids.UPLOAD_STATUS]["children"]))
        if f"{session.path.name}: {session.total} patients" not in status:
            session.mixups.append(f"upload said {status!r}")
        # The page keeps the files: a worker that lacks the upload gets them once.
        with_store = {**upload_changes(session.path), (ids.COHORT_STORE, "data"): store}
        response, seconds = call(port, "adapt_controls", layout, with_store)
        session.latencies.append(seconds)
        # The age slider shows the uploaded cohort's full range, as after adapt_controls.
        low, high = response[ids.AGE]["min"], response[ids.AGE]["max"]
        slider = {(ids.AGE, "min"): low, (ids.AGE, "max"): high, (ids.AGE, "value"): [low, high]}
        for step in session_steps(session.number):
            controls, _ = FILTER_STEPS[step]
            changes = {**slider, **{(cid, "value"): v for cid, v in controls.items()}, **with_store}
            response, seconds = call(port, "update_panels", layout, changes)
            session.latencies.append(seconds)
            check_panels(session, step, response)
    except Exception as error:  # recorded, not raised: every session's outcome is reported
        session.errors.append(f"{type(error).__name__}: {error}")


@pytest.fixture(scope="module")
def booting_server(container_root):
    """The image's CMD with 2 workers x 2 threads, serving the demo cohort; still booting
    (the test computes its expected values meanwhile)."""
    started = run_image(container_root, GUNICORN_WORKERS="2", GUNICORN_THREADS="2")
    try:
        yield started
    finally:
        started.stop()


def test_twenty_sessions_each_see_only_their_own_cohort(booting_server, tmp_path, capsys):
    sessions = [make_session(number, tmp_path) for number in range(SESSIONS)]
    assert len({s.fingerprint for s in sessions}) == len({s.total for s in sessions}) == SESSIONS
    assert {step for s in sessions for step in s.expected} == set(range(len(FILTER_STEPS)))
    server = booting_server
    server.wait_until_ready()
    layout = layout_props(server.port)
    start_together = threading.Barrier(SESSIONS)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
        futures = [
            pool.submit(run_session, server.port, layout, s, start_together) for s in sessions
        ]
        for future in futures:
            future.result(timeout=DEADLINE_SECONDS)
    elapsed = time.monotonic() - started

    latencies = sorted(t for s in sessions for t in s.latencies)
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1]
    errors = [f"session {s.number}: {e}" for s in sessions for e in s.errors]
    mixups = [f"session {s.number}: {m}" for s in sessions for m in s.mixups]
    checked = sum(s.checked for s in sessions)
    with capsys.disabled():
        print(
            f"\n[concurrency] {SESSIONS} sessions, {len(latencies)} requests "
            f"({checked} panel answers checked) in {elapsed:.1f} s on 2 workers x 2 threads: "
            f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
            f"{len(errors)} errors, {len(mixups)} mix-ups"
        )
    assert errors == []
    assert mixups == []
    assert checked == SESSIONS * STEPS_PER_SESSION
    assert elapsed < DEADLINE_SECONDS
    assert "Traceback" not in server.logs()
    assert "[ERROR]" not in server.logs()
