"""The multivariable model of a grouped view with a covariate ticked equals R's coxph with the
grouping variable in it (fixture: tests/reference/make_grouped_cox_reference.R).

Issue 12: with group_by = sex and age ticked, the model shown was age alone.
"""

from __future__ import annotations

import pytest

from analytics.data.cohort import Filters
from analytics.data.io import load_cohort
from analytics.reports.report import build_report
from tests.reference.conftest import REFERENCE_DIR

FIELDS = ("coef", "se", "hr", "ci_low", "ci_high", "p")


@pytest.fixture(scope="module")
def fitted():
    cohort = load_cohort(
        REFERENCE_DIR / "recurrent_demo_patients.csv",
        REFERENCE_DIR / "recurrent_demo_relapses.csv",
    )
    return build_report(cohort, Filters(grace_months=6), group_by="sex", covariates=("age_at_rtx",))


def test_the_model_has_the_grouping_and_the_covariate(fitted, r_results):
    r = r_results("grouped_cox_demo")
    assert [t.term for t in fitted.cox.terms] == [t["term"] for t in r["terms"]]
    assert (fitted.cox.n, fitted.cox.events) == (r["n"], r["events"])
    assert fitted.cox.loglik == pytest.approx(r["loglik"], rel=1e-8)


@pytest.mark.parametrize("field", FIELDS)
def test_each_estimate_equals_r(fitted, r_results, field):
    for ours, theirs in zip(fitted.cox.terms, r_results("grouped_cox_demo")["terms"], strict=True):
        assert getattr(ours, field) == pytest.approx(theirs[field], rel=1e-6, abs=1e-12)
