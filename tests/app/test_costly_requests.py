"""Issue 17: one request must not take a worker down. Each case is a request that held a
production worker for minutes or gigabytes (a free-text or ID column as the grouping or a
covariate, a many-level covariate on 100 000 rows, a model too wide for the memory budget, a
view slower than the time budget); each now answers within 30 s in a process capped at
2 GiB, with a sentence on the page (tests/app/cost_probe.py runs the request)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).resolve().with_name("cost_probe.py")
ROOT = PROBE.parents[2]
REQUEST_SECONDS = 30
# Start-up, the generated upload and the request, on a machine shared with other builds.
PROCESS_SECONDS = 150
TOO_LARGE = "Too large for this server: narrow the cohort or choose fewer levels."

CASES = {
    "free-text grouping": (
        {"rows": 200, "levels": 200, "changes": {"filter-group-by": "note"}},
        "note cannot be a grouping: it has 200 levels (at most 8). Showing all patients.",
    ),
    "free-text covariate": (
        {"rows": 200, "levels": 200, "changes": {"filter-covariates": ["note"]}},
        "note cannot be a covariate: it is text with 200 levels (at most 8). Left out",
    ),
    "patient_id grouping": (
        {"rows": 5000, "levels": 10, "changes": {"filter-group-by": "patient_id"}},
        "patient_id cannot be a grouping: it identifies patients or is part of the outcome.",
    ),
    "40-level covariate on 100 000 rows": (
        {"rows": 100_000, "levels": 10, "changes": {"filter-covariates": ["site40"]}},
        "site40 cannot be a covariate: it is text with 40 levels (at most 8).",
    ),
    "21-column model on 100 000 rows: over the memory budget": (
        {
            "rows": 100_000,
            "levels": 10,
            "sites": 3,
            "changes": {"filter-covariates": ["site0", "site1", "site2"]},
            # The Cox models are computed when their tab is shown, and say so there.
            "callback": "update_hazards_tab",
            "shows": "hazard-notes",
        },
        TOO_LARGE,
    ),
    "100 000 rows over a 0.2 s time budget": (
        {
            "rows": 100_000,
            "levels": 10,
            "env": {"COMPUTE_SECONDS": "0.2"},
            "changes": {"filter-group-by": "sex", "filter-covariates": ["sex", "age_at_rtx"]},
            "callback": "update_hazards_tab",
            "shows": "hazard-notes",
        },
        TOO_LARGE,
    ),
}


def _probe(name: str, case: dict) -> tuple[dict, str]:
    """The probe's JSON result and its standard error (the app's log)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run(
            [sys.executable, str(PROBE), json.dumps(case)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=PROCESS_SECONDS,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: no answer within {PROCESS_SECONDS} s")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_a_costly_request_answers_in_time_and_memory_with_a_message(name):
    case, message = CASES[name]
    result, log = _probe(name, case)
    assert result["status"] == 200
    assert result["seconds"] < REQUEST_SECONDS
    assert message in result["warnings"]
    # Patient values never reach the log: the budget's log line names the limit only.
    assert "P0000" not in log
    assert "free text" not in log


@pytest.mark.slow
def test_the_relapses_tab_of_100_000_patients_answers_in_time_and_memory():
    """Verified on the merged code: the Andersen-Gill data were built one pandas frame per
    patient, 50 s and 2 GB for 100 000 patients with no deadline check, so the Relapses tab
    answered after the 20 s budget and the 30 s promise."""
    case = {
        "rows": 100_000,
        "levels": 10,
        "relapses": True,
        "env": {"MAX_UPLOAD_ROWS": "200000"},
        "callback": "update_relapses",
        "shows": "relapse-panel",
        "changes": {"filter-group-by": "sex"},
    }
    result, log = _probe("relapses", case)
    assert result["status"] == 200
    assert result["seconds"] < REQUEST_SECONDS
    assert "Something went wrong" not in result["warnings"]
    assert "Andersen" in result["warnings"] or TOO_LARGE in result["warnings"]
    assert "P0000" not in log
