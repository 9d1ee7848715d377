"""Table 1's direct tests and quartiles give scipy's and numpy's numbers, bit for bit.

The direct versions exist only to skip the libraries' per-call overhead (see the module),
so they are held to the libraries' exact output over many random inputs, including ties,
tiny groups, empty margins and lopsided tables.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import stats

from analytics.table_one_stats import chi_square, fisher_exact_p, mann_whitney_p, quartiles


def _samples(rng: np.random.Generator, size: int) -> np.ndarray:
    """Continuous values, or few distinct values (many ties), as ages, EDSS and follow-up are."""
    kind = rng.integers(3)
    if kind == 0:
        return rng.normal(40, 12, size)
    if kind == 1:
        return rng.integers(0, 8, size) / 2.0  # EDSS-like half steps
    return np.round(rng.exponential(30, size), 1)


@pytest.mark.parametrize("seed", range(4))
def test_quartiles_equal_numpy_quantile(seed):
    rng = np.random.default_rng(seed)
    for _ in range(500):
        values = _samples(rng, int(rng.integers(1, 120)))
        expected = np.quantile(values, [0.25, 0.5, 0.75])
        assert_array_equal(quartiles(values), expected)


@pytest.mark.parametrize("seed", range(4))
def test_mann_whitney_equals_scipy(seed):
    rng = np.random.default_rng(100 + seed)
    checked = 0
    while checked < 500:
        x = _samples(rng, int(rng.integers(1, 60)))
        y = _samples(rng, int(rng.integers(1, 60)))
        if np.unique(np.concatenate((x, y))).size < 2:
            continue
        expected = stats.mannwhitneyu(
            x, y, alternative="two-sided", use_continuity=True, method="asymptotic"
        ).pvalue
        assert mann_whitney_p(x, y) == expected
        checked += 1


def test_quartiles_of_a_large_tied_sample_equal_numpy_quantile():
    values = np.random.default_rng(9).integers(0, 40, 100_001) / 2.0
    assert_array_equal(quartiles(values), np.quantile(values, [0.25, 0.5, 0.75]))


def test_fisher_on_registry_sized_tables_equals_scipy():
    for table in ([[21_000, 9_000], [40_000, 30_000]], [[10, 49_990], [3, 49_997]]):
        table = np.array(table)
        assert fisher_exact_p(table) == stats.fisher_exact(table).pvalue


def test_mann_whitney_on_large_tied_samples_equals_scipy():
    rng = np.random.default_rng(7)
    x, y = rng.integers(0, 20, 40_000) / 2.0, rng.integers(1, 21, 60_000) / 2.0
    expected = stats.mannwhitneyu(
        x, y, alternative="two-sided", use_continuity=True, method="asymptotic"
    ).pvalue
    assert mann_whitney_p(x, y) == expected


def _tables(rng: np.random.Generator, shape: tuple[int, int], count: int) -> list[np.ndarray]:
    tables = []
    for _ in range(count):
        scale = rng.choice([3, 10, 40, 400])
        table = rng.integers(0, scale, shape)
        # Some empty cells and very lopsided tables, as small filtered subgroups give.
        table[rng.random(shape) < 0.15] = 0
        tables.append(table)
    return tables


@pytest.mark.parametrize("seed", range(4))
def test_fisher_equals_scipy(seed):
    rng = np.random.default_rng(200 + seed)
    for table in _tables(rng, (2, 2), 300):
        assert fisher_exact_p(table) == stats.fisher_exact(table).pvalue, table


def test_fisher_without_scipys_hypergeometric_ufuncs_equals_scipy(monkeypatch):
    """The fallback through the public ``scipy.stats.hypergeom`` gives the same bits."""
    monkeypatch.setattr("analytics.table_one_stats._hypergeom_pmf", None)
    for table in _tables(np.random.default_rng(300), (2, 2), 100):
        assert fisher_exact_p(table) == stats.fisher_exact(table).pvalue, table


def test_fisher_on_every_small_table_equals_scipy():
    """Every 2 x 2 table with cells up to 6: all the branches of scipy's two-sided search."""
    cells = np.arange(7)
    for a, b, c, d in np.array(np.meshgrid(cells, cells, cells, cells)).reshape(4, -1).T:
        table = np.array([[a, b], [c, d]])
        assert fisher_exact_p(table) == stats.fisher_exact(table).pvalue, table


@pytest.mark.parametrize("shape", [(2, 3), (3, 2), (3, 3), (2, 5), (4, 4)])
def test_chi_square_equals_scipy(shape):
    rng = np.random.default_rng(sum(shape))
    for table in _tables(rng, shape, 300):
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        if min(table.shape) < 2:
            continue
        expected = stats.chi2_contingency(table, correction=False)
        p, expected_counts = chi_square(table)
        assert p == expected.pvalue
        assert_array_equal(expected_counts, expected.expected_freq)
