"""What every view callback does first: which cohort, which choices, which report."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import replace

import pandas as pd
from dash import Output, State

from analytics.data.choices import column_problem
from analytics.data.cohort import Cohort

# The report of a view, composed of sections cached one by one: re-exported here, where
# every callback has always found it.
from app.callbacks.view_sections import report_for as report_for
from app.layout import ids
from app.state.control_values import read_bounds
from app.state.controls import CONTROL_IDS, read_all_controls
from app.state.open_controls import usable_open_state
from app.state.session import current_cohort
from app.state.view_state import ViewState
from i18n.language import Message, as_message, parse_language, using_language

# The age slider's extent tells a full-range (inactive) age filter from a real one.
AGE_BOUNDS = [State(ids.AGE, "min"), State(ids.AGE, "max")]


def control_source(cid: str) -> tuple[str, str]:
    """Where a view reads control ``cid``: a slider's settled value (``ids.SETTLED``), else
    the control's own value."""
    settled = ids.SETTLED.get(cid)
    return (settled, "data") if settled else (cid, "value")


# Exports read what the page shows: the sliders' settled values, not a thumb still moving.
CONTROL_STATES = [State(*control_source(cid)) for cid in CONTROL_IDS]
# The page's language: the last State of every callback that renders text.
LANGUAGE_STATE = State(ids.LANGUAGE, "data")


def in_page_language(function: Callable) -> Callable:
    """Render in the page's language: the callback's last argument (``LANGUAGE_STATE``)."""

    @functools.wraps(function)
    def wrapper(*args):
        *rest, language = args
        with using_language(parse_language(language)):
            return function(*rest)

    return wrapper


def busy(element_id: str) -> dict[str, list[tuple[object, str, str]]]:
    """``running=``: the element says aria-busy while its callback computes (assistive
    technology then waits for the new numbers instead of reading the old ones)."""
    return {"running": [(Output(element_id, "aria-busy"), "true", "false")]}


def usable_state(
    state: ViewState, columns: Sequence[str], patients: pd.DataFrame | None = None
) -> tuple[ViewState, list[str]]:
    """Drop a grouping or covariates the current cohort does not have (e.g. after an upload)
    and, given its ``patients``, those analytics.data.choices refuses for it (the menus do not
    offer them, but a request can name any column)."""
    notes: list[str] = []
    group_by = state.group_by
    if group_by is not None and group_by not in columns:
        notes.append(
            Message(
                "The grouping column {column} is not in this cohort; showing all patients.",
                column=group_by,
            )
        )
        group_by = None
    covariates = tuple(c for c in state.covariates if c in columns)
    if len(covariates) < len(state.covariates):
        notes.append(Message("Covariates that are not in this cohort were left out."))
    if patients is not None:
        refused = column_problem(patients, group_by, "grouping") if group_by else None
        if refused is not None:
            notes.append(Message("{problem} Showing all patients.", problem=as_message(refused)))
            group_by = None
        kept = []
        for name in covariates:
            problem = column_problem(patients, name, "covariate")
            if problem:
                notes.append(
                    Message("{problem} Left out of the model.", problem=as_message(problem))
                )
            kept += [] if problem else [name]
        covariates = tuple(kept)
    return replace(state, group_by=group_by, covariates=covariates), notes


def resolve_view(
    store: dict | None, values: Sequence[object], age_min: object, age_max: object
) -> tuple[Cohort, ViewState, list[str]]:
    """The session's cohort and the view its controls describe (adapted to that cohort), with
    a note for every control value or choice that was set aside."""
    cohort = current_cohort(store)
    state, notes = read_all_controls(tuple(values), read_bounds(age_min, age_max))
    state, more = usable_state(state, list(cohort.patients.columns), cohort.patients)
    state, open_notes = usable_open_state(state, cohort.patients)
    more = [*more, *open_notes]
    return cohort, state, [*notes, *more]
