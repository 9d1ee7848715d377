"""The methods paragraph names only what this view computed (issue 12).

No grace period where the outcome comes from the failure column, no log-rank test with one
group, no Cox model that was not fitted, no Table 1 tests or MANCOVA when not computed, and
"1 patient", not "1 patients".
"""

from __future__ import annotations

import pytest

from analytics.data.cohort import Filters
from analytics.reports.methods import methods_text
from analytics.reports.report import build_report
from i18n.language import using_language
from tests.conftest import make_cohort

RECORDED = "Treatment failure was taken as recorded in the cohort file's failure column"


@pytest.fixture
def form_a(small_patients):
    """A failure-column cohort (no relapses file): the grace period cannot be re-applied."""
    return make_cohort(small_patients)


def test_a_failure_column_cohort_states_the_recorded_outcome(form_a):
    report = build_report(form_a, Filters(grace_months=3))
    text = methods_text(report)
    assert RECORDED in text
    assert "no grace period was applied" in text
    assert "months after the first rituximab infusion" not in text
    assert report.grace_applied is False


def test_an_unapplied_grace_period_is_a_warning(form_a):
    asked = build_report(form_a, Filters(grace_months=3))
    assert any("3-month grace period was not applied" in w for w in asked.warnings)
    default = build_report(form_a, Filters())
    assert not any("not applied" in w for w in default.warnings)


def test_the_recorded_outcome_in_spanish(form_a):
    with using_language("es"):
        text = methods_text(build_report(form_a, Filters(grace_months=3)))
    assert "tal como consta en la columna failure" in text
    assert "meses después de la primera infusión" not in text


def test_a_relapses_cohort_states_its_grace_period(demo):
    report = build_report(demo, Filters(grace_months=1))
    assert report.grace_applied is True
    assert "more than 1 month after the first rituximab infusion" in methods_text(report)
    with using_language("es"):
        assert "más de 1 mes después" in methods_text(report)


def test_no_logrank_with_one_group(demo):
    report = build_report(demo, Filters(sex="F"), group_by="sex")
    assert report.logrank is None
    assert "log-rank" not in methods_text(report)


def test_one_patient_is_singular_and_has_no_models(small_patients):
    report = build_report(
        make_cohort(small_patients.iloc[:1]), Filters(), group_by="sex", covariates=("age_at_rtx",)
    )
    text = methods_text(report)
    assert "The analysis included 1 patient (the whole cohort), with 1 treatment failure." in text
    assert "1 patients" not in text
    assert "1 treatment failures" not in text
    for absent in ("log-rank", "Cox", "multivariable", "Firth", "MANCOVA", "Mann–Whitney"):
        assert absent not in text
    with using_language("es"):
        spanish = methods_text(report)
    assert "1 paciente (toda la cohorte), con 1 fracaso terapéutico." in spanish
    assert "1 pacientes" not in spanish


def test_no_cox_model_without_failures(small_patients):
    censored = small_patients.assign(failure=0.0, failure_months=float("nan"))
    report = build_report(make_cohort(censored), Filters(), covariates=("age_at_rtx", "sex"))
    text = methods_text(report)
    assert "with 0 treatment failures" in text
    assert "Hazard ratios were estimated" not in text
    assert "multivariable model included" not in text


def test_the_multivariable_model_named_is_the_one_fitted(demo):
    text = methods_text(build_report(demo, Filters(), group_by="sex", covariates=("age_at_rtx",)))
    assert "The multivariable model included Sex and Age at rituximab." in text


def test_table_one_tests_named_are_those_run(demo):
    report = build_report(demo, Filters())
    run = {row.test for row in report.table_one.rows if row.test}
    text = methods_text(report)
    assert ("Fisher's exact test" in text) == any(name.startswith("Fisher") for name in run)
    assert ("Mann–Whitney U test" in text) == any(name.startswith("Mann") for name in run)
    assert ("MANCOVA" in text) == (report.mancova is not None)


def test_no_table_one_tests_or_mancova_when_none_ran(small_patients):
    report = build_report(make_cohort(small_patients.iloc[:3]), Filters())
    assert report.mancova is None
    text = methods_text(report)
    assert "MANCOVA" not in text
    tested = [row for row in report.table_one.rows if row.p is not None]
    assert ("Baseline characteristics were compared" in text) == bool(tested)


def test_an_empty_view_names_no_estimator(demo):
    text = methods_text(build_report(demo, Filters(age_min=200, age_max=300)))
    assert "The analysis included 0 patients" in text
    for absent in ("Kaplan–Meier", "Clopper–Pearson", "Cox", "Baseline characteristics"):
        assert absent not in text
