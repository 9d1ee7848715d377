"""Recurrent-relapse statistics against R ``survival`` and ``MASS``.

Fixtures: ``Rscript tests/reference/make_recurrent_reference.R`` (recurrent_*.csv/json).
Tolerance ``rtol = 1e-6`` (docs/architecture.md asks for 4 significant digits). R fits use a tight
``glm.control(epsilon = 1e-13)``; with glm.nb's default control R stops ~1e-8 (relative) short
of the optimum, which :func:`test_negative_binomial_matches_default_glm_nb` checks at 1e-5.
Two comparisons are looser, for reasons on R's side:

- ``SE.theta`` at 1e-4: MASS ``theta.ml`` returns the information of its last-but-one Newton
  iterate (it stops once a step is below ``.Machine$double.eps^0.25``); ours is at the final
  theta. Seen: 6e-6.
- p-values at 1e-5: R's ``glm`` SEs come from the IRLS weights of the last-but-one iteration
  (8e-8 off), and a tail p moves ``z**2`` times as much as the SE (z = 4.6 on the demo).
"""

from __future__ import annotations

import numpy as np
import pytest

from analytics.stats.recurrent import (
    andersen_gill,
    count_rate_ratio,
    counting_process,
    mean_cumulative_function,
    pre_post_rate_ratio,
    relapse_rate_ratio,
)

RTOL = 1e-6
P_RTOL = 1e-5
THETA_SE_RTOL = 1e-4


def _check_count_model(model, expected: dict, terms: list[str]) -> None:
    """Our terms (intercept not reported) against R's rows 2..k in the same order."""
    assert [t.term for t in model.terms] == terms
    for key, rtol in (("coef", RTOL), ("se", RTOL), ("p", P_RTOL)):
        ours = [getattr(t, key) for t in model.terms]
        np.testing.assert_allclose(ours, expected[key][1:], rtol=rtol, err_msg=key)
    np.testing.assert_allclose(
        [t.ci_low for t in model.terms], np.exp(expected["ci_low"][1:]), rtol=RTOL
    )
    np.testing.assert_allclose(
        [t.ci_high for t in model.terms], np.exp(expected["ci_high"][1:]), rtol=RTOL
    )
    np.testing.assert_allclose(model.loglik, expected["loglik"], rtol=RTOL)
    if "theta" in expected:
        np.testing.assert_allclose(model.theta, expected["theta"], rtol=RTOL)
        np.testing.assert_allclose(model.theta_se, expected["theta_se"], rtol=THETA_SE_RTOL)
    else:
        assert model.theta is None


QUINE_TERMS = ["eth=N", "sex=M", "age=F1", "age=F2", "age=F3", "lrn=SL"]


@pytest.mark.parametrize(
    ("key", "covariates", "model", "terms"),
    [
        ("negbin", ["eth", "sex", "age", "lrn"], "negative_binomial", QUINE_TERMS),
        ("negbin_sex", ["sex"], "negative_binomial", ["sex=M"]),
        ("poisson", ["eth", "sex", "age", "lrn"], "poisson", QUINE_TERMS),
    ],
)
def test_count_models_match_glm_nb_and_glm(plain_csv, r_results, key, covariates, model, terms):
    """Rate ratios with a person-years offset on MASS::quine.

    R::

        tight <- glm.control(epsilon = 1e-13, maxit = 200)
        fit <- glm.nb(days ~ eth + sex + age + lrn + offset(log(years)), data = quine_df,
                      control = tight)    # or glm(..., family = poisson)
        summary(fit)$coefficients; confint.default(fit); logLik(fit)
        fit$theta; fit$SE.theta
    """
    frame = plain_csv("recurrent_quine")
    result = count_rate_ratio(frame, "days", "years", covariates, model=model)
    _check_count_model(result, r_results("recurrent_quine")[key], terms)
    assert result.events == frame["days"].sum()
    assert result.n_patients == len(frame)


def test_negative_binomial_matches_default_glm_nb(plain_csv, r_results) -> None:
    """R's default ``glm.nb(days ~ eth + sex + age + lrn + offset(log(years)))`` (epsilon 1e-8).

    Seen: 2.1e-6 relative on one coefficient, so 1e-5 here (still 5 significant digits).
    """
    result = count_rate_ratio(
        plain_csv("recurrent_quine"), "days", "years", ["eth", "sex", "age", "lrn"]
    )
    expected = r_results("recurrent_quine")["negbin_default_control"]
    np.testing.assert_allclose([t.coef for t in result.terms], expected["coef"][1:], rtol=1e-5)
    np.testing.assert_allclose([t.se for t in result.terms], expected["se"][1:], rtol=1e-5)
    np.testing.assert_allclose(result.theta, expected["theta"], rtol=1e-5)


@pytest.fixture(scope="module")
def demo(plain_csv):
    """The demo cohort as committed with the fixtures (a copy of analytics/data/demo)."""
    return plain_csv("recurrent_demo_patients"), plain_csv("recurrent_demo_relapses")


def test_demo_relapse_counts_match_r(demo, r_results) -> None:
    """The per-patient counts behind every model, built in R from the same CSVs.

    R::

        pre  <- sum(months >= -24 & months < 0)            # per patient
        post <- sum(months > 0 & months <= followup_months)
    """
    from analytics.stats.rates import annualized_relapse_rates

    patients, relapses = demo
    expected = r_results("recurrent_demo")["counts"]
    rates = annualized_relapse_rates(patients, relapses).frame()
    assert rates["patient_id"].tolist() == expected["patient_id"]
    assert rates["pre_relapses"].tolist() == expected["pre"]
    assert rates["post_relapses"].tolist() == expected["post"]
    np.testing.assert_allclose(rates["post_years"], expected["post_years"], rtol=1e-12)


@pytest.mark.parametrize(
    ("key", "model", "grace"),
    [
        ("negbin_lesions", "negative_binomial", 0.0),
        ("poisson_lesions", "poisson", 0.0),
        ("negbin_lesions_grace6", "negative_binomial", 6.0),
    ],
)
def test_demo_lesion_rate_ratio_matches_r(demo, r_results, key, model, grace) -> None:
    """Post-rituximab relapse rate, lesions 1 vs 0, on the demo cohort.

    R::

        counts <- patient_counts(patients, relapses, grace)   # one row per patient
        glm.nb(post_relapses ~ asymptomatic_lesions + offset(log(post_years)),
               data = counts[counts$post_years > 0, ], control = tight)
        # or glm(..., family = poisson)
    """
    patients, relapses = demo
    result = relapse_rate_ratio(
        patients, relapses, ["asymptomatic_lesions"], model=model, grace_months=grace
    )
    _check_count_model(result, r_results("recurrent_demo")[key], ["asymptomatic_lesions"])


@pytest.mark.parametrize(
    ("key", "model"), [("negbin_pre_post", "negative_binomial"), ("poisson_pre_post", "poisson")]
)
def test_demo_pre_post_rate_ratio_matches_r(demo, r_results, key, model) -> None:
    """After vs before rituximab, two rows per patient (24-month pre window).

    R::

        long <- rbind(data.frame(relapses = pre,  years = 2,              post_rituximab = 0),
                      data.frame(relapses = post, years = followup / 12, post_rituximab = 1))
        glm.nb(relapses ~ post_rituximab + offset(log(years)), data = long, control = tight)
    """
    patients, relapses = demo
    result = pre_post_rate_ratio(patients, relapses, model=model)
    _check_count_model(result, r_results("recurrent_demo")[key], ["post_rituximab"])
    assert result.n_rows == 2 * len(patients)


def _check_ag(model, expected: dict, terms: list[str]) -> None:
    assert [t.term for t in model.terms] == terms
    np.testing.assert_allclose([t.coef for t in model.terms], expected["coef"], rtol=RTOL)
    np.testing.assert_allclose([t.se for t in model.terms], expected["robust_se"], rtol=RTOL)
    np.testing.assert_allclose([t.naive_se for t in model.terms], expected["naive_se"], rtol=RTOL)
    np.testing.assert_allclose([t.p for t in model.terms], expected["p"], rtol=RTOL)
    np.testing.assert_allclose([t.ci_low for t in model.terms], expected["ci_low"], rtol=RTOL)
    np.testing.assert_allclose([t.ci_high for t in model.terms], expected["ci_high"], rtol=RTOL)
    np.testing.assert_allclose(model.loglik, expected["loglik"], rtol=RTOL)
    np.testing.assert_allclose(model.loglik_null, expected["loglik_null"], rtol=RTOL)
    assert model.n_intervals == expected["n"]
    assert model.events == expected["events"]


@pytest.mark.parametrize(
    ("key", "covariates"), [("ag", ["rx", "number", "size"]), ("ag_rx", ["rx"])]
)
def test_andersen_gill_matches_coxph_cluster_on_bladder2(plain_csv, r_results, key, covariates):
    """Andersen–Gill with Efron ties and robust SEs on survival::bladder2 (ties across patients).

    R::

        coxph(Surv(start, stop, event) ~ rx + number + size + cluster(id), data = bladder2,
              ties = "efron")
        summary(fit)$coefficients[, c("coef", "se(coef)", "robust se", "Pr(>|z|)")]
    """
    patients = plain_csv("recurrent_bladder2_patients")
    relapses = plain_csv("recurrent_bladder2_relapses")
    result = andersen_gill(patients, relapses, covariates)
    _check_ag(result, r_results("recurrent_bladder2")[key], covariates)
    assert result.n_patients == len(patients)


def test_counting_process_rebuilds_bladder2(plain_csv, r_results) -> None:
    """Splitting follow-up at each recurrence gives bladder2's own 178 intervals."""
    data, duplicates = counting_process(
        plain_csv("recurrent_bladder2_patients"), plain_csv("recurrent_bladder2_relapses")
    )
    assert len(data) == r_results("recurrent_bladder2")["n_intervals"]
    assert duplicates == 0
    assert (data["stop"] > data["start"]).all()


@pytest.mark.parametrize(
    ("key", "covariates", "grace", "terms"),
    [
        ("ag_lesions", ["asymptomatic_lesions"], 0.0, ["asymptomatic_lesions"]),
        (
            "ag_multi",
            ["asymptomatic_lesions", "age_at_rtx", "sex"],
            0.0,
            ["asymptomatic_lesions", "age_at_rtx", "sex=M"],
        ),
        ("ag_lesions_grace6", ["asymptomatic_lesions"], 6.0, ["asymptomatic_lesions"]),
    ],
)
def test_demo_andersen_gill_matches_r(demo, r_results, key, covariates, grace, terms) -> None:
    """Andersen–Gill on the demo cohort, counting-process data built in R from the CSVs.

    R::

        ag <- ag_data(patients, relapses, grace)   # split (grace, followup] at each relapse
        coxph(Surv(start, stop, event) ~ asymptomatic_lesions + age_at_rtx + sex +
              cluster(patient_id), data = ag, ties = "efron")
    """
    patients, relapses = demo
    result = andersen_gill(patients, relapses, covariates, grace_months=grace)
    _check_ag(result, r_results("recurrent_demo")[key], terms)


def _check_mcf(curve, expected: dict) -> None:
    # Our index 0 is the start (MCF 0); R's survfit starts at the first time.
    np.testing.assert_array_equal(curve.timeline[1:], expected["time"])
    np.testing.assert_array_equal(curve.at_risk[1:], expected["n_risk"])
    np.testing.assert_array_equal(curve.events_at[1:], expected["n_event"])
    np.testing.assert_allclose(curve.mcf[1:], expected["cumhaz"], rtol=RTOL)
    np.testing.assert_allclose(curve.std_err[1:], expected["std_chaz"], rtol=RTOL)
    np.testing.assert_allclose(curve.ci_low[1:], expected["lower"], rtol=RTOL)
    np.testing.assert_allclose(curve.ci_high[1:], expected["upper"], rtol=RTOL)


@pytest.mark.parametrize(
    ("dataset", "key", "group_by"),
    [
        ("bladder2", "mcf", None),
        ("bladder2", "mcf_rx", "rx"),
        ("demo", "mcf", None),
        ("demo", "mcf_lesions", "asymptomatic_lesions"),
    ],
)
def test_mcf_matches_survfit_with_id(plain_csv, r_results, dataset, key, group_by) -> None:
    """Mean cumulative function and its Lawless–Nadeau SE as survfit's robust cumhaz.

    R::

        fit <- survfit(Surv(start, stop, event) ~ group, id = id, data = ag)
        fit$time; fit$n.risk; fit$n.event; fit$cumhaz; fit$std.chaz
        fit$cumhaz * exp(c(-1, 1) * qnorm(0.975) * fit$std.chaz / fit$cumhaz)   # log CI
    """
    patients = plain_csv(f"recurrent_{dataset}_patients")
    relapses = plain_csv(f"recurrent_{dataset}_relapses")
    result = mean_cumulative_function(patients, relapses, group_by=group_by)
    expected = r_results(f"recurrent_{dataset}")[key]
    assert [c.label for c in result.curves] == list(expected)
    for curve in result.curves:
        _check_mcf(curve, expected[curve.label])
