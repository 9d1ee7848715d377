"""Scaled SYNTHETIC cohorts for the benchmarks: n patients from the demo's seeded generator.

Every size comes from one recipe, seeded: the 54 patients of ``analytics.data.demo.generate``
(its own seed, untouched) are tiled ``n // 54`` times and topped up with a sample drawn
without replacement, so each size keeps the demo's mix (22 % failures, 61 % with lesions,
83 % women) instead of drifting as resampling with replacement would. Each copy is then
jittered by a small seeded amount that keeps every data-contract rule true:

- all post-infusion times of a patient (follow-up, lesion, relapses after the grace
  period) are scaled by one factor in [0.95, 1.05], so their order is kept and a relapse
  after the 6-month grace period (the demo's earliest is 6.5 months) stays after it;
- relapses inside the grace period and before rituximab move by at most ±0.3 months and
  stay on their side of 0 and of the grace period;
- age moves by at most ±2 years, EDSS by one 0.5 step at most (clipped to 0-10);
- failure and failure_months are derived again from the jittered relapses (the first
  relapse later than 6 months), so the two outcome forms agree by construction.

IDs are new pseudonymous codes (``BEN-0000001``...). Files go to ``benchmarks/.data/``
(git-ignored) and are only rewritten when missing; every file written is loaded back
through :func:`analytics.data.io.load_cohort` so the benchmarks never run on invalid data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.data.demo.generate import GRACE_MONTHS, generate, to_csv_text

SEED = 20250601
# Bumped whenever the recipe changes, so stale cached files are never reused.
RECIPE_VERSION = 1
DATA_DIR = Path(__file__).resolve().parent / ".data"
TIME_SCALE = (0.95, 1.05)
SMALL_SHIFT_MONTHS = 0.3
AGE_SHIFT_YEARS = 2
AGE_BOUNDS = (16, 85)


@dataclass(frozen=True)
class CohortFiles:
    """A generated cohort on disk and what it contains."""

    n: int
    patients: Path
    relapses: Path
    relapse_rows: int
    failures: int
    sha256: str


def _rows_for(n: int, base_size: int, rng: np.random.Generator) -> np.ndarray:
    """Demo row indices: whole copies of the demo, then a sample without replacement."""
    copies, rest = divmod(n, base_size)
    tiles = np.tile(np.arange(base_size), copies)
    extra = rng.choice(base_size, rest, replace=False)
    return rng.permutation(np.concatenate([tiles, extra]))


def _months(values: np.ndarray) -> np.ndarray:
    return np.round(values, 1)


def _jitter_patients(base: pd.DataFrame, rows: np.ndarray, rng: np.random.Generator):
    n = rows.size
    patients = base.iloc[rows].reset_index(drop=True)
    scale = rng.uniform(*TIME_SCALE, n)
    followup = _months(patients["followup_months"].to_numpy() * scale)
    lesion = _months(patients["asymptomatic_lesion_months"].to_numpy() * scale)
    patients["followup_months"] = followup
    patients["asymptomatic_lesion_months"] = np.minimum(np.maximum(lesion, 0.1), followup)
    age = patients["age_at_rtx"].to_numpy() + rng.integers(-AGE_SHIFT_YEARS, AGE_SHIFT_YEARS + 1, n)
    patients["age_at_rtx"] = np.clip(age, *AGE_BOUNDS).astype(int)
    edss = patients["edss_baseline"].to_numpy() + 0.5 * rng.integers(-1, 2, n)
    patients["edss_baseline"] = np.clip(edss, 0.0, 10.0)
    ids = np.array([f"BEN-{i:07d}" for i in range(1, n + 1)], dtype=object)
    old_ids = patients["patient_id"].to_numpy()
    patients["patient_id"] = ids
    return patients, old_ids, scale


def _jitter_relapses(
    relapses: pd.DataFrame,
    old_ids: np.ndarray,
    patients: pd.DataFrame,
    scale: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    # One block of relapse rows per new patient: the demo patient's rows, repeated.
    by_patient = relapses.groupby("patient_id", sort=False).indices
    blocks = [by_patient.get(code, np.empty(0, dtype=int)) for code in old_ids]
    counts = np.array([b.size for b in blocks])
    source = np.concatenate(blocks)
    owner = np.repeat(np.arange(len(old_ids)), counts)
    months = relapses["months_from_rtx"].to_numpy()[source]
    shift = rng.uniform(-SMALL_SHIFT_MONTHS, SMALL_SHIFT_MONTHS, months.size)
    after_grace = months > GRACE_MONTHS
    before_rtx = months < 0
    jittered = np.where(after_grace, months * scale[owner], months + shift)
    # Keep each relapse on its side of 0 and of the grace period, and within follow-up.
    jittered = np.where(before_rtx, np.minimum(jittered, -0.1), jittered)
    in_grace = ~after_grace & ~before_rtx
    jittered = np.where(in_grace, np.clip(jittered, 0.1, GRACE_MONTHS - 0.1), jittered)
    jittered = _months(jittered)
    jittered = np.where(after_grace, np.maximum(jittered, GRACE_MONTHS + 0.1), jittered)
    followup = patients["followup_months"].to_numpy()[owner]
    jittered = np.minimum(jittered, followup)
    out = pd.DataFrame(
        {"patient_id": patients["patient_id"].to_numpy()[owner], "months_from_rtx": jittered}
    )
    return out.sort_values(["patient_id", "months_from_rtx"], kind="stable").reset_index(drop=True)


def _derive_failure(patients: pd.DataFrame, relapses: pd.DataFrame) -> pd.DataFrame:
    """failure / failure_months from the first relapse later than the grace period."""
    later = relapses[relapses["months_from_rtx"] > GRACE_MONTHS]
    first = later.groupby("patient_id", sort=False)["months_from_rtx"].min()
    failure_months = patients["patient_id"].map(first).astype(float)
    patients["failure"] = failure_months.notna().astype(int)
    patients["failure_months"] = failure_months
    return patients


def scaled_cohort(n: int, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patients and relapses frames of ``n`` synthetic patients (data-contract columns)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    base_patients, base_relapses = generate()
    rng = np.random.default_rng([seed, n])
    rows = _rows_for(n, len(base_patients), rng)
    patients, old_ids, scale = _jitter_patients(base_patients, rows, rng)
    relapses = _jitter_relapses(base_relapses, old_ids, patients, scale, rng)
    patients = _derive_failure(patients, relapses)
    return patients[list(base_patients.columns)], relapses


def _paths(n: int, seed: int, data_dir: Path) -> tuple[Path, Path, Path]:
    folder = data_dir / f"n{n}-seed{seed}-v{RECIPE_VERSION}"
    return folder / "patients.csv", folder / "relapses.csv", folder / "meta.json"


def verify(patients_path: Path, relapses_path: Path) -> None:
    """Load the files as the app does; raises CohortValidationError on any problem."""
    from analytics.data.io import load_cohort

    load_cohort(patients_path, relapses_path)


def ensure(n: int, seed: int = SEED, data_dir: Path = DATA_DIR) -> CohortFiles:
    """The cohort files of size ``n``, generated (and verified) on first use."""
    patients_path, relapses_path, meta_path = _paths(n, seed, data_dir)
    if not meta_path.exists():
        patients, relapses = scaled_cohort(n, seed)
        patients_path.parent.mkdir(parents=True, exist_ok=True)
        patients_path.write_text(to_csv_text(patients), encoding="utf-8", newline="\n")
        relapses_path.write_text(to_csv_text(relapses), encoding="utf-8", newline="\n")
        verify(patients_path, relapses_path)
        digest = hashlib.sha256(patients_path.read_bytes() + relapses_path.read_bytes())
        meta = {
            "n": n,
            "seed": seed,
            "recipe_version": RECIPE_VERSION,
            "relapse_rows": len(relapses),
            "failures": int(patients["failure"].sum()),
            "sha256": digest.hexdigest(),
        }
        meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return CohortFiles(
        n=n,
        patients=patients_path,
        relapses=relapses_path,
        relapse_rows=meta["relapse_rows"],
        failures=meta["failures"],
        sha256=meta["sha256"],
    )


def main() -> None:
    """``python -m benchmarks.cohorts 54 1000 ...``: write (and verify) the cohort files."""
    import sys

    sizes = [int(a) for a in sys.argv[1:]] or [54, 1_000, 10_000, 100_000]
    for n in sizes:
        files = ensure(n)
        print(f"n={n}: {files.patients} ({files.failures} failures, {files.relapse_rows} relapses)")


if __name__ == "__main__":
    main()
