"""Kaplan–Meier estimation, survival at chosen times, and the log-rank test.

Vectorised numpy throughout: a filter change recomputes every curve, so these run on every
interaction. Each function states the R call it reproduces; ``tests/reference`` holds the
fixtures that prove it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from analytics.jsonsafe import json_dict
from analytics.stats.levels import normal_quantile

# R's quantile.survfit treats survival within this distance of the target as equal to it.
_R_TOLERANCE = math.sqrt(np.finfo(float).eps)


@dataclass(frozen=True)
class KaplanMeier:
    """A Kaplan–Meier curve; index 0 is time 0 (survival 1), then one entry per distinct time."""

    label: str
    n: int
    events: int
    timeline: tuple[float, ...]
    survival: tuple[float, ...]
    std_err: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    at_risk: tuple[int, ...]
    events_at: tuple[int, ...]
    censored_at: tuple[int, ...]
    median: float | None
    median_ci_low: float | None
    median_ci_high: float | None
    conf_level: float
    conf_type: str = "log-log"

    def to_dict(self) -> dict[str, object]:
        return json_dict(asdict(self))


@dataclass(frozen=True)
class LogRank:
    """Log-rank test across groups (R ``survdiff(rho = 0)``)."""

    chisq: float
    df: int
    p: float
    groups: tuple[str, ...]
    observed: tuple[float, ...]
    expected: tuple[float, ...]

    def to_dict(self) -> dict[str, object]:
        return json_dict(asdict(self))


def _as_arrays(time: ArrayLike, event: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    if t.shape != e.shape or t.ndim != 1:
        raise ValueError("time and event must be one-dimensional and of equal length")
    if np.isnan(t).any() or np.isnan(e).any():
        raise ValueError("time and event must not contain missing values")
    if (t < 0).any():
        raise ValueError("times must be non-negative")
    return t, e.astype(bool)


def _first_below(
    timeline: NDArray[np.float64], curve: NDArray[np.float64], p: float = 0.5
) -> float | None:
    """Time at which ``curve`` first reaches ``p``, following R's ``quantile.survfit``.

    Where the curve sits exactly at ``p`` over an interval, R reports the midpoint of that
    interval (the quantile is not unique there); where it never reaches ``p``, no value.
    """
    finite = ~np.isnan(curve)
    below = np.flatnonzero(finite & (curve < p - _R_TOLERANCE))
    at = np.flatnonzero(finite & (np.abs(curve - p) <= _R_TOLERANCE))
    if at.size:
        start = timeline[at[0]]
        if below.size:
            return float((start + timeline[below[0]]) / 2.0)
        return float(start)
    if below.size:
        return float(timeline[below[0]])
    return None


def kaplan_meier(
    time: ArrayLike, event: ArrayLike, *, label: str = "All", conf_level: float = 0.95
) -> KaplanMeier:
    """Kaplan–Meier estimate with Greenwood variance and a log-log confidence interval.

    Parameters
    ----------
    time : array-like
        Follow-up time of each patient (months in this product).
    event : array-like
        1 for treatment failure at ``time``, 0 for censoring.
    label : str
        Group label carried into the result.
    conf_level : float
        Confidence level of the pointwise interval.

    Returns
    -------
    KaplanMeier
        Matches R ``survfit(Surv(time, event) ~ 1, conf.type = "log-log")``: ``std_err`` is
        the Greenwood standard error of S(t) (R's ``std.err`` times S), the interval is
        ``S ** exp(±z·se(log S) / log S)``, and the median and its limits follow
        ``quantile.survfit``.

    Examples
    --------
    >>> km = kaplan_meier([1, 2, 2, 4], [1, 1, 0, 1])
    >>> km.survival
    (1.0, 0.75, 0.5, 0.0)
    """
    t, e = _as_arrays(time, event)
    times, inverse = np.unique(t, return_inverse=True)
    events_at = np.bincount(inverse, weights=e, minlength=times.size).astype(int)
    leaving = np.bincount(inverse, minlength=times.size)
    at_risk = t.size - np.concatenate(([0], np.cumsum(leaving)[:-1]))
    censored_at = leaving - events_at

    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - events_at / at_risk)
        # Greenwood: Var(log S) = sum d / (n (n - d)); infinite once S reaches 0.
        var_log = np.cumsum(events_at / (at_risk * (at_risk - events_at)))
        se_log = np.sqrt(var_log)
        z = normal_quantile(conf_level)
        log_s = np.log(survival)
        shift = z * se_log / log_s  # log-log scale half-width, negative since log S < 0
        bound_a = survival ** np.exp(shift)
        bound_b = survival ** np.exp(-shift)
        std_err = survival * se_log
    ci_low = np.minimum(bound_a, bound_b)
    ci_high = np.maximum(bound_a, bound_b)
    # Before the first event S = 1 with zero variance: R reports the interval as [1, 1].
    flat = var_log == 0
    ci_low[flat] = 1.0
    ci_high[flat] = 1.0
    zero = survival == 0
    ci_low[zero] = np.nan
    ci_high[zero] = np.nan

    timeline = np.concatenate(([0.0], times))
    surv_full = np.concatenate(([1.0], survival))
    low_full = np.concatenate(([1.0], ci_low))
    high_full = np.concatenate(([1.0], ci_high))
    return KaplanMeier(
        label=label,
        n=int(t.size),
        events=int(e.sum()),
        timeline=tuple(timeline.tolist()),
        survival=tuple(surv_full.tolist()),
        std_err=tuple(np.concatenate(([0.0], std_err)).tolist()),
        ci_low=tuple(low_full.tolist()),
        ci_high=tuple(high_full.tolist()),
        at_risk=(int(t.size), *at_risk.tolist()),
        events_at=(0, *events_at.tolist()),
        censored_at=(0, *censored_at.tolist()),
        median=_first_below(timeline, surv_full),
        median_ci_low=_first_below(timeline, low_full),
        median_ci_high=_first_below(timeline, high_full),
        conf_level=conf_level,
    )


@dataclass(frozen=True)
class SurvivalAt:
    """Survival and the risk table at one requested time (R ``summary(fit, times = t)``)."""

    time: float
    survival: float
    ci_low: float
    ci_high: float
    at_risk: int
    cumulative_events: int
    cumulative_censored: int

    def to_dict(self) -> dict[str, object]:
        return json_dict(asdict(self))


def survival_at(km: KaplanMeier, times: Iterable[float]) -> list[SurvivalAt]:
    """Step-function values of ``km`` at ``times``, with number at risk and cumulative counts.

    ``at_risk`` counts patients still under observation at ``t`` (time ≥ t), as printed under
    a KM plot; events and censorings are cumulative up to and including ``t``.
    """
    timeline = np.asarray(km.timeline)
    leaving = np.asarray(km.events_at) + np.asarray(km.censored_at)
    events_cum = np.cumsum(km.events_at)
    censored_cum = np.cumsum(km.censored_at)
    out = []
    for t in times:
        i = int(np.searchsorted(timeline, t, side="right") - 1)
        # At risk at t: patients whose own time is >= t, i.e. all but those who left before t.
        risk = km.n - int(leaving[timeline < t].sum())
        out.append(
            SurvivalAt(
                time=float(t),
                survival=float(km.survival[i]),
                ci_low=float(km.ci_low[i]),
                ci_high=float(km.ci_high[i]),
                at_risk=risk,
                cumulative_events=int(events_cum[i]),
                cumulative_censored=int(censored_cum[i]),
            )
        )
    return out


def _logrank_chisq(
    diff: NDArray[np.float64], variance: NDArray[np.float64], used: NDArray[np.bool_]
) -> float:
    """``(O - E)' V^- (O - E)`` as R ``survdiff`` computes it.

    V is singular (its rows sum to 0), so R drops the first group with expected events > 0
    and solves the remaining system exactly: ``solve(vv[-1, -1], (O - E)[-1])``. A
    pseudo-inverse of the full V is the same in exact arithmetic but not in floating point:
    when V's null singular value lands just above the cut-off (rounding of large sums),
    its 1/sigma term is kept and the statistic is off (127.09 against R's 126.88 seen).
    """
    keep = np.flatnonzero(used)[1:]
    reduced = variance[np.ix_(keep, keep)]
    rhs = diff[keep]
    try:
        solution = np.linalg.solve(reduced, rhs)
    except np.linalg.LinAlgError:
        # A group with expected > 0 but no variance (every event time it shares has all
        # at risk failing): R's solve() stops; its generalized inverse on the kept groups
        # is the least-squares solution.
        solution = np.linalg.lstsq(reduced, rhs, rcond=None)[0]
    return float(rhs @ solution)


def logrank(time: ArrayLike, event: ArrayLike, group: Sequence[object] | ArrayLike) -> LogRank:
    """Log-rank test for two or more groups.

    Returns
    -------
    LogRank
        Matches R ``survdiff(Surv(time, event) ~ group)``: observed and expected events per
        group (groups in sorted order), the chi-square statistic from the hypergeometric
        variance matrix, and df = number of groups with expected events > 0, minus 1.
    """
    t, e = _as_arrays(time, event)
    labels = np.asarray([str(g) for g in np.asarray(group, dtype=object)])
    if labels.shape != t.shape:
        raise ValueError("group must have one entry per patient")
    groups, gindex = np.unique(labels, return_inverse=True)
    times, tindex = np.unique(t, return_inverse=True)
    k, m = groups.size, times.size
    events = np.zeros((m, k))
    leaving = np.zeros((m, k))
    np.add.at(events, (tindex, gindex), e.astype(float))
    np.add.at(leaving, (tindex, gindex), 1.0)
    at_risk = leaving[::-1].cumsum(axis=0)[::-1]
    n_t = at_risk.sum(axis=1)
    d_t = events.sum(axis=1)
    expected = (at_risk * (d_t / n_t)[:, None]).sum(axis=0)
    observed = events.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(n_t > 1, d_t * (n_t - d_t) / (n_t - 1), 0.0) / n_t
    share = at_risk / n_t[:, None]
    variance = np.diag((factor[:, None] * at_risk).sum(axis=0)) - (
        (factor[:, None] * at_risk).T @ share
    )
    df = int((expected > 0).sum() - 1)
    chisq = _logrank_chisq(observed - expected, variance, expected > 0) if df > 0 else 0.0
    # chdtrc: stats.chi2.sf's ufunc, without the wrapper's argument handling (see
    # analytics.stats.levels.normal_quantile); it gives NaN, not 1, below 0, where a statistic
    # of 0 can round to.
    p = float(special.chdtrc(df, max(chisq, 0.0))) if df > 0 else float("nan")
    return LogRank(
        chisq=chisq,
        df=df,
        p=p,
        groups=tuple(groups.tolist()),
        observed=tuple(observed.tolist()),
        expected=tuple(expected.tolist()),
    )


def median_followup(time: ArrayLike, event: ArrayLike, conf_level: float = 0.95) -> KaplanMeier:
    """Reverse Kaplan–Meier: censoring is the "event", so its median is the median follow-up.

    This is the usual estimator of potential follow-up (Schemper & Smith 1996), unlike the
    plain median of observed times, which failures shorten.
    """
    t, e = _as_arrays(time, event)
    return kaplan_meier(t, ~e, label="reverse KM (follow-up)", conf_level=conf_level)
