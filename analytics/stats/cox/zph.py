"""Test of the proportional-hazards assumption, as R ``survival::cox.zph`` (survival >= 3).

Since survival 3.0, ``cox.zph`` is a score test: for each term it asks whether adding
``g(t) * x`` (``g`` a transform of time, centred over the event times) to the fitted Cox
model would improve it, using the full ``2p x 2p`` information matrix of the model with
``(x, g(t) x)`` evaluated at the fitted ``beta`` (and 0 for the new coefficients). The
older approximation from scaled Schoenfeld residuals (survival < 3, lifelines'
``proportional_hazard_test``) gives different numbers and is not used.

The Efron score and information follow the C routine ``zph1.c`` of the survival package,
from the per-event-time pieces of :mod:`analytics.stats.cox.engine`, which also fits the model, so
that ``beta`` and the test share one likelihood and match R to many significant digits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special, stats

from analytics.jsonsafe import json_dict
from analytics.stats.cox.engine import efron_terms, fit_cox
from analytics.stats.cox.results import outcome_arrays
from analytics.stats.design import DesignColumn, design_matrix
from analytics.stats.terms import by_term
from i18n.language import Message

TRANSFORMS = ("km", "identity", "rank", "log")

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
        return by_term(self.rows, term)

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
    """The ``(x, g(t) x)`` score and information at ``(beta, 0)``, as ``zph1.c``.

    Each event time's Efron contribution (``U_t``, ``I_t``, from :mod:`analytics.stats.cox.engine`)
    enters the ``g(t) x`` part weighted by ``g(t)``: the score is ``(sum U_t, sum g U_t)``
    and the information has blocks ``sum I_t``, ``sum g I_t`` and ``sum g^2 I_t``.
    """
    terms = efron_terms(time, event, x, beta)
    dying = np.flatnonzero(event == 1)
    first = dying[np.unique(time[dying], return_index=True)[1]]
    g = gtime[first]
    p = x.shape[1]
    u, i_t = terms.score_at, terms.information_at
    score = np.concatenate((u.sum(0), (g[:, None] * u).sum(0)))
    info = np.zeros((2 * p, 2 * p))
    info[:p, :p] = i_t.sum(0)
    info[:p, p:] = (g[:, None, None] * i_t).sum(0)
    info[p:, :p] = info[:p, p:].T
    info[p:, p:] = (g[:, None, None] ** 2 * i_t).sum(0)
    return _Efron(terms.loglik, score, info)


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
    distinct, index = np.unique(time, return_inverse=True)
    ordered = np.sort(time)
    at_risk = (time.size - np.searchsorted(ordered, distinct, side="left")).astype(float)
    deaths = np.bincount(index.ravel(), weights=(event == 1).astype(float), minlength=distinct.size)
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
        Covariates of the Cox model, coded as :func:`analytics.stats.cox.models.cox_model` codes
        them (text columns and those in ``categorical`` are categorical; rows with a missing
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
    time, event, _ = outcome_arrays(frame, design, time_col, event_col)
    n, events = int(time.size), int(event.sum())
    notes = list(design.notes)
    if events == 0 or not design.columns:
        why = Message("no failures") if events == 0 else Message("no covariate varies")
        notes.append(Message("Proportional-hazards test not possible: {reason}.", reason=why))
        return ZphResult((), transform, n, events, (), tuple(notes))
    # Centring changes neither the score nor the information; it keeps exp() in range.
    x = design.matrix - design.matrix.mean(axis=0)
    p = x.shape[1]
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            fit = fit_cox(time, event, x)
        beta, converged = fit.beta, fit.converged and not fit.infinite
        ttimes = _transform_times(time, event, transform)
        gtime = ttimes - ttimes[event == 1].mean()
        # A diverging beta (separation, flagged below) can overflow exp(x beta); the test is
        # then NaN and reported as not computable rather than raising.
        with np.errstate(over="ignore", invalid="ignore"):
            efron = _efron(time, event, x, beta, gtime)
        tests = _term_tests(design.columns, efron, p)
    except np.linalg.LinAlgError:
        notes.append(
            Message("Proportional-hazards test not possible: the information matrix is singular.")
        )
        return ZphResult((), transform, n, events, (), tuple(notes))
    if not converged:
        notes.append(
            Message(
                "The Cox model did not converge (a hazard ratio may be infinite); "
                "the proportional-hazards test is unreliable."
            )
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
        # chdtrc, the ufunc stats.chi2.sf calls, without the wrapper's ~0.1 ms of argument
        # handling (through scipy.stats the 54-patient report took ~14% longer); it gives NaN,
        # not 1, below 0, where a statistic of 0 can round to.
        rows.append(ZphRow(term, chisq, df, float(special.chdtrc(df, max(chisq, 0.0)))))
    return tuple(rows)
