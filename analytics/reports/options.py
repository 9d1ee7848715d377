"""Checks of the user's choice of columns for the open analyses, one function per option.

Any time-varying exposure, Table 1 by any grouping and MANCOVA of any columns read columns
the user names (a CLI option, a dropdown, a shared URL). Each check raises the project's
user-data error, :class:`~analytics.data.schema.CohortValidationError`, with one
:class:`~analytics.data.schema.Problem` naming the option, the column and the rule broken, so
the CLI exits 2 with that message and the page shows it as a note instead of a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analytics.data.choices import MAX_MODEL_COLUMNS, column_problem, level_count, model_columns
from analytics.data.schema import CohortValidationError, Problem
from analytics.reports.lesion_timing import LESION_FLAG, LESION_MONTHS
from i18n.language import Message

# (flag, onset, covariates) of the time-varying exposure; (dependent, factor, covariates) of
# the MANCOVA, None meaning the default.
Exposure = tuple[str, str, Sequence[str]]
MancovaDesign = tuple[Sequence[str] | None, str | None, Sequence[str] | None]

# More levels than this is a continuous variable or an identifier, not a grouping.
MAX_GROUP_LEVELS = 10
# Columns every analysis frame has although the patients file may not (derived outcome).
DERIVED_COLUMNS = ("failure", "time_months")
# Spreadsheet row of the frame's first data row (the header is row 1).
_FIRST_ROW = 2


def _problem(
    option: str, column: str | None, rule: str, *, row: int | None = None, value: object = None
) -> CohortValidationError:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # "2", as the file has it, not "2.0"
    shown = None if value is None else str(value)
    where = Message("option {name}", name=option)
    return CohortValidationError([Problem(where, row, column, shown, rule)])


def _require(columns: Sequence[str], column: str, option: str) -> None:
    if column not in columns:
        raise _problem(option, column, "is not a column of this cohort")


def is_number_column(values: pd.Series) -> bool:
    """Numbers (not booleans): what a dependent variable or an onset column must hold; the
    open analyses' menus offer the columns that pass."""
    return bool(pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values))


def _numbers(patients: pd.DataFrame, column: str, option: str) -> np.ndarray:
    values = patients[column]
    if not is_number_column(values):
        raise _problem(option, column, "must be a numeric column")
    return values.to_numpy(dtype=float, na_value=np.nan)


def _first_row(patients: pd.DataFrame, mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0]) + _FIRST_ROW


def check_exposure(patients: pd.DataFrame, flag: str, months: str) -> None:
    """A time-varying binary exposure: ``flag`` 0/1 and ``months`` its onset.

    Rules: both are columns of the cohort and differ; ``flag`` holds only 0, 1 or missing;
    ``months`` is numeric, never negative, and no later than the patient's follow-up (an
    onset after the last visit cannot have been seen).
    """
    columns = list(patients.columns)
    _require(columns, flag, "--exposure")
    _require(columns, months, "--exposure-months")
    if flag == months:
        raise _problem("--exposure-months", months, "must differ from the exposure flag column")
    values = patients[flag]
    numbers = (
        values.to_numpy(dtype=float, na_value=np.nan)
        if pd.api.types.is_numeric_dtype(values)
        else None
    )
    if numbers is None:
        present = values.notna().to_numpy()
        raise _problem(
            "--exposure",
            flag,
            "must be 0/1 (a binary exposure)",
            row=_first_row(patients, present),
            value=values[present].iloc[0],
        )
    other = ~np.isnan(numbers) & ~np.isin(numbers, (0.0, 1.0))
    if other.any():
        row = _first_row(patients, other)
        raise _problem(
            "--exposure",
            flag,
            "must be 0/1 (a binary exposure)",
            row=row,
            value=values.iloc[row - _FIRST_ROW],
        )
    onset = _numbers(patients, months, "--exposure-months")
    negative = onset < 0
    if negative.any():
        row = _first_row(patients, negative)
        raise _problem(
            "--exposure-months",
            months,
            "must be 0 or more (months from baseline)",
            row=row,
            value=onset[row - _FIRST_ROW],
        )
    followup = patients["followup_months"].to_numpy(dtype=float, na_value=np.nan)
    late = (numbers == 1) & (onset > followup)
    if late.any():
        row = _first_row(patients, late)
        raise _problem(
            "--exposure-months",
            months,
            "the onset must not be after the patient's follow-up (followup_months)",
            row=row,
            value=onset[row - _FIRST_ROW],
        )


def check_grouping(patients: pd.DataFrame, column: str, option: str = "--table-by") -> None:
    """A grouping for Table 1 (or a MANCOVA factor): 2 to MAX_GROUP_LEVELS levels."""
    if column in DERIVED_COLUMNS:
        return  # the outcome itself: two levels by construction
    _require(list(patients.columns), column, option)
    levels = level_count(patients, column)
    if levels < 2:
        raise _problem(option, column, "has fewer than two levels: nothing to compare")
    if levels > MAX_GROUP_LEVELS:
        rule = Message(
            "has {levels} levels: a grouping may have at most {maximum}",
            levels=levels,
            maximum=MAX_GROUP_LEVELS,
        )
        raise _problem(option, column, rule)


def check_covariates(
    patients: pd.DataFrame, columns: Sequence[str], option: str, *, adjusting: bool = True
) -> None:
    """Adjustment covariates: columns of the cohort (or the derived outcome), each once; an
    adjusting covariate also follows analytics.data.choices' covariate rule (numeric or few-level,
    never an ID or free text), which bounds the model's size, and so its cost."""
    known = [*patients.columns, *DERIVED_COLUMNS]
    for column in columns:
        _require(known, column, option)
        if adjusting and column not in DERIVED_COLUMNS:
            problem = column_problem(patients, column, "covariate")
            if problem is not None:
                raise _problem(option, column, problem)
    repeated = [c for c in dict.fromkeys(columns) if list(columns).count(c) > 1]
    if repeated:
        raise _problem(option, repeated[0], "is listed twice")
    in_file = [c for c in columns if c not in DERIVED_COLUMNS]
    if adjusting and model_columns(patients, in_file) > MAX_MODEL_COLUMNS:
        rule = Message(
            "these covariates make more than {maximum} model columns", maximum=MAX_MODEL_COLUMNS
        )
        raise _problem(option, ",".join(columns), rule)


def check_mancova(
    patients: pd.DataFrame,
    dependent: Sequence[str] | None,
    factor: str | None,
    covariates: Sequence[str] | None,
) -> None:
    """MANCOVA choices: two or more numeric dependent variables, a 2-10 level factor,
    covariates of the cohort, and no column in two roles."""
    if dependent is not None:
        check_covariates(patients, dependent, "--mancova-dependent", adjusting=False)
        if len(dependent) < 2:
            rule = "needs at least two dependent variables (MANCOVA is multivariate)"
            raise _problem("--mancova-dependent", ",".join(dependent) or None, rule)
        for column in dependent:
            if column not in DERIVED_COLUMNS:
                _numbers(patients, column, "--mancova-dependent")
    if factor is not None:
        check_grouping(patients, factor, "--mancova-factor")
    if covariates is not None:
        check_covariates(patients, covariates, "--mancova-covariates")
    roles = [*(dependent or ()), *([factor] if factor else []), *(covariates or ())]
    twice = [c for c in dict.fromkeys(roles) if roles.count(c) > 1]
    if twice:
        raise _problem(
            "--mancova-covariates", twice[0], "is used in two roles (dependent, factor, covariate)"
        )


def check_open_options(
    patients: pd.DataFrame, table_by: str, exposure: Exposure, design: MancovaDesign
) -> None:
    """Every open-analysis choice of a report (only what differs from the defaults)."""
    if table_by != "failure":
        check_grouping(patients, table_by)
    flag, months, covariates = exposure
    if (flag, months) != (LESION_FLAG, LESION_MONTHS):
        check_exposure(patients, flag, months)
    check_covariates(patients, covariates, "--exposure-covariates")
    check_mancova(patients, *design)
