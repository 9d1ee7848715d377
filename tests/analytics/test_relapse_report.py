"""The Relapses panel's assembly: it hands each recurrent-event method the right patients,
relapses, grace period and grouping, and turns what cannot be fitted into notes.

The methods themselves are checked against R in tests/reference/test_recurrent_vs_r.py; here
the report must equal calling them directly on the filtered cohort.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analytics.data.cohort import Cohort, Filters, analysis_frame
from analytics.reports.relapse_report import ALL, build_relapse_report
from analytics.stats.recurrent import (
    andersen_gill,
    mean_cumulative_function,
    pre_post_rate_ratio,
    relapse_rate_ratio,
    relapse_rates_by_group,
)

GROUP = "asymptomatic_lesions"


@pytest.fixture(scope="module")
def grouped(demo):
    """The demo's report grouped by asymptomatic lesions, default filters."""
    return build_relapse_report(demo, Filters(), GROUP)


def _inputs(cohort: Cohort, filters: Filters):
    patients = analysis_frame(cohort, filters)
    relapses = cohort.relapses[cohort.relapses["patient_id"].isin(patients["patient_id"])]
    return patients, relapses


def test_groups_are_all_patients_then_each_level(grouped):
    assert [g.label for g in grouped.groups] == [ALL, "0", "1"]
    assert [g.n for g in grouped.groups] == [54, 21, 33]


def test_rates_equal_the_recurrent_module_per_group(demo, grouped):
    patients, relapses = _inputs(demo, Filters())
    expected = relapse_rates_by_group(patients, relapses, GROUP, grace_months=6.0)
    for entry in expected.groups:
        shown = grouped.group(entry.label).rates
        assert shown.pooled_pre == entry.rates.pooled_pre
        assert shown.pooled_post == entry.rates.pooled_post


def test_after_vs_before_ratios_equal_direct_calls(demo, grouped):
    patients, relapses = _inputs(demo, Filters())
    for model, field in (
        ("negative_binomial", "after_vs_before_nb"),
        ("poisson", "after_vs_before_poisson"),
    ):
        direct = pre_post_rate_ratio(patients, relapses, model=model, grace_months=6.0)
        shown = getattr(grouped.group(ALL), field)
        np.testing.assert_allclose(
            shown.term("post_rituximab").rate_ratio,
            direct.term("post_rituximab").rate_ratio,
            rtol=1e-12,
        )
        assert shown.theta == direct.theta


def test_between_group_models_use_the_grouping_as_a_category(demo, grouped):
    patients, relapses = _inputs(demo, Filters())
    direct = relapse_rate_ratio(
        patients, relapses, [GROUP], grace_months=6.0, categorical={GROUP: "0"}
    )
    (term,) = grouped.between_nb.terms
    assert (term.level, term.reference) == ("1", "0")
    np.testing.assert_allclose(term.rate_ratio, direct.terms[0].rate_ratio, rtol=1e-12)
    assert grouped.between_poisson.model == "poisson"


def test_andersen_gill_and_mcf_count_after_the_grace_period(demo, grouped):
    patients, relapses = _inputs(demo, Filters())
    ag = andersen_gill(patients, relapses, [GROUP], grace_months=6.0, categorical={GROUP: "0"})
    np.testing.assert_allclose(grouped.andersen_gill.terms[0].hr, ag.terms[0].hr, rtol=1e-12)
    mcf = mean_cumulative_function(patients, relapses, group_by=GROUP, grace_months=6.0)
    assert [c.mcf for c in grouped.mcf.curves] == [c.mcf for c in mcf.curves]
    assert grouped.mcf.grace_months == 6.0


def test_the_grace_period_control_changes_what_counts(demo, grouped):
    no_grace = build_relapse_report(demo, Filters(grace_months=0), GROUP)
    assert no_grace.grace_months == 0.0
    after = [g.rates.pooled_post.events for g in no_grace.groups]
    assert after > [g.rates.pooled_post.events for g in grouped.groups]
    assert no_grace.andersen_gill.events > grouped.andersen_gill.events


def test_filters_restrict_the_patients(demo):
    men = build_relapse_report(demo, Filters(sex="M"), None)
    assert men.group(ALL).n == int((demo.patients["sex"] == "M").sum())
    patients, relapses = _inputs(demo, Filters(sex="M"))
    expected = relapse_rates_by_group(patients, relapses, None, grace_months=6.0)
    assert men.group(ALL).rates.pooled_post == expected.groups[0].rates.pooled_post


def test_no_grouping_gives_one_group_and_no_between_group_models(demo):
    report = build_relapse_report(demo, Filters(), None)
    assert [g.label for g in report.groups] == [ALL]
    assert report.between_nb is None
    assert report.andersen_gill is None
    assert [c.label for c in report.mcf.curves] == [ALL]


def test_without_a_relapses_file_the_report_says_so(demo):
    report = build_relapse_report(replace(demo, relapses=None), Filters(), GROUP)
    assert not report.available
    assert report.groups == ()
    assert report.mcf is None


def test_no_patients_after_filtering_is_an_empty_report(demo):
    report = build_relapse_report(demo, Filters(edss_min=10, edss_max=10, sex="M"), GROUP)
    assert report.available
    assert report.n == 0
    assert report.groups == ()


def test_a_grouping_fixed_by_a_filter_becomes_notes_not_errors(demo):
    report = build_relapse_report(demo, Filters(lesions=1), GROUP)
    assert report.between_nb is not None
    assert report.between_nb.terms == ()
    assert any("same for everyone" in n for n in report.notes)


def test_separation_notes_read_in_clinical_words(demo):
    report = build_relapse_report(demo, Filters(sex="M"), "fcgr3a_v158f")
    notes = " ".join(n for g in report.groups for n in g.notes)
    assert "No relapses after rituximab" in notes
    assert "post_rituximab" not in notes


def test_a_missing_grouping_column_falls_back_to_all_patients(demo):
    report = build_relapse_report(demo, Filters(), "no_such_column")
    assert report.group_by is None
    assert any("no_such_column" in n for n in report.notes)


def test_data_a_method_refuses_becomes_a_note_not_an_exception():
    """Follow-up of 0 months (never valid after upload validation) makes the rate methods
    raise ValueError: the report carries the reason instead of failing the whole panel."""
    patients = pd.DataFrame(
        {"patient_id": ["A", "B"], "followup_months": [0.0, 24.0], "failure": [0.0, 0.0]}
    )
    relapses = pd.DataFrame({"patient_id": ["B"], "months_from_rtx": [-3.0]})
    cohort = Cohort(patients, relapses, "tiny", synthetic=True, fingerprint="x")
    report = build_relapse_report(cohort, Filters(), None)
    entry = report.group(ALL)
    assert entry.after_vs_before_nb is None
    assert any("not computed" in n and "followup_months" in n for n in entry.notes)
    assert report.mcf is None
    assert any(n.startswith("Mean cumulative function: not computed") for n in report.notes)


def test_to_dict_is_json(grouped):
    data = json.loads(json.dumps(grouped.to_dict()))
    assert data["group_by"] == GROUP
    assert [g["label"] for g in data["groups"]] == [ALL, "0", "1"]
