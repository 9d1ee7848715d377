"""The open analyses' controls: exposure (Lesion timing tab), Table 1 grouping and MANCOVA
design (Table 1 & MANCOVA tab). Pure: values <-> ViewState, the options a cohort offers,
and the check of a state's choices against the cohort (a shared URL may name anything)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from analytics.data.choices import allowed_columns, level_count
from analytics.data.schema import CohortValidationError
from analytics.reports.options import (
    MAX_GROUP_LEVELS,
    check_covariates,
    check_exposure,
    check_grouping,
    check_mancova,
    is_number_column,
)
from analytics.stats.table_one import DEFAULT_COVARIATES, DEFAULT_DEPENDENT, DEFAULT_FACTOR
from app.layout import ids
from app.state.control_values import MAX_COVARIATES
from app.state.view_state import (
    DEFAULT_EXPOSURE,
    DEFAULT_EXPOSURE_MONTHS,
    DEFAULT_TABLE_BY,
    ViewState,
)
from components.panels.problems import problem_text
from components.text.labels import column_label

# The order of these controls' values, after the filters' (app.state.controls.CONTROL_IDS).
OPEN_IDS = (
    ids.TABLE_BY,
    ids.EXPOSURE,
    ids.EXPOSURE_MONTHS,
    ids.EXPOSURE_COVARIATES,
    ids.MANCOVA_DEPENDENT,
    ids.MANCOVA_FACTOR,
    ids.MANCOVA_COVARIATES,
)
# Each choice changes only its own panels (app.callbacks.report sends only those).
EXPOSURE_IDS = (ids.EXPOSURE, ids.EXPOSURE_MONTHS, ids.EXPOSURE_COVARIATES)
MANCOVA_IDS = (ids.MANCOVA_DEPENDENT, ids.MANCOVA_FACTOR, ids.MANCOVA_COVARIATES)
# Not offered as a grouping, dependent variable or covariate: identifiers and the outcome's
# own pieces (failure itself is offered where it makes sense).
_NOT_VARIABLES = {"patient_id", "failure_months", "followup_months"}
Options = list[dict[str, str]]


@dataclass(frozen=True)
class OpenOptions:
    """The dropdowns' options for one cohort, by control id."""

    by_id: dict[str, Options]


def _is_binary(values: pd.Series) -> bool:
    present = values.dropna()
    return is_number_column(values) and not present.empty and bool(present.isin((0, 1)).all())


def _option(column: str) -> dict[str, str]:
    return {"label": column_label(column), "value": column}


def open_options(patients: pd.DataFrame) -> OpenOptions:
    """0/1 columns for the exposure flag, numeric ones for its onset and for MANCOVA's
    dependent variables, 2-10 level columns for groupings and factors."""
    columns = [c for c in patients.columns if c not in _NOT_VARIABLES]
    binary = [c for c in columns if _is_binary(patients[c])]
    numeric = [c for c in patients.columns if is_number_column(patients[c]) and c != "patient_id"]
    levels = [c for c in columns if 2 <= level_count(patients, c) <= MAX_GROUP_LEVELS]
    # Adjustment covariates follow the one covariate rule (analytics.data.choices): numeric or
    # few-level columns, never IDs or free text, which would make a model of many columns.
    varying = allowed_columns(patients, "covariate")
    failure = [] if "failure" in patients.columns else ["failure"]
    return OpenOptions(
        {
            ids.TABLE_BY: [_option(c) for c in dict.fromkeys(["failure", *levels])],
            ids.EXPOSURE: [_option(c) for c in binary if c != "failure"],
            ids.EXPOSURE_MONTHS: [_option(c) for c in numeric],
            ids.EXPOSURE_COVARIATES: [_option(c) for c in varying if c != "failure"],
            ids.MANCOVA_DEPENDENT: [
                _option(c) for c in dict.fromkeys([*failure, "time_months", *numeric])
            ],
            ids.MANCOVA_FACTOR: [_option(c) for c in levels if c != "failure"],
            ids.MANCOVA_COVARIATES: [_option(c) for c in varying],
        }
    )


def open_values(state: ViewState) -> tuple:
    """The controls' values showing ``state``, in OPEN_IDS order (defaults shown as such)."""
    return (
        state.table_by,
        state.exposure,
        state.exposure_months,
        list(state.exposure_covariates),
        list(DEFAULT_DEPENDENT if state.mancova_dependent is None else state.mancova_dependent),
        state.mancova_factor or DEFAULT_FACTOR,
        list(DEFAULT_COVARIATES if state.mancova_covariates is None else state.mancova_covariates),
    )


def _names(value: object) -> tuple[str, ...]:
    # More names than any cohort has columns is not a choice a page makes.
    if not isinstance(value, list | tuple) or len(value) > MAX_COVARIATES:
        return ()
    return tuple(str(v) for v in value)


def open_state(values: tuple) -> dict[str, object]:
    """ViewState fields from the controls' values (OPEN_IDS order); the default design
    stays None so that the URL stays short."""
    if len(values) != len(OPEN_IDS):
        return {}
    table_by, exposure, months, exposure_covs, dependent, factor, covariates = values
    dependent_names, covariate_names = _names(dependent), _names(covariates)
    return {
        "table_by": str(table_by or DEFAULT_TABLE_BY),
        "exposure": str(exposure or DEFAULT_EXPOSURE),
        "exposure_months": str(months or DEFAULT_EXPOSURE_MONTHS),
        "exposure_covariates": _names(exposure_covs),
        "mancova_dependent": None if dependent_names == DEFAULT_DEPENDENT else dependent_names,
        "mancova_factor": None if factor in (None, "", DEFAULT_FACTOR) else str(factor),
        "mancova_covariates": None if covariate_names == DEFAULT_COVARIATES else covariate_names,
    }


def _problem(error: CohortValidationError) -> str:
    return problem_text(error.problems[0]) if error.problems else str(error)


def usable_open_state(state: ViewState, patients: pd.DataFrame) -> tuple[ViewState, list[str]]:
    """Each open choice that breaks a rule for this cohort goes back to its default, with a
    note naming the option, column and rule (a URL shared from another cohort, or typed)."""
    notes: list[str] = []
    checks = (
        (
            ("table_by",),
            lambda s: (
                check_grouping(patients, s.table_by) if s.table_by != DEFAULT_TABLE_BY else None
            ),
        ),
        (
            ("exposure", "exposure_months"),
            lambda s: (
                check_exposure(patients, s.exposure, s.exposure_months)
                if (s.exposure, s.exposure_months) != (DEFAULT_EXPOSURE, DEFAULT_EXPOSURE_MONTHS)
                else None
            ),
        ),
        (
            ("exposure_covariates",),
            lambda s: check_covariates(patients, s.exposure_covariates, "--exposure-covariates"),
        ),
        (
            ("mancova_dependent", "mancova_factor", "mancova_covariates"),
            lambda s: check_mancova(
                patients, s.mancova_dependent, s.mancova_factor, s.mancova_covariates
            ),
        ),
    )
    default = ViewState()
    for names, check in checks:
        try:
            check(state)
        except CohortValidationError as error:
            notes.append(_problem(error))
            state = replace(state, **{name: getattr(default, name) for name in names})
    return state, notes
