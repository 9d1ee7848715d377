"""Between the filter controls' raw values and a ViewState (pure: unit-tested without Dash)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from analytics.data.choices import allowed_columns
from analytics.data.cohort import Cohort
from app.layout import ids
from app.state.control_values import EDSS_BOUNDS, read_controls
from app.state.open_controls import OPEN_IDS, open_state, open_values
from app.state.view_state import ALL, NO_GROUP, ViewState
from components.text.labels import column_label
from i18n.language import N_

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
    ids.CONF_LEVEL,
    ids.ZPH_TRANSFORM,
    *OPEN_IDS,
)
CONTRACT_FILTER_COLUMNS = {
    ids.SEX: "sex",
    ids.AGE: "age_at_rtx",
    ids.EDSS: "edss_baseline",
    ids.LESIONS: "asymptomatic_lesions",
    ids.GD: "gd_persistent",
    ids.FCGR3A: "fcgr3a_v158f",
}


@dataclass(frozen=True)
class CohortControls:
    """What the controls offer for one cohort: visible filters, groupings, covariates, ranges."""

    visible: dict[str, bool]
    group_options: list[dict[str, str]]
    covariate_options: list[dict[str, str]]
    age_bounds: tuple[float, float]
    # False when the outcome is the patients file's failure column (no relapses file): the
    # grace period cannot be applied, so its slider is disabled with GRACE_NOT_APPLIED.
    grace_applies: bool = True


GRACE_NOT_APPLIED = N_(
    "Not applied: this cohort's outcome is its failure column, as recorded (no relapses file)."
)


def cohort_controls(cohort: Cohort) -> CohortControls:
    """Filters for absent columns are hidden; the groupings and covariates are the ones
    analytics.data.choices allows for this cohort (few-level columns, extras too; never IDs or
    free text)."""
    patients = cohort.patients
    visible = {cid: col in patients.columns for cid, col in CONTRACT_FILTER_COLUMNS.items()}
    groups = [{"label": "No grouping", "value": NO_GROUP}]
    groups += [
        {"label": column_label(c), "value": c} for c in allowed_columns(patients, "grouping")
    ]
    covariates = [
        {"label": column_label(c), "value": c} for c in allowed_columns(patients, "covariate")
    ]
    ages = patients["age_at_rtx"].dropna() if "age_at_rtx" in patients.columns else pd.Series()
    if ages.empty:
        age_bounds = (0.0, 100.0)
    else:
        age_bounds = (float(math.floor(ages.min())), float(math.ceil(ages.max())))
    return CohortControls(visible, groups, covariates, age_bounds, cohort.relapses is not None)


def state_from_controls(values: tuple, age_bounds: tuple[float, float]) -> ViewState:
    """A ViewState from the controls' values, in CONTROL_IDS order (values the page could
    not have sent are ignored: app.state.control_values and app.state.open_controls say which)."""
    return read_all_controls(values, age_bounds)[0]


def read_all_controls(
    values: tuple, age_bounds: tuple[float, float]
) -> tuple[ViewState, list[str]]:
    """``state_from_controls`` and a note for every value set aside."""
    # The open analyses' controls come last (OPEN_IDS); the filters' values are the rest.
    filters, open_part = tuple(values[: -len(OPEN_IDS)]), tuple(values[-len(OPEN_IDS) :])
    state, notes = read_controls(filters, age_bounds)
    return replace(state, **open_state(open_part)), notes  # type: ignore[arg-type]


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
        str(round(100 * state.conf_level)),
        state.zph_transform,
        *open_values(state),
    )
