"""Test of the proportional-hazards assumption, as R ``survival::cox.zph`` (survival >= 3).

Since survival 3.0, ``cox.zph`` is a score test: for each term it asks whether adding
``g(t) * x`` (``g`` a transform of time, centred over the event times) to the fitted Cox
model would improve it, using the full ``2p x 2p`` information matrix of the model with
``(x, g(t) x)`` evaluated at the fitted ``beta`` (and 0 for the new coefficients). The
older approximation from scaled Schoenfeld residuals (survival < 3, lifelines'
``proportional_hazard_test``) gives different numbers and is not used.

The Efron score and information are computed here directly, following the C routine
``zph1.c`` of the survival package, and the Cox model itself is fitted by the same code
(Newton-Raphson with step halving, like ``coxph``), so that ``beta`` and the test share one
likelihood and match R to many significant digits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from analytics.design import DesignColumn, design_matrix
from analytics.jsonsafe import json_dict

TRANSFORMS = ("km", "identity", "rank", "log")

# coxph's defaults are iter.max = 20, eps = 1e-9; a tighter tolerance costs nothing here.
_MAX_ITER = 30
_TOLERANCE = 1e-12
_R_EPS = 1e-9  # coxph.control(eps); toler.inf = sqrt(eps)

Array = NDArray[np.float64]


@dataclass(frozen=True)
class ZphRow:
    """One line of the ``cox.zph`` table: a model term (all its levels) or ``GLOBAL``."""

    term: str
    chisq: float
    df: int
    p: float


@dataclass(frozen=True)
class ZphResult:
    """Score tests of proportional hazards per term and overall (row ``GLOBAL``, last)."""

    rows: tuple[ZphRow, ...]
    transform: str
    n: int
    events: int
    coefficients: tuple[float, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def row(self, term: str) -> ZphRow:
        """The row of ``term`` (a covariate name, or ``"GLOBAL"``)."""
        for row in self.rows:
            if row.term == term:
                return row
        raise KeyError(f"no term {term!r}; terms are {[r.term for r in self.rows]}")

    def violations(self, alpha: float = 0.05) -> tuple[str, ...]:
        """Covariates whose test rejects proportional hazards at level ``alpha``."""
        return tuple(r.term for r in self.rows if r.term != "GLOBAL" and r.p < alpha)

    def to_dict(self) -> dict[str, object]:
        result: dict[str, object] = json_dict(asdict(self))
        return result


@dataclass(frozen=True)
class _Efron:
    """Efron log-likelihood, score and information; with time weights, the 2p system."""

    loglik: float
    score: Array  # length 2p: (U for x, U for g(t) x)
    information: Array  # 2p x 2p


def _efron(time: Array, event: Array, x: Array, beta: Array, gtime: Array) -> _Efron:
    """Accumulate over distinct event times, as ``zph1.c`` (unit case weights).

    With ``d`` tied deaths at ``t``, Efron's approximation removes the dying patients'
    risk in steps of ``1/d``: step ``k`` uses the risk set sums minus ``k/d`` of the
    deaths' sums. ``gtime`` (one value per row) weights each event time's contribution to
    the ``g(t) x`` part.
    """
    p = x.shape[1]
    eta = x @ beta
    risk = np.exp(eta)
    loglik = 0.0
    score = np.zeros(2 * p)
    info = np.zeros((2 * p, 2 * p))
    for t in np.unique(time[event == 1]):
        at_risk = time >= t
        dying = at_risk & (time == t) & (event == 1)
        d = int(dying.sum())
        g = float(gtime[dying][0])
        weighted = risk[at_risk, None] * x[at_risk]
        s0, s1, s2 = risk[at_risk].sum(), weighted.sum(0), weighted.T @ x[at_risk]
        dweighted = risk[dying, None] * x[dying]
        d0, d1, d2 = risk[dying].sum(), dweighted.sum(0), dweighted.T @ x[dying]
        u_t = x[dying].sum(0)
        i_t = np.zeros((p, p))
        loglik += float(eta[dying].sum())
        for k in range(d):
            frac = k / d
            denom = s0 - frac * d0
            mean = (s1 - frac * d1) / denom
            loglik -= float(np.log(denom))
            u_t = u_t - mean
            i_t += (s2 - frac * d2) / denom - np.outer(mean, mean)
        score[:p] += u_t
        score[p:] += g * u_t
        info[:p, :p] += i_t
        info[:p, p:] += g * i_t
        info[p:, p:] += g * g * i_t
    info[p:, :p] = info[:p, p:].T
    return _Efron(loglik, score, info)


def _fit_cox(time: Array, event: Array, x: Array) -> tuple[Array, bool]:
    """Efron Cox MLE by Newton-Raphson with step halving (R ``coxph.fit``'s algorithm)."""
    p = x.shape[1]
    zeros = np.zeros(time.size)
    beta = np.zeros(p)
    current = _efron(time, event, x, beta, zeros)
    for _ in range(_MAX_ITER):
        step = np.linalg.solve(current.information[:p, :p], current.score[:p])
        halvings = 0
        # With separation a full Newton step can overflow exp(x beta); the log-likelihood is
        # then not finite and the step is halved, as coxph.fit does, so the overflow is moot.
        with np.errstate(over="ignore", invalid="ignore"):
            trial_beta = beta + step
            trial = _efron(time, event, x, trial_beta, zeros)
            while not trial.loglik >= current.loglik and halvings < 30:
                step = step / 2
                trial_beta = beta + step
                trial = _efron(time, event, x, trial_beta, zeros)
                halvings += 1
        converged = abs(trial.loglik - current.loglik) <= _TOLERANCE * abs(current.loglik)
        beta, current = trial_beta, trial
        if converged:
            return beta, not _diverging(current, beta, p)
    return beta, False


def _diverging(at_fit: _Efron, beta: Array, p: int) -> bool:
    """R ``coxph.fit``'s "coefficient may be infinite" check (monotone likelihood).

    The log-likelihood can converge while a coefficient keeps growing; then the Newton
    step ``I^-1 U`` is still large compared to the coefficient.
    """
    step = np.abs(np.linalg.solve(at_fit.information[:p, :p], at_fit.score[:p]))
    return bool(np.any((step > _R_EPS) & (step > np.sqrt(_R_EPS) * np.abs(beta))))


def _transform_times(time: Array, event: Array, transform: str) -> Array:
    """``g(t)`` before centring, as in ``cox.zph``'s ``switch(transform, ...)``."""
    if transform == "identity":
        return time.copy()
    if transform == "log":
        return np.log(time)
    if transform == "rank":
        return np.asarray(stats.rankdata(time), dtype=float)  # R rank(): ties get the average
    # "km": 1 - S(t-), the Kaplan-Meier of all rows just before t (R findInterval with
    # left.open = TRUE on survfitKM's time points).
    distinct = np.unique(time)
    at_risk = np.array([(time >= t).sum() for t in distinct], dtype=float)
    deaths = np.array([((time == t) & (event == 1)).sum() for t in distinct], dtype=float)
    surv = np.cumprod(1.0 - deaths / at_risk)
    before = np.concatenate(([1.0], surv))[np.searchsorted(distinct, time, side="left")]
    return np.asarray(1.0 - before, dtype=float)


def _score_test(info: Array, score: Array, columns: Sequence[int], p: int) -> float:
    """``u' I^-1 u`` on the rows of beta plus the tested ``g(t) x`` columns."""
    keep = [*range(p), *(p + j for j in columns)]
    u = np.concatenate((np.zeros(p), score[[p + j for j in columns]]))
    sub = info[np.ix_(keep, keep)]
    return float(u @ np.linalg.solve(sub, u))


def cox_zph(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    *,
    time_col: str,
    event_col: str,
    categorical: Mapping[str, str] | None = None,
    transform: str = "km",
) -> ZphResult:
    """Test proportional hazards for each covariate and globally, as R ``cox.zph``.

    Parameters
    ----------
    frame : DataFrame
        One row per patient.
    covariates : sequence of str
        Covariates of the Cox model, coded as :func:`analytics.hazards.cox_model` codes them
        (text columns and those in ``categorical`` are categorical; rows with a missing
        covariate are left out).
    time_col, event_col : str
        Follow-up time and the 0/1 event indicator.
    categorical : mapping, optional
        Column -> reference level (the test of a categorical term does not depend on it).
    transform : {"km", "identity", "rank", "log"}
        The time transform ``g(t)``; ``"km"`` (1 minus the Kaplan-Meier just before ``t``)
        is R's default.

    Returns
    -------
    ZphResult
        One row per covariate (a categorical covariate is one row with ``df`` = levels - 1)
        and a ``GLOBAL`` row, each with the score chi-square, df and p, equal to R
        ``cox.zph(coxph(Surv(time, event) ~ ..., ties = "efron"), transform = "km")``
        (survival >= 3). A small p means the hazard ratio changes over time.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"t": [5, 8, 3, 9, 12, 4, 7, 10], "e": [1, 1, 0, 1, 0, 1, 1, 0],
    ...                       "x": [1, 0, 1, 0, 0, 1, 1, 0]})
    >>> result = cox_zph(frame, ["x"], time_col="t", event_col="e")
    >>> [row.term for row in result.rows]
    ['x', 'GLOBAL']
    """
    if transform not in TRANSFORMS:
        raise ValueError(f"transform must be one of {', '.join(TRANSFORMS)}, not {transform!r}")
    design = design_matrix(frame, covariates, categorical=categorical)
    rows = frame.loc[design.kept]
    time = rows[time_col].to_numpy(dtype=float)
    event = rows[event_col].to_numpy(dtype=float)
    n, events = int(time.size), int(event.sum())
    notes = list(design.notes)
    if events == 0 or not design.columns:
        reason = "no failures" if events == 0 else "no covariate varies"
        notes.append(f"Proportional-hazards test not possible: {reason}.")
        return ZphResult((), transform, n, events, (), tuple(notes))
    # Centring changes neither the score nor the information; it keeps exp() in range.
    x = design.matrix - design.matrix.mean(axis=0)
    p = x.shape[1]
    try:
        beta, converged = _fit_cox(time, event, x)
        ttimes = _transform_times(time, event, transform)
        gtime = ttimes - ttimes[event == 1].mean()
        # A diverging beta (separation, flagged below) can overflow exp(x beta); the test is
        # then NaN and reported as not computable rather than raising.
        with np.errstate(over="ignore", invalid="ignore"):
            efron = _efron(time, event, x, beta, gtime)
        tests = _term_tests(design.columns, efron, p)
    except np.linalg.LinAlgError:
        notes.append("Proportional-hazards test not possible: the information matrix is singular.")
        return ZphResult((), transform, n, events, (), tuple(notes))
    if not converged:
        notes.append(
            "The Cox model did not converge (a hazard ratio may be infinite); "
            "the proportional-hazards test is unreliable."
        )
    return ZphResult(tests, transform, n, events, tuple(float(b) for b in beta), tuple(notes))


def _term_tests(columns: Sequence[DesignColumn], efron: _Efron, p: int) -> tuple[ZphRow, ...]:
    """One row per covariate (its design columns together), then GLOBAL."""
    groups: dict[str, list[int]] = {}
    for j, column in enumerate(columns):
        groups.setdefault(column.covariate, []).append(j)
    rows = []
    for term, indices in [*groups.items(), ("GLOBAL", list(range(p)))]:
        chisq = _score_test(efron.information, efron.score, indices, p)
        df = len(indices)
        rows.append(ZphRow(term, chisq, df, float(stats.chi2.sf(chisq, df))))
    return tuple(rows)
