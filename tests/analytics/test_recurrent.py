"""Recurrent relapses: hand-checked values, closed forms, edge cases and properties.

The comparisons with R are in tests/reference/test_recurrent_vs_r.py.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.data.cohort import Filters
from analytics.reports.relapse_report import build_relapse_report
from analytics.stats.rates import annualized_relapse_rates
from analytics.stats.recurrent import (
    andersen_gill,
    count_rate_ratio,
    counting_process,
    mean_cumulative_function,
    pre_post_rate_ratio,
    relapse_rate_ratio,
    relapse_rates_by_group,
)


def _cohort(rows: list[tuple[str, float, int]], relapses: list[tuple[str, float]]):
    """Patients (id, follow-up, lesions) and relapses (id, month) frames."""
    patients = pd.DataFrame(rows, columns=["patient_id", "followup_months", "asymptomatic_lesions"])
    return patients, pd.DataFrame(relapses, columns=["patient_id", "months_from_rtx"])


@pytest.fixture
def small():
    """Eight patients, lesion group relapsing more, with pre-treatment relapses too."""
    return _cohort(
        [
            ("A", 24.0, 1),
            ("B", 36.0, 1),
            ("C", 12.0, 1),
            ("D", 48.0, 1),
            ("E", 30.0, 0),
            ("F", 40.0, 0),
            ("G", 20.0, 0),
            ("H", 60.0, 0),
        ],
        [
            ("A", -10.0),
            ("A", 3.0),
            ("A", 14.0),
            ("B", -3.0),
            ("B", 14.0),
            ("B", 30.0),
            ("C", 5.0),
            ("D", -20.0),
            ("D", 40.0),
            ("E", -5.0),
            ("F", -1.0),
            ("F", 22.0),
            ("H", -30.0),
            ("H", 55.0),
        ],
    )


def _json_roundtrip(result) -> dict:
    return json.loads(json.dumps(result.to_dict(), allow_nan=False))


# --- mean cumulative function ------------------------------------------------------------


def test_mcf_by_hand() -> None:
    """Two patients: both relapse at 5, one again at 15; follow-up 10 and 20."""
    patients, relapses = _cohort(
        [("P1", 10.0, 0), ("P2", 20.0, 0)], [("P1", 5.0), ("P2", 5.0), ("P2", 15.0)]
    )
    curve = mean_cumulative_function(patients, relapses).curve("All")
    assert curve.timeline == (0.0, 5.0, 10.0, 15.0, 20.0)
    assert curve.at_risk == (2, 2, 2, 1, 1)
    assert curve.events_at == (0, 2, 0, 1, 0)
    np.testing.assert_allclose(curve.mcf, [0, 1, 1, 2, 2])
    # At 5 both patients relapse once, as the mean predicts: no spread between patients.
    # At 15 only P2 is followed; P1's influence stays -0 and P2's is 0 + (1 - 1) = 0.
    np.testing.assert_allclose(curve.std_err, [0, 0, 0, 0, 0], atol=1e-15)
    assert curve.ci_low[0] == curve.ci_high[0] == 0.0


def test_mcf_lawless_nadeau_variance_by_hand() -> None:
    """Patients relapse 2, 0 and 1 times, all followed to 10: MCF(10) = 1, var = sum (n_i-1)^2/9."""
    patients, relapses = _cohort(
        [("P1", 10.0, 0), ("P2", 10.0, 0), ("P3", 10.0, 0)],
        [("P1", 2.0), ("P1", 4.0), ("P3", 6.0)],
    )
    curve = mean_cumulative_function(patients, relapses).curve("All")
    assert curve.mcf[-1] == pytest.approx(1.0)
    # With equal follow-up the influence of patient i is (n_i - mean) / n.
    assert curve.std_err[-1] == pytest.approx(np.sqrt((1 + 1 + 0) / 9))
    z = 1.959963984540054
    assert curve.ci_low[-1] == pytest.approx(np.exp(-z * curve.std_err[-1]))


def test_mcf_no_relapses_is_flat_zero() -> None:
    patients, relapses = _cohort([("P1", 10.0, 0), ("P2", 20.0, 1)], [("P1", -4.0)])
    result = mean_cumulative_function(patients, relapses, group_by="asymptomatic_lesions")
    for curve in result.curves:
        assert curve.events == 0
        assert set(curve.mcf) == {0.0}
        assert set(curve.ci_high) == {0.0}
    _json_roundtrip(result)


def test_mcf_grace_period_drops_early_relapses_and_short_followup() -> None:
    patients, relapses = _cohort(
        [("P1", 5.0, 0), ("P2", 20.0, 0)], [("P2", 3.0), ("P2", 12.0), ("P1", 4.0)]
    )
    result = mean_cumulative_function(patients, relapses, grace_months=6.0)
    curve = result.curve("All")
    assert curve.n == 1
    assert curve.events == 1
    assert curve.timeline[0] == 6.0
    assert (
        "1 patient followed no longer than the 6-month grace period is left out." == result.notes[0]
    )


def test_mcf_ties_between_patients_count_together() -> None:
    patients, relapses = _cohort(
        [("P1", 10.0, 0), ("P2", 10.0, 0), ("P3", 10.0, 0), ("P4", 10.0, 0)],
        [("P1", 4.0), ("P2", 4.0), ("P3", 4.0)],
    )
    curve = mean_cumulative_function(patients, relapses).curve("All")
    assert curve.events_at[1] == 3
    assert curve.mcf[1] == pytest.approx(0.75)


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(0, 4), min_size=1, max_size=12),
    followup=st.floats(1.0, 100.0),
)
def test_mcf_with_equal_followup_ends_at_the_mean_count(counts, followup) -> None:
    """Without censoring before the end, MCF(end) is the plain mean number of relapses."""
    rows = [(f"P{i}", followup, 0) for i in range(len(counts))]
    relapses = [
        (f"P{i}", followup * (k + 1) / (n + 1)) for i, n in enumerate(counts) for k in range(n)
    ]
    patients, relapse_frame = _cohort(rows, relapses)
    curve = mean_cumulative_function(patients, relapse_frame).curve("All")
    assert curve.mcf[-1] == pytest.approx(np.mean(counts))
    expected_var = np.sum((np.array(counts) - np.mean(counts)) ** 2) / len(counts) ** 2
    assert curve.std_err[-1] ** 2 == pytest.approx(expected_var, abs=1e-12)


# --- rate ratios ---------------------------------------------------------------------------


def test_poisson_rate_ratio_is_the_ratio_of_pooled_rates(small) -> None:
    """With one binary covariate the Poisson MLE is closed form: (x1/T1) / (x0/T0)."""
    patients, relapses = small
    model = relapse_rate_ratio(patients, relapses, ["asymptomatic_lesions"], model="poisson")
    lesions = patients["asymptomatic_lesions"] == 1
    rates = [
        annualized_relapse_rates(patients[mask], relapses).pooled_post.estimate
        for mask in (lesions, ~lesions)
    ]
    term = model.term("asymptomatic_lesions")
    assert term.rate_ratio == pytest.approx(rates[0] / rates[1], rel=1e-9)
    # Poisson SE of a log rate ratio: sqrt(1/x1 + 1/x0).
    assert term.se == pytest.approx(np.sqrt(1 / 6 + 1 / 2), rel=1e-7)
    assert model.theta is None
    assert model.events == 8


def test_pre_post_poisson_is_pooled_post_over_pooled_pre(small) -> None:
    patients, relapses = small
    model = pre_post_rate_ratio(patients, relapses, model="poisson")
    rates = annualized_relapse_rates(patients, relapses)
    expected = rates.pooled_post.estimate / rates.pooled_pre.estimate
    assert model.term("post_rituximab").rate_ratio == pytest.approx(expected, rel=1e-9)
    assert model.n_rows == 2 * len(patients)
    assert model.n_patients == len(patients)


def test_negative_binomial_runs_and_is_json_safe(small) -> None:
    patients, relapses = small
    model = relapse_rate_ratio(patients, relapses, ["asymptomatic_lesions"])
    assert model.model == "negative binomial"
    data = _json_roundtrip(model)
    assert data["terms"][0]["term"] == "asymptomatic_lesions"
    assert any("per coefficient" in note for note in model.notes)


def test_no_overdispersion_gives_the_poisson_fit() -> None:
    """Equal counts per unit time: theta runs to infinity and NB falls back to Poisson."""
    frame = pd.DataFrame(
        {"patient_id": list("ABCDEF"), "n": [2, 2, 2, 4, 4, 4], "years": [1, 1, 1, 2, 2, 2]}
    )
    frame["group"] = [0, 1, 0, 1, 0, 1]
    nb = count_rate_ratio(frame, "n", "years", ["group"])
    poisson = count_rate_ratio(frame, "n", "years", ["group"], model="poisson")
    assert nb.theta is None
    assert any("theta infinite" in note for note in nb.notes)
    assert nb.term("group").coef == pytest.approx(poisson.term("group").coef, abs=1e-10)


def test_all_relapses_in_one_group_is_separation(small) -> None:
    patients, relapses = small
    lesion_ids = set(patients.loc[patients["asymptomatic_lesions"] == 1, "patient_id"])
    only_lesions = relapses[relapses["patient_id"].isin(lesion_ids)]
    for model in ("negative_binomial", "poisson"):
        result = relapse_rate_ratio(patients, only_lesions, ["asymptomatic_lesions"], model=model)
        assert any("separation" in note for note in result.notes)
        assert not any("could not be fitted" in note for note in result.notes)
        assert _json_roundtrip(result)["terms"][0]["rate_ratio"] is None
    ag = andersen_gill(patients, only_lesions, ["asymptomatic_lesions"])
    assert any("separation" in note for note in ag.notes)
    # The diverging coefficient keeps Newton from settling: separation, not a failed fit.
    assert not any("did not converge" in note for note in ag.notes)
    assert _json_roundtrip(ag)["terms"][0]["hr"] is None


def test_no_relapses_at_all_gives_notes_not_errors() -> None:
    patients, relapses = _cohort([("P1", 10.0, 0), ("P2", 20.0, 1)], [])
    for result in (
        relapse_rate_ratio(patients, relapses, ["asymptomatic_lesions"]),
        pre_post_rate_ratio(patients, relapses),
        andersen_gill(patients, relapses, ["asymptomatic_lesions"]),
    ):
        assert result.terms == ()
        assert any("No relapses" in note for note in result.notes)
        _json_roundtrip(result)


def test_one_patient(small) -> None:
    patients, relapses = small
    one = patients.iloc[:1]
    model = relapse_rate_ratio(one, relapses, ["asymptomatic_lesions"])
    assert model.terms == ()
    assert any("No covariate varies" in note for note in model.notes)
    assert andersen_gill(one, relapses, ["asymptomatic_lesions"]).terms == ()
    pre_post = pre_post_rate_ratio(one, relapses, model="poisson")
    # A (pre 1 in 24 months, post 2 in 24 months): the rate doubles.
    assert pre_post.term("post_rituximab").rate_ratio == pytest.approx(2.0)
    assert mean_cumulative_function(one, relapses).curve("All").mcf[-1] == pytest.approx(2.0)


def test_grace_period_leaves_out_patients_without_post_time(small) -> None:
    patients, relapses = small
    model = relapse_rate_ratio(
        patients.assign(
            followup_months=patients["followup_months"].where(patients["patient_id"] != "C", 5.0)
        ),
        relapses[relapses["patient_id"] != "C"],
        ["asymptomatic_lesions"],
        grace_months=6.0,
        model="poisson",
    )
    assert model.n_rows == 7
    assert model.dropped == 1
    assert any("no person-time" in note for note in model.notes)


def test_rates_by_group_split_the_pooled_counts(small) -> None:
    patients, relapses = small
    result = relapse_rates_by_group(patients, relapses, "asymptomatic_lesions")
    assert [g.label for g in result.groups] == ["0", "1"]
    total = annualized_relapse_rates(patients, relapses)
    assert sum(g.rates.pooled_post.events for g in result.groups) == total.pooled_post.events
    assert sum(g.rates.pooled_pre.events for g in result.groups) == total.pooled_pre.events
    _json_roundtrip(result)


def test_missing_group_value_is_left_out_with_a_note(small) -> None:
    patients, relapses = small
    patients = patients.assign(
        asymptomatic_lesions=patients["asymptomatic_lesions"]
        .astype(float)
        .where(patients["patient_id"] != "A")
    )
    result = mean_cumulative_function(patients, relapses, group_by="asymptomatic_lesions")
    assert [c.label for c in result.curves] == ["0", "1"]
    assert "1 patient with no Asymptomatic lesions" in result.notes[0]


# --- Andersen–Gill ---------------------------------------------------------------------------


def test_counting_process_splits_at_relapses(small) -> None:
    patients, relapses = small
    data, duplicates = counting_process(patients, relapses)
    rows_a = data[data["patient_id"] == "A"]
    assert rows_a[["start", "stop", "event"]].to_numpy().tolist() == [
        [0.0, 3.0, 1.0],
        [3.0, 14.0, 1.0],
        [14.0, 24.0, 0.0],
    ]
    # C relapses at 5 and is followed to 12; G never relapses: one censored interval.
    assert data[data["patient_id"] == "G"][["start", "stop", "event"]].to_numpy().tolist() == [
        [0.0, 20.0, 0.0]
    ]
    assert duplicates == 0
    assert data["event"].sum() == 8
    assert (data["stop"] > data["start"]).all()
    assert set(data.columns) >= {"asymptomatic_lesions", "followup_months"}


def test_relapse_at_last_followup_has_no_trailing_interval() -> None:
    patients, relapses = _cohort([("P1", 10.0, 0)], [("P1", 10.0)])
    data, _ = counting_process(patients, relapses)
    assert data[["start", "stop", "event"]].to_numpy().tolist() == [[0.0, 10.0, 1.0]]


def test_duplicate_relapse_records_count_once_in_andersen_gill(small) -> None:
    patients, relapses = small
    doubled = pd.concat([relapses, relapses.iloc[[1]]], ignore_index=True)
    data, duplicates = counting_process(patients, doubled)
    assert duplicates == 1
    model = andersen_gill(patients, doubled, ["asymptomatic_lesions"])
    single = andersen_gill(patients, relapses, ["asymptomatic_lesions"])
    assert any("duplicate relapse record" in note for note in model.notes)
    assert model.term("asymptomatic_lesions").coef == pytest.approx(
        single.term("asymptomatic_lesions").coef
    )


def test_andersen_gill_with_tied_relapse_times(small) -> None:
    """B and A both relapse at month 14; Efron ties, robust SE differs from the naive one."""
    patients, relapses = small
    model = andersen_gill(patients, relapses, ["asymptomatic_lesions"])
    term = model.term("asymptomatic_lesions")
    assert model.events == 8
    assert model.n_patients == 8
    assert term.hr > 1
    assert term.se != pytest.approx(term.naive_se)
    assert term.ci_low < term.hr < term.ci_high
    assert model.loglik > model.loglik_null
    assert any("immortal time" in note for note in model.notes)


def test_andersen_gill_is_invariant_to_the_time_unit(small) -> None:
    """Only the order of times enters a Cox model: months or days give the same fit."""
    patients, relapses = small
    months = andersen_gill(patients, relapses, ["asymptomatic_lesions"])
    days = andersen_gill(
        patients.assign(followup_months=patients["followup_months"] * 30.4),
        relapses.assign(months_from_rtx=relapses["months_from_rtx"] * 30.4),
        ["asymptomatic_lesions"],
    )
    assert days.term("asymptomatic_lesions").coef == pytest.approx(
        months.term("asymptomatic_lesions").coef, rel=1e-10
    )
    assert days.term("asymptomatic_lesions").se == pytest.approx(
        months.term("asymptomatic_lesions").se, rel=1e-10
    )


def test_andersen_gill_grace_period_starts_at_risk_later(small) -> None:
    patients, relapses = small
    model = andersen_gill(patients, relapses, ["asymptomatic_lesions"], grace_months=6.0)
    assert model.events == 6  # A at 3 and C at 5 fall inside the grace period
    assert model.grace_months == 6.0
    assert any("grace period" in note for note in model.notes)


def test_missing_covariate_drops_the_patient(small) -> None:
    patients, relapses = small
    patients = patients.assign(age_at_rtx=[30.0, 40.0, None, 50.0, 35.0, 45.0, 55.0, 25.0])
    model = andersen_gill(patients, relapses, ["asymptomatic_lesions", "age_at_rtx"])
    assert model.dropped_missing == 1
    assert model.n_patients == 7


# --- input problems -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda p, r: andersen_gill(p, r, ["asymptomatic_lesions"]),
        lambda p, r: mean_cumulative_function(p, r),
        lambda p, r: relapse_rate_ratio(p, r, ["asymptomatic_lesions"]),
    ],
)
def test_zero_followup_is_rejected(small, call) -> None:
    patients, relapses = small
    patients = patients.assign(followup_months=[0.0, *patients["followup_months"].iloc[1:]])
    with pytest.raises(ValueError, match=r"followup_months must be a number > 0.*\(A\)"):
        call(patients, relapses)


def test_missing_columns_and_bad_arguments_are_rejected(small) -> None:
    patients, relapses = small
    with pytest.raises(ValueError, match="relapses frame lacks column"):
        mean_cumulative_function(patients, relapses.rename(columns={"months_from_rtx": "m"}))
    with pytest.raises(ValueError, match="grace_months must be >= 0"):
        andersen_gill(patients, relapses, ["asymptomatic_lesions"], grace_months=-1)
    with pytest.raises(ValueError, match="conf_level"):
        relapse_rate_ratio(patients, relapses, ["asymptomatic_lesions"], conf_level=1.5)
    with pytest.raises(ValueError, match="no column 'sex' to group by"):
        mean_cumulative_function(patients, relapses, group_by="sex")
    with pytest.raises(ValueError, match="no column"):
        count_rate_ratio(patients, "count", "years", [])


def test_collinear_covariates_give_a_note_not_a_crash(small) -> None:
    """R would print NA for the aliased coefficient; we fit no model and say why."""
    patients, relapses = small
    patients = patients.assign(copy=patients["asymptomatic_lesions"] * 2)
    covariates = ["asymptomatic_lesions", "copy"]
    for result in (
        relapse_rate_ratio(patients, relapses, covariates),
        relapse_rate_ratio(patients, relapses, covariates, model="poisson"),
        andersen_gill(patients, relapses, covariates),
    ):
        assert result.terms == ()
        assert any("collinear" in note for note in result.notes)


def test_a_reference_level_without_relapses_is_separation_not_a_huge_ratio(demo):
    # FF (the reference of FCGR3A) has no relapse after rituximab among lesion-free patients
    # with no grace period: every ratio against it is infinite. Each dummy's "without" side
    # (FF together with the other level) has relapses, so the per-dummy check alone missed it
    # and the fit reported "> 1000 (0.00–> 1000)".
    report = build_relapse_report(demo, Filters(lesions=0, grace_months=0), "fcgr3a_v158f")
    assert report.between_nb is not None
    assert all(math.isnan(term.rate_ratio) for term in report.between_nb.terms)
    assert any("reference group FCGR3A-V158F: FF has no relapses" in note for note in report.notes)


@pytest.mark.parametrize("cells", [1, 8])
def test_mcf_in_blocks_of_patients_keeps_the_hand_values(monkeypatch, cells) -> None:
    """The influences are built a block of patients at a time (issue 17: 100 000 patients
    needed 2 GB at once); blocks of one or two patients give the by-hand values above."""
    monkeypatch.setattr("analytics.stats.recurrent.mcf.MCF_BLOCK_CELLS", cells)
    patients, relapses = _cohort(
        [("P1", 10.0, 0), ("P2", 10.0, 0), ("P3", 10.0, 0)],
        [("P1", 2.0), ("P1", 4.0), ("P3", 6.0)],
    )
    curve = mean_cumulative_function(patients, relapses).curve("All")
    assert curve.at_risk == (3, 3, 3, 3, 3)
    np.testing.assert_allclose(curve.mcf, [0, 1 / 3, 2 / 3, 1, 1])
    assert curve.std_err[-1] == pytest.approx(np.sqrt((1 + 1 + 0) / 9))
