"""What every Cox fit of the report returns, and the steps its variants share to build it.

The result types (``HazardTerm``, ``CoxModel``) and the shared steps -- the kept rows' times
and events, small-sample warnings, the model without terms and the rows of terms --
used by the standard, Firth, time-dependent and landmark fits of :mod:`analytics.stats.cox.models`
(which re-exports the result types, their usual import).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from analytics.data.labels import column_label, level_name
from analytics.jsonsafe import json_dict
from analytics.stats.design import Design
from analytics.stats.terms import by_term
from i18n.language import N_, Message, PluralMessage, fixed, t

# Peduzzi et al. (1995): fewer than 10 events per variable makes Cox estimates unreliable.
MIN_EVENTS_PER_VARIABLE = 10


@dataclass(frozen=True)
class HazardTerm:
    """One row of a Cox model: a numeric covariate (per unit) or one level vs its reference."""

    term: str
    covariate: str
    level: str | None
    reference: str | None
    coef: float
    se: float
    hr: float
    ci_low: float
    ci_high: float
    p: float
    # English, e.g. "per year" or "yes vs no"; None for a level (see ``reference``).
    unit: str | None = None


def term_contrast(term: HazardTerm) -> str:
    """What a term's hazard ratio compares, in the current language: "M vs F" (a level vs
    its reference), "per year", "per EDSS point", "yes vs no" or "per unit". The one
    description the page, the HTML report and the CLI text all print beside the HR."""
    if term.reference is not None:
        return t("{level} vs {reference}").format(
            level=level_name(term.covariate, term.level or ""),
            reference=level_name(term.covariate, term.reference),
        )
    return t(term.unit or N_("per unit"))


def term_label(term: HazardTerm) -> str:
    """A model table's term, labelled as the forest plot labels it, with what it compares:
    "Sex: male vs female", "Age at rituximab (per year)" (an extra column keeps its name)."""
    if term.reference is not None:
        return f"{column_label(term.covariate)}: {term_contrast(term)}"
    return f"{column_label(term.covariate)} ({term_contrast(term)})"


@dataclass(frozen=True)
class CoxModel:
    """A fitted Cox model and what a reader must know about its reliability."""

    terms: tuple[HazardTerm, ...]
    n: int
    events: int
    concordance: float | None
    loglik: float | None
    loglik_null: float | None
    lr_chisq: float | None
    lr_df: int
    lr_p: float | None
    method: str = "efron"
    dropped_missing: int = 0
    firth_recommended: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        return json_dict(asdict(self))

    def term(self, name: str) -> HazardTerm:
        """The term called ``name`` (e.g. ``"asymptomatic_lesions"`` or ``"sex=M"``)."""
        return by_term(self.terms, name)


def events_per_variable(events: int, parameters: int) -> float:
    """Events divided by the number of estimated coefficients (inf when there are none)."""
    return math.inf if parameters == 0 else events / parameters


def small_sample_warnings(design: Design, event: np.ndarray) -> tuple[list[str], bool]:
    """Warnings about events per variable and groups with 0 or 1 events (separation)."""
    found: list[str] = []
    firth = False
    epv = events_per_variable(int(event.sum()), design.matrix.shape[1])
    if design.matrix.shape[1] and epv < MIN_EVENTS_PER_VARIABLE:
        found.append(
            Message(
                "Only {epv} events per variable (fewer than {minimum}): hazard ratios may be "
                "biased away from 1 and their intervals too narrow.",
                epv=fixed(epv, 1),
                minimum=MIN_EVENTS_PER_VARIABLE,
            )
        )
    for name, column in design.binary_columns().items():
        for value, label in ((1.0, "with"), (0.0, "without")):
            in_group = column == value
            group_events = int(event[in_group].sum())
            if in_group.any() and group_events <= 1:
                firth = True
                found.append(
                    PluralMessage(
                        "{group} has {n} event: the Cox estimate is unstable or infinite "
                        "(separation); Firth-penalized Cox is recommended.",
                        "{group} has {n} events: the Cox estimate is unstable or infinite "
                        "(separation); Firth-penalized Cox is recommended.",
                        group=design.describe(name, label),
                        n=group_events,
                    )
                )
    return found, firth


def empty_model(n: int, events: int, reason: str, dropped: int = 0) -> CoxModel:
    return CoxModel(
        terms=(),
        n=n,
        events=events,
        concordance=None,
        loglik=None,
        loglik_null=None,
        lr_chisq=None,
        lr_df=0,
        lr_p=None,
        dropped_missing=dropped,
        warnings=(reason,),
    )


def model_terms(
    design: Design,
    coef: np.ndarray,
    se: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    p: np.ndarray,
) -> tuple[HazardTerm, ...]:
    terms = []
    for j, column in enumerate(design.columns):
        with np.errstate(over="ignore"):
            terms.append(
                HazardTerm(
                    term=column.term,
                    covariate=column.covariate,
                    level=column.level,
                    reference=column.reference,
                    coef=float(coef[j]),
                    se=float(se[j]),
                    hr=float(np.exp(coef[j])),
                    ci_low=float(np.exp(low[j])),
                    ci_high=float(np.exp(high[j])),
                    p=float(p[j]),
                    unit=column.unit,
                )
            )
    return tuple(terms)


def outcome_arrays(
    frame: pd.DataFrame, design: Design, time_col: str, event_col: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Times and 0/1 events of the rows the design kept, and how many rows it dropped."""
    return (
        kept_values(frame, design, time_col),
        kept_values(frame, design, event_col),
        int((~design.kept).sum()),
    )


def kept_values(frame: pd.DataFrame, design: Design, column: str) -> np.ndarray:
    """``column`` as floats over the rows the design kept."""
    # With every row kept (the usual case) the column is read directly: a .loc selection
    # cost more than a small Cox fit's whole Newton iteration.
    values = frame[column] if design.kept.all() else frame.loc[design.kept, column]
    return np.asarray(values.to_numpy(dtype=float))
