"""analytics.reports.paper: the abstract's two inconsistencies are flagged; recomputed = report =
R."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.data.cohort import Filters
from analytics.reports.paper import compare_with_paper
from analytics.reports.report import build_report
from analytics.stats.mancova import mancova
from tests.conftest import make_cohort


@pytest.fixture(scope="module")
def comparison(demo):
    """The paper comparison on the demo."""
    return compare_with_paper(demo)


@pytest.fixture(scope="module")
def report(demo):
    """The report the comparison should agree with."""
    return build_report(demo, Filters(), group_by="asymptomatic_lesions")


# R's results on the demo: Rscript tests/reference/make_paper_reference.R (closed-form
# statistics and a Cox fit on both sides).
R_PAPER = Path(__file__).resolve().parents[1] / "data" / "reference" / "paper_demo.json"
RTOL = 1e-6


@pytest.fixture(scope="module")
def r_paper():
    """R's values of the abstract's quantities on the demo cohort."""
    return json.loads(R_PAPER.read_text())


def _row(comparison, quantity):
    return next(r for r in comparison.rows if r.quantity == quantity)


def _numbers(comparison, quantity) -> list[float]:
    """The numbers of a recomputed cell as shown: "12/54 (22.2%)" gives 12, 54, 22.2."""
    return [float(n) for n in re.findall(r"\d+(?:\.\d+)?", _row(comparison, quantity).recomputed)]


def _close(shown, expected, tolerances) -> None:
    """Each shown number within half a unit of its last displayed digit of R's."""
    assert len(shown) == len(expected)
    for value, r_value, tolerance in zip(shown, expected, tolerances, strict=True):
        assert abs(value - r_value) <= tolerance, (shown, expected)


def test_exactly_two_published_values_are_flagged(comparison):
    flagged = sorted(r.quantity for r in comparison.rows if not r.consistent)
    assert flagged == ["Female", "MANCOVA, asymptomatic lesions"]


def test_the_female_flag_explains_82_5_percent_of_54(comparison):
    note = _row(comparison, "Female").note
    assert "82.5% of 54" in note
    assert "44 = 81.5%" in note
    assert "45 = 83.3%" in note


def _cohort_of_54(women: int):
    patients = pd.DataFrame(
        {
            "patient_id": [f"P{i}" for i in range(54)],
            "followup_months": [24.0] * 54,
            "failure": [1.0] * 12 + [0.0] * 42,
            "failure_months": [10.0] * 12 + [None] * 42,
            "sex": ["F"] * women + ["M"] * (54 - women),
        }
    )
    return make_cohort(patients)


@pytest.mark.parametrize(("women", "shown"), [(44, "44/54 (81.5%)"), (45, "45/54 (83.3%)")])
def test_the_whole_numbers_next_to_82_5_percent_of_54_are_not_82_5(women, shown):
    """Hand values: 44/54 = 0.8148 and 45/54 = 0.8333, the two counts the note names."""
    female = _row(compare_with_paper(_cohort_of_54(women)), "Female")
    assert female.recomputed == shown
    assert not female.consistent


def test_the_published_12_of_54_failures_read_as_22_2_percent():
    failures = _row(compare_with_paper(_cohort_of_54(45)), "Treatment failures")
    assert failures.recomputed == "12/54 (22.2%)"
    assert failures.published == "12 (22.2%)"


def test_the_mancova_flag_explains_lambda_and_eta(comparison):
    note = _row(comparison, "MANCOVA, asymptomatic lesions").note
    assert "η² = 1 − λ" in note
    assert "0.643" in note


def test_one_df_mancova_has_partial_eta_squared_one_minus_lambda_by_hand():
    """The note's premise, on data small enough to do by hand.

    Groups A, B of three; y = 1, 2, 3 | 4, 5, 6 and z = 1, -2, 1 | 1, -2, 1. Within-group
    SSCP E = diag(4, 12), hypothesis SSCP H = diag(13.5, 0), so Wilks' lambda =
    det E / det(E + H) = 4 / 17.5 = 8/35, partial eta squared 27/35, and the exact F is
    (27/8) * (6 - 2 - 2 + 1) / 2 = 81/16 on (2, 3) df.
    """
    frame = pd.DataFrame(
        {"y": [1.0, 2, 3, 4, 5, 6], "z": [1.0, -2, 1, 1, -2, 1], "g": ["A"] * 3 + ["B"] * 3}
    )
    (term,) = mancova(frame, ["y", "z"], factor="g", covariates=[]).terms
    assert term.wilks_lambda == pytest.approx(8 / 35, rel=1e-9)
    assert term.partial_eta_sq == pytest.approx(27 / 35, rel=1e-9)
    assert (term.f, term.num_df, term.den_df) == (pytest.approx(81 / 16, rel=1e-9), 2, 3)


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


def test_recomputed_mancova_equals_r(report, r_paper):
    """R manova (lesions entered last); with one df R's Pillai trace is the partial eta²."""
    term = report.mancova.term("asymptomatic_lesions")
    expected = r_paper["mancova"]
    assert report.mancova.n_used == expected["n"]
    assert term.hypothesis_df == expected["df"]
    ours = [term.wilks_lambda, term.f, term.p, term.partial_eta_sq]
    theirs = [expected[k] for k in ("wilks_lambda", "f", "p", "pillai_trace")]
    np.testing.assert_allclose(ours, theirs, rtol=RTOL)


def test_the_comparison_rows_show_r_s_numbers(comparison, r_paper):
    """Every recomputed number of the abstract's rows, at its displayed precision, is R's."""
    assert _numbers(comparison, "Patients") == [r_paper["patients"]]
    assert _numbers(comparison, "Treatment failures")[:2] == [r_paper["failures"], 54]
    assert _numbers(comparison, "Female")[0] == r_paper["women"]
    age = r_paper["age"]
    shown_age = _numbers(comparison, "Median age (IQR)")
    _close(shown_age, [age["median"], age["q1"], age["q3"]], [0.05] * 3)
    _close(_numbers(comparison, "Lesions vs failure (Fisher)"), [r_paper["fisher_p"]], [5e-4])
    cox = r_paper["cox"]
    shown = _numbers(comparison, "Cox HR, asymptomatic lesions")
    _close(shown, [cox["hr"], cox["ci_low"], cox["ci_high"], cox["p"]], [0.05, 5e-3, 0.5, 5e-4])
    r_mancova = r_paper["mancova"]
    assert r_mancova["p"] < 0.001
    row = _row(comparison, "MANCOVA, asymptomatic lesions").recomputed
    assert row.endswith("p < 0.001")
    _close(
        _numbers(comparison, "MANCOVA, asymptomatic lesions")[:3],
        [r_mancova["wilks_lambda"], r_mancova["f"], r_mancova["pillai_trace"]],
        [5e-4, 0.05, 5e-4],
    )


def test_the_demo_has_the_published_54_patients_and_12_failures(comparison):
    """The abstract's counts; the synthetic demo was made to reproduce them."""
    assert _row(comparison, "Patients").recomputed == "54"
    assert _row(comparison, "Treatment failures").recomputed.startswith("12/54 ")


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
