"""The vectorised Efron engine against first principles (R agreement: tests/reference)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.stats.cox.engine import concordance, efron_terms, fit_cox


def _brute_concordance(time, event, risk):
    """Harrell's C by looping over every pair (R survival's convention for time ties)."""
    agree = ties = disagree = 0
    for i in range(time.size):
        if event[i] != 1:
            continue
        for j in range(time.size):
            later = time[j] > time[i] or (time[j] == time[i] and event[j] == 0)
            if i == j or not later:
                continue
            if risk[i] > risk[j]:
                agree += 1
            elif risk[i] == risk[j]:
                ties += 1
            else:
                disagree += 1
    total = agree + ties + disagree
    return None if total == 0 else (agree + 0.5 * ties) / total


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 12), st.integers(0, 1), st.integers(0, 4)),
        min_size=1,
        max_size=40,
    )
)
def test_concordance_equals_the_pairwise_count(rows):
    time, event, risk = (np.array(column, dtype=float) for column in zip(*rows, strict=True))
    expected = _brute_concordance(time, event, risk)
    got = concordance(time, event, risk)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-12)


def _brute_counting_concordance(entry, stop, event, risk):
    """Harrell's C over (entry, stop] rows: each failure at t against every other row at
    risk at t (entry < t <= stop) that did not also fail at t, pair by pair."""
    agree = ties = disagree = 0
    for i in np.flatnonzero(event == 1):
        t = stop[i]
        for j in range(stop.size):
            at_risk = entry[j] < t <= stop[j]
            if i == j or not at_risk or (stop[j] == t and event[j] == 1):
                continue
            agree += risk[i] > risk[j]
            ties += risk[i] == risk[j]
            disagree += risk[i] < risk[j]
    total = agree + ties + disagree
    return None if total == 0 else (agree + 0.5 * ties) / total


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10), st.integers(1, 6), st.integers(0, 1), st.integers(0, 4)),
        min_size=1,
        max_size=40,
    )
)
def test_counting_process_concordance_equals_the_pairwise_count(rows):
    """Only rows at risk at each failure time are compared (R's concordance, timewt "n")."""
    entry, length, event, risk = (
        np.array(column, dtype=float) for column in zip(*rows, strict=True)
    )
    stop = entry + length
    expected = _brute_counting_concordance(entry, stop, event, risk)
    got = concordance(stop, event, risk, entry=entry)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-12)


def _loglik_by_loops(time, event, x, beta, entry):
    """Efron log-likelihood with an explicit loop over event times (the textbook formula)."""
    eta = x @ beta
    risk = np.exp(eta)
    total = 0.0
    for t in np.unique(time[event == 1]):
        at_risk = (entry < t) & (time >= t)
        dying = (time == t) & (event == 1)
        d = int(dying.sum())
        total += eta[dying].sum()
        for k in range(d):
            total -= np.log(risk[at_risk].sum() - k / d * risk[dying].sum())
    return total


@pytest.fixture
def tied_data():
    rng = np.random.default_rng(7)
    n = 60
    entry = np.where(rng.random(n) < 0.3, rng.integers(0, 4, n), 0).astype(float)
    time = entry + rng.integers(1, 10, n)
    event = (rng.random(n) < 0.6).astype(float)
    x = np.column_stack([rng.integers(0, 2, n), rng.normal(size=n)]).astype(float)
    return time, event, x, entry


def test_loglik_matches_the_textbook_loop_with_ties_and_late_entry(tied_data):
    time, event, x, entry = tied_data
    beta = np.array([0.4, -0.3])
    terms = efron_terms(time, event, x, beta, entry=entry)
    assert terms.loglik == pytest.approx(_loglik_by_loops(time, event, x, beta, entry), rel=1e-12)


def test_score_and_information_are_the_derivatives_of_the_loglik(tied_data):
    time, event, x, entry = tied_data
    beta = np.array([0.2, 0.1])
    terms = efron_terms(time, event, x, beta, entry=entry)
    h = 1e-5
    for j in range(2):
        step = np.eye(2)[j] * h
        up = efron_terms(time, event, x, beta + step, entry=entry)
        down = efron_terms(time, event, x, beta - step, entry=entry)
        assert terms.score[j] == pytest.approx((up.loglik - down.loglik) / (2 * h), rel=1e-6)
        # The information is minus the Hessian: the score's derivative.
        np.testing.assert_allclose(
            terms.information[:, j], -(up.score - down.score) / (2 * h), rtol=1e-5
        )


def test_fit_reaches_a_zero_score_and_ignores_a_zero_entry(tied_data):
    time, event, x, _ = tied_data
    fit = fit_cox(time, event, x)
    with_entry = fit_cox(time, event, x, entry=np.zeros_like(time))
    assert fit.converged
    assert not fit.infinite
    np.testing.assert_allclose(efron_terms(time, event, x, fit.beta).score, 0.0, atol=1e-9)
    np.testing.assert_allclose(with_entry.beta, fit.beta, rtol=1e-10)


def test_separation_is_flagged_as_an_infinite_coefficient():
    time = np.arange(1.0, 11.0)
    event = np.ones(10)
    group = (time <= 5).astype(float)[:, None]  # the first five all fail before the rest
    fit = fit_cox(time, event, group)
    assert fit.infinite


@pytest.mark.parametrize("seed", range(3))
def test_concordance_counts_pairs_the_same_way_at_any_size(seed, monkeypatch):
    """Small cohorts count pairs directly, large ones by a histogram of the risk values (few
    of them) or by dyadic blocks: the same counts."""
    rng = np.random.default_rng(seed)
    for n in (2, 7, 54, 300, 2000):
        time = rng.integers(1, 40, n).astype(float)
        event = (rng.random(n) < 0.5).astype(float)
        risk = rng.integers(0, 5, n).astype(float) + (seed == 2) * rng.normal(size=n)
        direct = concordance(time, event, risk)
        monkeypatch.setattr("analytics.stats.cox.engine.PAIRWISE_LIMIT", 0)
        histogram = concordance(time, event, risk)
        monkeypatch.setattr("analytics.stats.cox.engine.HISTOGRAM_LIMIT", 0)
        blocks = concordance(time, event, risk)
        monkeypatch.undo()
        assert direct == histogram == blocks


@pytest.mark.parametrize("seed", range(3))
def test_counting_process_concordance_is_the_same_at_any_size(seed, monkeypatch):
    """With entry times too, direct pair counts and dyadic blocks agree."""
    rng = np.random.default_rng(seed)
    for n in (2, 7, 54, 300, 2000):
        entry = rng.integers(0, 30, n).astype(float)
        stop = entry + rng.integers(1, 20, n)
        event = (rng.random(n) < 0.5).astype(float)
        risk = rng.integers(0, 5, n).astype(float) + (seed == 2) * rng.normal(size=n)
        direct = concordance(stop, event, risk, entry=entry)
        monkeypatch.setattr("analytics.stats.cox.engine.PAIRWISE_LIMIT", 0)
        histogram = concordance(stop, event, risk, entry=entry)
        monkeypatch.setattr("analytics.stats.cox.engine.HISTOGRAM_LIMIT", 0)
        blocks = concordance(stop, event, risk, entry=entry)
        monkeypatch.undo()
        assert direct == histogram == blocks
