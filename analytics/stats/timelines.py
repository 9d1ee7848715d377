"""Per-patient timelines (the data of a swimmer plot) and the patients behind a KM step.

A swimmer plot shows each patient as a row from the first rituximab infusion (month 0) to
last follow-up, with the relapses before and after it, the first new asymptomatic MRI
lesion, treatment failure or censoring, and the infusions. It answers the questions a
curve hides: who failed, how long they were followed, and whether re-dosing was on time.

Times are months from the first infusion, as everywhere else; relapses before rituximab are
negative. Rows come sorted by group (the levels in the order the Kaplan–Meier curves use)
and, within a group, longest follow-up first, so the plot reads like the curves beside it.

Examples
--------
>>> from analytics.data.demo import load_demo
>>> from analytics.data.cohort import Filters
>>> timelines = patient_timelines(load_demo(), Filters(), group_by="asymptomatic_lesions")
>>> timelines.total, len(timelines.rows)
(54, 54)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analytics.data.cohort import Cohort, Filters, analysis_frame
from analytics.jsonsafe import json_dict
from analytics.stats.subgroups import level_labels

# A swimmer plot of thousands of rows is unreadable and heavy to draw: beyond this many
# patients each group keeps its share of rows (its longest follow-up first), so no group
# vanishes from the plot, and the result says how many were left out.
MAX_ROWS = 300
ALL_PATIENTS = "All"  # the single group's label without grouping, as the KM curve's key
# KM step times travel through JSON and the browser: equal within this tolerance.
TIME_TOLERANCE = 1e-9

ROLE_FAILED = "failed"
ROLE_CENSORED = "censored"
ROLE_AT_RISK = "at risk"


@dataclass(frozen=True)
class PatientTimeline:
    """One patient's row: follow-up, outcome and events, in months from the first infusion.

    ``group`` is the level of the grouping column as the KM curves label it ("0"/"1" for a
    0/1 column), "All" without grouping, None when the patient's value is missing.
    ``failure_months`` is None for a censored patient (then follow-up ends with censoring).
    ``step_role`` says how the patient belongs to a selected KM step (see :func:`km_step`).
    """

    patient_id: str
    group: str | None
    followup_months: float
    failure_months: float | None
    lesion_months: float | None
    relapse_months: tuple[float, ...]
    infusion_months: tuple[float, ...]
    step_role: str | None = None

    @property
    def failed(self) -> bool:
        return self.failure_months is not None


@dataclass(frozen=True)
class Timelines:
    """The rows to draw (sorted, at most ``MAX_ROWS``) and what was left out."""

    rows: tuple[PatientTimeline, ...]
    total: int
    group_by: str | None
    groups: tuple[str, ...]
    group_totals: dict[str, int]
    grace_months: float
    has_relapses: bool
    has_infusions: bool
    has_lesion_times: bool

    @property
    def truncated(self) -> bool:
        return len(self.rows) < self.total

    def to_dict(self) -> dict[str, object]:
        return json_dict(asdict(self))


@dataclass(frozen=True)
class KmStep:
    """The patients behind one step of a Kaplan–Meier curve at ``time_months``.

    ``at_risk`` are those still under observation just before that time (analysis time at
    or after it, as the KM estimator counts them); ``failed`` and ``censored`` those whose
    analysis time ends exactly there. Each tuple is sorted by patient code.
    """

    group: str
    time_months: float
    failed: tuple[str, ...]
    censored: tuple[str, ...]
    at_risk: tuple[str, ...]

    def role(self, patient_id: str) -> str | None:
        if patient_id in self.failed:
            return ROLE_FAILED
        if patient_id in self.censored:
            return ROLE_CENSORED
        if patient_id in self.at_risk:
            return ROLE_AT_RISK
        return None

    def to_dict(self) -> dict[str, object]:
        return json_dict(asdict(self))


def _group_labels(frame: pd.DataFrame, group_by: str | None) -> pd.Series:
    if group_by is None:
        return pd.Series(ALL_PATIENTS, index=frame.index, dtype=object)
    if group_by not in frame.columns:
        raise ValueError(f"the cohort has no column {group_by!r} to group by")
    return level_labels(frame[group_by])


def _sorted(frame: pd.DataFrame, groups: pd.Series) -> pd.DataFrame:
    # Groups in the curves' order, patients without a group last; longest follow-up first.
    levels = sorted(groups.dropna().unique())
    rank = groups.map({level: i for i, level in enumerate(levels)}).fillna(len(levels))
    ordered = frame.assign(_group=groups, _rank=rank)
    return ordered.sort_values(
        ["_rank", "followup_months", "patient_id"],
        ascending=[True, False, True],
        kind="mergesort",
    )


def _quotas(counts: dict[float, int], max_rows: int) -> dict[float, int]:
    """Rows per group, proportional to its size (largest remainder), at least one each."""
    total = sum(counts.values())
    exact = {rank: max_rows * n / total for rank, n in counts.items()}
    quotas = {rank: min(counts[rank], max(1, math.floor(share))) for rank, share in exact.items()}
    spare = max_rows - sum(quotas.values())
    for rank in sorted(exact, key=lambda r: exact[r] - math.floor(exact[r]), reverse=True):
        if spare <= 0:
            break
        if quotas[rank] < counts[rank]:
            quotas[rank] += 1
            spare -= 1
    return quotas


def _head_per_group(ordered: pd.DataFrame, max_rows: int) -> pd.DataFrame:
    if len(ordered) <= max_rows:
        return ordered
    ranks = ordered["_rank"].to_numpy(dtype=float)
    levels, sizes = np.unique(ranks, return_counts=True)
    counts = {float(k): int(v) for k, v in zip(levels, sizes, strict=True)}
    quotas = _quotas(counts, max_rows)
    position = ordered.groupby("_rank", sort=False).cumcount()
    return ordered[(position < ordered["_rank"].astype(float).map(quotas)).to_numpy()]


def _times_by_patient(events: pd.DataFrame | None, ids: Iterable[str]) -> dict[str, list[float]]:
    if events is None:
        return {}
    wanted = events[events["patient_id"].isin(set(ids))]
    grouped = wanted.groupby("patient_id", sort=False)["months_from_rtx"]
    return {str(k): sorted(float(t) for t in v) for k, v in grouped}


def _optional_time(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def patient_timelines(
    cohort: Cohort,
    filters: Filters,
    group_by: str | None = None,
    *,
    step: KmStep | None = None,
    max_rows: int = MAX_ROWS,
) -> Timelines:
    """The swimmer-plot rows of the patients matching ``filters``.

    Parameters
    ----------
    cohort : Cohort
        Relapses (form B) and infusions are drawn when the cohort has those files.
    filters : Filters
        The same filters as every other panel; the grace period decides failure.
    group_by : str, optional
        Column whose levels sort and colour the rows (the "Compare groups by" choice).
    step : KmStep, optional
        A selected Kaplan–Meier step: each row's ``step_role`` says whether the patient
        failed, was censored or was at risk there.
    max_rows : int
        At most about this many rows: each group keeps its share (at least one row), its
        longest follow-up first; ``total`` and ``group_totals`` keep the full counts.

    Returns
    -------
    Timelines
    """
    frame = analysis_frame(cohort, filters)
    groups = _group_labels(frame, group_by)
    ordered = _sorted(frame, groups)
    shown = _head_per_group(ordered, max_rows)
    ids = shown["patient_id"].astype(str).tolist()
    relapses = _times_by_patient(cohort.relapses, ids)
    infusions = _times_by_patient(cohort.infusions, ids)
    lesion_times = (
        shown["asymptomatic_lesion_months"].tolist()
        if "asymptomatic_lesion_months" in shown.columns
        else [None] * len(shown)
    )
    rows = []
    for position, patient_id in enumerate(ids):
        record = shown.iloc[position]
        failed = record["failure"] == 1
        group = record["_group"]
        rows.append(
            PatientTimeline(
                patient_id=patient_id,
                group=None if group is None or group != group else str(group),
                followup_months=float(record["followup_months"]),
                failure_months=float(record["failure_months"]) if failed else None,
                lesion_months=_optional_time(lesion_times[position]),
                relapse_months=tuple(relapses.get(patient_id, ())),
                infusion_months=tuple(infusions.get(patient_id, ())),
                step_role=None if step is None else step.role(patient_id),
            )
        )
    return Timelines(
        rows=tuple(rows),
        total=len(frame),
        group_by=group_by,
        groups=tuple(sorted(groups.dropna().unique())),
        group_totals={str(k): int(v) for k, v in groups.dropna().value_counts().items()},
        grace_months=filters.grace_months,
        has_relapses=cohort.relapses is not None,
        has_infusions=cohort.infusions is not None,
        has_lesion_times="asymptomatic_lesion_months" in frame.columns,
    )


def km_step(
    cohort: Cohort,
    filters: Filters,
    group_by: str | None,
    group: str,
    time_months: float,
) -> KmStep:
    """Who failed, who was censored and who was at risk at one time of one KM curve.

    ``group`` is the curve's key ("All" without grouping). At-risk follows the KM estimator
    (R ``survfit``'s ``n.risk``): analysis time at or after ``time_months``. An unknown group
    or a time between steps gives empty failed/censored tuples, never an error.
    """
    if not math.isfinite(time_months):
        raise ValueError(f"a KM step time must be a finite number of months, got {time_months}")
    frame = analysis_frame(cohort, filters)
    labels = _group_labels(frame, group_by)
    rows = frame[(labels == group).to_numpy()]
    times = rows["time_months"].to_numpy(dtype=float)
    ids = rows["patient_id"].astype(str).to_numpy()
    failed_flags = rows["failure"].to_numpy(dtype=float) == 1
    here = np.isclose(times, time_months, rtol=0.0, atol=TIME_TOLERANCE)
    at_risk = times >= time_months - TIME_TOLERANCE
    return KmStep(
        group=group,
        time_months=float(time_months),
        failed=tuple(sorted(ids[here & failed_flags])),
        censored=tuple(sorted(ids[here & ~failed_flags])),
        at_risk=tuple(sorted(ids[at_risk])),
    )
