"""Which columns may be a grouping or a covariate (analytics.data.choices), and the report and the
Relapses report refusing the rest before any model runs (issue 17: a free-text column as a
grouping or covariate held a server worker for 1,000 s)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from analytics.data.choices import (
    MAX_COVARIATE_LEVELS,
    MAX_GROUP_LEVELS,
    ChoiceError,
    allowed_columns,
    choice_problems,
    column_problem,
    max_model_columns,
    model_columns,
)
from analytics.data.cohort import Filters
from analytics.data.demo import load_demo
from analytics.reports.relapse_report import build_relapse_report
from analytics.reports.report import build_report
from i18n.language import translate_message, using_language
from tests.conftest import make_cohort


def with_extras(patients: pd.DataFrame, levels: int) -> pd.DataFrame:
    """``patients`` with a free-text column of ``levels`` values and a numeric one."""
    rng = np.random.default_rng(17)
    out = patients.copy()
    out["note"] = [f"note {i % levels}" for i in range(len(out))]
    out["score"] = rng.normal(size=len(out))
    return out


@pytest.fixture(scope="module")
def noted():
    """The demo cohort with a 54-level free-text column (one value per patient)."""
    demo = load_demo()
    return make_cohort(with_extras(demo.patients, len(demo.patients)), demo.relapses)


@pytest.mark.parametrize("role", ["grouping", "covariate"])
def test_identifiers_and_outcome_columns_are_never_a_choice(demo, role):
    for column in ("patient_id", "followup_months", "failure", "failure_months"):
        problem = column_problem(demo.patients, column, role)
        assert problem is not None
        assert column in problem
        assert "identifies patients or is part of the outcome" in problem


def test_free_text_is_neither_a_grouping_nor_a_covariate(noted):
    grouping = column_problem(noted.patients, "note", "grouping")
    covariate = column_problem(noted.patients, "note", "covariate")
    assert grouping == (
        f"note cannot be a grouping: it has 54 levels (at most {MAX_GROUP_LEVELS})."
    )
    assert covariate == (
        f"note cannot be a covariate: it is text with 54 levels (at most {MAX_COVARIATE_LEVELS})."
    )


def test_a_many_valued_number_is_a_covariate_but_not_a_grouping(noted):
    assert column_problem(noted.patients, "score", "covariate") is None
    assert "54 levels" in str(column_problem(noted.patients, "score", "grouping"))


def test_the_level_limits_are_inclusive(demo):
    for levels, allowed in ((MAX_GROUP_LEVELS, True), (MAX_GROUP_LEVELS + 1, False)):
        patients = with_extras(demo.patients, levels)
        assert (column_problem(patients, "note", "grouping") is None) is allowed
        assert (column_problem(patients, "note", "covariate") is None) is allowed


def test_a_constant_column_is_accepted_but_not_offered(demo):
    # Harmless (the report notes it is constant), so not refused; useless, so not in a menu.
    patients = demo.patients.assign(site="Madrid")
    assert column_problem(patients, "site", "grouping") is None
    assert "site" not in allowed_columns(patients, "grouping")
    assert "site" not in allowed_columns(patients, "covariate")


def test_an_absent_column_is_refused(demo):
    assert column_problem(demo.patients, "shoe_size", "covariate") == (
        "shoe_size is not in this cohort."
    )


def test_the_demo_offers_its_few_level_columns(demo):
    assert allowed_columns(demo.patients, "grouping") == [
        "sex",
        "asymptomatic_lesions",
        "gd_persistent",
        "fcgr3a_v158f",
    ]
    assert allowed_columns(demo.patients, "covariate") == [
        "sex",
        "age_at_rtx",
        "edss_baseline",
        "asymptomatic_lesions",
        "gd_persistent",
        "fcgr3a_v158f",
    ]


def test_model_columns_count_levels_minus_one_for_text(demo):
    # sex (2 levels) 1, age 1, FCGR3A (3 levels) 2; a repeated name counts once.
    assert model_columns(demo.patients, ["sex", "age_at_rtx", "fcgr3a_v158f", "sex"]) == 4


@pytest.mark.parametrize(("events", "limit"), [(0, 10), (12, 10), (60, 12), (149, 29), (10**6, 30)])
def test_the_model_column_limit_grows_with_failures(events, limit):
    assert max_model_columns(events) == limit


def test_too_many_model_columns_are_refused(demo):
    patients = demo.patients.copy()
    for k in range(4):  # four text covariates of 4 levels: 12 model columns
        patients[f"site{k}"] = [f"s{(i + k) % 4}" for i in range(len(patients))]
    names = [f"site{k}" for k in range(4)]
    assert [column_problem(patients, n, "covariate") for n in names] == [None] * 4
    problems = choice_problems(patients, None, names, events=12)
    assert problems == [
        "The covariates make 12 model columns: at most 10 with 12 failures (one per 5 "
        "failures, at least 10, at most 30). Choose fewer covariates or ones with fewer levels."
    ]
    assert choice_problems(patients, None, names[:3], events=12) == []


@pytest.mark.parametrize(
    ("group_by", "covariates", "message"),
    [
        ("patient_id", (), "patient_id cannot be a grouping"),
        ("note", (), "note cannot be a grouping: it has 54 levels"),
        (None, ("sex", "note"), "note cannot be a covariate: it is text with 54 levels"),
    ],
)
def test_the_report_refuses_before_fitting_anything(noted, group_by, covariates, message):
    # CPU time, not wall time: a blow-up costs CPU whatever else runs; a CI machine
    # shared with other builds stretches wall time alone (failed there on correct code).
    started = time.process_time()
    with pytest.raises(ChoiceError, match=message):
        build_report(noted, Filters(), group_by=group_by, covariates=covariates)
    assert time.process_time() - started < 1.0


def test_the_relapse_report_refuses_a_free_text_grouping(noted):
    with pytest.raises(ChoiceError, match="note cannot be a grouping"):
        build_relapse_report(noted, Filters(), "note")


def test_allowed_choices_still_give_a_report(noted):
    report = build_report(noted, Filters(), group_by="sex", covariates=("score", "fcgr3a_v158f"))
    assert report.cox is not None
    # sex=M (the grouping stays in the model), score, and two FCGR3A levels.
    assert len(report.cox.terms) == 4


def test_every_choice_message_has_spanish(noted, demo):
    patients = demo.patients.copy()
    for k in range(4):
        patients[f"site{k}"] = [f"s{(i + k) % 4}" for i in range(len(patients))]
    messages = [
        column_problem(noted.patients, "note", "grouping"),
        column_problem(noted.patients, "note", "covariate"),
        column_problem(noted.patients, "patient_id", "grouping"),
        column_problem(noted.patients, "patient_id", "covariate"),
        column_problem(noted.patients, "nothing", "grouping"),
        *choice_problems(patients, None, [f"site{k}" for k in range(4)], events=12),
    ]
    with using_language("es"):
        spanish = [translate_message(m) for m in messages]
    for english, translated in zip(messages, spanish, strict=True):
        assert translated != english
        assert " cannot " not in translated
        assert " levels" not in translated
