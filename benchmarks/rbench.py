"""Runs benchmarks/r_bench.R on the generated files and reads its timings back."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.state.view_state import ViewState
from benchmarks.cohorts import CohortFiles

SCRIPT = Path(__file__).resolve().parent / "r_bench.R"
R_TIMEOUT_SECONDS = 1800
# Coefficients beyond this are separated fits (an infinite HR): R and lifelines stop at
# different large values, so such models are left out of the agreement check.
SEPARATED_COEF = 8.0


@dataclass
class RCohortTimes:
    n: int
    inner: int
    prepare: list[float] = field(default_factory=list)
    fits: list[float] = field(default_factory=list)
    counts: list[tuple[int, int]] = field(default_factory=list)
    coefs: list[dict[str, float]] = field(default_factory=list)


@dataclass
class RRun:
    available: bool
    note: str
    r_version: str | None = None
    survival_version: str | None = None
    cohorts: dict[int, RCohortTimes] = field(default_factory=dict)


def rscript() -> str | None:
    return shutil.which("Rscript")


def _view_json(view: ViewState) -> dict[str, object]:
    filters = view.filters()
    return {
        "sex": filters.sex,
        "age_min": filters.age_min,
        "age_max": filters.age_max,
        "edss_min": filters.edss_min,
        "edss_max": filters.edss_max,
        "lesions": filters.lesions,
        "gd_persistent": filters.gd_persistent,
        "grace_months": filters.grace_months,
        "group_by": view.group_by,
        "covariates": list(view.covariates),
    }


def inner_repetitions(n: int) -> int:
    """Repetitions inside R per sample, so that one sample lasts well over proc.time's 1 ms."""
    return 20 if n <= 1_000 else 5 if n <= 10_000 else 1


def run(plan: Sequence[tuple[CohortFiles, Sequence[ViewState]]]) -> RRun:
    """Time the views of each cohort in one Rscript process (skipped without Rscript)."""
    executable = rscript()
    if executable is None:
        return RRun(
            False,
            "Rscript not found: R comparison skipped (apt-get install r-base-core "
            "r-cran-survival r-cran-jsonlite).",
        )
    config = {
        "cohorts": [
            {
                "n": files.n,
                "patients": str(files.patients),
                "relapses": str(files.relapses),
                "inner": inner_repetitions(files.n),
                "views": [_view_json(v) for v in views],
            }
            for files, views in plan
        ]
    }
    with tempfile.TemporaryDirectory(prefix="r-bench-") as folder:
        config_path, output_path = Path(folder) / "config.json", Path(folder) / "out.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        done = subprocess.run(
            [executable, str(SCRIPT), str(config_path), str(output_path)],
            capture_output=True,
            text=True,
            timeout=R_TIMEOUT_SECONDS,
            check=False,
        )
        if done.returncode != 0 or not output_path.exists():
            return RRun(False, f"Rscript failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        output = json.loads(output_path.read_text(encoding="utf-8"))
    result = RRun(True, "", output.get("r_version"), output.get("survival_version"))
    for cohort in output["cohorts"]:
        times = RCohortTimes(n=int(cohort["n"]), inner=int(cohort["inner"]))
        for view in cohort["views"]:
            times.prepare.append(float(view["prepare_seconds"]))
            times.fits.append(float(view["fits_seconds"]))
            times.counts.append((int(view["n"]), int(view["events"])))
            coef = view.get("coef") or {}
            times.coefs.append({k: v for k, v in coef.items() if v is not None})
        result.cohorts[times.n] = times
    return result


def agreement(ours: Sequence[Mapping[str, object]], r: RCohortTimes) -> tuple[bool, float | None]:
    """Do the views' n/events agree, and the largest |coef difference| of non-separated terms."""
    counts_agree = all(
        (o["n"], o["events"]) == counts for o, counts in zip(ours, r.counts, strict=True)
    )
    worst: float | None = None
    for o, r_coef in zip(ours, r.coefs, strict=True):
        pairs = [(v, r_coef.get(t.replace("=", ""))) for t, v in dict(o["coef"]).items()]
        pairs = [(a, b) for a, b in pairs if b is not None and math.isfinite(a)]
        # A separated model (some |coef| beyond SEPARATED_COEF on either side) has not
        # converged anywhere: all its terms, not just the infinite one, are left out.
        if not pairs or any(max(abs(a), abs(b)) > SEPARATED_COEF for a, b in pairs):
            continue
        difference = max(abs(a - b) for a, b in pairs)
        worst = difference if worst is None else max(worst, difference)
    return counts_agree, worst
