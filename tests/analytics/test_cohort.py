"""Outcome derivation with a grace period, and filtering."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.data.cohort import Filters, analysis_frame, apply_filters, derive_outcome
from tests.conftest import make_cohort


def _relapsing_patients() -> tuple[pd.DataFrame, pd.DataFrame]:
    patients = pd.DataFrame(
        {"patient_id": ["A", "B", "C", "D"], "followup_months": [24.0, 36.0, 18.0, 48.0]}
    )
    relapses = pd.DataFrame(
        {
            "patient_id": ["A", "A", "B", "C", "D", "D"],
            "months_from_rtx": [-5.0, 4.0, 7.0, 2.5, -12.0, 30.0],
        }
    )
    return patients, relapses


def test_failure_is_first_relapse_after_grace_period():
    patients, relapses = _relapsing_patients()
    out = derive_outcome(patients, relapses, grace_months=6)
    assert out["failure"].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert out["time_months"].tolist() == [24.0, 7.0, 18.0, 30.0]


def test_grace_zero_counts_early_relapses_and_pre_treatment_ones_never():
    patients, relapses = _relapsing_patients()
    out = derive_outcome(patients, relapses, grace_months=0)
    assert out["failure"].tolist() == [1.0, 1.0, 1.0, 1.0]
    # Patient D's relapse at -12 months is before rituximab: failure is at 30, not before.
    assert out["failure_months"].tolist() == [4.0, 7.0, 2.5, 30.0]


def test_relapse_exactly_at_grace_limit_is_not_a_failure():
    """'More than 6 months' in the study's definition: a relapse at 6.0 is inside the grace."""
    patients = pd.DataFrame({"patient_id": ["A"], "followup_months": [20.0]})
    relapses = pd.DataFrame({"patient_id": ["A"], "months_from_rtx": [6.0]})
    assert derive_outcome(patients, relapses, 6)["failure"].tolist() == [0.0]


def test_form_a_outcome_uses_file_columns(small_patients):
    out = derive_outcome(small_patients, None)
    np.testing.assert_array_equal(
        out["time_months"], [10.0, 40.0, 8.0, 60.0, 20.0, 80.0, 15.0, 44.0]
    )


def test_filters_combine_and_missing_values_never_match(small_patients):
    frame = derive_outcome(small_patients, None)
    out = apply_filters(frame, Filters(sex="f", age_min=30, age_max=50))
    assert out["patient_id"].tolist() == ["P1", "P2", "P4"]
    # P5 has no age: an active age filter excludes them, an inactive one keeps them.
    assert "P5" not in apply_filters(frame, Filters(age_min=0))["patient_id"].tolist()
    assert "P5" in apply_filters(frame, Filters(sex="M"))["patient_id"].tolist()


def test_filter_on_absent_column_selects_nobody(small_patients):
    frame = derive_outcome(small_patients.drop(columns=["gd_persistent"]), None)
    assert apply_filters(frame, Filters(gd_persistent=1)).empty


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grace_months": 13}, "grace period must be between 0 and 12"),
        ({"grace_months": -1}, "grace period must be between 0 and 12"),
        ({"age_min": 50, "age_max": 40}, "age range is empty"),
        ({"edss_min": 5, "edss_max": 2}, "EDSS range is empty"),
    ],
)
def test_invalid_filters_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Filters(**kwargs)


def test_analysis_frame_filters_after_deriving_outcome(small_patients):
    cohort = make_cohort(small_patients)
    out = analysis_frame(cohort, Filters(lesions=1))
    assert out["patient_id"].tolist() == ["P1", "P3", "P5"]
    assert out.index.tolist() == [0, 1, 2]
