"""Exact proportion and rate intervals, and annualized relapse rates.

Expected values are computed independently of ``analytics.stats.rates`` (which takes beta and
chi-square quantiles): the exact limits are checked against their definition, the binomial
or Poisson tail probability that each limit puts at alpha / 2, summed term by term; relapse
rates against hand counts. Values quoted from R 4.x (``binom.test``, ``poisson.test``) are in
the docstrings.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.stats.rates import (
    PATIENT_RATE_COLUMNS,
    annualized_relapse_rates,
    failure_proportion,
    incidence_rate,
)
from analytics.stats.recurrent import relapse_rates_by_group


def _binomial_cdf(k: int, n: int, p: float) -> float:
    """P(X <= k) for X ~ Binomial(n, p)."""
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def _poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(mean)."""
    return sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k + 1))


@pytest.mark.parametrize(
    ("events", "n"), [(12, 54), (0, 54), (54, 54), (0, 1), (1, 1), (1, 7), (3, 10)]
)
@pytest.mark.parametrize("conf_level", [0.95, 0.9])
def test_failure_proportion_limits_leave_alpha_half_in_each_binomial_tail(events, n, conf_level):
    """Clopper-Pearson: P(X >= x | low) = alpha / 2 and P(X <= x | high) = alpha / 2."""
    half = (1 - conf_level) / 2
    result = failure_proportion(events, n, conf_level=conf_level)
    assert result.estimate == pytest.approx(events / n)
    if events == 0:
        assert result.ci_low == 0.0
    else:
        assert 1 - _binomial_cdf(events - 1, n, result.ci_low) == pytest.approx(half, rel=1e-9)
    if events == n:
        assert result.ci_high == 1.0
    else:
        assert _binomial_cdf(events, n, result.ci_high) == pytest.approx(half, rel=1e-9)


def test_failure_proportion_matches_r_binom_test():
    """R: binom.test(12, 54)$conf.int -> 0.1204358 0.3559991."""
    result = failure_proportion(12, 54)
    assert_allclose((result.ci_low, result.ci_high), (0.1204358, 0.3559991), atol=5e-8)


def test_failure_proportion_edges_are_closed():
    assert failure_proportion(0, 5).ci_low == 0.0
    assert failure_proportion(5, 5).ci_high == 1.0
    one = failure_proportion(1, 1)
    assert (one.estimate, one.ci_high) == (1.0, 1.0)
    assert one.ci_low == pytest.approx(0.025)  # (alpha/2)^(1/n) with n = 1


def test_failure_proportion_no_patients_is_undefined_not_an_error():
    result = failure_proportion(0, 0)
    assert math.isnan(result.estimate)
    assert result.to_dict()["estimate"] is None


@pytest.mark.parametrize(
    ("events", "n", "conf_level", "message"),
    [(3, 2, 0.95, "events <= n"), (-1, 5, 0.95, "events <= n"), (1, 5, 1.0, "conf_level")],
)
def test_failure_proportion_rejects_bad_input(events, n, conf_level, message):
    with pytest.raises(ValueError, match=message):
        failure_proportion(events, n, conf_level=conf_level)


@pytest.mark.parametrize(("events", "months"), [(12, 3000.0), (0, 3000.0), (1, 12.0), (40, 600.0)])
@pytest.mark.parametrize("conf_level", [0.95, 0.9])
def test_incidence_rate_limits_leave_alpha_half_in_each_poisson_tail(events, months, conf_level):
    """Exact Poisson: P(X >= x | low) = alpha / 2 and P(X <= x | high) = alpha / 2, on the count."""
    half = (1 - conf_level) / 2
    years = months / 12
    result = incidence_rate(events, months, conf_level=conf_level)
    assert result.person_years == pytest.approx(years)
    assert result.estimate == pytest.approx(100 * events / years)
    low, high = result.ci_low * years / 100, result.ci_high * years / 100
    if events == 0:
        assert low == 0.0
        assert high == pytest.approx(-math.log(half), rel=1e-12)  # P(X = 0) = exp(-high)
    else:
        assert 1 - _poisson_cdf(events - 1, low) == pytest.approx(half, rel=1e-9)
    assert _poisson_cdf(events, high) == pytest.approx(half, rel=1e-9)


def test_incidence_rate_matches_r_poisson_test():
    """R: poisson.test(12, 250)$conf.int * 100 -> 2.480230 8.384634;
    poisson.test(0, 250)$conf.int * 100 -> 0.000000 1.475552."""
    twelve = incidence_rate(12, 250 * 12)
    assert_allclose((twelve.ci_low, twelve.ci_high), (2.480230, 8.384634), atol=5e-7)
    zero = incidence_rate(0, 250 * 12)
    assert zero.ci_low == 0.0
    assert zero.ci_high == pytest.approx(1.475552, abs=5e-7)


def test_incidence_rate_per_one_is_annualized():
    result = incidence_rate(6, 24.0, per=1.0)
    assert result.estimate == pytest.approx(3.0)


def test_incidence_rate_without_time_is_undefined():
    result = incidence_rate(0, 0.0)
    assert math.isnan(result.estimate)
    assert json.loads(json.dumps(result.to_dict()))["ci_high"] is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"events": -1, "person_time_months": 10.0}, "events"),
        ({"events": 1, "person_time_months": -1.0}, "person_time_months"),
        ({"events": 1, "person_time_months": float("nan")}, "person_time_months"),
        ({"events": 1, "person_time_months": 10.0, "per": 0}, "per"),
    ],
)
def test_incidence_rate_rejects_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        incidence_rate(**kwargs)


@pytest.fixture
def small_cohort():
    """Three patients, hand-countable relapses, and one patient outside the filter."""
    patients = pd.DataFrame({"patient_id": ["A", "B", "C"], "followup_months": [24.0, 36.0, 12.0]})
    relapses = pd.DataFrame(
        {
            "patient_id": ["A", "A", "A", "A", "B", "B", "B", "C", "Z"],
            # A: one relapse before the 24-month window, two inside it, one at month 3;
            # B: one pre, one at exactly 0 (infusion day), one at month 30;
            # C: none before, one at 6 (inside a 6-month grace period). Z: not in the frame.
            "months_from_rtx": [-40.0, -20.0, -1.0, 3.0, -12.0, 0.0, 30.0, 6.0, -5.0],
        }
    )
    return patients, relapses


def test_relapse_rates_hand_counts(small_cohort):
    patients, relapses = small_cohort
    result = annualized_relapse_rates(patients, relapses)
    rows = result.frame().set_index("patient_id")
    assert rows["pre_relapses"].to_dict() == {"A": 2, "B": 1, "C": 0}
    assert rows["post_relapses"].to_dict() == {"A": 1, "B": 1, "C": 1}
    assert_allclose(rows["pre_arr"], [1.0, 0.5, 0.0])
    assert_allclose(rows["post_arr"], [1 / 2, 1 / 3, 1 / 1])
    assert result.relapses_outside_window == 1
    assert result.relapses_at_infusion == 1
    # Pooled: 3 relapses over 3 x 2 years before; 3 relapses over 2 + 3 + 1 years after.
    assert result.pooled_pre.estimate == pytest.approx(0.5)
    assert result.pooled_post.estimate == pytest.approx(0.5)
    # R: poisson.test(3, 6)$conf.int -> 0.1031120205 1.4612121783
    pooled = (result.pooled_post.ci_low, result.pooled_post.ci_high)
    assert_allclose(pooled, (0.1031120205, 1.4612121783), atol=5e-11)
    assert result.median_post_arr == pytest.approx(0.5)


def test_relapse_rates_grace_period_shortens_exposure(small_cohort):
    patients, relapses = small_cohort
    result = annualized_relapse_rates(patients, relapses, grace_months=6.0)
    rows = result.frame().set_index("patient_id")
    # Month-3 (A) and month-6 (C) relapses fall inside the grace period; C has no time left.
    assert rows["post_relapses"].to_dict() == {"A": 0, "B": 1, "C": 0}
    assert_allclose(rows["post_years"], [1.5, 2.5, 0.5])
    assert result.pooled_post.estimate == pytest.approx(1 / 4.5)


def test_relapse_rates_window_length(small_cohort):
    patients, relapses = small_cohort
    result = annualized_relapse_rates(patients, relapses, pre_window_months=48.0)
    assert result.frame()["pre_relapses"].tolist() == [3, 1, 0]
    assert result.pooled_pre.estimate == pytest.approx(4 / 12)


def test_relapse_rates_for_no_relapses_at_all():
    patients = pd.DataFrame({"patient_id": ["A"], "followup_months": [12.0]})
    relapses = pd.DataFrame({"patient_id": pd.Series([], dtype=str), "months_from_rtx": []})
    result = annualized_relapse_rates(patients, relapses)
    assert result.pooled_post.estimate == 0.0
    assert result.pooled_post.ci_low == 0.0
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["patients"][0]["post_arr"] == 0.0


def test_relapse_rates_for_an_empty_filter_is_undefined():
    patients = pd.DataFrame({"patient_id": pd.Series([], dtype=str), "followup_months": []})
    relapses = pd.DataFrame({"patient_id": ["A"], "months_from_rtx": [-1.0]})
    result = annualized_relapse_rates(patients, relapses)
    assert result.patients.empty
    assert tuple(result.frame().columns) == PATIENT_RATE_COLUMNS
    assert result.to_dict()["pooled_post"]["estimate"] is None
    assert np.isnan(result.median_pre_arr)


def test_relapse_rates_name_missing_columns():
    patients = pd.DataFrame({"patient_id": ["A"]})
    relapses = pd.DataFrame({"patient_id": ["A"], "months_from_rtx": [1.0]})
    with pytest.raises(ValueError, match="followup_months"):
        annualized_relapse_rates(patients, relapses)


def test_relapse_rates_per_patient_columns_and_types(small_cohort):
    patients, relapses = small_cohort
    frame = annualized_relapse_rates(patients, relapses).frame()
    assert tuple(frame.columns) == PATIENT_RATE_COLUMNS
    assert frame["patient_id"].tolist() == ["A", "B", "C"]
    assert frame.dtypes.astype(str).tolist() == [
        "object", "int64", "float64", "float64", "int64", "float64", "float64"
    ]  # fmt: skip
    assert_allclose(frame["pre_years"], [2.0, 2.0, 2.0])


def test_relapse_rates_frame_is_a_copy(small_cohort):
    patients, relapses = small_cohort
    result = annualized_relapse_rates(patients, relapses)
    frame = result.frame()
    frame["post_relapses"] = 99
    assert result.frame()["post_relapses"].tolist() == [1, 1, 1]


def test_relapse_rates_json_lists_one_record_per_patient(small_cohort):
    """Directly and nested in a grouped result: a patient without post-treatment time
    (C, followed 12 months, grace 12) has post_arr null."""
    patients, relapses = small_cohort
    direct = json.loads(
        json.dumps(annualized_relapse_rates(patients, relapses, grace_months=12.0).to_dict())
    )
    grouped = relapse_rates_by_group(patients, relapses, None, grace_months=12.0)
    nested = json.loads(json.dumps(grouped.to_dict(), allow_nan=False))["groups"][0]["rates"]
    assert nested == direct
    assert list(direct)[0] == "patients"
    assert direct["patients"][2] == {
        "patient_id": "C",
        "pre_relapses": 0,
        "pre_years": 2.0,
        "pre_arr": 0.0,
        "post_relapses": 0,
        "post_years": 0.0,
        "post_arr": None,
    }
    assert [row["post_relapses"] for row in direct["patients"]] == [0, 1, 0]


def test_relapse_rates_compare_by_value(small_cohort):
    patients, relapses = small_cohort
    first = annualized_relapse_rates(patients, relapses)
    again = annualized_relapse_rates(patients.copy(), relapses.copy())
    assert first == again
    assert hash(first) == hash(again)
    assert first != annualized_relapse_rates(patients, relapses, grace_months=6.0)
    # Same summary, one patient's counts differ: still unequal.
    moved = relapses.assign(patient_id=relapses["patient_id"].replace({"C": "B"}))
    other = annualized_relapse_rates(patients, moved)
    assert other.pooled_post == first.pooled_post
    assert other != first
