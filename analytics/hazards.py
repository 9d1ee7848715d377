"""Cox proportional-hazards models: standard, Firth-penalized, time-dependent and landmark.

The standard fit is :mod:`analytics.coxfit` (Efron ties, Wald CIs, R ``coxph.fit``'s
Newton-Raphson, vectorised so it stays fast at registry scale); this module adds the
clinic-facing parts: categorical covariates with a stated reference level, rows with
missing covariates dropped and counted, and warnings as data for the small samples this
cohort always has.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats

from analytics.coxfit import concordance, fit_cox
from analytics.design import Design, design_matrix
from analytics.firth import fit_firth
from analytics.jsonsafe import json_dict
from analytics.terms import by_term

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


def _small_sample_warnings(design: Design, event: np.ndarray) -> tuple[list[str], bool]:
    """Warnings about events per variable and groups with 0 or 1 events (separation)."""
    found: list[str] = []
    firth = False
    epv = events_per_variable(int(event.sum()), design.matrix.shape[1])
    if design.matrix.shape[1] and epv < MIN_EVENTS_PER_VARIABLE:
        found.append(
            f"Only {epv:.1f} events per variable (fewer than {MIN_EVENTS_PER_VARIABLE}): "
            "hazard ratios may be biased away from 1 and their intervals too narrow."
        )
    for name, column in design.binary_columns().items():
        for value, label in ((1.0, "with"), (0.0, "without")):
            in_group = column == value
            group_events = int(event[in_group].sum())
            if in_group.any() and group_events <= 1:
                firth = True
                found.append(
                    f"{design.describe(name, label)} has {group_events} event"
                    f"{'' if group_events == 1 else 's'}: the Cox estimate is unstable or "
                    "infinite (separation); Firth-penalized Cox is recommended."
                )
    return found, firth


def _empty_model(n: int, events: int, reason: str, dropped: int = 0) -> CoxModel:
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


def _terms_from(
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
                )
            )
    return tuple(terms)


def _outcome(
    frame: pd.DataFrame, design: Design, time_col: str, event_col: str
) -> tuple[np.ndarray, np.ndarray, int]:
    """Times and 0/1 events of the rows the design kept, and how many rows it dropped."""
    time = frame.loc[design.kept, time_col].to_numpy(dtype=float)
    event = frame.loc[design.kept, event_col].to_numpy(dtype=float)
    return time, event, int((~design.kept).sum())


def cox_model(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    *,
    time_col: str = "time_months",
    event_col: str = "failure",
    categorical: Mapping[str, str] | None = None,
    conf_level: float = 0.95,
    entry_col: str | None = None,
) -> CoxModel:
    """Cox proportional-hazards regression with Efron ties and Wald intervals.

    Parameters
    ----------
    frame : DataFrame
        One row per patient.
    covariates : sequence of str
        Columns to include. Object (text) columns are categorical: one term per non-reference
        level, named ``"column=level"``. Numeric columns enter per unit.
    time_col, event_col : str
        Analysis time and the 0/1 failure indicator.
    categorical : mapping, optional
        Column -> reference level; forces a column to be categorical (e.g. a 0/1-coded
        genotype) and fixes which level the hazard ratios compare against.
    conf_level : float
        Level of the Wald intervals.
    entry_col : str, optional
        Start of each row's at-risk interval, for counting-process data (R
        ``Surv(tstart, tstop, event)``); rows then need not be one per patient.

    Returns
    -------
    CoxModel
        Matches R ``coxph(Surv(time, event) ~ ..., ties = "efron")``: coefficients, Wald SE,
        ``exp(coef)`` with Wald CI and p, partial log-likelihoods, the likelihood-ratio test
        and Harrell's concordance. Rows with a missing covariate are dropped, as R's
        ``na.action = na.omit`` does, and counted in ``dropped_missing``.
    """
    design = design_matrix(frame, covariates, categorical=categorical)
    kept = design.kept
    time, event, dropped = _outcome(frame, design, time_col, event_col)
    n, events = int(time.size), int(event.sum())
    notes = list(design.notes)
    if n == 0 or events == 0:
        return _empty_model(
            n, events, "No failures in this group: a Cox model cannot be fitted.", dropped
        )
    if not design.columns:
        return _empty_model(
            n, events, "No covariate varies in this group: nothing to model.", dropped
        )
    if dropped:
        incomplete = [c for c in covariates if frame[c].isna().any()]
        notes.append(
            f"{dropped} patient(s) with no {' or '.join(incomplete)} were left out of this model."
        )
    small, firth = _small_sample_warnings(design, event)
    notes.extend(small)
    entry = None if entry_col is None else frame.loc[kept, entry_col].to_numpy(dtype=float)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            fit = fit_cox(time, event, design.matrix, entry=entry)
    except np.linalg.LinAlgError as error:
        return _empty_model(
            n,
            events,
            f"The Cox model could not be fitted ({error}); try Firth-penalized Cox.",
            dropped,
        )
    variance = np.diag(fit.covariance)
    if not np.all(np.isfinite(variance) & (variance > 0)):
        # A (near) singular information at a diverging estimate: no usable standard error.
        return _empty_model(
            n,
            events,
            "The Cox model could not be fitted (a hazard ratio is infinite: a group with "
            "no failures); try Firth-penalized Cox.",
            dropped,
        )
    if fit.infinite or not fit.converged:
        notes.append(
            "The model did not converge cleanly (a hazard ratio may be infinite: "
            "a group with no or almost no failures)."
        )
    z = stats.norm.ppf(0.5 + conf_level / 2.0)
    coef = fit.beta
    se = np.sqrt(variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_wald = 2.0 * stats.norm.sf(np.abs(coef / se))  # Wald, as R's Pr(>|z|)
    lr_chisq = max(2.0 * (fit.loglik - fit.loglik_null), 0.0)
    lr_df = len(design.columns)
    return CoxModel(
        terms=_terms_from(design, coef, se, coef - z * se, coef + z * se, p_wald),
        n=n,
        events=events,
        concordance=concordance(time, event, design.matrix @ coef),
        loglik=fit.loglik,
        loglik_null=fit.loglik_null,
        lr_chisq=lr_chisq,
        lr_df=lr_df,
        lr_p=float(stats.chi2.sf(lr_chisq, lr_df)),
        dropped_missing=dropped,
        firth_recommended=firth,
        warnings=tuple(notes),
    )


def firth_cox(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    *,
    time_col: str = "time_months",
    event_col: str = "failure",
    categorical: Mapping[str, str] | None = None,
    conf_level: float = 0.95,
) -> CoxModel:
    """Firth-penalized Cox regression (Heinze & Schemper 2001) for small or separated data.

    Maximises the partial log-likelihood plus ``0.5 * log det I(beta)``, which keeps hazard
    ratios finite when a group has no events. Fitted by :mod:`analytics.firth`.

    Returns
    -------
    CoxModel
        As R ``coxphf(..., pl = TRUE)``: Breslow ties (coxphf's only option), profile
        penalized-likelihood CIs, penalized likelihood-ratio p per term; ``se`` is the Wald
        SE from the penalized information. ``loglik`` is the penalized log-likelihood.
    """
    design = design_matrix(frame, covariates, categorical=categorical)
    time, event, dropped = _outcome(frame, design, time_col, event_col)
    n, events = int(time.size), int(event.sum())
    if events == 0 or not design.columns:
        reason = "No failures in this group" if events == 0 else "No covariate varies"
        return _empty_model(n, events, f"{reason}: a Firth model cannot be fitted.", dropped)
    try:
        fit = fit_firth(time, event, design.matrix, conf_level=conf_level)
    except np.linalg.LinAlgError as error:
        # Collinear covariates (e.g. two that coincide once filtered) leave the Fisher
        # information singular even with the penalty: say so rather than crash the report.
        return _empty_model(n, events, f"The Firth model could not be fitted ({error}).", dropped)
    notes = list(design.notes)
    notes.extend(f"Firth fit: {note}." for note in fit.notes)
    return CoxModel(
        terms=_terms_from(design, fit.beta, fit.se, fit.ci_low, fit.ci_high, fit.p),
        n=n,
        events=events,
        concordance=concordance(time, event, design.matrix @ fit.beta),
        loglik=fit.loglik,
        loglik_null=None,
        lr_chisq=None,
        lr_df=len(design.columns),
        lr_p=None,
        method="firth",
        dropped_missing=dropped,
        warnings=tuple(notes),
    )


def _split_at_switch(
    frame: pd.DataFrame, switch_col: str, flag_col: str, time_col: str
) -> tuple[pd.DataFrame, int]:
    """Counting-process rows: exposure 0 until ``switch_col``, 1 afterwards.

    As R ``tmerge(..., lesion = tdc(switch))``: the interval (0, switch] is unexposed, so a
    failure on the very day of the switch counts as unexposed. Patients flagged 1 without a
    switch time cannot be placed in time and are left out (the count is returned).
    """
    flag = frame[flag_col].to_numpy(dtype=float)
    switch = frame[switch_col].to_numpy(dtype=float)
    time = frame[time_col].to_numpy(dtype=float)
    unknown = (flag == 1) & np.isnan(switch)
    known = ~unknown
    switched = known & (flag == 1) & (switch < time)
    # Built from arrays, not frame copies: this runs on every filter change.
    before_stop = np.where(switched, switch, time)
    # A switch at time 0 leaves an empty unexposed interval; R's tmerge drops it too.
    before = known & (before_stop > 0)
    rows = np.concatenate((np.flatnonzero(before), np.flatnonzero(switched)))
    n_before = int(before.sum())
    split = frame.iloc[rows].reset_index(drop=True)
    split["tstart"] = np.concatenate((np.zeros(n_before), switch[switched]))
    split["tstop"] = np.concatenate((before_stop[before], time[switched]))
    split[flag_col] = np.concatenate((np.zeros(n_before), np.ones(int(switched.sum()))))
    return split, int(unknown.sum())


def time_dependent_cox(
    frame: pd.DataFrame,
    *,
    switch_col: str = "asymptomatic_lesion_months",
    flag_col: str = "asymptomatic_lesions",
    covariates: Sequence[str] = (),
    time_col: str = "time_months",
    event_col: str = "failure",
    conf_level: float = 0.95,
) -> CoxModel:
    """Cox model with a covariate that switches on at a known time (no immortal time).

    A lesion seen at month 20 was not there to be known during months 0–20; coding it as a
    baseline covariate credits the lesion group with that failure-free time (immortal time)
    and biases the hazard ratio. Here the patient counts as lesion-free until it is seen.

    Returns
    -------
    CoxModel
        As R ``coxph(Surv(tstart, tstop, event) ~ lesion + ...)`` on data built with
        ``tmerge(d, d, id, event = event(time, status), lesion = tdc(lesion_months))``.
        ``n`` counts patients, not intervals.
    """
    rows, unknown = _split_at_switch(frame, switch_col, flag_col, time_col)
    is_last = rows["tstop"] == rows[time_col]
    rows["__status"] = np.where(is_last, rows[event_col], 0.0)
    model = cox_model(
        rows,
        [flag_col, *covariates],
        time_col="tstop",
        event_col="__status",
        entry_col="tstart",
        conf_level=conf_level,
    )
    notes = list(model.warnings)
    if unknown:
        notes.append(
            f"{unknown} patient(s) with lesions but no lesion time were left out of the "
            "time-dependent model."
        )
    return replace(model, n=len(frame) - unknown, warnings=tuple(notes))


def landmark_cox(
    frame: pd.DataFrame,
    landmark_months: float,
    *,
    switch_col: str = "asymptomatic_lesion_months",
    flag_col: str = "asymptomatic_lesions",
    covariates: Sequence[str] = (),
    time_col: str = "time_months",
    event_col: str = "failure",
    conf_level: float = 0.95,
) -> CoxModel:
    """Landmark analysis: among patients still failure-free and followed at the landmark,
    compare those with a lesion by then against those without, timing from the landmark.

    Returns
    -------
    CoxModel
        As R ``coxph(Surv(time - L, status) ~ I(lesion_months <= L), subset = time > L)``.
        Lesions appearing after the landmark count as absent (the landmark's definition).
    """
    at_risk = frame[frame[time_col] > landmark_months].copy()
    flagged = at_risk[flag_col] == 1
    unknown = flagged & at_risk[switch_col].isna()
    at_risk = at_risk[~unknown]
    at_risk[flag_col] = (
        (at_risk[flag_col] == 1) & (at_risk[switch_col] <= landmark_months)
    ).astype(float)
    at_risk["__from_landmark"] = at_risk[time_col] - landmark_months
    model = cox_model(
        at_risk,
        [flag_col, *covariates],
        time_col="__from_landmark",
        event_col=event_col,
        conf_level=conf_level,
    )
    notes = [
        f"Landmark at {landmark_months:g} months: {len(at_risk)} patient(s) still at risk.",
        *model.warnings,
    ]
    if unknown.any():
        notes.append(f"{int(unknown.sum())} patient(s) with lesions but no lesion time left out.")
    return replace(model, warnings=tuple(notes))
