"""analytics.reports.report: the CLI contract's keys, JSON safety, and numbers equal to the
parts."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.data.cohort import Filters, analysis_frame
from analytics.reports.report import REFERENCE_LEVELS, build_report
from analytics.stats.cox.models import cox_model
from analytics.stats.rates import failure_proportion, incidence_rate
from analytics.stats.subgroups import level_labels, subgroup_rates
from analytics.stats.survival import kaplan_meier, logrank, median_followup
from tests.conftest import make_cohort
from tests.contract import CONTRACT_KEYS

EXTRA_KEYS = {
    "cohort",
    "filters",
    "group_by",
    "covariates",
    "survival_at",
    "risk_table",
    "subgroup_rates",
    "firth",
    "ph_test",
    "median_followup",
    "lesion_timing",
    "relapse_rates",
    "table_one",
    "mancova",
    "conf_level",
    "zph_transform",
    "conditional",
    "grace_applied",
}
GROUP = "asymptomatic_lesions"


@pytest.fixture(scope="module")
def demo_report(demo):
    """All demo patients by lesions, with a two-covariate model."""
    return build_report(demo, Filters(), group_by=GROUP, covariates=(GROUP, "age_at_rtx"))


@pytest.fixture(scope="module")
def demo_dict(demo_report):
    """The demo report as the CLI prints it."""
    return demo_report.to_dict()


def test_the_contract_keys_come_first(demo_dict):
    assert list(demo_dict)[: len(CONTRACT_KEYS)] == list(CONTRACT_KEYS)


def test_the_remaining_keys_are_the_documented_extras(demo_dict):
    assert set(list(demo_dict)[len(CONTRACT_KEYS) :]) == EXTRA_KEYS


def test_failure_rate_keys(demo_dict):
    assert {"estimate", "ci_low", "ci_high", "method"} <= set(demo_dict["failure_rate"])


def test_incidence_keys(demo_dict):
    assert {"estimate", "ci_low", "ci_high"} <= set(demo_dict["incidence_per_100py"])


def test_km_group_keys(demo_dict):
    wanted = {"n", "events", "median", "median_ci_low", "median_ci_high"}
    wanted |= {"timeline", "survival", "ci_low", "ci_high"}
    for group in demo_dict["km"]["groups"].values():
        assert wanted <= set(group)


def test_logrank_keys(demo_dict):
    assert {"chisq", "df", "p"} <= set(demo_dict["logrank"])


def test_hazard_term_keys(demo_dict):
    terms = demo_dict["univariable"] + demo_dict["cox"]["terms"]
    for term in terms:
        assert {"term", "hr", "ci_low", "ci_high", "p"} <= set(term)


def test_cox_keys(demo_dict):
    assert {"terms", "n", "events", "concordance"} <= set(demo_dict["cox"])


def test_without_grouping_logrank_and_cox_are_null(demo):
    out = build_report(demo, Filters()).to_dict()
    assert (out["logrank"], out["cox"], out["univariable"]) == (None, None, [])


def _dumps(report) -> str:
    return json.dumps(report.to_dict(), allow_nan=False)


def test_demo_report_is_strict_json(demo_report):
    assert json.loads(_dumps(demo_report))["n"] == 54


def test_empty_subgroup_is_strict_json(demo):
    report = build_report(demo, Filters(edss_min=9.5), group_by=GROUP, covariates=(GROUP,))
    assert json.loads(_dumps(report))["n"] == 0


def test_single_patient_is_strict_json(demo):
    counts = demo.patients["age_at_rtx"].value_counts()
    age = float(counts[counts == 1].index[0])
    report = build_report(
        demo, Filters(age_min=age, age_max=age), group_by=GROUP, covariates=(GROUP,)
    )
    assert json.loads(_dumps(report))["n"] == 1


def test_zero_event_group_is_strict_json(demo):
    report = build_report(demo, Filters(lesions=0, sex="M"), group_by="sex", covariates=("sex",))
    out = json.loads(_dumps(report))
    assert out["events"] == 0


def test_a_group_with_no_events_has_a_null_median(demo):
    report = build_report(demo, Filters(), group_by="gd_persistent")
    medians = {k: v["median"] for k, v in report.to_dict()["km"]["groups"].items()}
    assert None in medians.values()


def test_separation_is_strict_json(small_patients):
    # Every failure has lesions and no lesion-free patient fails: infinite HR.
    patients = small_patients.assign(asymptomatic_lesions=small_patients["failure"])
    patients["asymptomatic_lesion_months"] = patients["failure_months"] / 2
    report = build_report(make_cohort(patients), Filters(), group_by=GROUP, covariates=(GROUP,))
    assert json.loads(_dumps(report))["n"] == 8


def test_the_demo_counts(demo_report):
    assert (demo_report.n, demo_report.events) == (54, 12)


# --- the numbers are those of the underlying functions ------------------------------------


@pytest.fixture(scope="module")
def frame(demo):
    """The demo's analysis frame (derived outcome, no filter)."""
    return analysis_frame(demo, Filters())


def test_counts_equal_the_analysis_frame(demo_report, frame):
    assert (demo_report.n, demo_report.events) == (len(frame), int(frame["failure"].sum()))


def test_person_years_equal_the_follow_up(demo_report, frame):
    assert_allclose(demo_report.person_years, frame["time_months"].sum() / 12, rtol=1e-12)


def test_failure_rate_equals_failure_proportion(demo_report):
    assert demo_report.failure_rate == failure_proportion(12, 54)


def test_incidence_equals_incidence_rate(demo_report, frame):
    assert demo_report.incidence == incidence_rate(12, float(frame["time_months"].sum()))


def test_curves_equal_kaplan_meier(demo_report, frame):
    labels = level_labels(frame[GROUP])
    for level, km in demo_report.km.items():
        rows = frame[labels == level]
        assert km == kaplan_meier(rows["time_months"], rows["failure"], label=level)


def test_logrank_equals_logrank(demo_report, frame):
    expected = logrank(frame["time_months"], frame["failure"], level_labels(frame[GROUP]))
    assert demo_report.logrank == expected


def test_univariable_terms_equal_cox_model(demo_report, frame):
    expected = [
        term
        for name in (GROUP, "age_at_rtx")
        for term in cox_model(
            frame,
            [name],
            categorical={k: v for k, v in REFERENCE_LEVELS.items() if k == name},
        ).terms
    ]
    assert list(demo_report.univariable) == expected


def test_multivariable_equals_cox_model(demo_report, frame):
    assert demo_report.cox == cox_model(frame, [GROUP, "age_at_rtx"], categorical={})


def test_subgroup_rates_equal_subgroup_rates(demo_report, frame):
    assert list(demo_report.subgroup_rates) == subgroup_rates(frame)


def test_median_followup_equals_reverse_km(demo_report, frame):
    expected = median_followup(frame["time_months"], frame["failure"])
    # to_dict: the CI has NaN where undefined, and NaN != NaN in a tuple comparison.
    assert demo_report.follow_up.to_dict() == expected.to_dict()


def test_the_dict_numbers_are_the_objects(demo_report, demo_dict):
    fr = demo_report.failure_rate
    assert [demo_dict["failure_rate"][k] for k in ("estimate", "ci_low", "ci_high")] == [
        fr.estimate,
        fr.ci_low,
        fr.ci_high,
    ]
    assert demo_dict["univariable"][0]["hr"] == demo_report.univariable[0].hr


@pytest.mark.parametrize(
    "filters",
    [Filters(sex="M"), Filters(age_min=30, age_max=50), Filters(grace_months=0)],
)
def test_filtered_counts_equal_the_filtered_frame(demo, filters):
    report = build_report(demo, filters)
    frame = analysis_frame(demo, filters)
    assert (report.n, report.events) == (len(frame), int(frame["failure"].sum()))


def test_a_longer_grace_period_can_only_remove_failures(demo):
    events = [build_report(demo, Filters(grace_months=g)).events for g in (0, 6, 12)]
    assert events == sorted(events, reverse=True)


def test_an_unknown_column_is_a_key_error(demo):
    with pytest.raises(KeyError, match="not_a_column"):
        build_report(demo, Filters(), group_by="not_a_column")


def test_small_subgroups_are_warned_about(demo):
    report = build_report(demo, Filters(sex="M"))
    assert any("fewer than 10" in w for w in report.warnings)


def test_an_empty_subgroup_says_so(demo):
    report = build_report(demo, Filters(edss_min=9.5))
    assert "No patients match these filters." in report.warnings


def test_the_frame_is_not_changed(demo):
    before = demo.patients.copy()
    build_report(demo, Filters(sex="F"), group_by=GROUP, covariates=(GROUP,))
    pd.testing.assert_frame_equal(demo.patients, before)
