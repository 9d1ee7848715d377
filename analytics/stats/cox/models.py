"""Cox proportional-hazards models: standard, Firth-penalized, time-dependent and landmark.

The standard fit is :mod:`analytics.stats.cox.engine` (Efron ties, Wald CIs, R ``coxph.fit``'s
Newton-Raphson, vectorised so it stays fast at registry scale); this module adds the
clinic-facing parts: categorical covariates with a stated reference level, rows with
missing covariates dropped and counted, and warnings as data for the small samples this
cohort always has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import special

from analytics.stats.cox.engine import concordance, fit_cox
from analytics.stats.cox.firth import fit_firth
from analytics.stats.cox.results import (
    MIN_EVENTS_PER_VARIABLE,
    CoxModel,
    HazardTerm,
    empty_model,
    events_per_variable,
    kept_values,
    model_terms,
    outcome_arrays,
    small_sample_warnings,
)
from analytics.stats.design import design_matrix
from analytics.stats.levels import normal_quantile
from i18n.language import Message, PluralMessage, as_message, general, reason

# The result types live in analytics.stats.cox.results; they are imported from here.
__all__ = [
    "MIN_EVENTS_PER_VARIABLE",
    "CoxModel",
    "HazardTerm",
    "cox_model",
    "events_per_variable",
    "firth_cox",
    "landmark_cox",
    "time_dependent_cox",
]


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
    time, event, dropped = outcome_arrays(frame, design, time_col, event_col)
    n, events = int(time.size), int(event.sum())
    notes = list(design.notes)
    if n == 0 or events == 0:
        return empty_model(
            n, events, Message("No failures in this group: a Cox model cannot be fitted."), dropped
        )
    if not design.columns:
        return empty_model(
            n, events, Message("No covariate varies in this group: nothing to model."), dropped
        )
    if dropped:
        notes.append(_left_out_note(frame, covariates, dropped))
    small, firth = small_sample_warnings(design, event)
    notes.extend(small)
    entry = None if entry_col is None else kept_values(frame, design, entry_col)
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            fit = fit_cox(time, event, design.matrix, entry=entry)
    except np.linalg.LinAlgError as error:
        return empty_model(
            n,
            events,
            Message(
                "The Cox model could not be fitted ({reason}); try Firth-penalized Cox.",
                reason=reason(error),
            ),
            dropped,
        )
    variance = np.diag(fit.covariance)
    if not np.all(np.isfinite(variance) & (variance > 0)):
        # A (near) singular information at a diverging estimate: no usable standard error.
        return empty_model(
            n,
            events,
            Message(
                "The Cox model could not be fitted (a hazard ratio is infinite: a group with "
                "no failures); try Firth-penalized Cox."
            ),
            dropped,
        )
    if fit.infinite or not fit.converged:
        notes.append(
            Message(
                "The model did not converge cleanly (a hazard ratio may be infinite: "
                "a group with no or almost no failures)."
            )
        )
    # The ufuncs stats.norm.sf / chi2.sf call, without the wrappers' ~0.1 ms of argument
    # handling each: through scipy.stats the 54-patient report took ~14% longer.
    z = normal_quantile(conf_level)
    coef = fit.beta
    se = np.sqrt(variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_wald = 2.0 * special.ndtr(-np.abs(coef / se))  # Wald, as R's Pr(>|z|)
    lr_chisq = max(2.0 * (fit.loglik - fit.loglik_null), 0.0)
    lr_df = len(design.columns)
    return CoxModel(
        terms=model_terms(design, coef, se, coef - z * se, coef + z * se, p_wald),
        n=n,
        events=events,
        concordance=concordance(time, event, design.matrix @ coef, entry=entry),
        loglik=fit.loglik,
        loglik_null=fit.loglik_null,
        lr_chisq=lr_chisq,
        lr_df=lr_df,
        lr_p=float(special.chdtrc(lr_df, lr_chisq)),
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
    ratios finite when a group has no events. Fitted by :mod:`analytics.stats.cox.firth`.

    Returns
    -------
    CoxModel
        As R ``coxphf(..., pl = TRUE)``: Breslow ties (coxphf's only option), profile
        penalized-likelihood CIs, penalized likelihood-ratio p per term; ``se`` is the Wald
        SE from the penalized information. ``loglik`` is the penalized log-likelihood.
    """
    design = design_matrix(frame, covariates, categorical=categorical)
    time, event, dropped = outcome_arrays(frame, design, time_col, event_col)
    n, events = int(time.size), int(event.sum())
    if events == 0 or not design.columns:
        why = (
            Message("No failures in this group") if events == 0 else Message("No covariate varies")
        )
        note = Message("{reason}: a Firth model cannot be fitted.", reason=why)
        return empty_model(n, events, note, dropped)
    try:
        fit = fit_firth(time, event, design.matrix, conf_level=conf_level)
    except np.linalg.LinAlgError as error:
        # Collinear covariates (e.g. two that coincide once filtered) leave the Fisher
        # information singular even with the penalty: say so rather than crash the report.
        note = Message("The Firth model could not be fitted ({reason}).", reason=reason(error))
        return empty_model(n, events, note, dropped)
    notes = list(design.notes)
    notes.extend(Message("Firth fit: {note}.", note=as_message(note)) for note in fit.notes)
    return CoxModel(
        terms=model_terms(design, fit.beta, fit.se, fit.ci_low, fit.ci_high, fit.p),
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


def _rows_of(frame: pd.DataFrame, rows: np.ndarray, covariates: Sequence[str]) -> dict[str, object]:
    """Columns ``covariates`` of ``frame`` at positions ``rows``, their dtypes kept."""
    return {name: frame[name].array.take(rows) for name in covariates}


def _complete(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Rows with every one of ``columns`` present (R's ``na.omit`` on the model's columns)."""
    keep = np.ones(len(frame), dtype=bool)
    for column in columns:
        keep &= frame[column].notna().to_numpy()
    return keep


def _left_out_note(frame: pd.DataFrame, columns: Sequence[str], n: int) -> str:
    """The note for ``n`` patients dropped for a missing value in one of ``columns``."""
    incomplete = [c for c in columns if frame[c].isna().any()]
    return PluralMessage(
        "{n} patient with no {columns} was left out of this model.",
        "{n} patients with no {columns} were left out of this model.",
        n=n,
        columns=" or ".join(incomplete),
    )


def _missing_note(frame: pd.DataFrame, columns: Sequence[str], complete: np.ndarray) -> list[str]:
    # Counted per patient before the split: cox_model would count (start, stop] rows.
    if complete.all():
        return []
    return [_left_out_note(frame, columns, int((~complete).sum()))]


def _split_at_switch(
    frame: pd.DataFrame,
    switch_col: str,
    flag_col: str,
    time_col: str,
    event_col: str,
    covariates: Sequence[str],
    complete: np.ndarray,
) -> tuple[pd.DataFrame, int]:
    """Counting-process rows: exposure 0 until ``switch_col``, 1 afterwards.

    As R ``tmerge(..., lesion = tdc(switch))``: the interval (0, switch] is unexposed, so a
    failure on the very day of the switch counts as unexposed. Patients flagged 1 without a
    switch time cannot be placed in time and are left out (the count is returned). The
    rows have the covariates, ``flag_col``, ``tstart``, ``tstop`` and the event of each
    interval in ``__status`` (the patient's event on the interval ending at their time).
    Only the ``complete`` patients (flag and covariates present) are split (R ``na.omit``).
    """
    flag = frame[flag_col].to_numpy(dtype=float)
    switch = frame[switch_col].to_numpy(dtype=float)
    time = frame[time_col].to_numpy(dtype=float)
    unknown = complete & (flag == 1) & np.isnan(switch)
    known = complete & ~unknown
    switched = known & (flag == 1) & (switch < time)
    # Built from arrays, not frame copies and column assignments: this runs on every
    # filter change, and those cost more than the model fit.
    before_stop = np.where(switched, switch, time)
    # A switch at time 0 leaves an empty unexposed interval; R's tmerge drops it too.
    before = known & (before_stop > 0)
    rows = np.concatenate((np.flatnonzero(before), np.flatnonzero(switched)))
    n_before = int(before.sum())
    tstop = np.concatenate((before_stop[before], time[switched]))
    event = frame[event_col].to_numpy(dtype=float)[rows]
    split = {
        **_rows_of(frame, rows, covariates),
        flag_col: np.concatenate((np.zeros(n_before), np.ones(int(switched.sum())))),
        "tstart": np.concatenate((np.zeros(n_before), switch[switched])),
        "tstop": tstop,
        "__status": np.where(tstop == time[rows], event, 0.0),
    }
    return pd.DataFrame(split), int(unknown.sum())


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
    complete = _complete(frame, [flag_col, *covariates])
    rows, unknown = _split_at_switch(
        frame, switch_col, flag_col, time_col, event_col, covariates, complete
    )
    model = cox_model(
        rows,
        [flag_col, *covariates],
        time_col="tstop",
        event_col="__status",
        entry_col="tstart",
        conf_level=conf_level,
    )
    notes = [*_missing_note(frame, [flag_col, *covariates], complete), *model.warnings]
    if unknown:
        notes.append(
            PluralMessage(
                "{n} patient with {flag} = 1 but no {onset} was left out of the time-dependent "
                "model.",
                "{n} patients with {flag} = 1 but no {onset} were left out of the "
                "time-dependent model.",
                n=unknown,
                flag=flag_col,
                onset=switch_col,
            )
        )
    used = int(complete.sum()) - unknown
    return replace(model, n=used, dropped_missing=int((~complete).sum()), warnings=tuple(notes))


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
    time = frame[time_col].to_numpy(dtype=float)
    flagged = frame[flag_col].to_numpy(dtype=float) == 1
    switch = frame[switch_col].to_numpy(dtype=float)
    # Arrays rather than a filtered copy with assigned columns (see _split_at_switch).
    # A missing flag is not "unexposed": those patients are left out (cox_model drops the
    # ones with missing covariates itself).
    at_risk = (time > landmark_months) & frame[flag_col].notna().to_numpy()
    unknown = at_risk & flagged & np.isnan(switch)
    rows = np.flatnonzero(at_risk & ~unknown)
    landmark_frame = pd.DataFrame(
        {
            **_rows_of(frame, rows, covariates),
            flag_col: (flagged & (switch <= landmark_months))[rows].astype(float),
            "__from_landmark": time[rows] - landmark_months,
            event_col: frame[event_col].to_numpy(dtype=float)[rows],
        }
    )
    model = cox_model(
        landmark_frame,
        [flag_col, *covariates],
        time_col="__from_landmark",
        event_col=event_col,
        conf_level=conf_level,
    )
    notes = [
        PluralMessage(
            "Landmark at {months} months: {n} patient still at risk.",
            "Landmark at {months} months: {n} patients still at risk.",
            months=general(landmark_months),
            n=int(rows.size),
        ),
        *model.warnings,
    ]
    if unknown.any():
        notes.append(
            PluralMessage(
                "{n} patient with {flag} = 1 but no {onset} left out.",
                "{n} patients with {flag} = 1 but no {onset} left out.",
                n=int(unknown.sum()),
                flag=flag_col,
                onset=switch_col,
            )
        )
    return replace(model, warnings=tuple(notes))
