"""Cox models: coding, missing data, small-sample warnings, degenerate groups.

Numerical agreement with R coxph / coxphf-by-first-principles is in tests/reference.
"""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pandas as pd
import pytest

from analytics.data.cohort import derive_outcome
from analytics.stats.cox.models import (
    cox_model,
    events_per_variable,
    firth_cox,
    landmark_cox,
    time_dependent_cox,
)


@pytest.fixture
def frame(small_patients):
    """The shared eight-patient cohort with its outcome derived."""
    return derive_outcome(small_patients, None)


def test_categorical_term_names_and_reference(frame):
    model = cox_model(frame, ["fcgr3a_v158f"], categorical={"fcgr3a_v158f": "VV"})
    assert [t.term for t in model.terms] == ["fcgr3a_v158f=FF", "fcgr3a_v158f=VF"]
    assert {t.reference for t in model.terms} == {"VV"}


def test_text_column_reference_defaults_to_first_sorted_level(frame):
    model = cox_model(frame, ["sex"])
    assert model.terms[0].term == "sex=M"
    assert model.terms[0].reference == "F"


def test_rows_missing_a_covariate_are_dropped_and_counted(frame):
    model = cox_model(frame, ["age_at_rtx"])
    assert model.n == 7
    assert model.dropped_missing == 1


def test_small_sample_warnings(frame):
    model = cox_model(frame, ["edss_baseline", "sex"])
    assert any("events per variable" in w for w in model.warnings)


def test_separation_recommends_firth_and_firth_stays_finite():
    # Every failure is in the lesion group: the Cox HR runs to infinity.
    df = pd.DataFrame(
        {
            "time_months": [5, 8, 12, 20, 30, 35, 40, 50, 60, 70],
            "failure": [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
            "lesion": [1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
        },
        dtype=float,
    )
    model = cox_model(df, ["lesion"])
    assert model.firth_recommended
    assert any("Firth" in w for w in model.warnings)
    firth = firth_cox(df, ["lesion"])
    term = firth.terms[0]
    assert firth.method == "firth"
    assert math.isfinite(term.hr)
    assert term.hr > 1
    assert term.ci_low < term.hr < term.ci_high


def test_no_events_gives_empty_model_with_reason(frame):
    df = frame.assign(failure=0.0)
    model = cox_model(df, ["age_at_rtx"])
    assert model.terms == ()
    assert "No failures" in model.warnings[0]
    assert model.to_dict()["concordance"] is None


def test_constant_covariate_is_left_out_with_a_note(frame):
    model = cox_model(frame.assign(sex="F"), ["sex", "edss_baseline"])
    assert [t.term for t in model.terms] == ["edss_baseline"]
    assert any("Sex is the same for everyone" in w for w in model.warnings)


def test_unknown_covariate_is_a_key_error(frame):
    with pytest.raises(KeyError, match="not in the cohort: nonsense"):
        cox_model(frame, ["nonsense"])


def test_time_dependent_splits_follow_up_at_lesion_time():
    """A lesion after the failure cannot explain it: that patient stays unexposed."""
    df = pd.DataFrame(
        {
            "time_months": [10.0, 20.0, 30.0, 40.0, 15.0, 25.0],
            "failure": [1.0, 1.0, 0.0, 1.0, 0.0, 1.0],
            "asymptomatic_lesions": [1.0, 1.0, 0.0, 0.0, 1.0, 1.0],
            "asymptomatic_lesion_months": [4.0, 25.0, np.nan, np.nan, 3.0, 12.0],
        }
    )
    model = time_dependent_cox(df)
    assert model.n == 6
    assert model.events == 4
    naive = cox_model(df, ["asymptomatic_lesions"])
    # Immortal time: the baseline model credits the lesion group with time before lesions.
    assert model.terms[0].hr != pytest.approx(naive.terms[0].hr)


def test_landmark_keeps_only_patients_at_risk_at_landmark():
    df = pd.DataFrame(
        {
            "time_months": [5.0, 20.0, 30.0, 40.0, 50.0, 25.0, 35.0],
            "failure": [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0],
            "asymptomatic_lesions": [1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0],
            "asymptomatic_lesion_months": [2.0, 8.0, np.nan, np.nan, 30.0, 11.0, np.nan],
        }
    )
    model = landmark_cox(df, 12)
    assert model.n == 6  # the failure at month 5 is before the landmark
    assert "6 patients still at risk" in model.warnings[0]


@pytest.mark.parametrize("model", ["time_dependent", "landmark"])
def test_a_missing_exposure_flag_leaves_the_patient_out_not_unexposed(model):
    """R's na.omit: a patient whose flag is missing is not in the model (before, the split
    and the landmark set counted them as unexposed). Same fit as without that patient."""
    df = pd.DataFrame(
        {
            "time_months": [20.0, 30.0, 40.0, 50.0, 25.0, 35.0, 45.0, 28.0],
            "failure": [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0],
            "asymptomatic_lesions": [1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, np.nan],
            "asymptomatic_lesion_months": [8.0, 14.0, np.nan, np.nan, 5.0, 11.0, np.nan, np.nan],
        }
    )
    fit = (
        time_dependent_cox
        if model == "time_dependent"
        else partial(landmark_cox, landmark_months=12)
    )
    with_missing, without = fit(df), fit(df.iloc[:-1])
    assert with_missing.n == without.n == 7
    assert with_missing.terms[0].coef == pytest.approx(without.terms[0].coef, rel=1e-12)
    assert with_missing.loglik == pytest.approx(without.loglik, rel=1e-12)
    if model == "time_dependent":  # counted per patient, in the words of cox_model's note
        assert "1 patient with no asymptomatic_lesions was left out of this model." in (
            with_missing.warnings
        )


def test_events_per_variable():
    assert events_per_variable(12, 3) == 4
    assert events_per_variable(5, 0) == math.inf
