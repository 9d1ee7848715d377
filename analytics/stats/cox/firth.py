"""Firth-penalized Cox regression (Heinze & Schemper 2001), vectorised.

Maximises the penalized partial log-likelihood ``pl(b) = l(b) + 0.5 * log det I(b)``
(Jeffreys' prior), which stays finite under separation (a group with no failures), where
the ordinary Cox estimate runs to infinity. It follows R ``coxphf`` (``pl = TRUE``):

* Breslow ties, coxphf's only option: every one of ``d`` tied failures sees the whole
  risk set.
* Newton-Raphson on the modified score ``U*_j = U_j + 0.5 tr(I^-1 dI/db_j)`` with the
  unpenalized information ``I`` standing in for the Hessian (coxphf), here plus a secant
  estimate of the penalty's curvature so the last digits come superlinearly; step
  halving when the penalized likelihood drops, the step capped (coxphf's ``maxstep``).
  Same fixed point ``U* = 0``, only fewer iterations.
* Wald SE from ``I(b_hat)^-1``; penalized likelihood-ratio p per term (refit with
  ``b_j = 0``, the other terms free); profile penalized-likelihood confidence limits.

The risk-set sums come from cumulative sums over time-sorted rows (as in
:mod:`analytics.stats.cox.engine`), so one evaluation is a handful of numpy passes at any cohort
size. Profile limits: Newton on the signed root of the profile drop, re-maximising the
other terms at each point (warm-started along the ridge) -- R's ``uniroot`` on the
profile, in fewer evaluations.

The third-order sums ``S3`` enter the modified score only contracted with ``I^-1``;
contracting per row first (``h_i = x_i' I^-1 x_i``) turns the ``n x p x p x p`` tensor
into ``p + 1`` extra risk-set sums.

Why not ``firthmodels.FirthCoxPH`` at run time (measured 2026-12-02, firthmodels 0.8.2, numpy
backend as numba is not installed; fit + penalized LR tests + profile limits of lesions and
age on the demo's default view and its scaled copies, medians of interleaved runs on the
shared 2-core machine under load):

* Speed: n = 54: 82 ms here, 364 ms firthmodels at its defaults (4.5x), 639 ms at the
  tolerances it needs to match R (7.8x); n = 10 000: 116 / 550 (4.7x) / 1298 ms (11x);
  n = 100 000: 641 / 1953 (3.0x) / 36 936 ms (58x), and there its lower profile limit did
  not converge in 200 iterations (NaN and a ConvergenceWarning).
* Correctness: at its defaults (gtol 1e-4) its profile limits on R's separated
  one-covariate fixture are off by 2.9e-5 and 7.9e-6 (relative, HR scale), beyond the
  1e-6 the R tests ask; at gtol 1e-7 / xtol 1e-9 it meets them, as this module does (the
  largest deviation of either from R, 8e-8, is a coefficient both put at the same value).
  It stays the test oracle (tests/analytics/test_firth.py).
* Control: this module checks the request's time and memory budget (analytics.budget) at
  every evaluation; a library call cannot be stopped midway.
* Licence and weight: MIT like us, but "Beta" and it brings scikit-learn (33 MB, joblib,
  threadpoolctl) into the image for its estimator base class.
* Maintenance: this file is ~420 lines, checked against R, first principles and firthmodels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats
from scipy.linalg import lapack

from analytics.budget import check_deadline, check_memory
from i18n.language import Message

Array = NDArray[np.float64]

MAX_ITER = 100
MAX_HALVINGS = 30
# firthmodels' max_step (coxphf's maxstep is 0.5): large enough to reach a separated
# estimate in a few steps, small enough that exp(eta) stays in range.
MAX_STEP = 5.0
# Newton steps (relative to max(1, |b|)) below which a fit or a profile limit is settled.
# Far below the 1e-6 the R comparisons need, and cheap: a few more iterations at most.
STEP_TOLERANCE = 1e-10
# Rounding noise in a large log-likelihood must not count as a decrease (coxfit's rule).
LOGLIK_TOLERANCE = 1e-12
# A profile point is settled when the Newton step would raise pl by less than this
# (relative): its value is then exact to about that, far below what the limits need.
GAIN_TOLERANCE = 1e-13
# 1 - R^2 of a covariate on the others, in the information metric, below which the
# covariates are treated as collinear: no finite penalized estimate separates them.
COLLINEAR = 1e-10
MAX_BOUND_ITER = 60
# A profile limit is settled when its Newton correction is below this (relative): Newton
# converges quadratically, so the corrected value is off by about its square (~1e-10).
BOUND_TOLERANCE = 1e-5


@dataclass(frozen=True)
class FirthFit:
    """A Firth-penalized Cox fit with per-term inference.

    ``loglik`` and ``loglik_null`` are penalized log-likelihoods at ``beta`` and at 0;
    ``lr_chisq[j]`` is ``2 * (loglik - max pl with b_j = 0)``, ``p[j]`` its chi-square(1)
    tail. A profile limit that could not be found is NaN and named in ``notes``.
    """

    beta: Array
    se: Array
    ci_low: Array
    ci_high: Array
    lr_chisq: Array
    p: Array
    loglik: float
    loglik_null: float
    iterations: int
    converged: bool
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _State:
    """Penalized log-likelihood, modified score, information and its inverse at one ``b``."""

    loglik: float
    score: Array
    information: Array
    covariance: Array


class _Penalized:
    """The data, sorted once by decreasing time, and ``pl`` as a function of ``b``.

    Sorted that way, the risk set of each failure time (everyone still followed) is a
    prefix of the rows: the rows are summed in segments between successive failure times
    (``reduceat``, cheaper than a cumulative sum over every row) and the segment sums
    accumulated. Arrays are stored one covariate per row so each pass is contiguous.
    """

    def __init__(self, time: Array, event: Array, x: Array) -> None:
        order = np.argsort(-time, kind="stable")
        time, failed = time[order], event[order] == 1
        # Failure times from the last to the first: risk sets grow along the rows.
        failure_times = np.unique(time[failed])[::-1]
        # Row just past each failure time's risk set; rows past the last one are never at
        # risk at a failure and are dropped.
        ends = time.size - np.searchsorted(time[::-1], failure_times, side="left")
        self.starts = np.concatenate(([0], ends[:-1]))
        rows = slice(0, int(ends[-1]))
        # Centring changes neither l, I nor the penalty; it keeps exp(eta) in range.
        xt = (x[order] - x.mean(axis=0)).T[:, rows]
        p = xt.shape[0]
        # The moments and, at each evaluation, their product with the risk and its sums.
        check_memory(3 * (1 + p + p * p) * xt.shape[1], "Firth model")
        which = np.searchsorted(-failure_times, -time[failed])
        self.deaths = np.bincount(which, minlength=failure_times.size).astype(float)
        self.dead_x = (x[order][failed] - x.mean(axis=0)).sum(axis=0)
        # Rows [1, x, x x'] per patient: times the risk, their risk-set sums are S0, S1, S2.
        outer = (xt[:, None, :] * xt[None, :, :]).reshape(p * p, -1)
        self.moments = np.ascontiguousarray(np.vstack((np.ones(xt.shape[1]), xt, outer)))
        self.xt = np.ascontiguousarray(xt)
        self.identity = np.eye(p)

    def _risk_set_sums(self, values: Array) -> Array:
        """Sums of each row of ``values`` over every failure time's risk set, (T, rows)."""
        segments = np.add.reduceat(values, self.starts, axis=1)
        sums: Array = segments.cumsum(axis=1).T
        return sums

    def evaluate(self, beta: Array) -> _State:
        """``pl(b)`` and ``U*(b)``; raises ``LinAlgError`` when ``I(b)`` is singular."""
        xt, deaths = self.xt, self.deaths
        p = xt.shape[0]
        # Every Firth iteration, profile point and refit comes through here.
        check_deadline()
        eta = beta @ xt
        shift = float(eta.max())  # a constant shift of eta cancels in every ratio below
        risk = np.exp(eta - shift)
        sums = self._risk_set_sums(self.moments * risk)
        s0 = sums[:, 0].copy()
        sums /= s0[:, None]
        mean = sums[:, 1 : p + 1]
        spread = sums[:, p + 1 :].reshape(-1, p, p)
        spread -= mean[:, :, None] * mean[:, None, :]  # risk-set covariance V_k
        information = (deaths @ spread.reshape(-1, p * p)).reshape(p, p)
        covariance, log_det = self._invert(information)
        loglik = float(self.dead_x @ beta - deaths @ np.log(s0) - deaths.sum() * shift)
        score = self.dead_x - deaths @ mean
        # 0.5 tr(J dI/db_t), J = I^-1, m_k = S1/S0, per failure time k:
        #   sum_rs J_rs S3_rst / S0 - (sum_rs J_rs S2_rs / S0) m_t - 2 (V_k J m_k)_t,
        # and sum_rs J_rs S3_rst = sum_i risk_i h_i x_it with h_i = x_i' J x_i.
        leverage = ((covariance @ xt) * xt).sum(axis=0)
        third = self._risk_set_sums(self.moments[: p + 1] * (risk * leverage)) / s0[:, None]
        trace = deaths @ third[:, 1:] - (deaths * third[:, 0]) @ mean
        trace -= 2.0 * deaths @ (spread @ (mean @ covariance)[:, :, None])[:, :, 0]
        return _State(
            loglik=loglik + 0.5 * log_det,
            score=score + 0.5 * trace,
            information=information,
            covariance=covariance,
        )

    def _invert(self, information: Array) -> tuple[Array, float]:
        """``I^-1`` and ``log det I`` by Cholesky; ``LinAlgError`` for collinear covariates.

        LAPACK directly: numpy's wrappers cost more than the p x p algebra itself.
        """
        lower, info = lapack.dpotrf(information, lower=1)
        pivots = lower.diagonal() ** 2
        if info != 0 or not (pivots > COLLINEAR * information.diagonal()).all():
            raise np.linalg.LinAlgError(
                Message("the covariates are collinear: the information matrix is singular")
            )
        inverse: Array = lapack.dpotrs(lower, self.identity, lower=1)[0]
        return inverse, float(np.log(pivots).sum())

    def try_evaluate(self, beta: Array) -> _State | None:
        """As :meth:`evaluate`, ``None`` where the likelihood is not finite (far out)."""
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                state = self.evaluate(beta)
        except np.linalg.LinAlgError:
            return None
        return state if math.isfinite(state.loglik) else None


def penalized_terms(time: Array, event: Array, x: Array, beta: Array) -> tuple[float, Array]:
    """Penalized log-likelihood and modified score at ``beta`` (Breslow ties, as coxphf).

    ``l(b) + 0.5 log det I(b)`` and its gradient ``U*(b)``; for checks and notebooks.
    """
    state = _Penalized(time, event, x).evaluate(np.asarray(beta, dtype=float))
    return state.loglik, state.score


def _settled(step: Array, beta: Array) -> bool:
    return bool((np.abs(step) <= STEP_TOLERANCE * np.maximum(1.0, np.abs(beta))).all())


def _newton_step(state: _State, curvature: Array, fixed: int | None) -> Array:
    """Solve ``(I + A) d = U*`` over the free terms (term ``fixed``, if any, stays put).

    ``A`` is the secant estimate of the penalty's curvature (see :func:`_secant`); when
    ``I + A`` is not positive definite the step falls back to coxphf's ``I^-1 U*``.
    """
    hessian = state.information + curvature
    score = state.score.copy()
    if fixed is not None:
        hessian[fixed, :] = 0.0
        hessian[:, fixed] = 0.0
        hessian[fixed, fixed] = 1.0
        score[fixed] = 0.0
    lower, info = lapack.dpotrf(hessian, lower=1)
    if info != 0:
        return _newton_step(state, np.zeros_like(curvature), fixed)
    step: Array = lapack.dpotrs(lower, score, lower=1)[0]
    return step


def _secant(curvature: Array, step: Array, old: _State, new: _State) -> Array:
    """Symmetric rank-one update of ``A`` so that ``(I + A) d`` matches the change in ``U*``.

    ``I`` is the exact curvature of ``l``; only the penalty's (which needs fourth-order
    sums) is learnt from the steps. Newton with ``I`` alone converges linearly (coxphf
    takes one iteration per digit or so); with ``A`` it is superlinear.
    """
    residual = old.score - new.score - (new.information + curvature) @ step
    scale = float(residual @ step)
    if scale * scale <= 1e-16 * float(residual @ residual) * float(step @ step):
        return curvature
    return curvature + np.outer(residual, residual) / scale


@dataclass(frozen=True)
class _Optimum:
    beta: Array
    state: _State
    curvature: Array
    iterations: int
    converged: bool


def _maximise(
    model: _Penalized, beta: Array, state: _State, curvature: Array, fixed: int | None = None
) -> _Optimum:
    """Newton-Raphson over the coefficients, term ``fixed`` (if any) held where it is.

    As coxphf: the step solves ``(I + A) d = U*`` (quasi-Newton, see :func:`_secant`),
    capped at ``MAX_STEP`` and halved until the penalized likelihood does not decrease.
    A fit is settled when the step is below ``STEP_TOLERANCE``; a profile point
    (``fixed`` set) when the remaining gain in ``pl`` is: only its value is used, and
    that is off by the square of the distance to the maximum.
    """
    for iteration in range(MAX_ITER):
        step = _newton_step(state, curvature, fixed)
        if fixed is None:
            settled = _settled(step, beta)
        else:
            settled = float(step @ state.score) <= GAIN_TOLERANCE * max(1.0, abs(state.loglik))
        if settled:
            return _Optimum(beta, state, curvature, iteration, True)
        step *= min(1.0, MAX_STEP / float(np.abs(step).max()))
        floor = state.loglik - LOGLIK_TOLERANCE * abs(state.loglik)
        for _ in range(MAX_HALVINGS):
            trial = model.try_evaluate(beta + step)
            if trial is not None and trial.loglik >= floor:
                break
            step = step / 2
        else:
            return _Optimum(beta, state, curvature, iteration, False)
        curvature = _secant(curvature, step, state, trial)
        beta, state = beta + step, trial
    return _Optimum(beta, state, curvature, MAX_ITER, False)


@dataclass
class _Profile:
    """The penalized likelihood maximised over the other terms with ``b_j`` held fixed.

    Its slope in ``b_j`` is ``U*_j`` at that maximum (the other scores are 0 there), so
    the profile limits can be found by a safeguarded Newton iteration, and each
    re-maximisation starts from the previous one moved along the fitted ridge.
    """

    model: _Penalized
    j: int
    last: _Optimum

    def at(self, value: float) -> tuple[float, float, bool]:
        """``(pl_j(value), slope, converged)``; ``-inf`` where ``pl`` is not finite."""
        j, last = self.j, self.last
        column = last.state.covariance[:, j]
        # Along the ridge of the previous point: d b_f / d b_j = -I_ff^-1 I_fj = J_fj / J_jj.
        start = last.beta + (value - last.beta[j]) * column / column[j]
        start[j] = value
        state = self.model.try_evaluate(start)
        if state is None:
            return -math.inf, 0.0, True
        self.last = _maximise(self.model, start, state, last.curvature, j)
        return self.last.state.loglik, float(self.last.state.score[j]), self.last.converged


def _next_guess(guess: float, inside: float, outside: float | None, start: float) -> float:
    """Keep the Newton guess in the bracket; before one is found, at most double out."""
    if outside is None:
        farthest = start + 2.0 * (inside - start)
        if (guess - inside) * (inside - start) <= 0 or abs(guess - start) > abs(farthest - start):
            return farthest
        return guess
    if min(inside, outside) < guess < max(inside, outside):
        return guess
    return 0.5 * (inside + outside)


def _limit(
    fit: _Optimum, model: _Penalized, j: int, side: float, crit: float
) -> tuple[float, bool]:
    """The ``b_j`` on ``side`` (-1 or +1) where the profile drops by ``crit / 2``.

    As coxphf's ``pl = TRUE`` (and R uniroot on the profile in make_reference.R):
    ``2 * (pl(b_hat) - pl_j(b_j)) = qchisq(level, 1)``. Solved for the signed root
    ``sqrt(2 (pl(b_hat) - pl_j))``, nearly linear in ``b_j`` even where the profile is
    skewed (separation), so Newton from the Wald limit needs two or three profile points.
    """
    state, profile = fit.state, _Profile(model, j, fit)
    start = inside = float(fit.beta[j])
    outside: float | None = None
    value = start + side * math.sqrt(crit * state.covariance[j, j])  # the Wald limit
    for _ in range(MAX_BOUND_ITER):
        height, slope, converged = profile.at(value)
        drop = 2.0 * (state.loglik - height)
        if drop < crit:
            inside = value
        else:
            outside = value
        newton = math.nan
        if math.isfinite(drop) and drop > 0 and slope != 0:
            # d sqrt(drop) / d b_j = -U*_j / sqrt(drop)
            newton = value + (math.sqrt(drop) - math.sqrt(crit)) * math.sqrt(drop) / slope
        tolerance = BOUND_TOLERANCE * max(1.0, abs(value))
        if abs(newton - value) <= tolerance:
            return newton, converged
        if outside is not None and abs(outside - inside) <= STEP_TOLERANCE * max(1.0, abs(value)):
            return 0.5 * (inside + outside), converged
        value = _next_guess(newton if math.isfinite(newton) else math.inf, inside, outside, start)
    return math.nan, False


def _lr_test(fit: _Optimum, model: _Penalized, j: int) -> tuple[float, bool]:
    """Penalized LR statistic for ``b_j = 0`` (coxphf's and firthmodels' ``lrt``)."""
    height, _, converged = _Profile(model, j, fit).at(0.0)
    return max(2.0 * (fit.state.loglik - height), 0.0), converged


def fit_firth(time: Array, event: Array, x: Array, *, conf_level: float = 0.95) -> FirthFit:
    """Firth-penalized Cox regression, as R ``coxphf(..., pl = TRUE)``.

    Parameters
    ----------
    time, event : array
        Follow-up time and the 0/1 failure indicator (at least one failure).
    x : array, shape (n, p)
        Covariates; ``p`` up to a handful (the report fits one to a few terms).
    conf_level : float
        Level of the profile penalized-likelihood confidence limits.

    Returns
    -------
    FirthFit
        Coefficients, Wald SE from the unpenalized information at the estimate (coxphf's
        ``var``, firthmodels' ``bse_``), profile limits, penalized LR tests.

    Raises
    ------
    numpy.linalg.LinAlgError
        Collinear covariates: the information is singular, penalty or not.

    Examples
    --------
    >>> t = np.array([5.0, 8, 12, 20, 30, 35, 40, 50])
    >>> fit = fit_firth(t, np.array([1.0, 1, 1, 0, 0, 0, 0, 0]),
    ...                 np.array([[1.0], [1], [1], [1], [0], [0], [0], [0]]))
    >>> bool(np.isfinite(fit.beta[0]) and fit.ci_low[0] < fit.beta[0] < fit.ci_high[0])
    True
    """
    model = _Penalized(time, event, x)
    p = x.shape[1]
    start = np.zeros(p)
    null_state = model.evaluate(start)  # raises for collinear covariates
    fit = _maximise(model, start, null_state, np.zeros((p, p)))
    notes = [] if fit.converged else [Message("the penalized likelihood did not converge")]
    crit = float(stats.chi2.ppf(conf_level, 1))
    limits = np.full((p, 2), math.nan)
    lr_chisq = np.full(p, math.nan)
    for j in range(p):
        lr_chisq[j], ok = _lr_test(fit, model, j)
        if not ok:
            notes.append(
                Message(
                    "the likelihood-ratio refit without term {term} did not converge", term=j + 1
                )
            )
        for column, side in enumerate((-1.0, 1.0)):
            limits[j, column], ok = _limit(fit, model, j, side, crit)
            if not ok:
                which = "lower" if side < 0 else "upper"
                notes.append(
                    Message(
                        "the {side} profile limit of term {term} was not found",
                        side=which,
                        term=j + 1,
                    )
                )
    return FirthFit(
        beta=fit.beta,
        se=np.sqrt(np.diag(fit.state.covariance)),
        ci_low=limits[:, 0],
        ci_high=limits[:, 1],
        lr_chisq=lr_chisq,
        p=np.asarray(stats.chi2.sf(lr_chisq, 1), dtype=float),
        loglik=fit.state.loglik,
        loglik_null=null_state.loglik,
        iterations=fit.iterations,
        converged=fit.converged,
        notes=tuple(notes),
    )
