"""Normal, chi-square and F tail probabilities without ``scipy.stats``' generic wrappers.

``scipy.stats.norm.sf`` and friends check and broadcast their arguments in Python before
calling the special function that does the work; on the handful of numbers a report asks
for, that bookkeeping cost ~0.1 ms a call, more than a whole small Cox fit's iteration.
These call the same ``scipy.special`` functions the wrappers call (``ndtr``, ``ndtri``,
``chdtrc``, ``fdtrc``), so the values are the same bits; where the wrappers' own rules
differ from the special function's (a negative statistic, degrees of freedom that are not
finite and positive), the wrapper is called. ``tests/analytics/test_distributions.py``
compares both over many random and edge-case inputs.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

Value = TypeVar("Value", float, NDArray[np.float64])


def norm_sf(x: Value) -> Value:
    """``scipy.stats.norm.sf(x)``: the wrapper computes ``ndtr(-x)`` for every input."""
    result: Value = special.ndtr(np.negative(x))
    return result


def norm_ppf(q: float) -> float:
    """``scipy.stats.norm.ppf(q)``: ``ndtri(q)``, which also gives +-inf at 1, 0 and NaN outside."""
    return float(special.ndtri(q))


def _plain(x: float | NDArray[np.float64], *df: float) -> bool:
    """Whether the special function and the scipy.stats wrapper agree (see module doc)."""
    finite_df = all(0.0 < d < np.inf for d in df)
    return finite_df and not bool(np.any(np.asarray(x) < 0))


def chi2_sf(x: Value, df: float) -> Value:
    """``scipy.stats.chi2.sf(x, df)``, the upper tail of the chi-square distribution."""
    if _plain(x, df):
        result: Value = special.chdtrc(df, x)
        return result
    wrapped: Value = stats.chi2.sf(x, df)
    return wrapped


def f_sf(x: float, dfn: float, dfd: float) -> float:
    """``scipy.stats.f.sf(x, dfn, dfd)``, the upper tail of the F distribution."""
    if _plain(x, dfn, dfd):
        return float(special.fdtrc(dfn, dfd, x))
    return float(stats.f.sf(x, dfn, dfd))


def chi2_ppf(q: float, df: float) -> float:
    """``scipy.stats.chi2.ppf(q, df)``: ``2 * gammaincinv(df / 2, q)`` inside (0, 1)."""
    if 0.0 < q < 1.0 and 0.0 < df < np.inf:
        return float(2 * special.gammaincinv(df / 2, q))
    return float(stats.chi2.ppf(q, df))
