"""Relapse counts over person-time: Poisson and negative-binomial rate ratios.

Between groups (one row per patient), after against before rituximab (two rows per
patient), and pre/post annualized rates per group. Also the follow-up checks and the
selection of post-rituximab relapses that the mean cumulative function and the
Andersen–Gill model share.
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
from analytics.data.labels import column_message, level_message
from analytics.jsonsafe import json_dict
from analytics.stats.cox.results import MIN_EVENTS_PER_VARIABLE
from analytics.stats.design import Design, design_matrix
from analytics.stats.levels import normal_quantile
from analytics.stats.rates import (
    DEFAULT_PRE_WINDOW_MONTHS,
    RelapseRates,
    annualized_relapse_rates,
    require_relapse_columns,
)
from analytics.stats.subgroups import level_labels
from analytics.stats.terms import by_term
from analytics.warnings_guard import recorded_warnings
from i18n.language import Message, PluralMessage, as_message, fixed, reason

CountModel = Literal["negative_binomial", "poisson"]
Array = NDArray[np.float64]

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
    return normal_quantile(conf_level)


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
            group = level_message(covariate, reference)
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
        Coded as :func:`analytics.stats.design.design_matrix` does (text columns are categorical).
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
    as :func:`analytics.stats.rates.annualized_relapse_rates` (relapses in
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
    """Annualized relapse rates of one group (see :class:`analytics.stats.rates.RelapseRates`)."""

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
                column=column_message(group_by),
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
    """:func:`analytics.stats.rates.annualized_relapse_rates` for each level of ``group_by``."""
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
    require_relapse_columns(patients, relapses)
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
