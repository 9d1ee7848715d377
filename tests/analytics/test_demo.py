"""The shipped synthetic demo cohort meets every calibration target of docs/data-contract.md.

Targets (from the source study's abstract): 54 patients, 12 failures, 45 women, median age
45 (IQR about 34-54.5); failure associated with asymptomatic lesions (Fisher p in
0.01-0.03, univariable Cox HR 15-45 with p < 0.01, MANCOVA lesion term p < 0.001); age,
sex, baseline EDSS, Gd persistence and FCGR3A genotype not associated (every p > 0.05).
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.data.cohort import Filters, analysis_frame, derive_outcome
from analytics.data.demo import DEMO_LABEL, INFUSIONS_PATH, PATIENTS_PATH, RELAPSES_PATH, load_demo
from analytics.data.demo.generate import generate, generate_infusions, to_csv_text, write
from analytics.stats.cox.models import cox_model
from analytics.stats.table_one import mancova, table_one

NOT_ASSOCIATED = ["age_at_rtx", "sex", "edss_baseline", "gd_persistent", "fcgr3a_v158f"]


@pytest.fixture(scope="module")
def cohort():
    """The shipped demo cohort, loaded and validated like any user file."""
    return load_demo()


@pytest.fixture(scope="module")
def frame(cohort):
    """Analysis frame with the study's 6-month grace period and no filters."""
    return analysis_frame(cohort, Filters())


def test_generator_reproduces_the_shipped_files_exactly(tmp_path):
    patients, relapses = generate()
    assert to_csv_text(patients).encode() == PATIENTS_PATH.read_bytes()
    assert to_csv_text(relapses).encode() == RELAPSES_PATH.read_bytes()
    assert to_csv_text(generate_infusions(patients)).encode() == INFUSIONS_PATH.read_bytes()
    written = write(tmp_path)
    assert [path.name for path in written] == ["patients.csv", "relapses.csv", "infusions.csv"]
    assert [path.read_bytes() for path in written] == [
        PATIENTS_PATH.read_bytes(),
        RELAPSES_PATH.read_bytes(),
        INFUSIONS_PATH.read_bytes(),
    ]


def test_infusions_have_their_own_random_stream():
    """Drawing the infusions leaves the patients and relapses as they were (and the reverse)."""
    patients, relapses = generate()
    infusions = generate_infusions(patients)
    again_patients, again_relapses = generate()
    pd.testing.assert_frame_equal(again_patients, patients)
    pd.testing.assert_frame_equal(again_relapses, relapses)
    pd.testing.assert_frame_equal(generate_infusions(again_patients), infusions)
    assert not generate_infusions(patients, seed=85).equals(infusions)


def test_files_are_package_data():
    demo = resources.files("analytics.data.demo")
    assert (demo / "patients.csv").is_file()
    assert (demo / "relapses.csv").is_file()
    assert (demo / "infusions.csv").is_file()


def test_load_demo_is_labelled_synthetic(cohort):
    assert cohort.label == DEMO_LABEL == "Synthetic demo cohort"
    assert cohort.synthetic is True
    assert cohort.relapses is not None
    assert cohort.infusions is not None
    assert len(cohort.patients) == 54
    assert cohort.patients["patient_id"].str.fullmatch(r"SYN-\d{3}").all()


def test_counts_failures_and_women(frame):
    assert len(frame) == 54
    assert int(frame["failure"].sum()) == 12
    assert int((frame["sex"] == "F").sum()) == 45


def test_age_median_and_iqr(frame):
    q1, median, q3 = np.quantile(frame["age_at_rtx"], [0.25, 0.5, 0.75])
    assert median == 45
    assert q1 == pytest.approx(34, abs=0.5)
    assert q3 == pytest.approx(54.5, abs=0.5)


def test_failure_columns_agree_with_the_relapses_file(cohort):
    from_relapses = derive_outcome(cohort.patients.drop(columns=["failure"]), cohort.relapses)
    assert (from_relapses["failure"] == cohort.patients["failure"]).all()
    failed = cohort.patients["failure"] == 1
    assert np.allclose(
        from_relapses.loc[failed, "failure_months"], cohort.patients.loc[failed, "failure_months"]
    )
    assert (cohort.patients.loc[failed, "failure_months"] > 6).all()


def test_relapses_before_and_inside_the_grace_period(cohort):
    months = cohort.relapses["months_from_rtx"]
    assert (months < 0).sum() >= 54  # every patient had at least the onset attack
    assert set(cohort.relapses.loc[months < 0, "patient_id"]) == set(cohort.patients["patient_id"])
    assert ((months > 0) & (months <= 6)).sum() >= 3
    failures = {
        grace: int(analysis_frame(cohort, Filters(grace_months=grace))["failure"].sum())
        for grace in (0.0, 6.0, 12.0)
    }
    assert failures[0.0] > failures[6.0] > failures[12.0]


def test_lesion_times_come_before_failure_and_within_follow_up(frame):
    lesion = frame["asymptomatic_lesions"] == 1
    assert frame.loc[lesion, "asymptomatic_lesion_months"].notna().all()
    assert frame.loc[~lesion, "asymptomatic_lesion_months"].isna().all()
    lesion_months = frame.loc[lesion, "asymptomatic_lesion_months"]
    assert (lesion_months > 0).all()
    assert (lesion_months < frame.loc[lesion, "time_months"]).all()


def test_follow_up_is_realistic(frame):
    followup = frame["followup_months"]
    assert followup.min() >= 12
    assert followup.max() <= 216  # first infusion 2006 at the earliest, follow-up to 2023
    assert 40 <= followup.median() <= 120


def test_lesions_fisher_p(frame):
    table = pd.crosstab(frame["asymptomatic_lesions"], frame["failure"]).to_numpy()
    assert 0.01 < stats.fisher_exact(table).pvalue < 0.03


def test_lesions_univariable_cox(frame):
    term = cox_model(frame, ["asymptomatic_lesions"]).term("asymptomatic_lesions")
    assert 15 < term.hr < 45
    assert term.p < 0.01


def test_lesions_mancova(frame):
    result = mancova(frame)
    assert result.n_used == 54
    assert result.term("asymptomatic_lesions").p < 0.001


@pytest.mark.parametrize("variable", NOT_ASSOCIATED)
def test_baseline_variables_not_associated_in_table_one(frame, variable):
    row = table_one(frame, variables=[variable]).rows[0]
    assert row.p > 0.05


@pytest.mark.parametrize("variable", NOT_ASSOCIATED)
def test_baseline_variables_not_associated_in_cox(frame, variable):
    model = cox_model(frame, [variable])
    assert all(term.p > 0.05 for term in model.terms)
    assert model.lr_p > 0.05


def test_relapse_rate_falls_after_rituximab(cohort):
    from analytics.stats.rates import annualized_relapse_rates

    rates = annualized_relapse_rates(cohort.patients, cohort.relapses)
    assert rates.pooled_post.ci_high < rates.pooled_pre.ci_low


@pytest.fixture(scope="module")
def infusions(cohort):
    """The demo's infusions with each patient's follow-up and outcome beside them."""
    return cohort.infusions.merge(cohort.patients, on="patient_id", validate="many_to_one")


def test_every_patient_starts_rituximab_at_zero_with_induction(infusions):
    first = infusions.groupby("patient_id")["months_from_rtx"].min()
    assert len(first) == 54
    assert (first == 0).all()
    assert (infusions["months_from_rtx"] <= infusions["followup_months"]).all()
    assert set(infusions["dose_mg"]) == {1000.0}
    second_dose = infusions.loc[infusions["months_from_rtx"] == 0.5, "patient_id"].nunique()
    assert 0.6 * 54 <= second_dose < 54  # most, not all, get 1000 mg twice two weeks apart


def test_re_dosing_every_five_to_twelve_months(infusions):
    courses = infusions[infusions["months_from_rtx"] != 0.5]
    gaps = courses.groupby("patient_id")["months_from_rtx"].diff().dropna()
    assert gaps.between(5.0, 12.0).all()
    assert 5.5 <= gaps.median() <= 7.0  # mostly the fixed 6-monthly schedule
    widest = gaps.groupby(courses["patient_id"]).max()
    assert 5 <= (widest > 7.05).sum() <= 30  # B-cell-guided patients wait longer


def test_some_failures_stop_rituximab_and_only_failures(infusions):
    """Follow-up continues after a switch of drug; without one, the next course is due within
    12 months of the last."""
    last = infusions.groupby("patient_id").agg(
        last=("months_from_rtx", "max"),
        followup=("followup_months", "first"),
        failure=("failure", "first"),
        failure_months=("failure_months", "first"),
    )
    stopped = last[last["followup"] - last["last"] > 12.1]
    assert len(stopped) >= 2
    assert (stopped["failure"] == 1).all()
    assert (stopped["last"] <= stopped["failure_months"] + 4).all()
