"""The Andersen–Gill model: a Cox model of every relapse on counting-process data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analytics.budget import check_deadline
from analytics.design import Design, design_matrix
from analytics.jsonsafe import json_dict
from analytics.recurrent.counts import (
    MIN_EVENTS_PER_VARIABLE,
    _check_conf_level,
    _collinear,
    _post_relapses,
    _separated_terms,
    _terms,
)
from analytics.terms import by_term
from analytics.warnings_guard import recorded_warnings

Array = NDArray[np.float64]


def counting_process(
    patients: pd.DataFrame, relapses: pd.DataFrame, *, grace_months: float = 0.0
) -> tuple[pd.DataFrame, int]:
    """Andersen–Gill data: each patient's follow-up split at every relapse.

    One row per interval ``(start, stop]`` with ``event`` 1 when it ends in a relapse: the
    first starts at ``grace_months`` and the last ends at ``followup_months`` (no trailing
    interval when the last relapse is at last follow-up), as R ``survSplit`` / ``tmerge(...,
    event = event(relapse_months))`` would build it. The patients' columns are carried along.
    Two records of one patient's relapse at the same month cannot both be intervals (an
    interval must have length); they count once here, and their number is returned.
    """
    people, events = _post_relapses(patients, relapses, grace_months)
    unique = events.drop_duplicates()
    cuts = unique.sort_values(["patient_id", "months_from_rtx"]).groupby("patient_id")
    times_of = {pid: g.to_numpy(dtype=float) for pid, g in cuts["months_from_rtx"]}
    # Arrays per patient, one frame at the end: a frame per patient took 50 s and 2 GB for
    # 100 000 patients (issue 17), and the deadline is checked as the loop goes.
    rows: list[Array] = []
    parts: dict[str, list[Array]] = {"start": [], "stop": [], "event": []}
    for position, (pid, followup) in enumerate(
        zip(people["patient_id"], people["followup_months"], strict=True)
    ):
        if position % 1000 == 0:
            check_deadline()
        relapse_times = times_of.get(pid, np.empty(0))
        stops = np.unique(np.append(relapse_times, float(followup)))
        rows.append(np.full(stops.size, position, dtype=np.int64))
        parts["start"].append(np.concatenate(([grace_months], stops[:-1])))
        parts["stop"].append(stops)
        parts["event"].append(np.isin(stops, relapse_times).astype(float))
    if not rows:
        return pd.DataFrame(columns=["patient_id", "start", "stop", "event"]), 0
    split = pd.DataFrame(
        {"row": np.concatenate(rows), **{k: np.concatenate(v) for k, v in parts.items()}}
    )
    carried = people.drop(columns=["start", "stop", "event"], errors="ignore")
    data = carried.iloc[split["row"]].reset_index(drop=True)
    data[["start", "stop", "event"]] = split[["start", "stop", "event"]]
    return data, len(events) - len(unique)


def _efron(
    beta: Array, start: Array, stop: Array, event: Array, x: Array, residuals: bool = False
) -> tuple[float, Array, Array, Array]:
    """Efron partial log-likelihood, score, information and (optionally) score residuals.

    Counting-process risk sets: row ``i`` is at risk at ``t`` when ``start_i < t <= stop_i``.
    The score residual of row ``i`` is its share of the score, ``sum over event times and
    Efron steps k of (dN_i / d)(x_i - xbar_k) - c_ik w_i (x_i - xbar_k) / S0_k`` with
    ``c_ik = 1 - k/d`` for the tied relapses and 1 for the others, as R's ``residuals(fit,
    type = "score")`` for ``ties = "efron"``.
    """
    eta = x @ beta
    loglik, score = 0.0, np.zeros(beta.size)
    info = np.zeros((beta.size, beta.size))
    resid = np.zeros_like(x) if residuals else x[:0]
    for t in np.unique(stop[event == 1]):
        risk = (start < t) & (stop >= t)
        dead = (stop == t) & (event == 1)
        d = int(dead.sum())
        # Each risk set's weights are scaled by its largest, so exp() cannot overflow or
        # underflow to an all-zero sum far out along a separated direction; ratios are
        # unchanged and the log-likelihood gets the shift back.
        shift = float(eta[risk].max())
        wr, xr = np.exp(eta[risk] - shift), x[risk]
        s0, s1, s2 = wr.sum(), wr @ xr, (xr * wr[:, None]).T @ xr
        wd, xd = np.exp(eta[dead] - shift), x[dead]
        d0, d1, d2 = wd.sum(), wd @ xd, (xd * wd[:, None]).T @ xd
        loglik += float(eta[dead].sum()) - d * shift
        score += xd.sum(axis=0)
        fractions = np.arange(d) / d
        a0 = s0 - fractions * d0
        xbar = (s1[None, :] - fractions[:, None] * d1[None, :]) / a0[:, None]
        loglik -= float(np.log(a0).sum())
        score -= xbar.sum(axis=0)
        for k in range(d):
            info += (s2 - fractions[k] * d2) / a0[k] - np.outer(xbar[k], xbar[k])
        if residuals:
            # Risk-set part: sum_k c_ik w_i (x_i - xbar_k) / a0_k, split by c_ik.
            inv = 1.0 / a0
            weight = np.where(dead[risk][:, None], (1.0 - fractions) * inv, inv)
            resid[risk] -= wr[:, None] * (xr * weight.sum(axis=1)[:, None] - weight @ xbar)
            resid[dead] += xd - xbar.mean(axis=0)
    return loglik, score, info, resid


@dataclass(frozen=True)
class AndersenGillTerm:
    """One covariate of the Andersen–Gill model; ``se``, the interval and ``p`` are robust."""

    term: str
    covariate: str
    level: str | None
    reference: str | None
    coef: float
    se: float
    naive_se: float
    hr: float
    ci_low: float
    ci_high: float
    p: float


@dataclass(frozen=True)
class AndersenGillModel:
    """Cox model of every relapse, with standard errors clustered by patient."""

    terms: tuple[AndersenGillTerm, ...]
    n_patients: int
    n_intervals: int
    events: int
    loglik: float | None
    loglik_null: float | None
    grace_months: float
    conf_level: float
    method: str = "efron"
    variance: str = "robust sandwich, clustered by patient"
    dropped_missing: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        return json_dict(asdict(self))

    def term(self, name: str) -> AndersenGillTerm:
        """The term called ``name``."""
        return by_term(self.terms, name)


def _newton(
    start: Array, stop: Array, event: Array, x: Array
) -> tuple[Array, float, float, Array, bool]:
    """Maximise the Efron partial likelihood; step-halving as R ``coxph`` does."""
    beta = np.zeros(x.shape[1])
    loglik, score, info, _ = _efron(beta, start, stop, event, x)
    loglik_null = loglik
    for _ in range(50):
        step = np.linalg.solve(info, score)
        for _ in range(30):
            check_deadline()
            trial = _efron(beta + step, start, stop, event, x)
            if trial[0] >= loglik - 1e-12 * abs(loglik):
                break
            step = step / 2.0
        beta = beta + step
        previous, (loglik, score, info, _) = loglik, trial
        # R's criterion (relative change of the log-likelihood), tighter than its 1e-9: the
        # Newton step just taken makes the coefficients accurate to about its square.
        if abs(loglik - previous) <= 1e-12 * max(abs(loglik), 1.0):
            return beta, loglik, loglik_null, info, True
    return beta, loglik, loglik_null, info, False


def cluster_robust_cox(
    start: Array, stop: Array, event: Array, x: Array, cluster: Sequence[object]
) -> tuple[Array, Array, Array, float, float, bool]:
    """Efron Cox fit on counting-process data with the cluster-robust (sandwich) variance.

    Returns coefficients, model-based variance, robust variance, log-likelihood at the
    estimate and at zero, and whether Newton–Raphson converged. The robust variance is
    ``D'D`` with ``D`` the score residuals times the model variance summed within a cluster,
    as R ``coxph(Surv(start, stop, event) ~ x + cluster(id), ties = "efron")``.
    """
    centred = x - x.mean(axis=0)  # as coxph: better conditioned, same estimates
    beta, loglik, loglik_null, info, converged = _newton(start, stop, event, centred)
    naive = np.asarray(np.linalg.inv(info), dtype=np.float64)
    resid = _efron(beta, start, stop, event, centred, residuals=True)[3]
    groups = pd.factorize(pd.Series(list(cluster), dtype=object))[0]
    dfbeta = np.zeros((int(groups.max()) + 1, x.shape[1]))
    np.add.at(dfbeta, groups, resid @ naive)
    return beta, naive, dfbeta.T @ dfbeta, loglik, loglik_null, converged


def _ag_notes(design: Design, data: pd.DataFrame, duplicates: int, grace: float) -> list[str]:
    notes = list(design.notes)
    if duplicates:
        notes.append(
            f"{duplicates} duplicate relapse record(s) (same patient, same month) counted once."
        )
    epv = data["event"].sum() / max(len(design.columns), 1)
    if design.columns and epv < MIN_EVENTS_PER_VARIABLE:
        notes.append(f"Only {epv:.1f} relapses per coefficient: hazard ratios are imprecise.")
    if "asymptomatic_lesions" in [c.covariate for c in design.columns]:
        notes.append(
            "asymptomatic_lesions is known only once the lesion is seen; as a baseline "
            "covariate it credits the lesion group with lesion-free time (immortal time)."
        )
    if grace > 0:
        notes.append(f"Relapses in the first {grace:g} months (grace period) are not counted.")
    return notes


def andersen_gill(
    patients: pd.DataFrame,
    relapses: pd.DataFrame,
    covariates: Sequence[str],
    *,
    grace_months: float = 0.0,
    categorical: Mapping[str, str] | None = None,
    conf_level: float = 0.95,
) -> AndersenGillModel:
    """Andersen–Gill Cox model of all post-rituximab relapses, robust SEs by patient.

    Every relapse in ``(grace_months, followup_months]`` is an event; follow-up is split at
    each relapse (:func:`counting_process`) and a patient stays at risk after a relapse.
    ``grace_months = 0`` (default) counts every relapse after the first infusion, the
    recurrent-event view of how often patients relapse on rituximab; pass the failure
    definition's grace period (6) to count only relapses after B-cell depletion is expected.
    Covariates are the patients' columns, fixed over follow-up, coded as
    :func:`analytics.design.design_matrix`.

    Parameters
    ----------
    patients, relapses : DataFrame
        The cohort (``patient_id``, ``followup_months``, covariates) and its relapses.
    covariates : sequence of str
        Patient columns in the model.
    grace_months : float, default 0.0
        Relapses at or before this month are not events, and time at risk starts here.
    categorical : mapping, optional
        Column -> reference level.
    conf_level : float, default 0.95
        Level of the robust Wald intervals.

    Returns
    -------
    AndersenGillModel
        Matches R ``coxph(Surv(start, stop, event) ~ x + cluster(id), ties = "efron")``:
        ``coef``, ``se`` = ``robust se``, ``naive_se`` = ``se(coef)``, and R's robust z test
        and ``exp(coef ± z·robust se)``. A binary term with no relapses on one side is NaN with
        a note (R returns a huge coefficient and warns the likelihood converged first).
    """
    z = _check_conf_level(conf_level)
    data, duplicates = counting_process(patients, relapses, grace_months=grace_months)
    base = AndersenGillModel(
        terms=(),
        n_patients=int(data["patient_id"].nunique()),
        n_intervals=len(data),
        events=int(data["event"].sum()),
        loglik=None,
        loglik_null=None,
        grace_months=float(grace_months),
        conf_level=conf_level,
    )
    design = design_matrix(data, covariates, categorical=categorical)
    notes = _ag_notes(design, data, duplicates, grace_months)
    kept = data[design.kept]
    dropped = int(data.loc[~design.kept, "patient_id"].nunique())
    if dropped:
        notes.append(f"{dropped} patient(s) with a missing covariate were left out.")
    event = kept["event"].to_numpy(dtype=float)
    if event.sum() == 0 or not design.columns:
        reason = "No relapses" if event.sum() == 0 else "No covariate varies"
        notes.append(f"{reason} among the patients analysed here: nothing to model.")
        return replace(base, dropped_missing=dropped, notes=tuple(notes))
    collinear = _collinear(design)
    if collinear:
        return replace(base, dropped_missing=dropped, notes=(*notes, collinear))
    separated = _separated_terms(design, event)
    notes.extend(separated.values())
    with recorded_warnings() as caught:
        try:
            beta, naive, robust, loglik, loglik_null, converged = cluster_robust_cox(
                kept["start"].to_numpy(dtype=float),
                kept["stop"].to_numpy(dtype=float),
                event,
                design.matrix,
                kept["patient_id"].tolist(),
            )
        except np.linalg.LinAlgError as error:
            notes.append(f"The Andersen–Gill model could not be fitted ({error}).")
            return replace(base, dropped_missing=dropped, notes=tuple(notes))
    notes.extend(dict.fromkeys(f"Fit: {str(w.message).splitlines()[0]}" for w in caught))
    if not converged:
        notes.append("The Andersen–Gill model did not converge; estimates are unreliable.")
    rr = _terms(design, beta, np.sqrt(np.diag(robust)), z, separated)
    naive_se = np.sqrt(np.diag(naive))
    terms = tuple(
        AndersenGillTerm(
            term=t.term,
            covariate=t.covariate,
            level=t.level,
            reference=t.reference,
            coef=t.coef,
            se=t.se,
            naive_se=float("nan") if t.term in separated else float(naive_se[j]),
            hr=t.rate_ratio,
            ci_low=t.ci_low,
            ci_high=t.ci_high,
            p=t.p,
        )
        for j, t in enumerate(rr)
    )
    return replace(
        base,
        terms=terms,
        n_patients=int(kept["patient_id"].nunique()),
        n_intervals=len(kept),
        events=int(event.sum()),
        loglik=loglik,
        loglik_null=loglik_null,
        dropped_missing=dropped,
        notes=tuple(notes),
    )
