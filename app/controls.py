"""Between the filter controls' raw values and a ViewState (pure: unit-tested without Dash)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analytics.cohort import Cohort
from app import ids
from app.open_controls import OPEN_IDS, open_state, open_values
from app.state import ALL, NO_GROUP, ViewState
from components.labels import column_label

# The order of the control values in callbacks' Inputs/Outputs.
CONTROL_IDS = (
    ids.SEX,
    ids.AGE,
    ids.EDSS,
    ids.LESIONS,
    ids.GD,
    ids.FCGR3A,
    ids.GRACE,
    ids.GROUP_BY,
    ids.COVARIATES,
    ids.HORIZON,
    ids.LANDMARK,
    *OPEN_IDS,
)
EDSS_BOUNDS = (0.0, 10.0)
# Columns that make sense as groups: few levels. Numeric columns with more are ranges.
MAX_GROUP_LEVELS = 8
CONTRACT_FILTER_COLUMNS = {
    ids.SEX: "sex",
    ids.AGE: "age_at_rtx",
    ids.EDSS: "edss_baseline",
    ids.LESIONS: "asymptomatic_lesions",
    ids.GD: "gd_persistent",
    ids.FCGR3A: "fcgr3a_v158f",
}
NOT_COVARIATES = {
    "patient_id",
    "followup_months",
    "failure",
    "failure_months",
    "asymptomatic_lesion_months",
}


@dataclass(frozen=True)
class CohortControls:
    """What the controls offer for one cohort: visible filters, groupings, covariates, ranges."""

    visible: dict[str, bool]
    group_options: list[dict[str, str]]
    covariate_options: list[dict[str, str]]
    age_bounds: tuple[float, float]


def _is_groupable(series: pd.Series) -> bool:
    levels = series.dropna().nunique()
    return 2 <= levels <= MAX_GROUP_LEVELS


def cohort_controls(cohort: Cohort) -> CohortControls:
    """Filters for absent columns are hidden; any few-level column (extras too) can group."""
    patients = cohort.patients
    visible = {cid: col in patients.columns for cid, col in CONTRACT_FILTER_COLUMNS.items()}
    groups = [{"label": "No grouping", "value": NO_GROUP}]
    covariates = []
    for column in patients.columns:
        if column in NOT_COVARIATES:
            continue
        if _is_groupable(patients[column]):
            groups.append({"label": column_label(column), "value": column})
        if patients[column].notna().sum() > 0 and patients[column].nunique() >= 2:
            covariates.append({"label": column_label(column), "value": column})
    ages = patients["age_at_rtx"].dropna() if "age_at_rtx" in patients.columns else pd.Series()
    if ages.empty:
        age_bounds = (0.0, 100.0)
    else:
        age_bounds = (float(math.floor(ages.min())), float(math.ceil(ages.max())))
    return CohortControls(visible, groups, covariates, age_bounds)


def _radio_value(value: object, cast=str) -> object:
    return None if value in (None, ALL, "") else cast(value)


def _span(value: object, bounds: tuple[float, float]) -> tuple[float, float] | None:
    """A range slider at its full extent restricts nothing (and keeps missing values)."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    low, high = float(value[0]), float(value[1])
    if low <= bounds[0] and high >= bounds[1]:
        return None
    return (low, high)


def state_from_controls(values: tuple, age_bounds: tuple[float, float]) -> ViewState:
    """A ViewState from the controls' values, in CONTROL_IDS order."""
    # The open analyses' controls come last (OPEN_IDS); the filters' values are the rest.
    values, open_part = tuple(values[: -len(OPEN_IDS)]), tuple(values[-len(OPEN_IDS) :])
    (sex, age, edss, lesions, gd, fcgr3a, grace, group_by, covariates, horizon, landmark) = values
    return ViewState(
        sex=_radio_value(sex),
        age=_span(age, age_bounds),
        edss=_span(edss, EDSS_BOUNDS),
        lesions=_radio_value(lesions, int),
        gd_persistent=_radio_value(gd, int),
        fcgr3a=_radio_value(fcgr3a),
        grace_months=float(grace if grace is not None else 6),
        group_by=None if group_by in (None, NO_GROUP) else str(group_by),
        covariates=tuple(covariates or ()),
        horizon=None if horizon in (None, "full") else float(horizon),
        landmark=float(landmark) if isinstance(landmark, int | float) and landmark > 0 else 12.0,
        **open_state(open_part),  # type: ignore[arg-type]
    )


def controls_from_state(state: ViewState, age_bounds: tuple[float, float]) -> tuple:
    """The controls' values showing ``state``, in CONTROL_IDS order."""

    def radio(value: object) -> str:
        return ALL if value is None else str(value)

    # The dropdown's values are "12", "24", ...; any other horizon (from a URL) keeps every
    # digit, since ":g" would round 1000001 to 1e+06 and change the view on the way back.
    if state.horizon is None:
        horizon = "full"
    elif float(state.horizon).is_integer():
        horizon = str(int(state.horizon))
    else:
        horizon = repr(float(state.horizon))
    return (
        radio(state.sex),
        list(state.age) if state.age else list(age_bounds),
        list(state.edss) if state.edss else list(EDSS_BOUNDS),
        radio(state.lesions),
        radio(state.gd_persistent),
        radio(state.fcgr3a),
        state.grace_months,
        state.group_by or NO_GROUP,
        list(state.covariates),
        horizon,
        state.landmark,
        *open_values(state),
    )
