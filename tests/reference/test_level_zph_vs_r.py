"""Confidence levels 90/99 %, cox.zph transforms and conditional survival against R.

Fixtures: ``Rscript tests/reference/make_level_zph_reference.R`` (survival 3.5.3, MASS) on
data sets no other reference test uses: pbc, Melanoma, rats, cgd, VA, colon, epil.
Tolerance: ``rtol = 1e-6`` for closed-form estimates (KM, exact binomial/Poisson, zph score
tests, conditional survival) and Cox Wald limits; ``rtol = 1e-5`` for Firth's profile
limits (two root-finders on a penalized likelihood). Both are far below the 4 significant
digits asked for.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from analytics.data.cohort import Filters
from analytics.data.io import load_cohort
from analytics.reports.report import build_report
from analytics.stats.conditional import ConditionalSurvivalTable, conditional_survival
from analytics.stats.cox.models import CoxModel, cox_model, firth_cox
from analytics.stats.cox.zph import cox_zph
from analytics.stats.recurrent import count_rate_ratio
from analytics.stats.survival import KaplanMeier
from tests.reference.conftest import REFERENCE_DIR

RTOL = 1e-6
LEVELS = [(0.90, "90"), (0.99, "99")]


def _cohort(name: str) -> Any:
    return load_cohort(REFERENCE_DIR / f"level_{name}.csv")


def _check_km(km: KaplanMeier, expected: dict[str, Any]) -> None:
    # Index 0 of ours is the added time 0; R's survfit starts at the first time.
    np.testing.assert_array_equal(km.timeline[1:], expected["time"])
    np.testing.assert_allclose(km.survival[1:], expected["surv"], rtol=RTOL)
    lower = [np.nan if v is None else v for v in expected["lower"]]
    upper = [np.nan if v is None else v for v in expected["upper"]]
    np.testing.assert_allclose(km.ci_low[1:], lower, rtol=RTOL)
    np.testing.assert_allclose(km.ci_high[1:], upper, rtol=RTOL)
    ours = (km.median, km.median_ci_low, km.median_ci_high)
    theirs = (expected["median"], expected["median_lower"], expected["median_upper"])
    for mine, r in zip(ours, theirs, strict=True):
        assert (mine is None) == (r is None)
        if r is not None:
            np.testing.assert_allclose(mine, r, rtol=RTOL)


def _check_terms(model: CoxModel, expected: list[dict[str, Any]], rtol: float = RTOL) -> None:
    # Terms by name: the model's column order (grouping first) is not R's formula order.
    by_name = {e["term"]: e for e in expected}
    assert sorted(t.term for t in model.terms) == sorted(by_name)
    for term in model.terms:
        r = by_name[term.term]
        np.testing.assert_allclose(
            (term.hr, term.ci_low, term.ci_high), (r["hr"], r["ci_low"], r["ci_high"]), rtol=rtol
        )


@pytest.mark.parametrize(("level", "key"), LEVELS)
def test_every_interval_of_the_report_at_the_chosen_level(r_results, level, key) -> None:
    """pbc (312 randomised patients, death), grouped by arm, Cox on age + arm.

    R::

        survfit(Surv(time, death) ~ arm, conf.type = "log-log", conf.int = level)
        survfit(Surv(time, 1 - death) ~ 1, conf.type = "log-log", conf.int = level)
        confint(coxph(Surv(time, death) ~ age + arm), level = level)      # and ~ age
        binom.test(events, n, conf.level = level); poisson.test(events, T = py, ...)
    """
    expected = r_results("level_zph")["pbc"][key]
    report = build_report(
        _cohort("pbc"),
        Filters(grace_months=0),
        group_by="arm",
        covariates=["age_at_rtx", "arm"],
        conf_level=level,
    )
    assert report.to_dict()["conf_level"] == level
    assert sorted(report.km) == sorted(expected["km"])
    for label, km in report.km.items():
        assert km.conf_level == level
        _check_km(km, expected["km"][label])
    follow = report.follow_up
    assert follow is not None
    r_follow = expected["median_followup"]
    np.testing.assert_allclose(
        (follow.median, follow.median_ci_low, follow.median_ci_high),
        (r_follow["median"], r_follow["ci_low"], r_follow["ci_high"]),
        rtol=RTOL,
    )
    assert report.cox is not None
    _check_terms(report.cox, expected["cox"])
    _check_terms(report.univariable_models["age_at_rtx"], expected["univariable_age"])
    exact = expected["exact"]
    assert (report.events, report.n) == (exact["events"], exact["n"])
    np.testing.assert_allclose(
        (report.failure_rate.ci_low, report.failure_rate.ci_high),
        (exact["binom_low"], exact["binom_high"]),
        rtol=RTOL,
    )
    # Per 100 person-years on our side; R's interval is per person-year.
    np.testing.assert_allclose(
        (report.incidence.ci_low, report.incidence.ci_high),
        (100 * exact["poisson_low"], 100 * exact["poisson_high"]),
        rtol=RTOL,
    )
    sex = {r.level: r.proportion for r in report.subgroup_rates if r.variable == "sex"}
    for sub in expected["subgroups"]:
        np.testing.assert_allclose(
            (sex[sub["level"]].ci_low, sex[sub["level"]].ci_high),
            (sub["low"], sub["high"]),
            rtol=RTOL,
        )


@pytest.mark.parametrize(("level", "key"), LEVELS)
def test_cox_wald_limits_at_the_level_with_tied_times(r_results, level, key) -> None:
    """MASS::Melanoma: ``confint(coxph(Surv(time, died) ~ sex + thickness + ulcer),
    level = level)``, exponentiated (Efron ties)."""
    model = cox_model(
        _cohort("melanoma").patients,
        ["sex", "thickness", "ulcer"],
        time_col="followup_months",
        event_col="failure",
        conf_level=level,
    )
    _check_terms(model, r_results("level_zph")["melanoma"][key])


@pytest.mark.parametrize(("level", "key"), LEVELS)
def test_firth_profile_limits_at_the_level(r_results, level, key) -> None:
    """survival::rats (females), ``~ rx``: the b where 2 (lp(b_hat) - lp(b)) =
    qchisq(level, 1) on the Firth-penalized Breslow likelihood (coxphf's ties), in R."""
    expected = r_results("level_zph")["firth_rats"][key]
    model = firth_cox(
        _cohort("rats").patients,
        ["rx"],
        time_col="followup_months",
        event_col="failure",
        conf_level=level,
    )
    _check_terms(model, [{"term": "rx", **expected}], rtol=1e-5)


ZPH_MODELS = {
    "cgd": ["treat", "sex", "age_at_rtx"],
    "va": ["treat", "age_at_rtx", "karn", "cell"],
}


@pytest.mark.parametrize("transform", ["km", "rank", "identity"])
@pytest.mark.parametrize("dataset", sorted(ZPH_MODELS))
def test_cox_zph_transforms_with_ties_and_several_covariates(r_results, dataset, transform) -> None:
    """``cox.zph(coxph(...), transform = transform)$table`` on cgd (first infection) and VA
    (cell a 3-df factor); both have tied event times."""
    expected = r_results("level_zph")["zph"][transform][dataset]
    result = cox_zph(
        _cohort(dataset).patients,
        ZPH_MODELS[dataset],
        time_col="followup_months",
        event_col="failure",
        transform=transform,
    )
    assert result.transform == transform
    assert [r.term for r in result.rows] == [e["term"] for e in expected]
    for row, r in zip(result.rows, expected, strict=True):
        assert row.df == r["df"]
        np.testing.assert_allclose((row.chisq, row.p), (r["chisq"], r["p"]), rtol=RTOL)


def test_the_report_runs_the_chosen_transform(r_results) -> None:
    """The report's ph_test is cox.zph of its Cox model with the chosen transform."""
    expected = r_results("level_zph")["zph"]["rank"]["cgd"]
    report = build_report(
        _cohort("cgd"),
        Filters(grace_months=0),
        covariates=["treat", "sex", "age_at_rtx"],
        zph_transform="rank",
    )
    assert report.ph_test is not None
    assert report.ph_test.transform == "rank"
    assert report.to_dict()["zph_transform"] == "rank"
    np.testing.assert_allclose(
        [r.chisq for r in report.ph_test.rows], [e["chisq"] for e in expected], rtol=RTOL
    )


def _check_conditional(table: ConditionalSurvivalTable, expected: dict[str, Any]) -> None:
    assert [g.label for g in table.groups] == sorted(expected)
    for entry in table.groups:
        r = expected[entry.label]
        assert entry.at_risk == r["n_risk_at_start"]
        np.testing.assert_allclose(
            (entry.estimate, entry.ci_low, entry.ci_high),
            (r["surv"], r["lower"], r["upper"]),
            rtol=RTOL,
        )


@pytest.mark.parametrize(("level", "key"), LEVELS)
def test_conditional_survival_at_the_level(r_results, level, key) -> None:
    """survival::colon, recurrence: ``summary(survfit(..., conf.type = "log-log",
    conf.int = level, start.time = 400), times = 400 + 730)``, overall and per rx; through
    the report (``conditional=(X, Y)``) and the function itself."""
    fixture = r_results("level_zph")["conditional_colon"]
    given, ahead = fixture["given"], fixture["ahead"]
    cohort = _cohort("colon")
    report = build_report(
        cohort, Filters(grace_months=0), group_by="rx", conf_level=level, conditional=(given, ahead)
    )
    assert report.conditional is not None
    assert report.to_dict()["conditional"]["given_months"] == given
    _check_conditional(report.conditional, fixture[key]["rx"])
    frame = cohort.patients.rename(columns={"followup_months": "time_months"})
    _check_conditional(
        conditional_survival(frame, given, ahead, conf_level=level), fixture[key]["all"]
    )


@pytest.mark.parametrize(("level", "key"), LEVELS)
@pytest.mark.parametrize("model", ["negative_binomial", "poisson"])
def test_rate_ratio_wald_limits_at_the_level(plain_csv, r_results, model, level, key) -> None:
    """MASS::epil, 4th period: ``confint.default(glm.nb(seizures ~ trt + lbase + lage +
    offset(log(years))), level = level)`` (and Poisson ``glm``), exponentiated; the
    intercept is not reported on our side."""
    expected = r_results("level_zph")["rate_ratios_epil"][model]
    result = count_rate_ratio(
        plain_csv("level_epil"), "seizures", "years", ["trt", "lbase", "lage"],
        model=model, conf_level=level,
    )  # fmt: skip
    assert [t.term for t in result.terms] == ["trt=progabide", "lbase", "lage"]
    np.testing.assert_allclose([t.coef for t in result.terms], expected["coef"][1:], rtol=RTOL)
    np.testing.assert_allclose(
        [(t.ci_low, t.ci_high) for t in result.terms],
        np.exp(np.column_stack((expected[key]["ci_low"], expected[key]["ci_high"]))[1:]),
        rtol=RTOL,
    )
