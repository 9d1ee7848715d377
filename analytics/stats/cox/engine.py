"""Vectorised Efron partial likelihood, Newton-Raphson fit and Harrell's concordance.

One engine for every Cox model the report fits (standard, time-dependent, landmark, the
proportional-hazards test, Andersen–Gill with its cluster-robust variance). It follows R
``coxph.fit`` / ``agreg.fit``: Efron ties, Newton-Raphson with step halving, the same
"coefficient may be infinite" check. Unlike a loop over event times (R's C code, or
lifelines' Python loop), the risk-set sums come from cumulative sums over the time-sorted
rows, so a fit costs a few sorted passes of numpy at any cohort size (the report must stay
interactive on 100 000 patients).

Counting-process rows (``entry`` < ``stop``) are at risk at ``t`` when
``entry < t <= stop``, as ``Surv(tstart, tstop, event)``: their sums are those of rows with
``stop >= t`` minus those with ``entry >= t``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analytics.budget import check_deadline, check_memory

Array = NDArray[np.float64]

# coxph.control: eps = 1e-9, toler.inf = sqrt(eps). The fit itself runs tighter (1e-12 on
# the relative log-likelihood change): it costs one iteration and removes R's own
# convergence error from comparisons (tests/reference agree to < 1e-6).
MAX_ITER = 30
TOLERANCE = 1e-12
R_EPS = 1e-9
MAX_HALVINGS = 30
STEP_TOLERANCE = 1e-9
# Up to this many (failure, patient) pairs, concordance counts the pairs directly: a few
# numpy passes instead of the dyadic blocks' ~10 per level, which dominate at n = 54.
PAIRWISE_LIMIT = 1 << 18
# When the risk score takes few values (a model of one or two categorical covariates, the
# report's default lesion models), counts per value over each suffix of rows are a running
# histogram: two numpy passes instead of the dyadic blocks. Used up to this many cells.
HISTOGRAM_LIMIT = 1 << 22


@dataclass(frozen=True)
class EventTimeTerms:
    """Efron log-likelihood and, per distinct event time, the score and information pieces.

    ``score_at[k]`` and ``information_at[k]`` are the contributions of event time ``k``;
    summed they give the score vector and information matrix. Kept apart because
    ``cox.zph`` weights each event time by a transform of time.
    """

    loglik: float
    score_at: Array  # (T, p)
    information_at: Array  # (T, p, p)
    event_times: Array  # (T,)

    @property
    def score(self) -> Array:
        return np.asarray(self.score_at.sum(axis=0), dtype=float)

    @property
    def information(self) -> Array:
        return np.asarray(self.information_at.sum(axis=0), dtype=float)


@dataclass(frozen=True)
class CoxFit:
    """The maximum partial likelihood estimate and what the report needs from it."""

    beta: Array
    covariance: Array
    loglik: float
    loglik_null: float
    iterations: int
    converged: bool
    infinite: bool  # R's "Loglik converged before variable ...; coefficient may be infinite"
    # The cluster-robust (sandwich) variance when clusters were given (R ``cluster(id)``).
    robust_covariance: Array | None = None


class _Layout:
    """Sort order and event-time bookkeeping that do not change between iterations."""

    def __init__(self, stop: Array, event: Array, entry: Array | None) -> None:
        self.stop_order = np.argsort(stop, kind="stable")
        stop_sorted = stop[self.stop_order]
        is_event = event == 1
        self.event_times = np.unique(stop[is_event])
        # Rows with stop >= t are the suffix from this index of the stop-sorted rows.
        self.stop_from = np.searchsorted(stop_sorted, self.event_times, side="left")
        if entry is None:
            self.entry_order: NDArray[np.intp] | None = None
            self.entry_from: NDArray[np.intp] | None = None
        else:
            self.entry_order = np.argsort(entry, kind="stable")
            entry_sorted = entry[self.entry_order]
            self.entry_from = np.searchsorted(entry_sorted, self.event_times, side="left")
        self.dying = np.flatnonzero(is_event)
        # Which event time each dying row belongs to, dying rows grouped by event time.
        where = np.searchsorted(self.event_times, stop[self.dying])
        order = np.argsort(where, kind="stable")
        self.dying = self.dying[order]
        self.dying_time = where[order]
        self.deaths = np.bincount(self.dying_time, minlength=self.event_times.size)
        self.group_start = np.concatenate(([0], np.cumsum(self.deaths)[:-1]))
        # Efron: the k-th of d tied deaths sees the risk set minus k/d of the dying.
        self.fraction = (
            np.arange(self.dying.size) - self.group_start[self.dying_time]
        ) / self.deaths[self.dying_time]
        # The suffix sums accumulate from the last sorted row: along the reversed order, the
        # rows with stop >= t are the first n - stop_from, never none (the dying row itself
        # is one), so each event time's risk set sum is entry n - 1 - stop_from of the running
        # sums. Entries may leave no row (entry >= t for nobody): those sums start with a 0.
        n = stop.size
        self.stop_backwards = self.stop_order[::-1].copy()
        self.stop_row = n - 1 - self.stop_from
        if self.entry_order is not None and self.entry_from is not None:
            self.entry_backwards: NDArray[np.intp] | None = self.entry_order[::-1].copy()
            # Index -1 (no entry >= t) reads the grand total; those sums are set to 0 after.
            self.entry_row: NDArray[np.intp] | None = n - 1 - self.entry_from
            self.entry_none: NDArray[np.bool_] | None = self.entry_from == n
        else:
            self.entry_backwards = self.entry_row = self.entry_none = None
        self._buffers: dict[tuple[str, tuple[int, ...]], Array] = {}

    def buffer(self, name: str, shape: tuple[int, ...]) -> Array:
        """A work array kept across a fit's iterations.

        Allocated once: on registry-sized data, fresh multi-megabyte temporaries on every
        iteration cost more in page faults than the sums computed in them.
        """
        key = (name, shape)
        if key not in self._buffers:
            self._buffers[key] = np.empty(shape)
        return self._buffers[key]


def _risk_set_sums(values: Array, layout: _Layout) -> Array:
    """Sums of each row of ``values`` (k, n) over the risk set of each event time.

    The same running sums, in the same order, as a reversed cumulative sum read at each
    event time, in three numpy calls instead of seven (see ``_Layout``). One quantity per
    row keeps each running sum contiguous, and ``take`` gathers several times faster than
    fancy indexing on registry-sized arrays.
    """
    running = layout.buffer("running", values.shape)
    np.take(values, layout.stop_backwards, axis=1, out=running)
    sums: Array = np.cumsum(running, axis=1, out=running).take(layout.stop_row, axis=1)
    if layout.entry_backwards is not None and layout.entry_row is not None:
        np.take(values, layout.entry_backwards, axis=1, out=running)
        entered = np.cumsum(running, axis=1, out=running).take(layout.entry_row, axis=1)
        entered[:, layout.entry_none] = 0.0
        sums -= entered
    return sums


def _group_sums(values: Array, layout: _Layout) -> Array:
    """Sum of per-death ``values`` within each event time (deaths are grouped)."""
    sums: Array = np.add.reduceat(values, layout.group_start, axis=0)
    return sums


def _per_death_sums(moments: Array, layout: _Layout) -> Array:
    """Efron's risk-set sums of each row of ``moments`` (k, n), one row per death.

    Risk set and dying sums per event time, then per death: S - k/d of the dying's sums
    for the k-th of d tied deaths (Efron).
    """
    dead = np.add.reduceat(moments.take(layout.dying, axis=1), layout.group_start, axis=1)
    at = np.concatenate((_risk_set_sums(moments, layout), dead)).take(layout.dying_time, axis=1)
    k = moments.shape[0]
    return np.ascontiguousarray((at[:k] - layout.fraction * at[k:]).T)


def _shifted_risk(x: Array, beta: Array) -> tuple[Array, float, Array]:
    """``eta = x beta``, its maximum and ``exp(eta - max)``: shifting eta by a constant leaves
    the partial likelihood, score and residuals unchanged; it keeps exp() finite when a
    coefficient diverges (separation)."""
    eta = x @ beta
    shift = float(eta.max()) if eta.size else 0.0
    return eta, shift, np.exp(eta - shift)


def _efron_terms(x: Array, beta: Array, layout: _Layout) -> EventTimeTerms:
    eta, shift, risk = _shifted_risk(x, beta)
    # Rows [risk, risk x', risk x x'] stacked, so that one pass of each kind gives S0, S1 and
    # S2 together: at n = 54 a fit is mostly numpy call overhead, paid per pass. Each row's
    # sums are the ones summed separately before (same values, same order).
    n, p = x.shape
    columns = x.T
    # The moments, their risk-set sums and the dying rows' copies: about four (1+p+p^2) x n
    # arrays, gigabytes for a many-level covariate on a large cohort.
    check_memory(4 * (1 + p + p * p) * n, "Cox model")
    check_deadline()
    moments = layout.buffer("moments", (1 + p + p * p, n))
    moments[0] = risk
    weighted = moments[1 : p + 1]
    np.multiply(risk, columns, out=weighted)
    np.multiply(weighted[:, None, :], columns[None, :, :], out=moments[p + 1 :].reshape(p, p, n))
    dying = layout.dying
    efron = _per_death_sums(moments, layout)
    denom = efron[:, 0]
    # [S1, S2] / denom in one pass: mean and second moment per dying row.
    scaled = efron[:, 1:] / denom[:, None]
    mean = scaled[:, :p]
    info_each = scaled[:, p:].reshape(-1, p, p) - mean[:, :, None] * mean[:, None, :]
    loglik = float((eta.take(dying) - shift).sum() - np.log(denom).sum())
    score_at = _group_sums(x.take(dying, axis=0) - mean, layout)
    information_at = _group_sums(info_each, layout)
    return EventTimeTerms(loglik, score_at, information_at, layout.event_times)


def efron_terms(
    stop: Array, event: Array, x: Array, beta: Array, entry: Array | None = None
) -> EventTimeTerms:
    """Efron log-likelihood, score and information at ``beta`` (R ``coxph``'s ``ties='efron'``).

    Parameters
    ----------
    stop, event : array
        End of each row's at-risk interval and its 0/1 event indicator.
    x : array, shape (n, p)
        Covariates (centring them changes nothing but keeps ``exp`` in range).
    beta : array, shape (p,)
    entry : array, optional
        Start of each row's interval (``Surv(tstart, tstop, event)``); 0 when omitted.
    """
    return _efron_terms(x, beta, _Layout(stop, event, entry))


def _score_residuals(
    x: Array, beta: Array, stop: Array, entry: Array | None, layout: _Layout
) -> Array:
    """Each row's share of the score at ``beta`` (R ``residuals(fit, type = "score")``, Efron).

    Row ``i``'s share is, over the event times ``t`` at which it dies, ``x_i`` minus the mean
    over the Efron steps ``k`` of ``xbar_k``; less, over the event times at which it is at
    risk, ``w_i sum_k c_ik (x_i - xbar_k) / a0_k``, with ``c_ik = 1 - k/d`` when it is one of
    the ``d`` deaths at ``t`` and 1 otherwise. The at-risk part is a difference of running
    sums over event times, read at each row's entry and stop, so no risk set is walked.
    """
    _, _, risk = _shifted_risk(x, beta)
    n, p = x.shape
    moments = np.empty((1 + p, n))
    moments[0] = risk
    np.multiply(risk, x.T, out=moments[1:])
    efron = _per_death_sums(moments, layout)
    inverse = 1.0 / efron[:, 0]
    mean = efron[:, 1:] * inverse[:, None]
    tied = layout.fraction * inverse
    # Per event time: sum_k 1/a0_k and sum_k xbar_k/a0_k (every row at risk), the same
    # weighted by k/d (what a dying row does not carry), and sum_k xbar_k.
    per_time = _group_sums(
        np.column_stack((inverse, mean * inverse[:, None], tied, mean * tied[:, None], mean)),
        layout,
    )
    running = np.concatenate((np.zeros((1, 1 + p)), np.cumsum(per_time[:, : 1 + p], axis=0)))
    upto = np.searchsorted(layout.event_times, stop, side="right")
    at_risk = running[upto]
    if entry is not None:
        at_risk -= running[np.searchsorted(layout.event_times, entry, side="right")]
    residuals: Array = -risk[:, None] * (x * at_risk[:, :1] - at_risk[:, 1:])
    dying, when = layout.dying, layout.dying_time
    unshared = per_time[when, 1 + p][:, None] * x[dying] - per_time[when, 2 + p : 2 + 2 * p]
    residuals[dying] += (
        x[dying]
        - per_time[when, 2 + 2 * p :] / layout.deaths[when][:, None]
        + risk[dying, None] * unshared
    )
    return residuals


def _robust_covariance(residuals: Array, covariance: Array, cluster: NDArray[Any]) -> Array:
    """``D'D``, ``D`` the rows' dfbeta (score residuals times the variance) per cluster."""
    _, groups = np.unique(cluster, return_inverse=True)
    groups = groups.ravel()
    dfbeta = np.zeros((int(groups.max()) + 1 if groups.size else 0, covariance.shape[0]))
    np.add.at(dfbeta, groups, residuals @ covariance)
    return np.asarray(dfbeta.T @ dfbeta, dtype=float)


def _newton_step(terms: EventTimeTerms) -> Array:
    return np.asarray(np.linalg.solve(terms.information, terms.score), dtype=float)


def fit_cox(
    stop: Array,
    event: Array,
    x: Array,
    entry: Array | None = None,
    cluster: NDArray[Any] | None = None,
) -> CoxFit:
    """Efron Cox maximum partial likelihood, by R ``coxph.fit``'s Newton-Raphson.

    With ``cluster`` (one label per row, e.g. the patient of each counting-process row) the
    fit also has the cluster-robust sandwich variance, as R ``coxph(... + cluster(id))``:
    the rows' dfbeta residuals summed within a cluster, ``D'D``. Raises
    ``numpy.linalg.LinAlgError`` when the information is singular (collinear covariates);
    callers turn that into a message.
    """
    layout = _Layout(stop, event, entry)
    centred = x - x.mean(axis=0)
    p = centred.shape[1]
    beta = np.zeros(p)
    current = _efron_terms(centred, beta, layout)
    loglik_null = current.loglik
    converged = False
    iterations = 0
    while iterations < MAX_ITER and not converged:
        iterations += 1
        step = _newton_step(current)
        # A full step can overshoot when a coefficient diverges: halve it until the
        # log-likelihood does not decrease, as coxph.fit does.
        with np.errstate(over="ignore", invalid="ignore"):
            trial_beta = beta + step
            trial = _efron_terms(centred, trial_beta, layout)
            halvings = 0
            # Rounding noise near the maximum must not count as a decrease.
            floor = current.loglik - TOLERANCE * abs(current.loglik)
            while not trial.loglik >= floor and halvings < MAX_HALVINGS:
                step = step / 2
                trial_beta = beta + step
                trial = _efron_terms(centred, trial_beta, layout)
                halvings += 1
        # Converged when the log-likelihood stops moving and so does beta: with a large
        # log-likelihood (registry-sized data) its relative change alone stops a step early.
        settled = abs(trial.loglik - current.loglik) <= TOLERANCE * abs(current.loglik)
        small_step = bool((np.abs(step) <= STEP_TOLERANCE * np.maximum(1.0, np.abs(beta))).all())
        converged = settled and (small_step or halvings > 0)
        beta, current = trial_beta, trial
    information = current.information
    covariance = np.asarray(np.linalg.inv(information), dtype=float)
    # Monotone likelihood: the log-likelihood settles while a coefficient keeps growing,
    # so the remaining Newton step is still large relative to the coefficient.
    remaining = np.abs(covariance @ current.score)
    infinite = bool(np.any((remaining > R_EPS) & (remaining > np.sqrt(R_EPS) * np.abs(beta))))
    robust = None
    if cluster is not None:
        residuals = _score_residuals(centred, beta, stop, entry, layout)
        robust = _robust_covariance(residuals, covariance, cluster)
    return CoxFit(
        beta=beta,
        covariance=covariance,
        loglik=current.loglik,
        loglik_null=loglik_null,
        iterations=iterations,
        converged=converged,
        infinite=infinite,
        robust_covariance=robust,
    )


def _dense_ranks(values: Array) -> NDArray[np.intp]:
    """0-based ranks with ties sharing a rank (so equal risks compare as equal)."""
    _, inverse = np.unique(values, return_inverse=True)
    return np.asarray(inverse, dtype=np.intp).ravel()


def _prefix_counts(
    ranks: NDArray[np.intp], limit: NDArray[np.intp], query: NDArray[np.intp]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """For each query ``q``: how many of ``ranks[:limit[q]]`` are ``< query[q]`` and ``==``.

    The prefix ``[0, limit)`` is split into dyadic blocks (one per set bit of ``limit``);
    at each block size the rows are sorted within blocks once and every query looks up its
    block with one ``searchsorted`` -- O(n log^2 n) in numpy instead of a Python tree.
    """
    n = ranks.size
    less = np.zeros(query.size, dtype=np.int64)
    equal = np.zeros(query.size, dtype=np.int64)
    span = max(int(ranks.max(initial=0)) + 2, 2)
    level = 0
    while (1 << level) <= n:
        size = 1 << level
        block = np.arange(n) // size
        keys = np.sort(block * span + ranks)
        has_block = (limit >> level) & 1 == 1
        # The block of this size covering [limit - limit % (2 size) ... + size) is block
        # number (limit >> level) - 1 when that bit of limit is set.
        which = (limit[has_block] >> level) - 1
        lookup = which * span + query[has_block]
        low = np.searchsorted(keys, which * span, side="left")
        below = np.searchsorted(keys, lookup, side="left")
        upto = np.searchsorted(keys, lookup, side="right")
        less[has_block] += below - low
        equal[has_block] += upto - below
        level += 1
    return less, equal


def _histogram_counts(
    r: NDArray[np.intp], query: NDArray[np.intp], ends: NDArray[np.intp], levels: int
) -> tuple[int, int, int]:
    """``_pair_counts`` for ranks below ``levels``, by a histogram of each suffix of rows."""
    n = r.size
    suffix = np.zeros((n + 1, levels), dtype=np.int64)
    suffix[np.arange(n), r] = 1
    # Row j: how many of rows j..n-1 have each rank (row n: none).
    suffix = suffix[::-1].cumsum(axis=0)[::-1]
    at = suffix[ends]
    rows = np.arange(query.size)
    same = at[rows, query]
    lower = at.cumsum(axis=1)[rows, query] - same
    later = int((n - ends).sum())
    return int(lower.sum()), int(same.sum()), later - int(lower.sum()) - int(same.sum())


def _pair_counts(
    r: NDArray[np.intp], query: NDArray[np.intp], ends: NDArray[np.intp]
) -> tuple[int, int, int]:
    """Pairs (query i, row j from ``ends[i]`` on) where row j's rank is lower, equal, higher."""
    n = r.size
    if query.size * n <= PAIRWISE_LIMIT:
        later = np.arange(n) >= ends[:, None]
        lower = int(np.count_nonzero(later & (r < query[:, None])))
        same = int(np.count_nonzero(later & (r == query[:, None])))
        return lower, same, int((n - ends).sum()) - lower - same
    levels = max(int(r.max(initial=0)), int(query.max(initial=0))) + 1
    if levels * (n + 1) <= HISTOGRAM_LIMIT:
        return _histogram_counts(r, query, ends, levels)
    ordered = np.sort(r)
    total_less = np.searchsorted(ordered, query, side="left")
    total_equal = np.searchsorted(ordered, query, side="right") - total_less
    before_less, before_equal = _prefix_counts(r, ends, query)
    lower_each = total_less - before_less  # later rows with lower risk: concordant
    same_each = total_equal - before_equal
    higher_each = (n - ends) - lower_each - same_each
    return int(lower_each.sum()), int(same_each.sum()), int(higher_each.sum())


def concordance(time: Array, event: Array, risk: Array, entry: Array | None = None) -> float | None:
    """Harrell's C of ``risk`` (higher = earlier failure), as R ``coxph``'s ``concordance``.

    A pair is comparable when the shorter time is an event; a patient censored at the
    same time as another's failure counts as outliving it. Pairs tied on risk count 1/2.
    With ``entry`` (counting-process rows, ``Surv(tstart, tstop, event)``) a failure at
    ``t`` is compared only with the rows at risk at ``t`` (``entry < t <= stop``), as R's
    ``concordancefit`` does (``timewt = "n"``); rows that entered at or after ``t`` are
    subtracted from the later rows. ``None`` when no pair is comparable. No strata: none of
    the product's Cox models has any (R would count pairs within each stratum only).
    """
    n = time.size
    if n < 2:
        return None
    ranks = _dense_ranks(risk)
    # Time-sorted, failures before censorings at equal times (the censored one "outlives").
    order = np.lexsort((1 - event, time))
    t, e, r = time[order], event[order], ranks[order]
    failed = np.flatnonzero(e == 1)
    # Later rows of failure i: after the last failure tied with it (ties of two failures
    # are not comparable), i.e. from the first row with a larger time or a censoring.
    last_failure_at = np.searchsorted(t[failed], t[failed], side="right")
    ends = (failed[last_failure_at - 1] + 1).astype(np.intp)
    query = r[failed]
    concordant, tied, discordant = _pair_counts(r, query, ends)
    if entry is not None and failed.size:
        # Rows entering at or after t have stop > t, so all of them are among the later
        # rows counted above, and none of them was at risk at t. Only rows entering at or
        # after the first failure can be such a row, and only failures up to the last entry
        # have one: in a time-dependent model most rows start at 0, so this keeps the
        # subtraction to the few rows that start later (the report at 100 000 patients).
        failure_times = t[failed]
        starts_late = np.flatnonzero(entry >= failure_times[0])
        asked = np.flatnonzero(failure_times <= entry.max())
        late_entry = entry[starts_late]
        entry_order = np.argsort(late_entry, kind="stable")
        entered = np.searchsorted(late_entry[entry_order], failure_times[asked], side="left")
        late = _pair_counts(ranks[starts_late][entry_order], query[asked], entered.astype(np.intp))
        concordant, tied, discordant = (
            concordant - late[0],
            tied - late[1],
            discordant - late[2],
        )
    comparable = concordant + tied + discordant
    if comparable == 0:
        return None
    return float((concordant + 0.5 * tied) / comparable)
