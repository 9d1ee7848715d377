"""One costly request against a fresh app, in a process of its own under a memory cap.

``python tests/app/cost_probe.py CASE_JSON`` caps its address space (RLIMIT_AS), builds the
app, uploads a generated cohort through the upload callback and posts one ``update_panels``
request over HTTP (Flask's test client), then prints one JSON line: the status, the seconds
the request took, the page's warnings and the peak memory. tests/app/test_costly_requests.py
runs it with a time limit; a process that runs out of memory or time fails that test.

CASE_JSON: {"rows": int, "levels": int, "sites": int, "env": {...}, "changes": {...}} --
``levels``: levels of the free-text column ``note``; ``sites``: how many 8-level text
columns ``site0``... ; ``changes``: control id -> value for the request.
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


def main(case: dict) -> dict:
    import base64

    from app import ids
    from app.config import Config
    from app.factory import create_app
    from tests.reliability.dash_requests import SPECS, callback_body, texts, walk

    config = Config.from_env({**os.environ, **case.get("env", {})})
    client = create_app(config).server.test_client()
    layout = {
        c["props"]["id"]: c["props"]
        for c in walk(client.get("/_dash-layout").get_json())
        if "id" in c["props"]
    }
    data = _csv(case["rows"], case["levels"], case.get("sites", 0)).encode()
    contents = "data:text/csv;base64," + base64.b64encode(data).decode()
    upload = {
        (ids.UPLOAD_PATIENTS, "contents"): contents,
        (ids.UPLOAD_PATIENTS, "filename"): "patients.csv",
    }
    reply = client.post(
        "/_dash-update-component",
        data=callback_body("load_upload", layout, upload),
        content_type="application/json",
    )
    store = reply.get_json()["response"][ids.COHORT_STORE]["data"]
    changes = {(cid, "value"): value for cid, value in case["changes"].items()}
    changes[(ids.COHORT_STORE, "data")] = store
    assert "update_panels" in SPECS
    started = time.perf_counter()
    reply = client.post(
        "/_dash-update-component",
        data=callback_body("update_panels", layout, changes),
        content_type="application/json",
    )
    seconds = time.perf_counter() - started
    body = reply.get_json() if reply.status_code == 200 else {}
    warnings = body.get("response", {}).get(ids.WARNINGS, {}).get("children")
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
