"""Faults: a worker killed mid-request, a full restart, a corrupt configured cohort.

The server is the Docker image's exact gunicorn CMD (tests/deploy's helpers), on the loopback.
What a lost worker costs is stated, not hidden: every request it had accepted fails with a
broken connection (no proxy retries it). With gunicorn's gthread worker that is not only the
2 being computed: a worker accepts every waiting connection it can (up to
``worker_connections``, 1000) and queues them for its threads, so a burst that one worker
picked up is lost whole (measured here: all 8 of 8). Requests sent after the kill are all
answered, first by the surviving worker, then by both once the master has booted a new one.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from dash_requests import call, card_value, layout_props, live_count_text, request
from gunicorn_servers import (
    GOOD,
    data_folder,
    holds_a_connection,
    read_only_copy,
    start,
    wait_for_workers,
    wait_until,
)

from analytics.data.cohort import Filters
from analytics.data.io import load_cohort
from analytics.reports.report import build_report
from app.layout import ids

pytestmark = pytest.mark.slow

IN_FLIGHT = 8  # concurrent requests when the worker dies (2 workers x 2 threads busy)


@pytest.fixture(scope="module")
def configured_cohort(container_root) -> Path:
    """A read-only copy of tests/data/good/patients.csv, as a mounted data file."""
    return read_only_copy(GOOD / "patients.csv", data_folder(container_root))


def expected_counts(path: Path, filters: Filters) -> tuple[str, str]:
    report = build_report(load_cohort(path), filters)
    return str(report.n), str(report.events)


def shown_counts(port: int, layout: dict, changes: dict | None = None) -> tuple[str, str]:
    """n and failures the panels show for the server's cohort (no upload)."""
    response, _ = call(port, "update_panels", layout, changes or {})
    return card_value(response, "card-n"), card_value(response, "card-events")


def test_killing_a_worker_mid_request_loses_only_its_requests(
    container_root, configured_cohort, capsys
):
    server = start(
        container_root,
        COHORT_PATH=str(configured_cohort),
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="2",
    )
    try:
        workers = wait_for_workers(server, 2)
        layout = layout_props(server.port)
        expected = expected_counts(configured_cohort, Filters(sex="F"))
        female = {(ids.SEX, "value"): "F"}

        killed = threading.Event()

        def one_request() -> str:
            try:
                shown = shown_counts(server.port, layout, female)
            except (ConnectionError, http.client.HTTPException) as error:
                return f"connection lost ({type(error).__name__})"
            return "ok" if shown == expected else f"wrong numbers {shown}"

        def a_user(_: int) -> list[str]:
            # Requests one after another until the kill: a view answered from the cache takes
            # a few milliseconds, so a single burst could be over before any worker is seen
            # holding one; a steady stream always has requests in the workers' hands.
            outcomes = [one_request()]
            while not killed.is_set():
                outcomes.append(one_request())
            return outcomes

        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            futures = [pool.submit(a_user, k) for k in range(IN_FLIGHT)]
            # The victim is a worker that holds requests (accepted, queued or computing),
            # killed as soon as one does, however long a loaded machine takes to get them
            # there; the other worker takes the rest.
            holding: list[int] = []

            def a_worker_holds_requests() -> bool:
                holding[:] = [pid for pid in sorted(workers) if holds_a_connection(server, pid)]
                return bool(holding)

            wait_until(a_worker_holds_requests, "a request in a worker's hands", server)
            victim = holding[0]
            os.kill(victim, signal.SIGKILL)
            killed.set()
            outcomes = [o for f in futures for o in f.result(timeout=120)]

        # Right away, before the replacement has booted, the other worker answers.
        assert shown_counts(server.port, layout, female) == expected
        # The replacement is waited for until it says it is ready (however long a loaded
        # machine takes to boot it), so the stop below never meets a worker mid-boot.
        replaced = wait_for_workers(server, 2, without={victim})
        after = [shown_counts(server.port, layout, female) for _ in range(6)]
        status = request(server.port, "GET", "/healthz")
    finally:
        server.stop()

    lost = [o for o in outcomes if o != "ok"]
    with capsys.disabled():
        print(
            f"\n[faults] worker killed while {IN_FLIGHT} users sent requests: {len(lost)} lost "
            f"(broken connection), {len(outcomes) - len(lost)} answered; then 7 of 7 answered"
        )
    # A killed worker's requests may fail, and only by a broken connection: never an error
    # page nor another answer's numbers.
    assert all(o.startswith("connection lost") for o in lost), outcomes
    assert after == [expected] * 6
    assert len(replaced) == 2
    assert replaced - workers, "the master should have booted a new worker"
    assert (status.status, json.loads(status.body)["status"]) == (200, "ok")
    assert f"Worker (pid:{victim}) was sent SIGKILL" in server.logs()
    # The stop drained: the master exited 0 by itself within its graceful timeout (only the
    # victim, killed by this test, was ever SIGKILLed).
    assert server.process.returncode == 0
    assert server.logs().count("SIGKILL") == 1
    assert "Shutting down: Master" in server.logs()


def test_a_restart_loads_the_configured_cohort_again(container_root, configured_cohort):
    expected = expected_counts(configured_cohort, Filters())
    seen = []
    for _ in range(2):
        server = start(container_root, COHORT_PATH=str(configured_cohort), GUNICORN_WORKERS="1")
        try:
            health = request(server.port, "GET", "/healthz")
            layout = layout_props(server.port)
            response, _ = call(server.port, "update_panels", layout, {})
        finally:
            server.stop()  # SIGTERM, as `docker restart` sends
        seen.append(
            (
                health.status,
                json.loads(health.body),
                (card_value(response, "card-n"), card_value(response, "card-events")),
                live_count_text(response),
                server.stopped_gracefully(),
            )
        )
    first, second = seen
    assert first == second
    assert first[:3] == (200, {"status": "ok", "cohort_loaded": True, "cache": "local"}, expected)


def test_a_corrupt_configured_cohort_shows_a_page_saying_what_is_wrong(container_root):
    """tests/deploy checks the log line per worker, /healthz "degraded" and no crash loop;
    this checks the page a clinician then sees, under gunicorn."""
    folder = data_folder(container_root)
    corrupt = folder / "cohort.csv"
    corrupt.write_text(
        "patient_id,followup_months,failure\nP01,twelve,1\nP02,24,0\n", encoding="utf-8"
    )
    corrupt.chmod(0o444)
    server = start(container_root, COHORT_PATH=str(corrupt), GUNICORN_WORKERS="1")
    try:
        health = request(server.port, "GET", "/healthz")
        page = request(server.port, "GET", "/")
        layout = request(server.port, "GET", "/_dash-layout")
        still_running = server.process.poll() is None
    finally:
        server.stop()
    assert json.loads(health.body) == {
        "status": "degraded",
        "cohort_loaded": False,
        "cache": "local",
    }
    assert page.status == 200
    text = layout.body.decode("utf-8")
    assert "The configured cohort file could not be loaded" in text
    assert "cohort.csv" in text
    assert "followup_months" in text
    assert still_running
    lines = [line for line in server.logs().splitlines() if "configured cohort is invalid" in line]
    assert len(lines) == 1
    # No crash loop: the one worker served every request above and was never replaced.
    assert server.logs().count("Booting worker") == 1
    assert server.stopped_gracefully()
    assert "twelve" not in server.logs()  # the log counts problems, it never quotes data
