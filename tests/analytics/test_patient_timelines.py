"""Patient timelines (swimmer-plot rows) and the patients behind a Kaplan–Meier step."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics.data.cohort import Filters, analysis_frame
from analytics.data.io import load_cohort
from analytics.reports.report import build_report
from analytics.stats.timelines import (
    ALL_PATIENTS,
    ROLE_AT_RISK,
    ROLE_CENSORED,
    ROLE_FAILED,
    km_step,
    patient_timelines,
)

GROUP = "asymptomatic_lesions"
PATIENTS = (
    "patient_id,followup_months,failure,failure_months,sex,asymptomatic_lesions,"
    "asymptomatic_lesion_months\n"
    "A1,30,1,12,F,1,5\n"
    "A2,40,0,,M,0,\n"
    "A3,40,0,,F,,\n"
    "A4,12,1,12,M,1,\n"
    "A5,50,0,,F,0,\n"
)
RELAPSES = "patient_id,months_from_rtx\nA1,-20\nA1,3\nA1,12\nA4,-2\nA4,12\n"
INFUSIONS = "patient_id,months_from_rtx\nA1,6\nA1,0\nA2,0\n"


@pytest.fixture(scope="module")
def small():
    """Five patients in outcome form A, with relapses and infusions files."""
    return load_cohort(
        PATIENTS.encode(),
        RELAPSES.encode(),
        infusions=INFUSIONS.encode(),
        patients_name="p.csv",
        relapses_name="r.csv",
        infusions_name="i.csv",
    )


def test_one_row_per_demo_patient(demo):
    timelines = patient_timelines(demo, Filters(), GROUP)
    ids = [row.patient_id for row in timelines.rows]
    assert timelines.total == len(ids) == len(set(ids)) == 54
    assert not timelines.truncated
    assert timelines.groups == ("0", "1")


def test_rows_are_sorted_by_group_then_longest_follow_up(demo):
    rows = patient_timelines(demo, Filters(), GROUP).rows
    keys = [(row.group, -row.followup_months) for row in rows]
    assert keys == sorted(keys)


def test_rows_follow_the_filters(demo):
    timelines = patient_timelines(demo, Filters(sex="M", grace_months=3), GROUP)
    males = set(demo.patients.loc[demo.patients["sex"] == "M", "patient_id"])
    assert {row.patient_id for row in timelines.rows} == males
    assert timelines.total == len(males)
    assert timelines.grace_months == 3


def test_failure_times_are_the_derived_outcome(demo):
    filters = Filters(grace_months=2)
    frame = analysis_frame(demo, filters).set_index("patient_id")
    for row in patient_timelines(demo, filters, GROUP).rows:
        expected = frame.loc[row.patient_id]
        assert row.failed == (expected["failure"] == 1)
        if row.failed:
            assert row.failure_months == pytest.approx(expected["failure_months"])
        assert row.followup_months == pytest.approx(expected["followup_months"])


def test_relapses_and_infusions_come_from_their_files(demo):
    rows = {row.patient_id: row for row in patient_timelines(demo, Filters(), GROUP).rows}
    relapses = demo.relapses[demo.relapses["patient_id"] == "SYN-001"]["months_from_rtx"]
    infusions = demo.infusions[demo.infusions["patient_id"] == "SYN-001"]["months_from_rtx"]
    assert rows["SYN-001"].relapse_months == tuple(sorted(relapses))
    assert rows["SYN-001"].infusion_months == tuple(sorted(infusions))
    # Relapses before rituximab are negative: the plot extends left of 0.
    assert min(t for row in rows.values() for t in row.relapse_months) < 0


def test_missing_group_value_comes_last_with_no_group(small):
    timelines = patient_timelines(small, Filters(), GROUP)
    assert [row.patient_id for row in timelines.rows] == ["A5", "A2", "A1", "A4", "A3"]
    assert timelines.rows[-1].group is None
    assert timelines.groups == ("0", "1")


def test_without_grouping_every_row_is_in_one_group(small):
    timelines = patient_timelines(small, Filters(), None)
    assert {row.group for row in timelines.rows} == {ALL_PATIENTS}
    assert timelines.groups == (ALL_PATIENTS,)


def test_lesion_times_and_missing_values(small):
    rows = {row.patient_id: row for row in patient_timelines(small, Filters(), None).rows}
    assert rows["A1"].lesion_months == 5
    assert rows["A4"].lesion_months is None  # a lesion with no recorded time is not placed
    assert rows["A2"].infusion_months == (0.0,)
    assert rows["A5"].infusion_months == ()
    assert rows["A1"].relapse_months == (-20.0, 3.0, 12.0)


def test_without_events_files_nothing_is_invented():
    cohort = load_cohort(PATIENTS.encode(), patients_name="p.csv")
    timelines = patient_timelines(cohort, Filters(), None)
    assert not timelines.has_relapses
    assert not timelines.has_infusions
    assert all(row.relapse_months == () == row.infusion_months for row in timelines.rows)
    assert [row.failure_months for row in timelines.rows if row.failed] == [12.0, 12.0]


def test_large_cohorts_keep_each_groups_share_longest_follow_up_first(demo):
    full = patient_timelines(demo, Filters(), GROUP)
    capped = patient_timelines(demo, Filters(), GROUP, max_rows=10)
    assert capped.truncated
    assert capped.total == 54
    assert capped.group_totals == {"0": 21, "1": 33}
    # 21:33 of 10 rows is 3.9:6.1 -> 4 and 6, each group's first rows by the sort.
    for group, share in (("0", 4), ("1", 6)):
        mine = [row for row in full.rows if row.group == group][:share]
        assert [row for row in capped.rows if row.group == group] == mine
    assert len(capped.rows) == 10


def test_every_group_keeps_a_row_when_capped(small):
    capped = patient_timelines(small, Filters(), GROUP, max_rows=3)
    assert {row.group for row in capped.rows} == {"0", "1", None}


def test_no_patients_gives_no_rows(demo):
    timelines = patient_timelines(demo, Filters(age_min=200), GROUP)
    assert timelines.rows == ()
    assert timelines.total == 0
    assert not timelines.truncated


def test_grouping_by_an_unknown_column_is_refused(demo):
    with pytest.raises(ValueError, match="no column 'nfl'"):
        patient_timelines(demo, Filters(), "nfl")


def test_timelines_serialise_to_json(demo):
    data = patient_timelines(demo, Filters(), GROUP, max_rows=2).to_dict()
    assert data["total"] == 54
    assert len(data["rows"]) == 2


# --- km_step -----------------------------------------------------------------------------


def test_step_matches_the_kaplan_meier_counts(demo):
    """At every step of every curve: failed, censored and at-risk as the estimator counts."""
    report = build_report(demo, Filters(), group_by=GROUP)
    for key, curve in report.km.items():
        for i, month in enumerate(curve.timeline[1:], start=1):
            step = km_step(demo, Filters(), GROUP, key, month)
            assert len(step.failed) == curve.events_at[i]
            assert len(step.censored) == curve.censored_at[i]
            assert len(step.at_risk) == curve.at_risk[i]


def test_step_of_a_small_cohort(small):
    step = km_step(small, Filters(), None, ALL_PATIENTS, 12.0)
    assert step.failed == ("A1", "A4")
    assert step.censored == ()
    assert step.at_risk == ("A1", "A2", "A3", "A4", "A5")
    assert step.role("A1") == ROLE_FAILED
    assert step.role("A2") == ROLE_AT_RISK
    late = km_step(small, Filters(), None, ALL_PATIENTS, 40.0)
    assert late.censored == ("A2", "A3")
    assert late.at_risk == ("A2", "A3", "A5")
    assert late.role("A3") == ROLE_CENSORED
    assert late.role("A1") is None


def test_step_times_from_the_browser_match_within_a_tolerance(small):
    step = km_step(small, Filters(), GROUP, "1", 12.0 + 1e-12)
    assert step.failed == ("A1", "A4")


def test_step_of_an_unknown_group_or_time_is_empty(small):
    assert km_step(small, Filters(), GROUP, "7", 12.0).at_risk == ()
    between = km_step(small, Filters(), None, ALL_PATIENTS, 20.0)
    assert between.failed == between.censored == ()


@pytest.mark.parametrize("month", [math.nan, math.inf])
def test_step_time_must_be_finite(small, month):
    with pytest.raises(ValueError, match="finite"):
        km_step(small, Filters(), None, ALL_PATIENTS, month)


def test_step_roles_mark_the_timeline_rows(small):
    step = km_step(small, Filters(), None, ALL_PATIENTS, 40.0)
    rows = patient_timelines(small, Filters(), None, step=step).rows
    roles = {row.patient_id: row.step_role for row in rows}
    assert roles == {
        "A1": None,
        "A2": ROLE_CENSORED,
        "A3": ROLE_CENSORED,
        "A4": None,
        "A5": ROLE_AT_RISK,
    }


def test_step_is_json_ready(small):
    data = km_step(small, Filters(), None, ALL_PATIENTS, 12.0).to_dict()
    assert pd.Series(data["failed"]).tolist() == ["A1", "A4"]
