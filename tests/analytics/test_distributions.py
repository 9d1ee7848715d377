"""The direct tail probabilities equal scipy.stats', bit for bit, on every kind of input."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import stats

from analytics.distributions import chi2_ppf, chi2_sf, f_sf, norm_ppf, norm_sf

# Statistics as the report produces them, and the awkward ones a degenerate fit can give.
EDGES = np.array(
    [-np.inf, -3.0, -1e-300, -0.0, 0.0, 1e-300, 1e-8, 0.5, 1.0, 3.84, 40.0, 1e3, 1e300, np.inf]
)
DEGREES = [1, 2, 3, 0.5, 7.3, 52.0, 1e6, 0, -1, np.inf]


def _statistics(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate(
        (
            EDGES,
            [np.nan],
            rng.exponential(5.0, 2000),
            rng.normal(0.0, 4.0, 500),
            10.0 ** rng.uniform(-12, 3, 500),
        )
    )


def test_norm_sf_equals_scipy():
    x = _statistics(1)
    assert_array_equal(norm_sf(x), stats.norm.sf(x))
    for value in x[:100]:
        assert_array_equal(norm_sf(float(value)), stats.norm.sf(float(value)))


def test_norm_ppf_equals_scipy():
    q = np.concatenate(
        (
            [-1.0, 0.0, 1e-300, 0.5, 1 - 1e-16, 1.0, 2.0, np.nan],
            np.random.default_rng(2).random(2000),
        )
    )
    for value in q:
        assert_array_equal(norm_ppf(float(value)), stats.norm.ppf(float(value)))


@pytest.mark.parametrize("df", DEGREES)
def test_chi2_sf_equals_scipy(df):
    x = _statistics(3)
    assert_array_equal(chi2_sf(x, df), stats.chi2.sf(x, df))
    for value in x[:: len(x) // 50]:
        assert_array_equal(chi2_sf(float(value), df), stats.chi2.sf(float(value), df))


@pytest.mark.parametrize("df", DEGREES)
def test_chi2_ppf_equals_scipy(df):
    q = np.concatenate(
        ([0.0, 1e-12, 0.5, 0.95, 1.0, -0.5, 1.5, np.nan], np.random.default_rng(4).random(200))
    )
    for value in q:
        assert_array_equal(chi2_ppf(float(value), df), stats.chi2.ppf(float(value), df))


@pytest.mark.parametrize("dfn", [1.0, 2.0, 3.5, 0.0, np.nan, np.inf])
@pytest.mark.parametrize("dfd", [1.0, 10.0, 51.5, 0.0, -2.0, np.inf])
def test_f_sf_equals_scipy(dfn, dfd):
    for value in _statistics(5)[::20]:
        assert_array_equal(f_sf(float(value), dfn, dfd), stats.f.sf(float(value), dfn, dfd))
