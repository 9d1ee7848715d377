"""Recurrent relapses: rate ratios, the mean cumulative function and the Andersen–Gill model.

Treatment failure (the first relapse after the grace period) throws away every later relapse.
These methods use all of them: relapse counts over person-time (Poisson and negative-binomial
rate ratios), the mean number of relapses per patient over time (mean cumulative function) and
a Cox model of every relapse (Andersen–Gill). Relapses of one patient are correlated, so each
method says how it allows for that: the negative-binomial dispersion, the Lawless–Nadeau
variance, the cluster-robust sandwich.

Per-patient counts and person-years come from :func:`analytics.rates.annualized_relapse_rates`,
so the pre-treatment window and the grace period mean the same here as in the rate panel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, special, stats

from analytics.budget import check_deadline
from analytics.design import Design, design_matrix
from analytics.jsonsafe import json_dict
from analytics.language import Message, PluralMessage, as_message, fixed, general, reason
from analytics.rates import (
    DEFAULT_PRE_WINDOW_MONTHS,
    RelapseRates,
    annualized_relapse_rates,
)
from analytics.subgroups import level_labels
from analytics.terms import by_term
from analytics.warnings_guard import recorded_warnings

CountModel = Literal["negative_binomial", "poisson"]
Array = NDArray[np.float64]
# Cells of one block of the mean cumulative function's patients x times influence arrays.
MCF_BLOCK_CELLS = 2_000_000

# Peduzzi et al. (1995), as analytics.hazards: fewer events per coefficient are unreliable.
MIN_EVENTS_PER_VARIABLE = 10
# Beyond this theta the negative binomial is a Poisson for any count this cohort can have;
# the theta score also loses its sign to rounding further out.
MAX_THETA = 1e6


@dataclass(frozen=True)
class RateRatioTerm:
    """One covariate (or one level against its reference) of a count model."""

    term: str
    covariate: str
    level: str | None
    reference: str | None
    coef: float
    se: float
    rate_ratio: float
    ci_low: float
    ci_high: float
    p: float


@dataclass(frozen=True)
class RateRatioModel:
    """A Poisson or negative-binomial log-linear model of relapse counts over person-years.

    ``theta`` is the negative-binomial shape (R ``glm.nb``'s ``theta``; variance
    ``mu + mu^2 / theta``), None for Poisson or when the data show no extra-Poisson variation.
    """

    model: str
    comparison: str
    terms: tuple[RateRatioTerm, ...]
    n_patients: int
    n_rows: int
    events: int
    person_years: float
    theta: float | None
    theta_se: float | None
    loglik: float | None
    conf_level: float
    dropped: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        return json_dict(asdict(self))

    def term(self, name: str) -> RateRatioTerm:
        """The term called ``name`` (e.g. ``"asymptomatic_lesions"`` or ``"post_rituximab"``)."""
        return by_term(self.terms, name)


def _check_conf_level(conf_level: float) -> float:
    if not 0.0 < conf_level < 1.0:
        raise ValueError(f"conf_level must be between 0 and 1, got {conf_level}")
    return float(stats.norm.ppf(0.5 + conf_level / 2.0))


def _separated_terms(design: Design, events: Array) -> dict[str, str]:
    """Binary terms whose one side has no events: their ratio is 0 or infinite.

    A multi-level covariate is also separated when its reference level alone has no events:
    every ratio against it is then infinite, though each dummy's "without" side (reference
    and the other levels together) has events.
    """
    found: dict[str, str] = {}
    for name, column in design.binary_columns().items():
        for value, side in ((1.0, "with"), (0.0, "without")):
            if (column == value).any() and events[column == value].sum() == 0:
                found[name] = Message(
                    "{group} has no relapses: its ratio is 0 or infinite (separation) and is "
                    "not reported.",
                    group=design.describe(name, side),
                )
    for covariate, reference, indices in _reference_levels(design):
        in_reference = ~design.matrix[:, indices].astype(bool).any(axis=1)
        if in_reference.any() and events[in_reference].sum() == 0:
            group = f"{covariate}={reference}"
            for j in indices:
                found.setdefault(
                    design.columns[j].term,
                    Message(
                        "The reference group {group} has no relapses: ratios against it are "
                        "infinite (separation) and are not reported.",
                        group=group,
                    ),
                )
    return found


def _reference_levels(design: Design) -> list[tuple[str, str, list[int]]]:
    """(covariate, reference level, its dummy columns) for each multi-level covariate."""
    levels: dict[tuple[str, str], list[int]] = {}
    for j, column in enumerate(design.columns):
        if column.level is not None and column.reference is not None:
            levels.setdefault((column.covariate, column.reference), []).append(j)
    return [(covariate, reference, js) for (covariate, reference), js in levels.items()]


def _collinear(design: Design) -> str | None:
    """A note when some covariate is a linear function of the others (R would report NA)."""
    with_intercept = np.column_stack([np.ones(design.matrix.shape[0]), design.matrix])
    if np.linalg.matrix_rank(with_intercept) == with_intercept.shape[1]:
        return None
    names = ", ".join(c.term for c in design.columns)
    return Message(
        "The covariates {names} are collinear among the patients analysed here (one is "
        "determined by the others): no model; leave one out.",
        names=names,
    )


def _terms(
    design: Design, coef: Array, se: Array, z: float, separated: Mapping[str, str]
) -> tuple[RateRatioTerm, ...]:
    out = []
    for j, column in enumerate(design.columns):
        b, s = (np.nan, np.nan) if column.term in separated else (coef[j], se[j])
        out.append(
            RateRatioTerm(
                term=column.term,
                covariate=column.covariate,
                level=column.level,
                reference=column.reference,
                coef=float(b),
                se=float(s),
                rate_ratio=float(np.exp(b)),
                ci_low=float(np.exp(b - z * s)),
                ci_high=float(np.exp(b + z * s)),
                p=float(2.0 * stats.norm.sf(abs(b / s))),
            )
        )
    return tuple(out)


def _theta_score(theta: float, y: Array, mu: Array) -> float:
    # MASS::theta.ml's score of the negative-binomial log-likelihood in theta.
    return float(
        np.sum(
            special.digamma(theta + y)
            - special.digamma(theta)
            + np.log(theta)
            + 1.0
            - np.log(theta + mu)
            - (y + theta) / (mu + theta)
        )
    )


def _theta_info(theta: float, y: Array, mu: Array) -> float:
    # MASS::theta.ml's information (minus the score's derivative); its SE is 1/sqrt(info).
    return float(
        np.sum(
            -special.polygamma(1, theta + y)
            + special.polygamma(1, theta)
            - 1.0 / theta
            + 2.0 / (mu + theta)
            - (y + theta) / (mu + theta) ** 2
        )
    )


def _theta_ml(y: Array, mu: Array) -> float:
    """Root of the theta score for fixed means (MASS ``theta.ml``), inf when none is finite.

    Solved by bracketing rather than MASS's Newton steps: same root, and a clear answer when
    the score stays positive (no overdispersion: theta runs off to infinity).
    """
    low, high = 1e-8, MAX_THETA
    if _theta_score(high, y, mu) > 0:
        return float("inf")
    if _theta_score(low, y, mu) < 0:
        return low
    return float(optimize.brentq(_theta_score, low, high, args=(y, mu), xtol=1e-14, rtol=1e-14))


def _fit_glm(y: Array, x: Array, offset: Array, theta: float | None, start: Array | None) -> Any:
    import statsmodels.api as sm  # imported lazily: statsmodels takes a second to load

    family = (
        sm.families.Poisson()
        if theta is None
        else sm.families.NegativeBinomial(link=sm.families.links.Log(), alpha=1.0 / theta)
    )
    # Tight IRLS tolerance so that the fit agrees with R's glm beyond its printed digits.
    return sm.GLM(y, x, family=family, offset=offset).fit(
        start_params=start, tol=1e-13, maxiter=200
    )


def _fit_negative_binomial(y: Array, x: Array, offset: Array) -> tuple[Any, float, float]:
    """Joint ML of coefficients and theta by alternation, as MASS ``glm.nb``.

    Poisson start, then theta by ML for the current means and the GLM for the current
    theta, until both settle. Returns the last GLM (its SEs are those of ``glm.nb``:
    expected information with theta held fixed), theta and theta's SE.
    """
    fit = _fit_glm(y, x, offset, None, None)
    theta = _theta_ml(y, fit.mu)
    for _ in range(200):
        check_deadline()
        if not np.isfinite(theta):
            return fit, theta, float("nan")
        previous_theta, previous_loglik = theta, float(fit.llf)
        fit = _fit_glm(y, x, offset, theta, np.asarray(fit.params))
        theta = _theta_ml(y, fit.mu)
        # Settled when theta and the likelihood are (the coefficients are a smooth function
        # of theta); not on the coefficients themselves, which drift off to infinity for a
        # group with no relapses while everything else has converged.
        if abs(theta - previous_theta) <= 1e-11 * previous_theta and abs(
            float(fit.llf) - previous_loglik
        ) <= 1e-12 * abs(previous_loglik):
            break
    else:
        raise np.linalg.LinAlgError("theta and the coefficients did not settle in 200 rounds")
    return fit, theta, float(1.0 / np.sqrt(_theta_info(theta, y, fit.mu)))


def count_rate_ratio(
    frame: pd.DataFrame,
    count_col: str,
    years_col: str,
    covariates: Sequence[str],
    *,
    model: CountModel = "negative_binomial",
    categorical: Mapping[str, str] | None = None,
    conf_level: float = 0.95,
    comparison: str = "",
) -> RateRatioModel:
    """Rate ratios from a log-linear count model with ``log(person-years)`` as offset.

    Parameters
    ----------
    frame : DataFrame
        One row per observation period (a patient, or a patient's pre/post period).
    count_col, years_col : str
        Relapse count and person-years of each row; rows with no person-years are dropped.
    covariates : sequence of str
        Coded as :func:`analytics.design.design_matrix` does (text columns are categorical).
    model : {"negative_binomial", "poisson"}
        Negative binomial (default) allows patients to differ in their relapse rate beyond
        what the covariates explain, which relapse data always show; Poisson does not.
    categorical : mapping, optional
        Column -> reference level.
    conf_level : float, default 0.95
        Level of the Wald intervals.
    comparison : str
        Plain-words description carried into the result for the panel's heading.

    Returns
    -------
    RateRatioModel
        ``"poisson"`` matches R ``glm(y ~ x + offset(log(years)), family = poisson)``;
        ``"negative_binomial"`` matches MASS ``glm.nb(y ~ x + offset(log(years)))``:
        coefficients, SEs, ``theta``, ``SE.theta`` and ``logLik``. Intervals are Wald
        (R ``confint.default``), p from ``summary()``'s z test. A binary term with no relapses
        on one side is reported as NaN with a note (R would print a huge coefficient).
    """
    z = _check_conf_level(conf_level)
    missing = [c for c in (count_col, years_col) if c not in frame.columns]
    if missing:
        raise ValueError(f"the frame has no column(s) {', '.join(missing)}")
    timed = frame[frame[years_col] > 0].reset_index(drop=True)
    notes: list[str] = []
    if len(timed) < len(frame):
        notes.append(
            PluralMessage(
                "{n} row with no person-time was left out.",
                "{n} rows with no person-time were left out.",
                n=len(frame) - len(timed),
            )
        )
    design = design_matrix(timed, covariates, categorical=categorical)
    notes.extend(design.notes)
    y = timed.loc[design.kept, count_col].to_numpy(dtype=float)
    years = timed.loc[design.kept, years_col].to_numpy(dtype=float)
    dropped = int((~design.kept).sum()) + len(frame) - len(timed)
    ids = timed.loc[design.kept, "patient_id"] if "patient_id" in timed else timed.index
    result = RateRatioModel(
        model=model.replace("_", " "),
        comparison=comparison,
        terms=(),
        n_patients=int(pd.Series(ids).nunique()),
        n_rows=int(y.size),
        events=int(y.sum()),
        person_years=float(years.sum()),
        theta=None,
        theta_se=None,
        loglik=None,
        conf_level=conf_level,
        dropped=dropped,
    )
    if y.sum() == 0 or not design.columns:
        why = Message("No relapses") if y.sum() == 0 else Message("No covariate varies")
        notes.append(
            Message(
                "{reason} among the patients analysed here: no rate ratio to estimate.",
                reason=why,
            )
        )
        return replace(result, notes=tuple(notes))
    collinear = _collinear(design)
    if collinear:
        return replace(result, notes=(*notes, collinear))
    epv = y.sum() / len(design.columns)
    if epv < MIN_EVENTS_PER_VARIABLE:
        notes.append(
            Message(
                "Only {epv} relapses per coefficient: rate ratios are imprecise.",
                epv=fixed(epv, 1),
            )
        )
    separated = _separated_terms(design, y)
    notes.extend(separated.values())
    x = np.column_stack([np.ones(y.size), design.matrix])
    theta, theta_se = None, None
    with recorded_warnings() as caught:
        try:
            if model == "poisson":
                fit = _fit_glm(y, x, np.log(years), None, None)
            else:
                fit, theta, theta_se = _fit_negative_binomial(y, x, np.log(years))
        except (np.linalg.LinAlgError, ValueError) as error:
            notes.append(
                Message(
                    "The {model} model could not be fitted ({reason}).",
                    model=as_message(result.model),
                    reason=reason(error),
                )
            )
            return replace(result, notes=tuple(notes))
    # One note per distinct message: the NB alternation refits many times.
    notes.extend(dict.fromkeys(f"Fit: {str(w.message).splitlines()[0]}" for w in caught))
    if theta is not None and not np.isfinite(theta):
        notes.append(
            Message(
                "No more variation between patients than Poisson predicts: the negative-binomial "
                "fit is the Poisson fit (theta infinite)."
            )
        )
        theta, theta_se = None, None
    params, bse = np.asarray(fit.params), np.asarray(fit.bse)
    return replace(
        result,
        terms=_terms(design, params[1:], bse[1:], z, separated),
        theta=theta,
        theta_se=theta_se,
        loglik=float(fit.llf),
        notes=tuple(notes),
    )


def _rates(
    patients: pd.DataFrame, relapses: pd.DataFrame, grace_months: float, pre_window_months: float
) -> pd.DataFrame:
    if "followup_months" in patients.columns:
        _check_followup(patients)
    rates = annualized_relapse_rates(
        patients, relapses, grace_months=grace_months, pre_window_months=pre_window_months
    )
    frame = rates.frame()
    extra = patients.drop(columns=[c for c in frame.columns if c != "patient_id"], errors="ignore")
    extra = extra.assign(patient_id=extra["patient_id"].astype(str))
    return frame.merge(extra, on="patient_id", how="left")


def relapse_rate_ratio(
    patients: pd.DataFrame,
    relapses: pd.DataFrame,
    covariates: Sequence[str],
    *,
    model: CountModel = "negative_binomial",
    grace_months: float = 0.0,
    categorical: Mapping[str, str] | None = None,
    conf_level: float = 0.95,
) -> RateRatioModel:
    """Rate ratio of post-rituximab relapses between groups (e.g. lesions 1 vs 0).

    Model: ``post_relapses_i ~ NB(mu_i, theta)`` (or Poisson) with
    ``log mu_i = log(post_years_i) + b0 + b·x_i``, one row per patient; counts and person-years
    as :func:`analytics.rates.annualized_relapse_rates` (relapses in
    ``(grace_months, followup_months]`` over ``followup_months - grace_months``). See
    :func:`count_rate_ratio` for the R functions matched.
    """
    frame = _rates(patients, relapses, grace_months, DEFAULT_PRE_WINDOW_MONTHS)
    return count_rate_ratio(
        frame,
        "post_relapses",
        "post_years",
        covariates,
        model=model,
        categorical=categorical,
        conf_level=conf_level,
        comparison=f"post-rituximab relapse rate by {', '.join(covariates)}",
    )


def pre_post_rate_ratio(
    patients: pd.DataFrame,
    relapses: pd.DataFrame,
    *,
    model: CountModel = "negative_binomial",
    grace_months: float = 0.0,
    pre_window_months: float = DEFAULT_PRE_WINDOW_MONTHS,
    conf_level: float = 0.95,
) -> RateRatioModel:
    """Relapse rate on rituximab relative to before it, within the same patients.

    Model: two rows per patient, the pre-treatment window (``pre_window_months`` before the
    first infusion, default 24, the same for everyone) and the post-treatment period
    (``grace_months`` to ``followup_months``); ``relapses ~ NB(mu, theta)`` (or Poisson) with
    ``log mu = log(years) + b0 + b·post_rituximab``. ``exp(b)`` (term ``post_rituximab``) is
    the post/pre rate ratio; below 1 means fewer relapses on rituximab. The two periods of a
    patient are treated as independent (a GLM, no patient random effect): the NB dispersion
    absorbs some of the between-patient variation, but the interval can still be too narrow.
    Selecting patients by a pre-treatment relapse makes the ratio regress toward the mean.

    Matches R ``glm.nb(relapses ~ post_rituximab + offset(log(years)), data = long)`` (or
    ``glm(..., family = poisson)``) on that long data.
    """
    frame = _rates(patients, relapses, grace_months, pre_window_months)
    pre = frame.assign(relapses=frame["pre_relapses"], years=frame["pre_years"])
    post = frame.assign(relapses=frame["post_relapses"], years=frame["post_years"])
    long = pd.concat(
        [pre.assign(post_rituximab=0.0), post.assign(post_rituximab=1.0)], ignore_index=True
    )
    return count_rate_ratio(
        long,
        "relapses",
        "years",
        ["post_rituximab"],
        model=model,
        conf_level=conf_level,
        comparison=(
            f"relapse rate after vs before rituximab ({pre_window_months:g}-month "
            f"pre-treatment window, grace {grace_months:g} months)"
        ),
    )


@dataclass(frozen=True)
class GroupRelapseRates:
    """Annualized relapse rates of one group (see :class:`analytics.rates.RelapseRates`)."""

    label: str
    rates: RelapseRates


@dataclass(frozen=True)
class RelapseRatesByGroup:
    """Pre/post annualized relapse rates for each level of ``group_by``."""

    group_by: str | None
    groups: tuple[GroupRelapseRates, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        return json_dict(asdict(self))


def _groups(frame: pd.DataFrame, group_by: str | None) -> tuple[list[tuple[str, Any]], list[str]]:
    """(label, row mask) per level of ``group_by`` in sorted order, or one "All" group."""
    if group_by is None:
        return [("All", np.ones(len(frame), dtype=bool))], []
    if group_by not in frame.columns:
        raise ValueError(f"the cohort has no column {group_by!r} to group by")
    labels = level_labels(frame[group_by])
    notes: list[str] = []
    if labels.isna().any():
        notes.append(
            PluralMessage(
                "{n} patient with no {column} is left out.",
                "{n} patients with no {column} are left out.",
                n=int(labels.isna().sum()),
                column=group_by,
            )
        )
    levels = sorted(labels.dropna().unique())
    return [(str(v), (labels == v).to_numpy()) for v in levels], notes


def relapse_rates_by_group(
    patients: pd.DataFrame,
    relapses: pd.DataFrame,
    group_by: str | None,
    *,
    grace_months: float = 0.0,
    pre_window_months: float = DEFAULT_PRE_WINDOW_MONTHS,
    conf_level: float = 0.95,
) -> RelapseRatesByGroup:
    """:func:`analytics.rates.annualized_relapse_rates` for each level of ``group_by``."""
    parts, notes = _groups(patients, group_by)
    groups = tuple(
        GroupRelapseRates(
            label,
            annualized_relapse_rates(
                patients[mask],
                relapses,
                grace_months=grace_months,
                pre_window_months=pre_window_months,
                conf_level=conf_level,
            ),
        )
        for label, mask in parts
    )
    return RelapseRatesByGroup(group_by=group_by, groups=groups, notes=tuple(notes))


def _check_followup(patients: pd.DataFrame) -> None:
    """Every patient needs follow-up > 0: it is the person-time every method divides by."""
    followup = pd.to_numeric(patients["followup_months"], errors="coerce")
    bad = patients.loc[~(followup > 0), "patient_id"]
    if len(bad):
        shown = ", ".join(str(b) for b in bad.iloc[:5])
        raise ValueError(
            PluralMessage(
                "followup_months must be a number > 0; {n} patient breaks this rule ({codes})",
                "followup_months must be a number > 0; {n} patients break this rule ({codes})",
                n=len(bad),
                codes=shown + (", ..." if len(bad) > 5 else ""),
            )
        )


def _post_relapses(
    patients: pd.DataFrame, relapses: pd.DataFrame, grace_months: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Patients followed beyond the grace period, and their relapses in (grace, follow-up]."""
    for name, frame, columns in (
        ("patients", patients, ("patient_id", "followup_months")),
        ("relapses", relapses, ("patient_id", "months_from_rtx")),
    ):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{name} frame lacks column(s): {', '.join(missing)}")
    if not grace_months >= 0:
        raise ValueError(f"grace_months must be >= 0, got {grace_months}")
    _check_followup(patients)
    people = patients.assign(patient_id=patients["patient_id"].astype(str))
    people = people[people["followup_months"] > grace_months].reset_index(drop=True)
    followup = dict(zip(people["patient_id"], people["followup_months"], strict=True))
    events = relapses.assign(patient_id=relapses["patient_id"].astype(str))
    events = events[events["patient_id"].isin(followup.keys())]
    months = events["months_from_rtx"].astype(float)
    inside = (months > grace_months) & (months <= events["patient_id"].map(followup))
    return people, events.loc[inside, ["patient_id", "months_from_rtx"]].reset_index(drop=True)


@dataclass(frozen=True)
class MeanCumulativeCurve:
    """Mean number of relapses per patient by each time (index 0 is the start, value 0).

    ``std_err`` is the Lawless–Nadeau robust standard error, which allows a patient's relapses
    to be correlated; the interval is log-transformed, ``mcf * exp(±z·se / mcf)``.
    """

    label: str
    n: int
    events: int
    timeline: tuple[float, ...]
    mcf: tuple[float, ...]
    std_err: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    at_risk: tuple[int, ...]
    events_at: tuple[int, ...]
    conf_level: float
    variance: str = "Lawless-Nadeau robust"
    conf_type: str = "log"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        return json_dict(asdict(self))


@dataclass(frozen=True)
class MeanCumulativeFunction:
    """Mean cumulative function of post-rituximab relapses, per group."""

    group_by: str | None
    grace_months: float
    curves: tuple[MeanCumulativeCurve, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        return json_dict(asdict(self))

    def curve(self, label: str) -> MeanCumulativeCurve:
        """The curve of group ``label``."""
        for c in self.curves:
            if c.label == label:
                return c
        raise KeyError(f"no group {label!r}; groups are {[c.label for c in self.curves]}")


def mcf_curve(
    followup: Array,
    owner: NDArray[np.int_],
    times: Array,
    *,
    start: float = 0.0,
    label: str = "All",
    conf_level: float = 0.95,
) -> MeanCumulativeCurve:
    """Nelson–Aalen mean cumulative function with the Lawless–Nadeau variance.

    ``MCF(t) = sum over relapse times s <= t of d(s) / Y(s)``, with ``d`` the relapses at
    ``s`` and ``Y`` the patients followed at ``s`` (``start < s <= followup``); the grid is
    every relapse time and every end of follow-up. Its variance
    is ``sum_i (sum_{s <= t} Y_i(s) (dN_i(s) - d(s) / Y(s)) / Y(s))^2`` (Lawless & Nadeau 1995,
    Technometrics 37:158), the sum of squared per-patient influences.

    Matches R ``survfit(Surv(start, stop, event) ~ 1, id = id)`` on the counting-process
    data: ``cumhaz`` and ``std.chaz`` (survival >= 3 uses the same robust, id-clustered
    variance when ``id`` is given).

    Parameters
    ----------
    followup : array
        End of follow-up of each patient.
    owner : int array
        For each relapse, the index of its patient in ``followup``.
    times : array
        Relapse times, each in ``(start, followup[owner]]``.
    """
    z = _check_conf_level(conf_level)
    # Ends of follow-up join the grid (steps of zero height) so the curve and its risk
    # table run to the last follow-up, as survfit's do.
    grid = np.unique(np.concatenate((times, followup[followup > start])))
    column = np.searchsorted(grid, times)
    later = followup.size - np.searchsorted(np.sort(followup), grid, side="left")
    at_risk = np.where(grid > start, later, 0).astype(float)
    events_at = np.bincount(column, minlength=grid.size).astype(float)
    increment = events_at / at_risk
    # The influences are patients x grid: built a block of patients at a time (about 16 MB
    # per array) so that 100 000 patients do not need 2 GB at once (issue 17).
    block = max(1, MCF_BLOCK_CELLS // max(1, grid.size))
    squares = np.zeros(grid.size)
    for first in range(0, followup.size, block):
        check_deadline()
        ends = followup[first : first + block]
        counts = np.zeros((ends.size, grid.size))
        mine = (owner >= first) & (owner < first + ends.size)
        np.add.at(counts, (owner[mine] - first, column[mine]), 1.0)
        followed = (ends[:, None] >= grid[None, :]) & (grid[None, :] > start)
        influence = np.cumsum(followed * (counts - increment[None, :]) / at_risk[None, :], axis=1)
        squares += (influence**2).sum(axis=0)
    mcf = np.cumsum(increment)
    se = np.sqrt(squares)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Before the first relapse the MCF is 0 with no variance: the interval is [0, 0].
        spread = np.where(mcf > 0, np.exp(z * se / mcf), 1.0)
    return MeanCumulativeCurve(
        label=label,
        n=int(followup.size),
        events=int(times.size),
        timeline=(float(start), *grid.tolist()),
        mcf=(0.0, *mcf.tolist()),
        std_err=(0.0, *se.tolist()),
        ci_low=(0.0, *(mcf / spread).tolist()),
        ci_high=(0.0, *(mcf * spread).tolist()),
        at_risk=(int(followup.size), *at_risk.astype(int).tolist()),
        events_at=(0, *events_at.astype(int).tolist()),
        conf_level=conf_level,
    )


def mean_cumulative_function(
    patients: pd.DataFrame,
    relapses: pd.DataFrame,
    *,
    group_by: str | None = None,
    grace_months: float = 0.0,
    conf_level: float = 0.95,
) -> MeanCumulativeFunction:
    """Mean cumulative number of relapses per patient since the first rituximab infusion.

    Counts every relapse in ``(grace_months, followup_months]`` (default: every relapse after
    the first infusion) and puts each patient at risk from ``grace_months`` to their last
    follow-up; duplicate records of one patient's relapse at the same month both count, as in
    the relapse rates. See :func:`mcf_curve` for the estimator and the R call it matches.
    Unlike ``1 - KM`` it keeps counting after a patient's first relapse, so it shows whether
    relapses on rituximab are one-off events or keep coming.
    """
    people, events = _post_relapses(patients, relapses, grace_months)
    notes: list[str] = []
    if len(people) < len(patients):
        notes.append(
            PluralMessage(
                "{n} patient followed no longer than the {months}-month grace period is left out.",
                "{n} patients followed no longer than the {months}-month grace period are left "
                "out.",
                n=len(patients) - len(people),
                months=general(grace_months),
            )
        )
    parts, group_notes = _groups(people, group_by)
    notes.extend(group_notes)
    curves = []
    for label, mask in parts:
        members = people[mask].reset_index(drop=True)
        index = {pid: i for i, pid in enumerate(members["patient_id"])}
        mine = events[events["patient_id"].isin(index.keys())]
        curves.append(
            mcf_curve(
                members["followup_months"].to_numpy(dtype=float),
                mine["patient_id"].map(index).to_numpy(dtype=int),
                mine["months_from_rtx"].to_numpy(dtype=float),
                start=grace_months,
                label=label,
                conf_level=conf_level,
            )
        )
    return MeanCumulativeFunction(
        group_by=group_by,
        grace_months=float(grace_months),
        curves=tuple(curves),
        notes=tuple(notes),
    )


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
                "asymptomatic_lesions is known only once the lesion is seen; as a baseline "
                "covariate it credits the lesion group with lesion-free time (immortal time)."
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
            beta, naive, robust, loglik, loglik_null, converged = cluster_robust_cox(
                kept["start"].to_numpy(dtype=float),
                kept["stop"].to_numpy(dtype=float),
                event,
                design.matrix,
                kept["patient_id"].tolist(),
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
    if not converged:
        notes.append(Message("The Andersen–Gill model did not converge; estimates are unreliable."))
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
