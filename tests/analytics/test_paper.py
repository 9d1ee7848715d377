"""analytics.paper: the abstract's two inconsistencies are flagged; recomputed = report."""

from __future__ import annotations

import json

import pytest

from analytics.cohort import Filters
from analytics.paper import compare_with_paper
from analytics.report import build_report
from tests.conftest import make_cohort


@pytest.fixture(scope="module")
def comparison(demo):
    """The paper comparison on the demo."""
    return compare_with_paper(demo)


@pytest.fixture(scope="module")
def report(demo):
    """The report the comparison should agree with."""
    return build_report(demo, Filters(), group_by="asymptomatic_lesions")


def _row(comparison, quantity):
    return next(r for r in comparison.rows if r.quantity == quantity)


def test_exactly_two_published_values_are_flagged(comparison):
    flagged = sorted(r.quantity for r in comparison.rows if not r.consistent)
    assert flagged == ["Female", "MANCOVA, asymptomatic lesions"]


def test_the_female_flag_explains_82_5_percent_of_54(comparison):
    note = _row(comparison, "Female").note
    assert "82.5% of 54" in note
    assert "44 = 81.5%" in note
    assert "45 = 83.3%" in note


def test_82_5_percent_of_54_really_is_no_whole_number():
    assert [k for k in range(55) if round(100 * k / 54, 1) == 82.5] == []


def test_the_mancova_flag_explains_lambda_and_eta(comparison):
    note = _row(comparison, "MANCOVA, asymptomatic lesions").note
    assert "η² = 1 − λ" in note
    assert "0.643" in note


def test_lambda_and_eta_really_disagree():
    published_lambda, published_eta = 0.01, 0.357
    assert abs((1 - published_lambda) - published_eta) > 0.5


def test_patients_and_failures_equal_the_report(comparison, report):
    assert _row(comparison, "Patients").recomputed == str(report.n)
    assert _row(comparison, "Treatment failures").recomputed == (
        f"{report.events}/{report.n} ({report.events / report.n:.1%})"
    )


def test_female_count_equals_the_cohort(comparison, demo):
    women = int((demo.patients["sex"] == "F").sum())
    assert _row(comparison, "Female").recomputed.startswith(f"{women}/{len(demo.patients)}")


def test_fisher_p_equals_table_one(comparison, report):
    (row,) = [r for r in report.table_one.rows if r.variable == "asymptomatic_lesions"]
    assert _row(comparison, "Lesions vs failure (Fisher)").recomputed == f"p = {row.p:.3f}"


def test_cox_hr_equals_the_univariable_model(comparison, report):
    (term,) = report.univariable
    shown = _row(comparison, "Cox HR, asymptomatic lesions").recomputed
    assert shown.startswith(f"{term.hr:.1f} ({term.ci_low:.2f}–{term.ci_high:.0f})")


def test_mancova_equals_the_report(comparison, report):
    term = report.mancova.term("asymptomatic_lesions")
    shown = _row(comparison, "MANCOVA, asymptomatic lesions").recomputed
    assert shown.startswith(f"λ = {term.wilks_lambda:.3f}, F = {term.f:.1f}")
    assert f"partial η² = {term.partial_eta_sq:.3f}" in shown


def test_recomputed_mancova_obeys_eta_equals_one_minus_lambda(report):
    term = report.mancova.term("asymptomatic_lesions")
    assert term.partial_eta_sq == pytest.approx(1 - term.wilks_lambda, abs=1e-9)


def test_median_age_equals_the_cohort(comparison, demo):
    age = demo.patients["age_at_rtx"].dropna()
    assert _row(comparison, "Median age (IQR)").recomputed.startswith(f"{age.median():.1f} (")


def test_the_demo_is_marked_synthetic(comparison):
    assert comparison.synthetic


def test_the_comparison_is_strict_json(comparison):
    assert json.loads(json.dumps(comparison.to_dict(), allow_nan=False))["rows"]


def test_a_cohort_without_optional_columns_still_compares(small_patients):
    patients = small_patients[["patient_id", "followup_months", "failure", "failure_months"]]
    result = compare_with_paper(make_cohort(patients))
    assert _row(result, "Patients").recomputed == "8"
