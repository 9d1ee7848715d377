"""The loaded cohort, the user's filters, and outcome derivation with a grace period.

Treatment failure follows the source study: at least one relapse more than
``grace_months`` (default 6) after the first rituximab infusion. Relapses inside the
grace period are attributed to the pre-B-cell-depletion window and do not count.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

DEFAULT_GRACE_MONTHS = 6.0
MAX_GRACE_MONTHS = 12.0


@dataclass(frozen=True)
class Cohort:
    """A validated cohort: patients (one row each), optional relapses and infusions, provenance.

    ``fingerprint`` is a content hash of the source files (every one given), used to label
    exports and to key caches; ``synthetic`` marks the demo cohort so every view can say so.
    ``infusions`` (rituximab infusions: ``patient_id``, ``months_from_rtx`` from the first
    infusion, extra columns kept) is for the patient timeline; no analysis reads it.
    """

    patients: pd.DataFrame
    relapses: pd.DataFrame | None
    label: str
    synthetic: bool
    fingerprint: str
    infusions: pd.DataFrame | None = None
    # Months columns derived from dates in the upload's mapping step (the methods say how).
    derived_months: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    """What the user has narrowed the cohort to. ``None`` means "no restriction".

    Ranges are inclusive on both ends, as a clinician reads "age 30 to 50".
    """

    sex: str | None = None
    age_min: float | None = None
    age_max: float | None = None
    edss_min: float | None = None
    edss_max: float | None = None
    lesions: int | None = None
    gd_persistent: int | None = None
    fcgr3a: str | None = None
    grace_months: float = DEFAULT_GRACE_MONTHS

    def __post_init__(self) -> None:
        if not (0.0 <= self.grace_months <= MAX_GRACE_MONTHS) or math.isnan(self.grace_months):
            raise ValueError(
                f"grace period must be between 0 and {MAX_GRACE_MONTHS:g} months, "
                f"got {self.grace_months!r}"
            )
        for low, high, name in (
            (self.age_min, self.age_max, "age"),
            (self.edss_min, self.edss_max, "EDSS"),
        ):
            if low is not None and high is not None and low > high:
                raise ValueError(f"{name} range is empty: minimum {low:g} > maximum {high:g}")

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def active(self) -> dict[str, object]:
        """The filters that restrict something (grace period always included)."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "grace_months" or value is not None:
                out[f.name] = value
        return out


def derive_outcome(
    patients: pd.DataFrame,
    relapses: pd.DataFrame | None,
    grace_months: float = DEFAULT_GRACE_MONTHS,
) -> pd.DataFrame:
    """Return a copy of ``patients`` with ``failure``, ``failure_months`` and ``time_months``.

    With a relapses file (outcome form B) failure is the first relapse strictly later than
    ``grace_months`` after the first infusion and up to last follow-up; without one (form A)
    the patients file's own ``failure``/``failure_months`` columns are used, and the grace
    period cannot be re-applied (the file already encodes the study's 6 months).

    ``time_months`` is the analysis time: time to failure, or to last follow-up if censored.
    """
    return _with_outcome(patients, None, relapses, grace_months, patients.index)


def _column(series: pd.Series, rows: np.ndarray | None) -> Any:
    """A copy of a column's values at ``rows`` (all when None): numpy, or extension arrays."""
    if isinstance(series.dtype, np.dtype):
        # numpy's take: the extension-array take checks its indices, ~5x slower on 100 000 rows.
        values = series.to_numpy()
        return values.copy() if rows is None else values.take(rows)
    return series.array.copy() if rows is None else series.array.take(rows)


def _floats(values: Any) -> np.ndarray:
    """``Series.to_numpy(dtype=float, na_value=np.nan)`` of a column's values."""
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":
        return values
    return np.asarray(pd.Series(values).to_numpy(dtype=float, na_value=np.nan))


def _as_float(values: Any) -> np.ndarray:
    """``Series.astype(float)`` of a column's values (directly for plain numeric arrays)."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiub":
        return values.astype(float)
    return np.asarray(pd.Series(values).astype(float).to_numpy())


def _with_outcome(
    patients: pd.DataFrame,
    rows: np.ndarray | None,
    relapses: pd.DataFrame | None,
    grace_months: float,
    index: pd.Index,
) -> pd.DataFrame:
    """``derive_outcome`` of the patients at positions ``rows``, on ``index``.

    The frame is built once from column arrays: a copy with the outcome columns assigned
    one by one cost several times more, as each assignment re-lays out the frame, and this
    runs on every filter change. The arrays are fresh copies, so the frame keeps them as
    they are (``copy=False``: no second copy into consolidated blocks).
    """
    if not patients.columns.is_unique:  # a dict of columns cannot hold repeated names
        chosen = patients if rows is None else patients.iloc[rows]
        return _assigned_outcome(chosen, relapses, grace_months).set_axis(index)
    columns = {name: _column(patients[name], rows) for name in patients.columns}
    if relapses is not None:
        ids = np.asarray(columns["patient_id"])
        failure_months = _first_relapse_after(ids, relapses, grace_months)
        # A relapse recorded after last follow-up cannot be: validation rejects it, but guard
        # here so the derived outcome is always consistent with follow-up.
        followup = _floats(columns["followup_months"])
        failure_months = np.where(failure_months <= followup, failure_months, np.nan)
        columns["failure"] = (~np.isnan(failure_months)).astype(float)
        columns["failure_months"] = failure_months
    elif "failure" not in columns:
        raise ValueError("the cohort has neither a failure column nor a relapses file")
    failure = columns["failure"]
    failed = failure == 1 if isinstance(failure, np.ndarray) else pd.Series(failure) == 1
    time = np.where(failed, columns["failure_months"], columns["followup_months"])
    columns["time_months"] = _as_float(time)
    columns["failure"] = _as_float(failure)
    return pd.DataFrame(columns, index=index, copy=False)


def _assigned_outcome(
    patients: pd.DataFrame, relapses: pd.DataFrame | None, grace_months: float
) -> pd.DataFrame:
    """``derive_outcome`` by assignment to a copy, for frames with repeated column names."""
    frame = patients.copy()
    if relapses is not None:
        failure_months = _first_relapse_after(
            frame["patient_id"].to_numpy(), relapses, grace_months
        )
        followup = frame["followup_months"].to_numpy(dtype=float, na_value=np.nan)
        failure_months = np.where(failure_months <= followup, failure_months, np.nan)
        frame["failure"] = (~np.isnan(failure_months)).astype(float)
        frame["failure_months"] = failure_months
    elif "failure" not in frame.columns:
        raise ValueError("the cohort has neither a failure column nor a relapses file")
    failed = frame["failure"] == 1
    frame["time_months"] = np.where(failed, frame["failure_months"], frame["followup_months"])
    frame["time_months"] = frame["time_months"].astype(float)
    frame["failure"] = frame["failure"].astype(float)
    return frame


def _first_relapse_after(
    ids: np.ndarray, relapses: pd.DataFrame, grace_months: float
) -> np.ndarray:
    """Month of each patient's first relapse later than ``grace_months`` (NaN if none).

    One integer code per distinct ID over both frames and a minimum per code: the same as a
    groupby-min mapped onto the patients, without the two string hash lookups that made it
    the slowest step of a filter change on large cohorts.
    """
    months = relapses["months_from_rtx"].to_numpy(dtype=float, na_value=np.nan)
    later = months > grace_months
    owners = relapses["patient_id"].to_numpy()[later]
    codes, uniques = pd.factorize(
        np.concatenate([ids.astype(object, copy=False), owners.astype(object, copy=False)])
    )
    patient_code, relapse_code = codes[: len(ids)], codes[len(ids) :]
    known = relapse_code >= 0  # a missing ID matches nobody, as groupby drops it
    # Slot len(uniques) stays NaN: where a patient's own missing ID (code -1) points.
    first = np.full(len(uniques) + 1, np.inf)
    np.minimum.at(first, relapse_code[known], months[later][known])
    first[np.isinf(first)] = np.nan
    return first[patient_code]


def _matches(values: pd.Series, wanted: object) -> np.ndarray:
    # Numbers compare in numpy (a Series comparison cost ~20x more); text keeps pandas'
    # rules for missing values of every kind (None, NaN, pd.NA never match).
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiub":
        return np.asarray(values.to_numpy() == wanted)
    return np.asarray((values == wanted).to_numpy(), dtype=bool)


def _filter_mask(frame: pd.DataFrame, filters: Filters) -> np.ndarray | None:
    """Rows satisfying every active filter; None when one needs a column the frame lacks."""
    mask = np.ones(len(frame), dtype=bool)
    equal_filters = {
        "sex": None if filters.sex is None else filters.sex.upper(),
        "asymptomatic_lesions": filters.lesions,
        "gd_persistent": filters.gd_persistent,
        "fcgr3a_v158f": None if filters.fcgr3a is None else filters.fcgr3a.upper(),
    }
    for column, wanted in equal_filters.items():
        if wanted is None:
            continue
        if column not in frame.columns:
            return None
        mask &= _matches(frame[column], wanted)
    # A patient with a missing value cannot be said to lie in a range, so an active range
    # filter excludes them (NaN compares False); an inactive one keeps everyone.
    for column, low, high in (
        ("age_at_rtx", filters.age_min, filters.age_max),
        ("edss_baseline", filters.edss_min, filters.edss_max),
    ):
        if low is None and high is None:
            continue
        if column not in frame.columns:
            return None
        values = frame[column]
        numbers = values.to_numpy() if isinstance(values.dtype, np.dtype) else None
        if low is not None:
            mask &= (numbers >= low) if numbers is not None else (values >= low).to_numpy()
        if high is not None:
            mask &= (numbers <= high) if numbers is not None else (values <= high).to_numpy()
    return mask


def apply_filters(frame: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Rows of ``frame`` that satisfy every active filter (missing values never match).

    A filter on a column the cohort does not have selects nobody rather than being ignored
    silently; the UI hides such filters, so this only happens through the CLI or the API.
    """
    mask = _filter_mask(frame, filters)
    return frame.iloc[0:0] if mask is None else frame[mask]


def analysis_frame(cohort: Cohort, filters: Filters) -> pd.DataFrame:
    """Patients with the outcome derived for ``filters.grace_months``, then filtered."""
    # Filters only read baseline columns and the outcome is derived patient by patient, so
    # filtering first gives the same frame while deriving for fewer patients; the chosen
    # rows are taken once, while the frame with the outcome is built.
    patients = cohort.patients
    mask = _filter_mask(patients, filters)
    rows = np.flatnonzero(mask) if mask is not None else np.arange(0)
    everyone = rows.size == len(patients)
    return _with_outcome(
        patients,
        None if everyone else rows,
        cohort.relapses,
        filters.grace_months,
        pd.RangeIndex(rows.size),
    )
