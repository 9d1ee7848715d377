"""Reading the filter controls' values as a callback receives them: anything the page could
not have sent (a NaN grace period, text for a number, a list for a choice) is set aside with
a sentence saying which control and which rule, never a traceback.

A callback's inputs come from the browser, and a request can carry anything; the menus and
sliders only make the usual values likely. Each control falls back to "no restriction" (or
its default), as a malformed URL parameter does (app/state/view_state.py).
"""

from __future__ import annotations

from analytics.data.cohort import DEFAULT_GRACE_MONTHS, MAX_GRACE_MONTHS
from app.state.view_state import (
    ALL,
    DEFAULT_LANDMARK,
    NO_GROUP,
    ViewState,
    conf_level_or_default,
    finite_number,
    zph_transform_or_default,
)
from i18n.language import Message, as_message, general

EDSS_BOUNDS = (0.0, 10.0)
DEFAULT_AGE_BOUNDS = (0.0, 100.0)
# More covariates than any cohort has columns is not a choice a page makes.
MAX_COVARIATES = 50


def ignored(control: str, rule: str) -> str:
    """The note for a control value that was set aside (both parts are translatable)."""
    return Message(
        "The {control} value sent by the page was not understood ({rule}); it is ignored.",
        control=as_message(control),
        rule=as_message(rule),
    )


class _Reader:
    def __init__(self) -> None:
        self.notes: list[str] = []

    def refuse(self, control: str, rule: str) -> None:
        self.notes.append(ignored(control, rule))

    def choice(self, value: object, control: str, allowed: tuple[str, ...]) -> str | None:
        if value in (None, ALL, ""):
            return None
        if isinstance(value, str) and value in allowed:
            return value
        self.refuse(control, Message("expected one of {allowed}", allowed=", ".join(allowed)))
        return None

    def binary(self, value: object, control: str) -> int | None:
        text = self.choice(None if value is None else str(value), control, ("0", "1"))
        return None if text is None else int(text)

    def span(
        self, value: object, bounds: tuple[float, float], control: str
    ) -> tuple[float, float] | None:
        """A range slider at its full extent restricts nothing (and keeps missing values)."""
        if value is None or (isinstance(value, list | tuple) and not value):
            return None
        pair = [finite_number(v) for v in value] if isinstance(value, list | tuple) else []
        if len(pair) != 2 or None in pair or pair[0] > pair[1]:  # type: ignore[operator]
            self.refuse(control, "expected two numbers, low to high")
            return None
        low, high = float(pair[0]), float(pair[1])  # type: ignore[arg-type]
        if low <= bounds[0] and high >= bounds[1]:
            return None
        return (low, high)

    def months(self, value: object, control: str, default: float, *, low: float) -> float:
        number = finite_number(value)
        if number is None or number < low or number > MAX_GRACE_MONTHS:
            self.refuse(
                control, Message("expected a number of months from {low} to 12", low=general(low))
            )
            return default
        return number

    def positive(self, value: object, control: str) -> float | None:
        number = finite_number(value)
        if number is None or number <= 0:
            self.refuse(control, "expected a number of months above 0")
            return None
        return number

    def group(self, value: object) -> str | None:
        if value in (None, NO_GROUP):
            return None
        if isinstance(value, str) and value:
            return value
        self.refuse("grouping", "expected a column name")
        return None

    def covariates(self, value: object) -> tuple[str, ...]:
        if value is None:
            return ()
        names = value if isinstance(value, list | tuple) else None
        if names is None or len(names) > MAX_COVARIATES:
            self.refuse("covariates", "expected a list of column names")
            return ()
        kept = tuple(n for n in names if isinstance(n, str) and n)
        if len(kept) < len(names):
            self.refuse("covariates", "expected a list of column names")
        return kept


def read_bounds(age_min: object, age_max: object) -> tuple[float, float]:
    """The age slider's extent; the default extent when the page sent something else."""
    low, high = finite_number(age_min), finite_number(age_max)
    if low is None or high is None or low > high:
        return DEFAULT_AGE_BOUNDS
    return (low, high)


def read_controls(values: tuple, age_bounds: tuple[float, float]) -> tuple[ViewState, list[str]]:
    """A ViewState from the controls' values (CONTROL_IDS order) and a note per value set
    aside."""
    (sex, age, edss, lesions, gd, fcgr3a, grace, group_by, covariates, horizon, landmark) = values[
        :11
    ]
    # The page offers only 90/95/99 and km/rank/identity; a forged value gets the default.
    conf_level, zph_transform = values[11:13]
    read = _Reader()
    grace_months = (
        DEFAULT_GRACE_MONTHS
        if grace is None
        else read.months(grace, "grace period", DEFAULT_GRACE_MONTHS, low=0.0)
    )
    horizon_months = None if horizon in (None, "full") else read.positive(horizon, "time horizon")
    # An unusable landmark (none, 0, text from an older page) has always meant the default.
    landmark_months = finite_number(landmark) if isinstance(landmark, int | float) else None
    state = ViewState(
        sex=read.choice(sex, "sex filter", ("F", "M")),
        age=read.span(age, age_bounds, "age range"),
        edss=read.span(edss, EDSS_BOUNDS, "EDSS range"),
        lesions=read.binary(lesions, "asymptomatic lesions filter"),
        gd_persistent=read.binary(gd, "persistent Gd filter"),
        fcgr3a=read.choice(fcgr3a, "FCGR3A filter", ("VV", "VF", "FF")),
        grace_months=grace_months,
        group_by=read.group(group_by),
        covariates=read.covariates(covariates),
        horizon=horizon_months,
        landmark=landmark_months
        if landmark_months is not None and landmark_months > 0
        else DEFAULT_LANDMARK,
        conf_level=conf_level_or_default(conf_level),
        zph_transform=zph_transform_or_default(zph_transform),
    )
    return state, read.notes
