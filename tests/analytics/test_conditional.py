"""Conditional survival: consistency with the Kaplan–Meier curve, edge cases, properties.

The comparisons with R are in tests/reference/test_conditional_vs_r.py.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.stats.conditional import (
    conditional_from_km,
    conditional_survival,
    conditional_survival_grid,
)
from analytics.stats.survival import kaplan_meier, survival_at


@pytest.fixture
def cohort() -> pd.DataFrame:
    """Twelve patients, failures spread over 3–40 months, two lesion groups."""
    return pd.DataFrame(
        {
            "time_months": [3, 8, 12, 15, 20, 22, 26, 30, 34, 40, 48, 60],
            "failure": [1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0],
            "asymptomatic_lesions": [1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0],
        },
        dtype=float,
    )


def test_ratio_of_kaplan_meier_values(cohort) -> None:
    result = conditional_survival(cohort, 10, 20).groups[0]
    km = kaplan_meier(cohort["time_months"], cohort["failure"])
    at_x, at_xy = survival_at(km, [10, 30])
    assert result.estimate == pytest.approx(at_xy.survival / at_x.survival)
    assert result.at_risk == 10
    assert result.events == 3  # 15, 22 and 30; 26 is censored
    assert result.reason is None


def test_given_zero_is_the_kaplan_meier_survival_with_its_interval(cohort) -> None:
    km = kaplan_meier(cohort["time_months"], cohort["failure"])
    expected = survival_at(km, [24])[0]
    result = conditional_survival(cohort, 0, 24).groups[0]
    assert result.estimate == pytest.approx(expected.survival)
    assert result.ci_low == pytest.approx(expected.ci_low)
    assert result.ci_high == pytest.approx(expected.ci_high)
    assert result.at_risk == len(cohort)


def test_a_failure_at_exactly_x_is_not_in_the_window(cohort) -> None:
    """Failure-free for 8 months excludes the patient who failed at month 8."""
    at_8 = conditional_survival(cohort, 8, 10).groups[0]
    assert at_8.at_risk == 10
    assert at_8.events == 1  # month 15 only


def test_no_failures_in_the_window_is_one_with_interval_one(cohort) -> None:
    result = conditional_survival(cohort, 40, 15).groups[0]
    assert result.events == 0
    assert (result.estimate, result.ci_low, result.ci_high) == (1.0, 1.0, 1.0)
    assert result.std_err == 0.0


def test_everyone_fails_in_the_window() -> None:
    frame = pd.DataFrame({"time_months": [5.0, 10.0, 12.0], "failure": [0.0, 1.0, 1.0]})
    result = conditional_survival(frame, 6, 6).groups[0]
    assert result.estimate == 0.0
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["ci_low"] is None
    assert data["std_err"] is None


def test_given_beyond_last_followup_is_none_with_reason(cohort) -> None:
    result = conditional_survival(cohort, 60, 12).groups[0]
    assert result.estimate is None
    assert result.at_risk == 0
    assert "Nobody in All is still failure-free and followed beyond 60 months" in result.reason
    assert json.loads(json.dumps(result.to_dict()))["estimate"] is None


def test_horizon_beyond_last_followup_is_none_with_reason(cohort) -> None:
    result = conditional_survival(cohort, 24, 48).groups[0]
    assert result.estimate is None
    assert result.at_risk == 6
    assert "ends at 60 months, before 24 + 48 = 72 months" in result.reason


def test_horizon_reaching_exactly_the_last_followup_is_estimated(cohort) -> None:
    assert conditional_survival(cohort, 24, 36).groups[0].estimate is not None


def test_empty_cohort_is_none_with_reason() -> None:
    frame = pd.DataFrame({"time_months": [], "failure": []}, dtype=float)
    result = conditional_survival(frame, 0, 12).groups[0]
    assert result.n == 0
    assert result.estimate is None
    assert result.reason


def test_per_group(cohort) -> None:
    result = conditional_survival(cohort, 10, 20, group_by="asymptomatic_lesions")
    assert [g.label for g in result.groups] == ["0", "1"]
    without = result.group("0")
    assert (without.events, without.estimate) == (0, 1.0)
    with_lesions = result.group("1")
    km = kaplan_meier(
        cohort.loc[cohort["asymptomatic_lesions"] == 1, "time_months"],
        cohort.loc[cohort["asymptomatic_lesions"] == 1, "failure"],
    )
    at_x, at_xy = survival_at(km, [10, 30])
    assert with_lesions.estimate == pytest.approx(at_xy.survival / at_x.survival)
    assert any("imprecise" in note for note in with_lesions.notes)
    with pytest.raises(KeyError, match="groups are"):
        result.group("2")


def test_missing_group_value_is_left_out_with_a_note(cohort) -> None:
    cohort.loc[0, "asymptomatic_lesions"] = np.nan
    result = conditional_survival(cohort, 0, 12, group_by="asymptomatic_lesions")
    assert sum(g.n for g in result.groups) == len(cohort) - 1
    assert "1 patient with no Asymptomatic lesions" in result.notes[0]


def test_grid_over_several_given_times(cohort) -> None:
    rows = conditional_survival_grid(cohort, [0, 12, 24, 60], 12)
    assert [r.given_months for r in rows] == [0, 12, 24, 60]
    assert rows[-1].groups[0].estimate is None
    assert rows[0].groups[0].estimate == pytest.approx(10 / 12)  # failures at 3 and 8
    assert rows[2].groups[0].estimate == pytest.approx(4 / 5)  # failure at 30, 5 at risk


@pytest.mark.parametrize(
    ("given_months", "horizon_months", "conf_level", "message"),
    [
        (-1, 12, 0.95, "months already failure-free must be >= 0"),
        (6, 0, 0.95, "months ahead must be > 0"),
        (6, 12, 1.0, "conf_level must be between 0 and 1"),
    ],
)
def test_bad_arguments(cohort, given_months, horizon_months, conf_level, message) -> None:
    with pytest.raises(ValueError, match=message):
        conditional_survival(cohort, given_months, horizon_months, conf_level=conf_level)


def test_missing_column(cohort) -> None:
    with pytest.raises(ValueError, match="no column 'sex'"):
        conditional_survival(cohort, 6, 12, group_by="sex")


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(st.tuples(st.integers(1, 60), st.booleans()), min_size=1, max_size=30),
    given_months=st.integers(0, 40),
    horizon_months=st.integers(1, 30),
)
def test_conditional_times_survival_at_x_is_survival_at_x_plus_y(
    data, given_months, horizon_months
) -> None:
    """S(X) · S(X + Y | X) = S(X + Y), and the interval contains the estimate."""
    time, event = (np.array(v, dtype=float) for v in zip(*data, strict=True))
    km = kaplan_meier(time, event)
    result = conditional_from_km(km, given_months, horizon_months)
    if result.estimate is None:
        assert result.reason
        return
    at_x, at_xy = survival_at(km, [given_months, given_months + horizon_months])
    assert at_x.survival * result.estimate == pytest.approx(at_xy.survival, abs=1e-12)
    if result.estimate > 0:
        assert result.ci_low <= result.estimate + 1e-12
        assert result.estimate <= result.ci_high + 1e-12
