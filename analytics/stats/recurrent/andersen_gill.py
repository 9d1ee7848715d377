"""The Andersen–Gill model: a Cox model of every relapse on counting-process data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analytics.budget import check_deadline
from analytics.data.labels import column_message
from analytics.jsonsafe import json_dict
from analytics.stats.cox.engine import fit_cox
from analytics.stats.cox.results import MIN_EVENTS_PER_VARIABLE
from analytics.stats.design import Design, design_matrix
from analytics.stats.recurrent.counts import (
    _check_conf_level,
    _collinear,
    _post_relapses,
    _separated_terms,
    _terms,
)
from analytics.stats.terms import by_term
from analytics.warnings_guard import recorded_warnings
from i18n.language import Message, PluralMessage, fixed, general, reason

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


def _ag_notes(design: Design, data: pd.DataFrame, duplicates: int, grace: float) -> list[str]:
    notes = list(design.notes)
    if duplicates:
        notes.append(
            PluralMessage(
                "{n} duplicate relapse record (same patient, same month) counted once.",
                "{n} duplicate relapse records (same patient, same month) counted once.",
                n=int(duplicates),
            )
        )
    epv = data["event"].sum() / max(len(design.columns), 1)
    if design.columns and epv < MIN_EVENTS_PER_VARIABLE:
        notes.append(
            Message(
                "Only {epv} relapses per coefficient: hazard ratios are imprecise.",
                epv=fixed(epv, 1),
            )
        )
    if "asymptomatic_lesions" in [c.covariate for c in design.columns]:
        notes.append(
            Message(
                "{column} is known only once the lesion is seen; as a baseline "
                "covariate it credits the lesion group with lesion-free time (immortal time).",
                column=column_message("asymptomatic_lesions"),
            )
        )
    if grace > 0:
        notes.append(
            Message(
                "Relapses in the first {months} months (grace period) are not counted.",
                months=general(grace),
            )
        )
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
    :func:`analytics.stats.design.design_matrix`.

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
        notes.append(
            PluralMessage(
                "{n} patient with a missing covariate was left out.",
                "{n} patients with a missing covariate were left out.",
                n=dropped,
            )
        )
    event = kept["event"].to_numpy(dtype=float)
    if event.sum() == 0 or not design.columns:
        why = Message("No relapses") if event.sum() == 0 else Message("No covariate varies")
        notes.append(
            Message("{reason} among the patients analysed here: nothing to model.", reason=why)
        )
        return replace(base, dropped_missing=dropped, notes=tuple(notes))
    collinear = _collinear(design)
    if collinear:
        return replace(base, dropped_missing=dropped, notes=(*notes, collinear))
    separated = _separated_terms(design, event)
    notes.extend(separated.values())
    with recorded_warnings() as caught:
        try:
            fit = fit_cox(
                kept["stop"].to_numpy(dtype=float),
                event,
                design.matrix,
                entry=kept["start"].to_numpy(dtype=float),
                cluster=kept["patient_id"].to_numpy(),
            )
        except np.linalg.LinAlgError as error:
            notes.append(
                Message(
                    "The Andersen–Gill model could not be fitted ({reason}).",
                    reason=reason(error),
                )
            )
            return replace(base, dropped_missing=dropped, notes=tuple(notes))
    notes.extend(dict.fromkeys(f"Fit: {str(w.message).splitlines()[0]}" for w in caught))
    # A separated term's coefficient runs off to infinity, so Newton never settles; the
    # separation note already says why and that term is not reported.
    if not fit.converged and not separated:
        notes.append(Message("The Andersen–Gill model did not converge; estimates are unreliable."))
    assert fit.robust_covariance is not None  # clusters were given
    rr = _terms(design, fit.beta, np.sqrt(np.diag(fit.robust_covariance)), z, separated)
    naive_se = np.sqrt(np.diag(fit.covariance))
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
        loglik=fit.loglik,
        loglik_null=fit.loglik_null,
        dropped_missing=dropped,
        notes=tuple(notes),
    )
