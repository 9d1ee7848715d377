"""Every hazard ratio says what it compares: its reference level or its unit (issue 12).

And the multivariable model keeps the grouping variable when covariates are ticked.
"""

from __future__ import annotations

import pytest

from analytics.data.cohort import Filters, analysis_frame
from analytics.reports.report import build_report
from analytics.stats.cox.models import cox_model
from analytics.stats.cox.results import term_contrast
from i18n.language import translate_message, using_language
from tests.conftest import make_cohort

COVARIATES = ["age_at_rtx", "edss_baseline", "asymptomatic_lesions", "sex", "followup_months"]


@pytest.fixture(scope="module")
def model(demo):
    return cox_model(analysis_frame(demo, Filters()), COVARIATES, categorical={"sex": "F"})


@pytest.mark.parametrize(
    ("term", "english", "spanish"),
    [
        ("age_at_rtx", "per year", "por año"),
        ("edss_baseline", "per EDSS point", "por punto de EDSS"),
        ("asymptomatic_lesions", "yes vs no", "sí frente a no"),
        ("sex=M", "male vs female", "hombre frente a mujer"),
        ("followup_months", "per month", "por mes"),
    ],
)
def test_each_term_states_its_unit_or_reference(model, term, english, spanish):
    found = model.term(term)
    assert term_contrast(found) == english
    with using_language("es"):
        assert term_contrast(found) == spanish


def test_the_unit_is_in_the_cli_json(demo):
    report = build_report(demo, Filters(), group_by="sex", covariates=("age_at_rtx",))
    terms = {t["term"]: t for t in report.to_dict()["univariable"]}
    assert terms["age_at_rtx"]["unit"] == "per year"
    assert terms["sex=M"]["reference"] == "F"
    assert terms["sex=M"]["unit"] is None


def test_the_multivariable_model_keeps_the_grouping_variable(demo):
    report = build_report(demo, Filters(), group_by="sex", covariates=("age_at_rtx",))
    assert report.cox is not None
    assert [t.term for t in report.cox.terms] == ["sex=M", "age_at_rtx"]


def test_the_grouping_variable_is_not_entered_twice(demo):
    report = build_report(
        demo, Filters(), group_by="asymptomatic_lesions", covariates=("asymptomatic_lesions",)
    )
    assert report.cox is not None
    assert [t.term for t in report.cox.terms] == ["asymptomatic_lesions"]


def test_a_grouping_fixed_by_a_filter_is_left_out_and_said(demo):
    report = build_report(demo, Filters(sex="F"), group_by="sex", covariates=("age_at_rtx",))
    assert report.cox is not None
    assert [t.term for t in report.cox.terms] == ["age_at_rtx"]
    assert any("Sex is the same for everyone" in w for w in report.warnings)
    with using_language("es"):
        assert any(translate_message(w).startswith("Sexo ") for w in report.warnings)


def test_a_known_unit_is_kept_when_only_0_and_1_are_left(small_patients):
    edss = small_patients.assign(edss_baseline=[0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0])
    frame = analysis_frame(make_cohort(edss), Filters())
    (term,) = cox_model(frame, ["edss_baseline"]).terms
    assert term_contrast(term) == "per EDSS point"
