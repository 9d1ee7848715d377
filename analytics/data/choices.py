"""Which columns may be a grouping or a covariate for a cohort: one rule for the menus, the
server's check of every callback's choices and the CLI.

Why a rule at all: the cost of a report grows with the levels of the grouping (one curve,
one log-rank row per level) and with the square of the model's columns (the Cox information
matrix, Firth's profile limits). A free-text or ID column chosen as a grouping or covariate
turned a 24 kB upload into 1,000 s of a server's worker and gigabytes of memory. The menus
offer only what passes; the server refuses the rest whoever sends it.

To add a role (e.g. a Table 1 "by" column or an exposure), add it to ``Role`` and say in
:func:`column_problem` which rule it follows; callers then check one column with
``column_problem(patients, column, role)``.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import Literal

import pandas as pd

from i18n.language import N_, Message

Role = Literal["grouping", "covariate"]
# "{column} cannot be {role}": the role's words, translated as a message of their own.
_A_ROLE: dict[str, str] = {"grouping": N_("a grouping"), "covariate": N_("a covariate")}

# Few levels: each level is a curve, a row of the log-rank test and of the failure rates.
MAX_GROUP_LEVELS = 8
# A categorical covariate becomes levels - 1 model columns.
MAX_COVARIATE_LEVELS = 8
# The Cox model's columns: at least MIN_MODEL_COLUMNS whatever the failures (every covariate
# the page offers for the demo fits), one more per EVENTS_PER_MODEL_COLUMN failures, never
# more than MAX_MODEL_COLUMNS (the Firth profile fits 2 limits x columns models).
MIN_MODEL_COLUMNS = 10
EVENTS_PER_MODEL_COLUMN = 5
MAX_MODEL_COLUMNS = 30
# Identifiers and the outcome itself: never a grouping or a covariate.
NEVER = frozenset(
    {
        "patient_id",
        "followup_months",
        "failure",
        "failure_months",
        "asymptomatic_lesion_months",
    }
)


class ChoiceError(ValueError):
    """A grouping or covariate this cohort cannot take; the message names column and rule."""


def _is_numeric(series: pd.Series) -> bool:
    return bool(pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series))


# Level counts per cohort frame and column. Every callback checks its choices, and counting
# the levels of a 100 000-row text column takes 30-40 ms; a loaded cohort's frame is never
# changed, so its counts are kept as long as the frame lives (by id, checked by weak reference).
_counts: dict[int, tuple[weakref.ref[pd.DataFrame], dict[str, int]]] = {}
_counts_lock = threading.Lock()


def level_count(patients: pd.DataFrame, column: str) -> int:
    """Distinct non-missing values of ``column``, counted once per cohort frame."""
    with _counts_lock:
        entry = _counts.get(id(patients))
        if entry is None or entry[0]() is not patients:
            key = id(patients)
            entry = (weakref.ref(patients, lambda _: _counts.pop(key, None)), {})
            _counts[key] = entry
        found = entry[1].get(column)
    if found is None:
        found = int(patients[column].nunique(dropna=True))
        entry[1][column] = found
    return found


def column_problem(patients: pd.DataFrame, column: str, role: Role) -> str | None:
    """Why ``column`` cannot be a ``role`` for this cohort (a sentence), or None if it can."""
    if column not in patients.columns:
        return Message("{column} is not in this cohort.", column=column)
    a_role = _A_ROLE[role]
    if column in NEVER:
        return Message(
            "{column} cannot be {role}: it identifies patients or is part of the outcome.",
            column=column,
            role=Message(a_role),
        )
    if role == "covariate" and _is_numeric(patients[column]):
        return None  # one model column, however many values
    levels = level_count(patients, column)
    # A column with one value costs nothing: the report says it is constant (one curve, or
    # left out of the model), so a request may name it; the menus just do not offer it.
    if role == "grouping" and levels > MAX_GROUP_LEVELS:
        return Message(
            "{column} cannot be a grouping: it has {levels} levels (at most {maximum}).",
            column=column,
            levels=levels,
            maximum=MAX_GROUP_LEVELS,
        )
    if role == "covariate" and levels > MAX_COVARIATE_LEVELS:
        return Message(
            "{column} cannot be a covariate: it is text with {levels} levels (at most {maximum}).",
            column=column,
            levels=levels,
            maximum=MAX_COVARIATE_LEVELS,
        )
    return None


def allowed_columns(patients: pd.DataFrame, role: Role) -> list[str]:
    """The cohort's columns that may be a ``role`` and vary (at least 2 values), in file
    order: what the menus offer."""
    return [
        str(c)
        for c in patients.columns
        if column_problem(patients, str(c), role) is None and level_count(patients, str(c)) >= 2
    ]


def model_columns(patients: pd.DataFrame, covariates: Sequence[str]) -> int:
    """Columns of the Cox design matrix of ``covariates`` (numeric: 1; text: levels - 1)."""
    total = 0
    for name in dict.fromkeys(covariates):
        numeric = _is_numeric(patients[name])
        total += 1 if numeric else max(0, level_count(patients, name) - 1)
    return total


def max_model_columns(events: int) -> int:
    """The most model columns allowed with ``events`` failures."""
    return min(MAX_MODEL_COLUMNS, max(MIN_MODEL_COLUMNS, events // EVENTS_PER_MODEL_COLUMN))


def choice_problems(
    patients: pd.DataFrame, group_by: str | None, covariates: Sequence[str], events: int
) -> list[str]:
    """Every rule the grouping and covariates break, one sentence each (empty: all fine)."""
    problems = [] if group_by is None else [column_problem(patients, group_by, "grouping")]
    problems += [column_problem(patients, name, "covariate") for name in covariates]
    found = [p for p in problems if p is not None]
    if not found and covariates:
        # The multivariable model is the grouping (when there is one) plus the covariates.
        in_model = list(dict.fromkeys(filter(None, [group_by, *covariates])))
        size, limit = model_columns(patients, in_model), max_model_columns(events)
        if size > limit:
            found.append(
                Message(
                    "The covariates make {size} model columns: at most {limit} with {events} "
                    "failures (one per 5 failures, at least 10, at most 30). Choose fewer "
                    "covariates or ones with fewer levels.",
                    size=size,
                    limit=limit,
                    events=events,
                )
            )
    return found


def check_choices(
    patients: pd.DataFrame, group_by: str | None, covariates: Sequence[str], events: int
) -> None:
    """Raise ChoiceError naming every broken rule (the CLI's exit 2)."""
    problems = choice_problems(patients, group_by, covariates, events)
    if problems:
        # One problem stays a Message (translated where it is shown); several are joined.
        raise ChoiceError(problems[0] if len(problems) == 1 else " ".join(problems))
