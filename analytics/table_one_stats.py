"""Table 1's quartiles and two-group tests, computed directly for small samples.

``scipy.stats.mannwhitneyu``, ``fisher_exact`` and ``chi2_contingency`` and ``numpy.quantile``
validate, broadcast and dispatch their arguments in Python: on 54 patients that overhead
was 0.1-1 ms per call, most of Table 1's time and ~15% of a report. Each function here
follows its scipy/numpy counterpart step by step (the same formulas in the same order,
the same ``scipy.special`` and ``scipy.stats.hypergeom`` functions underneath), so the
results are the same bits; ``tests/analytics/test_table_one_stats.py`` checks that over
many random inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

Array = NDArray[np.float64]

# scipy.stats.fisher_exact: pmf values within this relative distance of the observed
# table's count as equally likely (the two-sided p sums them).
_FISHER_EPSILON = 1e-14


def quartiles(values: Array) -> tuple[float, float, float]:
    """``numpy.quantile(values, [0.25, 0.5, 0.75])`` (R ``quantile`` type 7) of non-NaN values.

    numpy's "linear" method: the virtual index ``(n - 1) q`` between two order statistics,
    interpolated from the nearer one (``_lerp``), the last value past the end.
    """
    ordered = np.sort(values)
    n = ordered.size
    out = []
    for q in (0.25, 0.5, 0.75):
        virtual = (n - 1) * q
        if virtual >= n - 1:
            below, above, gamma = ordered[-1], ordered[-1], virtual + 1.0
        else:
            previous = math.floor(virtual)
            below, above = ordered[previous], ordered[previous + 1]
            gamma = virtual - previous
        step = above - below
        out.append(float(above - step * (1 - gamma) if gamma >= 0.5 else below + step * gamma))
    return out[0], out[1], out[2]


def _average_ranks(values: Array) -> tuple[Array, Array]:
    """Ranks with ties averaged (R ``rank``), and the size of each group of ties."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, values.size))
    ranks = np.empty(values.size)
    ranks[order] = np.repeat(starts + 1 + (counts - 1) / 2, counts)
    return ranks, counts.astype(float)


def mann_whitney_p(x: Array, y: Array) -> float:
    """Two-sided p of ``scipy.stats.mannwhitneyu(x, y, use_continuity=True, method="asymptotic")``.

    As R ``wilcox.test(x, y, exact = FALSE, correct = TRUE)``: the normal approximation to
    ``U`` with the tie-corrected variance and a 0.5 continuity correction. ``x`` and ``y``
    are non-empty and NaN-free, and not all values are equal (Table 1 tests nothing else).
    """
    n1, n2 = x.size, y.size
    ranks, ties = _average_ranks(np.concatenate((x, y)))
    u1 = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    u = np.maximum(u1, n1 * n2 - u1)
    n = n1 + n2
    tie_term = np.sum(ties**3 - ties)
    s = np.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
    z = (u - n1 * n2 / 2 - 0.5) / s
    return float(np.clip(special.ndtr(-z) * 2, 0.0, 1.0))


def _binary_search(pmf: Callable[[int], float], target: float, low: int, high: int) -> int:
    """scipy's ``_binary_search_for_binom_tst``: ``i`` in [low, high] with pmf(i) <= target."""
    while low < high:
        middle = low + (high - low) // 2
        value = pmf(middle)
        if value < target:
            low = middle + 1
        elif value > target:
            high = middle - 1
        else:
            return middle
    return low if pmf(low) <= target else low - 1


def fisher_exact_p(table: NDArray[np.int64]) -> float:
    """Two-sided p of ``scipy.stats.fisher_exact`` for a 2 x 2 table (R ``fisher.test``).

    Sums the probabilities of the tables, with the same margins, no more likely than the
    observed one. scipy's algorithm; its many single-point ``hypergeom.pmf`` calls are one
    call over the support here (each point's value is the same), its ``cdf``/``sf`` the same.
    """
    c = np.asarray(table, dtype=np.int64)
    if 0 in c.sum(axis=0) or 0 in c.sum(axis=1):
        return 1.0
    observed = int(c[0, 0])
    row1, row2, column1 = int(c[0].sum()), int(c[1].sum()), int(c[:, 0].sum())
    total = row1 + row2
    low, high = max(column1 - row2, 0), min(row1, column1)
    support = stats.hypergeom.pmf(np.arange(low, high + 1), total, row1, column1)

    def pmf(k: int) -> float:
        return float(support[k - low]) if low <= k <= high else 0.0

    def lower_tail(k: int) -> float:
        return float(stats.hypergeom.cdf(k, total, row1, column1))

    def upper_tail(k: int) -> float:
        return float(stats.hypergeom.sf(k, total, row1, column1))

    mode = int((column1 + 1) * (row1 + 1) / (total + 2))
    p_observed, p_mode = pmf(observed), pmf(mode)
    gamma = 1 + _FISHER_EPSILON
    if abs(p_observed - p_mode) / max(p_observed, p_mode) <= _FISHER_EPSILON:
        return 1.0
    if observed < mode:
        p_lower = lower_tail(observed)
        if pmf(column1) > p_observed * gamma:
            return p_lower
        guess = _binary_search(lambda k: -pmf(k), -p_observed * gamma, mode, column1)
        return min(p_lower + upper_tail(guess), 1.0)
    p_upper = upper_tail(observed - 1)
    if pmf(0) > p_observed * gamma:
        return p_upper
    guess = _binary_search(pmf, p_observed * gamma, 0, mode)
    return min(p_upper + lower_tail(guess), 1.0)


def chi_square(table: NDArray[np.int64]) -> tuple[float, Array]:
    """p and expected counts of ``scipy.stats.chi2_contingency(table, correction=False)``.

    Pearson's statistic on an r x c table with no empty row or column (R ``chisq.test``
    without continuity correction), ``(r - 1)(c - 1)`` degrees of freedom.
    """
    observed = np.asarray(table, dtype=float)
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0, keepdims=True)
    expected = expected / observed.sum()
    statistic = np.sum((observed - expected) ** 2 / expected)
    dof = (observed.shape[0] - 1) * (observed.shape[1] - 1)
    return float(special.chdtrc(float(dof), statistic)), expected
