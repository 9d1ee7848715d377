"""Fisher-Freeman-Halton exact test of an r x c table (R ``fisher.test`` on r x c tables).

scipy has no r x c Fisher test. This one enumerates every table with the observed margins
(column by column, cell by cell, all partial tables at once as numpy arrays) and sums the
probabilities of those no more likely than the observed table, with R's relative tolerance
``1 + 1e-7``. Enumeration grows quickly with the sample size and the table's size, so it
stops at a budget of partial tables and returns None: the caller then uses the chi-square
test and says so. Table 1's tables (tens to a few hundred patients, a few levels) stay far
below the budget.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

# Most partial tables held at once; ~2 million x (rows + 1) numbers is ~100 MB at worst.
MAX_TABLES = 2_000_000
# R fisher.test: tables with probability <= observed * (1 + 1e-7) count as "as extreme".
_RELATIVE_TOLERANCE = 1 + 1e-7


def _expand(
    remaining: NDArray[np.int64], low: NDArray[np.int64], high: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]] | None:
    """Every value low..high of one cell for every partial table: (parent index, value)."""
    counts = high - low + 1
    total = int(counts.sum())
    if total > MAX_TABLES:
        return None
    parent = np.repeat(np.arange(remaining.shape[0]), counts)
    starts = np.cumsum(counts) - counts
    value = low[parent] + (np.arange(total) - starts[parent])
    return parent, value


def fisher_freeman_halton_p(table: NDArray[np.int64]) -> float | None:
    """Two-sided exact p of an r x c table, or None when enumeration exceeds the budget.

    The probability of a table given its margins is
    ``prod(row sums!) prod(column sums!) / (n! prod(cells!))``; only ``sum(log cells!)``
    differs between tables, so that is what is accumulated.
    """
    observed = np.asarray(table, dtype=np.int64)
    observed = observed[observed.sum(axis=1) > 0][:, observed.sum(axis=0) > 0]
    if observed.shape[0] < 2 or observed.shape[1] < 2:
        return 1.0
    if observed.shape[0] > observed.shape[1]:
        observed = observed.T  # fewer rows: fewer cells chosen per column
    # The last row of each column and the last column are determined by the margins: the
    # largest there leaves the fewest partial tables to enumerate (the p is order-free).
    observed = observed[np.argsort(observed.sum(axis=1), kind="stable")]
    observed = observed[:, np.argsort(observed.sum(axis=0), kind="stable")]
    rows, columns = observed.shape
    row_sums = observed.sum(axis=1)
    column_sums = observed.sum(axis=0)
    remaining = row_sums[None, :].copy()
    log_cells = np.zeros(1)
    for j in range(columns - 1):
        left = np.full(remaining.shape[0], int(column_sums[j]), dtype=np.int64)
        for i in range(rows - 1):
            below = remaining[:, i + 1 :].sum(axis=1)
            low = np.maximum(0, left - below)
            high = np.minimum(remaining[:, i], left)
            expanded = _expand(remaining, low, high)
            if expanded is None:
                return None
            parent, value = expanded
            remaining = remaining[parent]
            remaining[:, i] -= value
            left = left[parent] - value
            log_cells = log_cells[parent] + special.gammaln(value + 1.0)
        remaining[:, rows - 1] -= left
        log_cells = log_cells + special.gammaln(left + 1.0)
    log_cells = log_cells + special.gammaln(remaining + 1.0).sum(axis=1)
    constant = (
        special.gammaln(row_sums + 1.0).sum()
        + special.gammaln(column_sums + 1.0).sum()
        - special.gammaln(float(observed.sum()) + 1.0)
    )
    probability = np.exp(constant - log_cells)
    observed_probability = np.exp(constant - special.gammaln(observed + 1.0).sum())
    p = probability[probability <= observed_probability * _RELATIVE_TOLERANCE].sum()
    return float(min(p, 1.0))
