"""Statistical edge cases: what the report does, and says, when the data are degenerate.

Each test's docstring states the defined behaviour. Small cohorts are the rule in this
disease, so every one of these happens in practice once a clinician filters enough.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analytics.data.cohort import Cohort, Filters
from analytics.reports.report import MIN_PATIENTS, Report, build_report
from analytics.stats.cox.models import cox_model
from analytics.stats.cox.zph import cox_zph
from analytics.stats.survival import kaplan_meier, logrank

LESIONS = "asymptomatic_lesions"


def _cohort(
    followup: list[float] | np.ndarray, failure: list[int] | np.ndarray, **columns: object
) -> Cohort:
    """A clean form-A cohort: failures happen at the end of follow-up."""
    patients = pd.DataFrame(
        {
            "patient_id": [f"P{i:03d}" for i in range(len(followup))],
            "followup_months": np.asarray(followup, dtype=float),
            "failure": np.asarray(failure, dtype=float),
        }
    )
    patients["failure_months"] = patients["followup_months"].where(patients["failure"] == 1)
    for name, values in columns.items():
        patients[name] = values
    return Cohort(patients, None, "edge", False, "edge")


def _strict_json(report: Report) -> dict[str, object]:
    out: dict[str, object] = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    return out


# --- no events, all events -------------------------------------------------------------------


@pytest.fixture
def no_events() -> Cohort:
    """Twelve patients, two lesion groups, nobody fails."""
    return _cohort(np.arange(1, 13) * 3.0, [0] * 12, asymptomatic_lesions=[0.0, 1.0] * 6)


def test_no_events(no_events: Cohort) -> None:
    """0 events: survival stays at 1 with a [1, 1] interval and no median; failure rate 0
    with the exact upper limit 1 - 0.025^(1/n); incidence 0; no Cox model (a reason is
    given); the log-rank test is null (survdiff's 0 on df = -1 is no test) with a note."""
    report = build_report(no_events, group_by=LESIONS, covariates=(LESIONS,))
    for km in report.km.values():
        assert set(km.survival) == {1.0}
        assert set(km.ci_low) == set(km.ci_high) == {1.0}
        assert km.median is None
    assert report.failure_rate.estimate == 0.0
    assert report.failure_rate.ci_low == 0.0
    assert_allclose(report.failure_rate.ci_high, 1 - 0.025 ** (1 / 12), rtol=1e-10)
    assert report.incidence.estimate == 0.0
    assert report.logrank is None
    assert report.cox is not None
    assert report.cox.terms == ()
    assert report.firth is None
    assert "No treatment failures in this group: survival stays at 100%." in report.warnings
    assert any("log-rank test is not defined" in w for w in report.warnings)
    assert any("Cox model cannot be fitted" in w for w in report.warnings)
    out = _strict_json(report)
    assert out["logrank"] is None
    assert out["events"] == 0


def test_all_events() -> None:
    """Every patient fails: the curve reaches 0 (its CI is undefined there and null in
    JSON), the median is where it crosses 0.5, the failure rate is 1 with lower limit
    0.025^(1/n), and Cox and log-rank are ordinary fits (nothing is degenerate)."""
    cohort = _cohort(np.arange(1, 13) * 3.0, [1] * 12, asymptomatic_lesions=[0.0, 1.0] * 6)
    report = build_report(cohort, group_by=LESIONS, covariates=(LESIONS,))
    for km in report.km.values():
        assert km.survival[-1] == 0.0
        assert math.isnan(km.ci_low[-1])
        assert math.isnan(km.ci_high[-1])
    assert report.km["0"].median == 18.0  # 6 patients at 3, 9, ..., 33: S = 0.5 from 9 to 15
    assert report.failure_rate.estimate == 1.0
    assert report.failure_rate.ci_high == 1.0
    assert_allclose(report.failure_rate.ci_low, 0.025 ** (1 / 12), rtol=1e-10)
    assert report.logrank is not None
    assert report.logrank.df == 1
    assert report.cox is not None
    assert math.isfinite(report.cox.terms[0].hr)
    assert not report.cox.firth_recommended
    out = _strict_json(report)
    assert out["km"]["groups"]["0"]["ci_low"][-1] is None  # type: ignore[index]


# --- groups ----------------------------------------------------------------------------------


def test_one_group_only() -> None:
    """group_by with a single level among the filtered patients: one curve, no log-rank,
    and a note naming the column and its only level."""
    cohort = _cohort(np.arange(1, 13) * 3.0, [1, 0] * 6, asymptomatic_lesions=[1.0] * 12)
    report = build_report(cohort, group_by=LESIONS)
    assert list(report.km) == ["1"]
    assert report.logrank is None
    assert any(
        "asymptomatic_lesions = 1: one group only" in w and "no log-rank" in w
        for w in report.warnings
    )
    assert _strict_json(report)["logrank"] is None


def test_all_failures_in_one_group() -> None:
    """Separation: every failure has lesions. The Cox model is fitted but flagged (the
    separation warning names the group with 0 events, Firth is recommended, and the HR is
    huge with an uninformative interval); the Firth model is fitted and gives a finite HR
    with a finite profile-likelihood interval above 1."""
    lesions = [1.0] * 8 + [0.0] * 12
    cohort = _cohort(np.arange(1, 21) * 3.0, [1] * 5 + [0] * 15, asymptomatic_lesions=lesions)
    report = build_report(cohort, group_by=LESIONS, covariates=(LESIONS,))
    assert report.cox is not None
    cox = report.cox.term(LESIONS)
    assert report.cox.firth_recommended
    assert cox.hr > 1e6 or not math.isfinite(cox.hr)
    assert cox.ci_low < 1 < cox.ci_high
    assert any(
        "The group “Asymptomatic lesions: no” has 0 events" in w and "separation" in w
        for w in report.warnings
    )
    assert report.firth is not None
    assert report.firth.method == "firth"
    firth = report.firth.term(LESIONS)
    assert 1 < firth.ci_low < firth.hr < firth.ci_high < math.inf
    _strict_json(report)


def test_one_patient() -> None:
    """A single patient: one KM step (to 0 if they failed, CI undefined there), no log-rank
    (one group), no model (nothing varies), the n < 10 warning, strict JSON."""
    cohort = _cohort([10.0], [1], sex=["F"], age_at_rtx=[40.0], asymptomatic_lesions=[1.0])
    report = build_report(cohort, group_by="sex", covariates=("sex", "age_at_rtx"))
    assert (report.n, report.events) == (1, 1)
    km = report.km["F"]
    assert km.survival == (1.0, 0.0)
    assert km.median == 10.0
    assert report.logrank is None
    assert report.cox is not None
    assert report.cox.terms == ()
    assert any("Only 1 patients" in w for w in report.warnings)
    assert any("No covariate varies" in w for w in report.warnings)
    assert _strict_json(report)["n"] == 1


# --- ties everywhere -------------------------------------------------------------------------

TIED = pd.DataFrame(
    {
        "time_months": [10.0] * 6,
        "failure": [1.0, 1.0, 0.0, 0.0, 1.0, 0.0],
        "x": [1.0, 1.0, 1.0, 0.0, 0.0, 0.0],
    }
)


def test_ties_everywhere_kaplan_meier_and_logrank() -> None:
    """All six times equal, three failures (two with x = 1). By hand: S = 1 - 3/6 = 0.5;
    Greenwood se(log S) = sqrt(3 / (6 * 3)); log-rank O = (1, 2), E = (1.5, 1.5),
    V = n1 n0 d (n - d) / (n^2 (n - 1)) = 0.45, chisq = 0.5^2 / 0.45 = 5/9.

    R 4.x, survival 3.5 (the same numbers)::

        d <- data.frame(time = rep(10, 6), status = c(1, 1, 0, 0, 1, 0), x = c(1, 1, 1, 0, 0, 0))
        summary(survfit(Surv(time, status) ~ 1, d, conf.type = "log-log"))
        # survival 0.5, lower 0.110948260351, upper 0.80370923685
        survdiff(Surv(time, status) ~ x, d)$chisq  # 0.555555555556
    """
    km = kaplan_meier(TIED["time_months"], TIED["failure"])
    assert km.timeline == (0.0, 10.0)
    assert km.survival == (1.0, 0.5)
    assert_allclose(km.std_err[1], 0.5 * math.sqrt(3 / 18), rtol=1e-12)
    assert_allclose(km.ci_low[1], 0.110948260351, rtol=1e-10)
    assert_allclose(km.ci_high[1], 0.80370923685, rtol=1e-10)
    assert km.median == 10.0
    test = logrank(TIED["time_months"], TIED["failure"], TIED["x"])
    assert test.observed == (1.0, 2.0)
    assert_allclose(test.expected, (1.5, 1.5), rtol=1e-12)
    assert_allclose(test.chisq, 5 / 9, rtol=1e-12)


def _efron_loglik(beta: float) -> float:
    """Efron's partial log-likelihood of TIED written out: one event time, all six at risk,
    dying x = (1, 1, 0): risk sum S0 = 3 e^b + 3, dying sum D0 = 2 e^b + 1."""
    s0, d0 = 3 * math.exp(beta) + 3, 2 * math.exp(beta) + 1
    return 2 * beta - sum(math.log(s0 - k / 3 * d0) for k in range(3))


def test_ties_everywhere_cox_efron() -> None:
    """Cox with every time tied uses Efron's approximation (not Breslow): the coefficient
    maximises the hand-written likelihood above and equals R's.

    R::

        f <- coxph(Surv(time, status) ~ x, d, ties = "efron")
        coef(f); sqrt(vcov(f)); f$loglik
        # 0.852967526557  1.2273738273  -4.78749174278 -4.52934067359
    """
    model = cox_model(TIED, ["x"])
    term = model.term("x")
    assert_allclose(term.coef, 0.852967526557, rtol=1e-8)
    assert_allclose(term.se, 1.2273738273, rtol=1e-6)
    assert model.loglik is not None
    assert model.loglik_null is not None
    assert_allclose(model.loglik, -4.52934067359, rtol=1e-9)
    assert_allclose(model.loglik_null, -4.78749174278, rtol=1e-9)
    assert_allclose(_efron_loglik(term.coef), model.loglik, rtol=1e-9)
    # ...and it is the maximum of that likelihood (the score is 0 there).
    h = 1e-5
    score = (_efron_loglik(term.coef + h) - _efron_loglik(term.coef - h)) / (2 * h)
    assert abs(score) < 1e-6


# --- proportional hazards violated -----------------------------------------------------------


@pytest.fixture
def crossing_hazards() -> Cohort:
    """Lesion patients fail early or not at all; lesion-free patients fail late.

    The hazard ratio is far above 1 in the first months and 0 afterwards: the hazards cross.
    """
    early = [1.0 + i for i in range(10)] + [60.0] * 10  # lesions: 10 early failures
    late = [30.0 + i for i in range(16)] + [60.0] * 4  # no lesions: 16 late failures
    failure = [1] * 10 + [0] * 10 + [1] * 16 + [0] * 4
    return _cohort(early + late, failure, asymptomatic_lesions=[1.0] * 20 + [0.0] * 20)


def test_ph_violation_is_detected_and_reported(crossing_hazards: Cohort) -> None:
    """Crossing hazards: cox_zph rejects proportional hazards (p < 0.05) for the lesion
    term and the report carries the PH warning naming it."""
    report = build_report(crossing_hazards, group_by=LESIONS, covariates=(LESIONS,))
    frame = crossing_hazards.patients.assign(
        time_months=crossing_hazards.patients["followup_months"]
    )
    zph = cox_zph(frame, [LESIONS], time_col="time_months", event_col="failure")
    assert zph.row(LESIONS).p < 0.05
    assert report.ph_test is not None
    assert_allclose(report.ph_test.row(LESIONS).p, zph.row(LESIONS).p, rtol=1e-12)
    assert any(
        w.startswith("Proportional hazards may not hold for Asymptomatic lesions")
        for w in report.warnings
    )


# --- small samples and covariates ------------------------------------------------------------


@pytest.fixture
def twelve() -> Cohort:
    """Twelve patients with sex, age (two missing), lesions, and six failures."""
    return _cohort(
        [5.0, 8.0, 12.0, 20.0, 24.0, 30.0, 36.0, 40.0, 44.0, 50.0, 55.0, 60.0],
        [1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 0],
        sex=["F", "M", "F", "F", "M", "F", "M", "F", "F", "M", "F", "F"],
        age_at_rtx=[30.0, 45.0, None, 38.0, 61.0, 44.0, 29.0, None, 49.0, 35.0, 40.0, 63.0],
        asymptomatic_lesions=[1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0],
    )


@pytest.mark.parametrize(("sex", "expected_n"), [("M", 4), ("F", 8)])
def test_fewer_than_ten_after_filtering_is_warned(
    twelve: Cohort, sex: str, expected_n: int
) -> None:
    """n < 10 after filtering: the report warns with the count; n >= 10 does not."""
    report = build_report(twelve, Filters(sex=sex))
    assert report.n == expected_n < MIN_PATIENTS
    assert f"Only {expected_n} patients match these filters (fewer than 10): " in report.warnings[0]
    assert not any("fewer than 10)" in w for w in build_report(twelve).warnings)


def test_few_events_per_variable_is_warned(twelve: Cohort) -> None:
    """6 events on 2 coefficients = 3 events per variable (< 10): warned, with the number
    (the model of the 10 patients with an age has 4 events: 2 per variable)."""
    report = build_report(twelve, covariates=(LESIONS, "sex"))
    # The multivariable model's warning names it (each univariable one names its own).
    assert "Multivariable Cox: Only 3.0 events per variable" in " ".join(report.warnings)
    with_age = build_report(twelve, covariates=(LESIONS, "age_at_rtx"))
    assert "Multivariable Cox: Only 2.0 events per variable" in " ".join(with_age.warnings)


def test_constant_covariate_after_filtering_is_left_out(twelve: Cohort) -> None:
    """Filtering to women makes sex constant: it is left out of every model with a note,
    and the other covariates are still fitted."""
    report = build_report(twelve, Filters(sex="F"), covariates=("sex", LESIONS))
    assert report.cox is not None
    assert [t.term for t in report.cox.terms] == [LESIONS]
    assert report.univariable_models["sex"].terms == ()
    assert "Sex is the same for everyone analysed here; left out of the model." in report.warnings


def test_missing_covariate_values_are_dropped_and_counted(twelve: Cohort) -> None:
    """Rows missing a model covariate are left out of that model only (R's na.omit),
    counted in ``dropped_missing`` and in a note; the KM and counts keep everyone."""
    report = build_report(twelve, covariates=("age_at_rtx", LESIONS))
    assert report.n == 12
    assert report.cox is not None
    assert (report.cox.n, report.cox.dropped_missing) == (10, 2)
    assert report.univariable_models[LESIONS].n == 12
    assert report.univariable_models["age_at_rtx"].dropped_missing == 2
    assert "2 patients with no age_at_rtx were left out of this model." in report.warnings
    cox = _strict_json(report)["cox"]
    assert isinstance(cox, dict)
    assert cox["dropped_missing"] == 2
