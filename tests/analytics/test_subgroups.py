"""analytics.stats.subgroups: level labels, failure proportion per subgroup, at-risk table times."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analytics.stats.rates import failure_proportion
from analytics.stats.subgroups import (
    SUBGROUP_VARIABLES,
    level_labels,
    risk_table_times,
    subgroup_rates,
)


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        ([0.0, 1.0, 1.0], ["0", "1", "1"]),
        ([1.5, 2.0], ["1.5", "2"]),
        (["F", "M"], ["F", "M"]),
        ([np.int64(1), np.int64(0)], ["1", "0"]),
        ([np.float64(1.0), np.nan], ["1", None]),
        (["VF", None], ["VF", None]),
    ],
)
def test_level_labels(values, labels):
    assert list(level_labels(pd.Series(values, dtype=object))) == labels


def test_float_codes_read_like_integer_codes():
    floats = level_labels(pd.Series([0.0, 1.0]))
    ints = level_labels(pd.Series([0, 1]))
    assert list(floats) == list(ints)


def test_nullable_missing_values_stay_missing():
    assert level_labels(pd.Series(["a", None], dtype="string")).isna().tolist() == [False, True]


def test_subgroup_rates_count_each_level(small_patients):
    rates = subgroup_rates(small_patients)
    by_level = {(r.variable, r.level): (r.proportion.events, r.proportion.n) for r in rates}
    expected = {}
    for variable in SUBGROUP_VARIABLES:
        labels = level_labels(small_patients[variable])
        for level in labels.dropna().unique():
            rows = small_patients[labels == level]
            expected[(variable, level)] = (int(rows["failure"].sum()), len(rows))
    assert by_level == expected


def test_subgroup_rates_use_the_exact_proportion(small_patients):
    (male,) = [r for r in subgroup_rates(small_patients, ["sex"]) if r.level == "M"]
    assert male.proportion == failure_proportion(3, 3)


def test_missing_values_are_in_no_subgroup(small_patients):
    (gd_rates) = subgroup_rates(small_patients, ["gd_persistent"])
    assert sum(r.proportion.n for r in gd_rates) == small_patients["gd_persistent"].notna().sum()


def test_absent_variables_are_skipped(small_patients):
    rates = subgroup_rates(small_patients.drop(columns=["sex"]))
    assert "sex" not in {r.variable for r in rates}


def test_levels_are_sorted(small_patients):
    levels = [r.level for r in subgroup_rates(small_patients, ["fcgr3a_v158f"])]
    assert levels == sorted(levels)


def test_subgroup_rate_dict_is_flat_and_json_safe(small_patients):
    out = subgroup_rates(small_patients, ["sex"])[0].to_dict()
    assert {"variable", "level", "estimate", "ci_low", "ci_high"} <= set(out)


@pytest.mark.parametrize(
    ("max_time", "times"),
    [
        (0.0, (0.0,)),
        (-1.0, (0.0,)),
        # Steps a clinician counts in: months up to half a year, quarters up to a year (the
        # "1 year" horizon once showed only "0"), half-years up to 3 years, years up to 8.
        (5.0, (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)),
        (12.0, (0.0, 3.0, 6.0, 9.0, 12.0)),
        (24.0, (0.0, 6.0, 12.0, 18.0, 24.0)),
        (60.0, (0.0, 12.0, 24.0, 36.0, 48.0, 60.0)),
        (61.0, (0.0, 12.0, 24.0, 36.0, 48.0, 60.0)),
        (96.0, tuple(12.0 * i for i in range(9))),
        (120.0, tuple(24.0 * i for i in range(6))),
        (121.0, tuple(24.0 * i for i in range(6))),
        (200.0, tuple(36.0 * i for i in range(6))),
    ],
)
def test_risk_table_times(max_time, times):
    assert risk_table_times(max_time) == times


@pytest.mark.parametrize("max_time", [1.0, 6.5, 11.9, 12.5, 47.5, 96.5, 119.9, 120.1, 500.0])
def test_risk_table_times_never_pass_the_last_follow_up(max_time):
    times = risk_table_times(max_time)
    step = times[1] - times[0]
    assert times[0] == 0.0
    assert times[-1] <= max_time
    assert max_time - times[-1] < step
    # Readable on a 1024-px screen and a journal column.
    assert 2 <= len(times) <= 9


def test_risk_table_times_are_evenly_spaced():
    steps = np.diff(risk_table_times(100.0))
    assert all(math.isclose(s, 24.0) for s in steps)


@pytest.mark.parametrize(
    "series",
    [
        pd.Series([], dtype=float),
        pd.Series(["VV", "VF", "VV"], dtype="category"),
        pd.Series([1.0, "1", 2], dtype=object),
        pd.Series([1.0, 0.0], index=[7, 3], name="gd_persistent"),
    ],
)
def test_level_labels_keep_what_series_map_gives(series):
    """Labels are computed per distinct value (for speed) but equal a per-row ``map``."""

    def one(value):
        if pd.api.types.is_scalar(value) and pd.isna(value):
            return None
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

    pd.testing.assert_series_equal(level_labels(series), series.map(one))
