"""Property tests (hypothesis) of analytics on arbitrary valid cohorts.

Every cohort is written as CSV and read back through ``analytics.data.io.load_cohort``, so the
frames are exactly the clean shape of docs/analytics-api.md (and a strategy that produced an
invalid cohort would fail loudly instead of testing something the product never sees).

Times are drawn on a half-month grid so that ties are common, as they are in clinic data
recorded to the month. Cohorts are small (at most ``MAX_PATIENTS``) so each example is fast.
"""

from __future__ import annotations

import io
import json
import math
import random

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from analytics.data.cohort import Cohort, Filters, analysis_frame
from analytics.data.io import load_cohort
from analytics.reports.report import Report, build_report
from analytics.stats.cox.models import cox_model
from analytics.stats.survival import kaplan_meier

MAX_PATIENTS = 24
HALF_MONTHS = st.integers(min_value=1, max_value=240)  # 0.5 .. 120 months


@st.composite
def patient_rows(draw: st.DrawFn, *, min_size: int = 1, form_a: bool = True) -> list[dict]:
    """Rows of a valid patients file (form A: failure columns; form B: none)."""
    n = draw(st.integers(min_value=min_size, max_value=MAX_PATIENTS))
    rows = []
    for i in range(n):
        followup = draw(HALF_MONTHS) / 2
        row: dict[str, object] = {"patient_id": f"P{i:03d}", "followup_months": followup}
        if form_a:
            failed = draw(st.booleans())
            row["failure"] = int(failed)
            row["failure_months"] = draw(st.integers(1, int(followup * 2))) / 2 if failed else None
        row["sex"] = draw(st.sampled_from(["F", "M", None]))
        row["age_at_rtx"] = draw(st.one_of(st.none(), st.integers(16, 85)))
        row["edss_baseline"] = draw(st.one_of(st.none(), st.integers(0, 20).map(lambda v: v / 2)))
        lesions = draw(st.sampled_from([0, 1, None]))
        row["asymptomatic_lesions"] = lesions
        row["asymptomatic_lesion_months"] = (
            draw(st.one_of(st.none(), st.integers(1, int(followup * 2)).map(lambda v: v / 2)))
            if lesions == 1
            else None
        )
        row["gd_persistent"] = draw(st.sampled_from([0, 1, None]))
        row["fcgr3a_v158f"] = draw(st.sampled_from(["VV", "VF", "FF", None]))
        rows.append(row)
    return rows


@st.composite
def relapse_rows(draw: st.DrawFn, patients: list[dict]) -> list[dict]:
    """Relapses within each patient's follow-up (some before rituximab, some in the grace)."""
    out = []
    for row in patients:
        followup = float(row["followup_months"])  # type: ignore[arg-type]
        times = draw(st.lists(st.integers(-96, int(followup * 2)), max_size=3, unique=True))
        out.extend({"patient_id": row["patient_id"], "months_from_rtx": t / 2} for t in times)
    if not out:
        # A relapses file with a header and no rows is rejected on load (tests/data/bad);
        # one pre-rituximab relapse keeps the file valid without changing any outcome.
        out.append({"patient_id": patients[0]["patient_id"], "months_from_rtx": -1.0})
    return out


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    pd.DataFrame(rows, columns=columns).to_csv(buffer, index=False)
    return buffer.getvalue().encode()


def _load(patients: list[dict], relapses: list[dict] | None = None) -> Cohort:
    relapse_bytes = None
    if relapses is not None:
        relapse_bytes = _csv(relapses, ["patient_id", "months_from_rtx"])
    return load_cohort(
        _csv(patients, list(patients[0])),
        relapse_bytes,
        patients_name="patients.csv",
        relapses_name=None if relapses is None else "relapses.csv",
    )


@st.composite
def cohorts(draw: st.DrawFn, *, min_size: int = 1) -> Cohort:
    """A valid cohort, outcome form A (failure columns) or B (relapses file)."""
    if draw(st.booleans()):
        return _load(draw(patient_rows(min_size=min_size)))
    patients = draw(patient_rows(min_size=min_size, form_a=False))
    return _load(patients, draw(relapse_rows(patients)))


form_a_cohorts = patient_rows().map(_load)


def _form_b() -> st.SearchStrategy[Cohort]:
    return patient_rows(form_a=False).flatmap(
        lambda patients: relapse_rows(patients).map(lambda r: _load(patients, r))
    )


# Each example runs a handful of fits on <= 24 patients; no deadline because the first
# example of a run pays the imports (statsmodels).
FAST = settings(max_examples=30, deadline=None)
# A full report costs ~0.3-1.5 s (Cox x 6, Firth profile CIs, MANCOVA); two per example.
SLOW = settings(max_examples=10, deadline=None)


# --- Kaplan-Meier --------------------------------------------------------------------------


@FAST
@given(
    st.lists(st.tuples(HALF_MONTHS.map(lambda v: v / 2), st.booleans()), min_size=1, max_size=60)
)
def test_km_curve_is_a_survival_curve(observations: list[tuple[float, bool]]) -> None:
    time = [t for t, _ in observations]
    event = [int(e) for _, e in observations]
    km = kaplan_meier(time, event)
    survival = np.asarray(km.survival)
    assert np.all(np.diff(survival) <= 0)
    assert np.all((survival >= 0) & (survival <= 1))
    assert np.all(np.diff(km.timeline) > 0)
    low, high = np.asarray(km.ci_low), np.asarray(km.ci_high)
    defined = ~np.isnan(low) & ~np.isnan(high)
    # S ** exp(+-x) brackets S exactly in real arithmetic; 1e-12 absorbs the rounding of pow.
    assert np.all(low[defined] <= survival[defined] + 1e-12)
    assert np.all(survival[defined] <= high[defined] + 1e-12)
    assert np.all((low[defined] >= 0) & (high[defined] <= 1))
    # The CI is undefined only where the curve has reached 0.
    assert np.all(survival[~defined] == 0)
    # Risk set bookkeeping: everyone starts at risk and leaves exactly once.
    at_risk, events_at, censored_at = (
        np.asarray(a) for a in (km.at_risk, km.events_at, km.censored_at)
    )
    assert at_risk[0] == at_risk[1] == km.n == len(time)
    assert_allclose(at_risk[2:], at_risk[1:-1] - events_at[1:-1] - censored_at[1:-1])
    assert events_at.sum() == km.events == sum(event)
    assert events_at.sum() + censored_at.sum() == km.n
    assert np.all(events_at <= at_risk)


# --- filters -------------------------------------------------------------------------------


def _ids(cohort: Cohort, filters: Filters) -> set[str]:
    return set(analysis_frame(cohort, filters)["patient_id"])


@FAST
@given(cohorts(), st.integers(16, 86))
def test_filters_partition_the_cohort(cohort: Cohort, split_age: int) -> None:
    everyone = _ids(cohort, Filters())
    patients = cohort.patients
    by_sex = [_ids(cohort, Filters(sex=s)) for s in ("F", "M")]
    no_sex = set(patients.loc[patients["sex"].isna(), "patient_id"])
    assert by_sex[0].isdisjoint(by_sex[1])
    assert by_sex[0] | by_sex[1] | no_sex == everyone
    assert len(by_sex[0]) + len(by_sex[1]) + len(no_sex) == len(everyone)

    by_lesion = [_ids(cohort, Filters(lesions=v)) for v in (0, 1)]
    no_lesion = set(patients.loc[patients["asymptomatic_lesions"].isna(), "patient_id"])
    assert len(by_lesion[0]) + len(by_lesion[1]) + len(no_lesion) == len(everyone)
    assert by_lesion[0] | by_lesion[1] | no_lesion == everyone

    # Ranges are inclusive, so [16, a] and (a, 120] split everyone with a known age.
    young = _ids(cohort, Filters(age_min=0, age_max=split_age))
    old = _ids(cohort, Filters(age_min=math.nextafter(split_age, math.inf), age_max=120))
    no_age = set(patients.loc[patients["age_at_rtx"].isna(), "patient_id"])
    assert young.isdisjoint(old)
    assert len(young) + len(old) + len(no_age) == len(everyone)


@FAST
@given(
    cohorts(),
    st.builds(
        Filters,
        sex=st.sampled_from([None, "F", "M"]),
        age_min=st.sampled_from([None, 30.0]),
        age_max=st.sampled_from([None, 60.0]),
        edss_min=st.sampled_from([None, 2.0]),
        lesions=st.sampled_from([None, 0, 1]),
        gd_persistent=st.sampled_from([None, 0, 1]),
        fcgr3a=st.sampled_from([None, "FF", "VF"]),
        grace_months=st.sampled_from([0.0, 6.0, 12.0]),
    ),
)
def test_filtering_never_changes_a_patients_outcome(cohort: Cohort, filters: Filters) -> None:
    unfiltered = analysis_frame(cohort, Filters(grace_months=filters.grace_months))
    filtered = analysis_frame(cohort, filters)
    assert set(filtered["patient_id"]) <= set(unfiltered["patient_id"])
    columns = ["patient_id", "failure", "time_months"]
    expected = unfiltered[columns].set_index("patient_id").loc[filtered["patient_id"]]
    pd.testing.assert_frame_equal(filtered[columns].set_index("patient_id"), expected)


# --- grace period (relapses file) ----------------------------------------------------------


@FAST
@given(_form_b(), st.lists(st.integers(0, 24), min_size=2, max_size=4, unique=True))
def test_failures_do_not_increase_with_the_grace_period(cohort: Cohort, graces: list[int]) -> None:
    events = []
    for grace in sorted(g / 2 for g in graces):
        frame = analysis_frame(cohort, Filters(grace_months=grace))
        failed = frame[frame["failure"] == 1]
        assert (failed["failure_months"] > grace).all()
        assert (failed["failure_months"] <= failed["followup_months"]).all()
        events.append(int(frame["failure"].sum()))
    assert events == sorted(events, reverse=True)


# --- invariance ----------------------------------------------------------------------------

COVARIATES = ("asymptomatic_lesions", "age_at_rtx")


def _unstable(report: Report) -> set[str]:
    """Models flagged as separated or not converged: their HR is wherever the optimiser
    stopped (exp(20) or exp(25) are both "infinite"), so only the rest is compared."""
    models = {f"uni:{k}": m for k, m in report.univariable_models.items()}
    if report.cox is not None:
        models["cox"] = report.cox
    return {
        name
        for name, m in models.items()
        if m.firth_recommended or any("converge" in w for w in m.warnings)
    }


def _numbers(report: Report, skip: set[str]) -> dict[str, object]:
    """The numbers a reader compares: counts, curves, log-rank and the stable HRs."""
    return {
        "n": report.n,
        "events": report.events,
        "km": {
            k: (v.timeline, v.survival, v.ci_low, v.ci_high, v.median) for k, v in report.km.items()
        },
        "logrank": None
        if report.logrank is None
        else (report.logrank.chisq, report.logrank.df, report.logrank.p),
        "univariable": {
            name: [(t.term, t.hr, t.ci_low, t.ci_high, t.p) for t in m.terms]
            for name, m in report.univariable_models.items()
            if f"uni:{name}" not in skip
        },
        "cox": None
        if report.cox is None or "cox" in skip
        else [(t.term, t.hr, t.ci_low, t.ci_high) for t in report.cox.terms],
    }


def _assert_numbers_equal(a: object, b: object, rtol: float) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict)
        assert a.keys() == b.keys()
        for key in a:
            _assert_numbers_equal(a[key], b[key], rtol)
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple))
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_numbers_equal(x, y, rtol)
    elif isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isinf(a):
            assert a == b or (math.isnan(a) and math.isnan(b))
        else:
            assert_allclose(b, a, rtol=rtol, atol=1e-12)
    else:
        assert a == b


@SLOW
@given(form_a_cohorts, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_row_order(cohort: Cohort, rng: random.Random) -> None:
    order = list(range(len(cohort.patients)))
    rng.shuffle(order)
    shuffled = Cohort(
        cohort.patients.iloc[order].reset_index(drop=True), None, "shuffled", False, "x"
    )
    kwargs = {"group_by": "sex", "covariates": COVARIATES}
    before, after = build_report(cohort, **kwargs), build_report(shuffled, **kwargs)
    skip = _unstable(before)
    # Cox is fitted to 1e-14 relative log-likelihood; the order of summation changes the
    # last bits only, so hazard ratios agree far inside 1e-8.
    _assert_numbers_equal(_numbers(before, skip), _numbers(after, skip), rtol=1e-8)


@SLOW
@given(form_a_cohorts, st.sampled_from([0.5, 2.0, 12.0, 30.4375]))
def test_results_scale_with_the_time_unit(cohort: Cohort, k: float) -> None:
    """Times on a half-month grid times these k are exact in binary, so ties survive."""
    patients = cohort.patients.copy()
    for column in ("followup_months", "failure_months", "asymptomatic_lesion_months"):
        patients[column] = patients[column] * k
    scaled = Cohort(patients, None, "scaled", False, "x")
    kwargs = {"group_by": "sex", "covariates": COVARIATES}
    before, after = build_report(cohort, **kwargs), build_report(scaled, **kwargs)
    skip = _unstable(before)
    assert (before.n, before.events) == (after.n, after.events)
    for label, km in before.km.items():
        other = after.km[label]
        assert_allclose(np.asarray(other.timeline), np.asarray(km.timeline) * k)
        assert other.survival == km.survival
        for mine, theirs in (
            (km.median, other.median),
            (km.median_ci_low, other.median_ci_low),
            (km.median_ci_high, other.median_ci_high),
        ):
            assert (mine is None) == (theirs is None)
            if mine is not None:
                assert_allclose(theirs, mine * k, rtol=1e-12)
    mine, theirs = _numbers(before, skip), _numbers(after, skip)
    for key in ("n", "events", "logrank", "univariable", "cox"):
        _assert_numbers_equal(mine[key], theirs[key], rtol=1e-8)
    if before.events:
        assert_allclose(after.incidence.estimate, before.incidence.estimate / k, rtol=1e-12)
        assert_allclose(after.incidence.ci_high, before.incidence.ci_high / k, rtol=1e-12)


# --- reference level -----------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(form_a_cohorts)
def test_hazard_ratio_inverts_when_the_reference_flips(cohort: Cohort) -> None:
    frame = analysis_frame(cohort, Filters())
    known = frame[frame["sex"].notna()]
    assume(known["sex"].nunique() == 2)
    by_f = cox_model(frame, ["sex"], categorical={"sex": "F"})
    assume(by_f.terms and not by_f.firth_recommended)
    assume(not any("converge" in w for w in by_f.warnings))
    by_m = cox_model(frame, ["sex"], categorical={"sex": "M"})
    male, female = by_f.term("sex=M"), by_m.term("sex=F")
    assert_allclose(male.hr * female.hr, 1.0, rtol=1e-6)
    assert_allclose(male.ci_low * female.ci_high, 1.0, rtol=1e-6)
    assert_allclose(male.ci_high * female.ci_low, 1.0, rtol=1e-6)
    assert_allclose(male.p, female.p, rtol=1e-6)


# --- no exception, strict JSON ---------------------------------------------------------------

GROUPINGS = st.sampled_from([None, "sex", "asymptomatic_lesions", "gd_persistent", "fcgr3a_v158f"])
COVARIATE_SETS = st.sampled_from(
    [
        (),
        ("asymptomatic_lesions",),
        ("sex", "age_at_rtx"),
        ("fcgr3a_v158f", "edss_baseline", "gd_persistent"),
    ]
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cohorts(),
    GROUPINGS,
    COVARIATE_SETS,
    st.sampled_from([Filters(), Filters(sex="F"), Filters(lesions=1), Filters(grace_months=0)]),
)
def test_any_valid_cohort_gives_a_strict_json_report(
    cohort: Cohort, group_by: str | None, covariates: tuple[str, ...], filters: Filters
) -> None:
    # too_slow: generating a cohort goes through CSV + load_cohort (the realistic path),
    # which is slower than hypothesis expects of a pure data strategy.
    report = build_report(cohort, filters, group_by=group_by, covariates=covariates)
    out = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert out["n"] == len(analysis_frame(cohort, filters))
    assert 0 <= out["events"] <= out["n"]
