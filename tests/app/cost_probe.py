"""One costly request against a fresh app, in a process of its own under a memory cap.

``python tests/app/cost_probe.py CASE_JSON`` caps its address space (RLIMIT_AS), builds the
app, uploads a generated cohort through the upload callback and posts one ``update_panels``
request over HTTP (Flask's test client), then prints one JSON line: the status, the seconds
the request took, the page's warnings and the peak memory. tests/app/test_costly_requests.py
runs it with a time limit; a process that runs out of memory or time fails that test.

CASE_JSON: {"rows": int, "levels": int, "sites": int, "env": {...}, "changes": {...}} --
``levels``: levels of the free-text column ``note``; ``sites``: how many 8-level text
columns ``site0``... ; ``changes``: control id -> value for the request; ``relapses``: the
outcome from a relapses file (two relapses per patient, one before rituximab) instead of the
``failure`` columns; ``callback``: the callback to post (``update_panels`` by default) and
``shows``: the output whose text is returned (``warnings`` by default).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

MEMORY_CAP = 2 * 1024**3
ROOT = Path(__file__).resolve().parents[2]


def _csv(rows: int, levels: int, sites: int) -> str:
    import numpy as np

    rng = np.random.default_rng(17)
    followup = np.round(rng.uniform(6, 120, rows), 1)
    failure = rng.random(rows) < 0.5
    failure_months = np.where(failure, np.round(followup * rng.uniform(0.1, 1, rows), 1), np.nan)
    header = ["patient_id", "followup_months", "failure", "failure_months", "sex", "age_at_rtx"]
    header += ["note", "site40"] + [f"site{j}" for j in range(sites)]
    lines = [",".join(header)]
    for i in range(rows):
        cells = [
            f"P{i:06d}",
            f"{followup[i]}",
            str(int(failure[i])),
            "" if np.isnan(failure_months[i]) else f"{failure_months[i]}",
            "FM"[i % 2],
            str(20 + i % 50),
            f"free text {i % levels}",
            f"s{i % 40}",
            *(f"l{(i // (j + 1)) % 8}" for j in range(sites)),
        ]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def _relapses_upload(patients_csv: str, rows: int) -> tuple[str, str]:
    """The patients file without its failure columns, and a relapses file for it."""
    lines = [line.split(",") for line in patients_csv.splitlines()]
    keep = [i for i, name in enumerate(lines[0]) if name not in ("failure", "failure_months")]
    patients = "\n".join(",".join(cells[i] for i in keep) for cells in lines) + "\n"
    relapses = ["patient_id,months_from_rtx"]
    relapses += [f"P{i:06d},{m}" for i in range(rows) for m in (-5, 1 + i % 4)]
    return patients, "\n".join(relapses) + "\n"


def _data_url(text: str) -> str:
    import base64

    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


def main(case: dict) -> dict:
    from app.layout import ids
    from app.server.config import Config
    from app.server.factory import create_app
    from tests.reliability.dash_requests import SPECS, callback_body, texts, walk

    config = Config.from_env({**os.environ, **case.get("env", {})})
    client = create_app(config).server.test_client()
    layout = {
        c["props"]["id"]: c["props"]
        for c in walk(client.get("/_dash-layout").get_json())
        if "id" in c["props"]
    }
    data = _csv(case["rows"], case["levels"], case.get("sites", 0))
    upload = {(ids.UPLOAD_PATIENTS, "filename"): "patients.csv"}
    if case.get("relapses"):
        data, relapses = _relapses_upload(data, case["rows"])
        upload[(ids.UPLOAD_RELAPSES, "contents")] = _data_url(relapses)
        upload[(ids.UPLOAD_RELAPSES, "filename")] = "relapses.csv"
    upload[(ids.UPLOAD_PATIENTS, "contents")] = _data_url(data)
    reply = client.post(
        "/_dash-update-component",
        data=callback_body("load_upload", layout, upload),
        content_type="application/json",
    )
    store = reply.get_json()["response"][ids.COHORT_STORE]["data"]
    changes = {(cid, "value"): value for cid, value in case["changes"].items()}
    changes[(ids.COHORT_STORE, "data")] = store
    # The Relapses and Hazard ratios tabs compute only while shown.
    changes[("panel-relapses", "hidden")] = False
    changes[("panel-hr", "hidden")] = False
    function = case.get("callback", "update_panels")
    assert function in SPECS
    started = time.perf_counter()
    reply = client.post(
        "/_dash-update-component",
        data=callback_body(function, layout, changes),
        content_type="application/json",
    )
    seconds = time.perf_counter() - started
    body = reply.get_json() if reply.status_code == 200 else {}
    shown = case.get("shows", ids.WARNINGS)
    warnings = body.get("response", {}).get(shown, {}).get("children")
    return {
        "status": reply.status_code,
        "seconds": seconds,
        "warnings": " ".join(texts(warnings)),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    sys.path.insert(0, str(ROOT))
    print(json.dumps(main(json.loads(sys.argv[1]))))
