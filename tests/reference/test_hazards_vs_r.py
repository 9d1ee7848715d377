"""Cox models against R ``survival::coxph`` and a first-principles Firth Cox in R.

Tolerances: ``RTOL = 1e-6`` for Cox fits (Newton-Raphson on both sides, converged far
below this; docs/architecture.md asks for 4 significant digits). ``RTOL_FIRTH = 1e-6`` for Firth:
both sides maximise the penalized likelihood and find profile limits numerically (R:
BFGS + uniroot; analytics.stats.cox.firth: quasi-Newton, profile limits by Newton on the signed
root).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.stats.cox.models import (
    CoxModel,
    cox_model,
    firth_cox,
    landmark_cox,
    time_dependent_cox,
)

RTOL = 1e-6
RTOL_FIRTH = 1e-6
TERM_FIELDS = ("coef", "se", "hr", "ci_low", "ci_high", "p")


def _check_cox(model: CoxModel, expected: dict) -> None:
    assert [t.term for t in model.terms] == [t["term"] for t in expected["terms"]]
    for ours, theirs in zip(model.terms, expected["terms"], strict=True):
        for name in TERM_FIELDS:
            np.testing.assert_allclose(
                getattr(ours, name), theirs[name], rtol=RTOL, err_msg=f"{ours.term} {name}"
            )
    assert model.events == expected["events"]
    assert model.lr_df == expected["lr_df"]
    for name in ("loglik", "loglik_null", "lr_chisq", "lr_p"):
        np.testing.assert_allclose(getattr(model, name), expected[name], rtol=RTOL, err_msg=name)
    np.testing.assert_allclose(model.concordance, expected["concordance"], rtol=RTOL)


def _renamed(expected: dict, r_term: str) -> dict:
    """R's name for the switching covariate -> ours (the flag column's name)."""
    terms = [
        {**t, "term": "asymptomatic_lesions" if t["term"] == r_term else t["term"]}
        for t in expected["terms"]
    ]
    return {**expected, "terms": terms}


def _ecog_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """ph_ecog 0-3 as text levels "0".."3", so it enters as factor(ph_ecog) does in R."""
    text = frame["ph_ecog"].map(lambda v: None if pd.isna(v) else str(int(v)))
    return frame.assign(ph_ecog=text)


@pytest.mark.parametrize(
    ("dataset", "key", "covariates", "categorical"),
    [
        ("lung", "cox_age", ["age_at_rtx"], None),
        ("lung", "cox_sex", ["sex"], None),
        ("lung", "cox_multi", ["age_at_rtx", "sex", "ph_ecog"], None),
        ("veteran", "cox", ["trt", "celltype", "karno"], {"celltype": "large"}),
        ("ovarian", "cox_rx", ["rx"], None),
        ("ovarian", "cox_age_rx", ["age_at_rtx", "rx"], None),
    ],
)
def test_cox_model_matches_coxph(
    cohort_csv, r_results, dataset, key, covariates, categorical
) -> None:
    """Efron Cox: coef, SE, HR, Wald CI and p, log-likelihoods, LR test, concordance.

    R::

        fit <- coxph(Surv(followup_months, failure) ~ age_at_rtx + sex + factor(ph_ecog),
                     data = lung, ties = "efron")    # likewise for each case
        summary(fit)$coefficients; summary(fit)$conf.int
        fit$loglik; 2 * diff(fit$loglik); fit$concordance["concordance"]
        # veteran: celltype <- relevel(factor(celltype), ref = "large")
    """
    frame = cohort_csv(dataset)
    if dataset == "lung":
        frame = _ecog_as_text(frame)
    expected = r_results(dataset)[key]
    model = cox_model(
        frame,
        covariates,
        time_col="followup_months",
        event_col="failure",
        categorical=categorical,
    )
    assert model.n == expected["n"]
    _check_cox(model, expected)


# jasa: load_cohort rejects it (two transplants on day 0, and our contract requires
# asymptomatic_lesion_months > 0), so it is read with pandas. R's handling of those two
# patients (transplanted from the start, as tmerge's tdc(0)) is what we compare with.


def test_naive_baseline_cox_matches_coxph(plain_csv, r_results) -> None:
    """The immortal-time-biased model: transplant as if known at acceptance.

    R::

        coxph(Surv(followup_months, failure) ~ asymptomatic_lesions, data = jasa,
              ties = "efron")
    """
    expected = r_results("jasa")["naive"]
    model = cox_model(
        plain_csv("jasa"), ["asymptomatic_lesions"], time_col="followup_months",
        event_col="failure",
    )  # fmt: skip
    _check_cox(model, expected)


@pytest.mark.parametrize(
    ("key", "covariates"),
    [("time_dependent", []), ("time_dependent_adjusted", ["age_at_rtx", "surgery"])],
)
def test_time_dependent_cox_matches_tmerge_coxph(plain_csv, r_results, key, covariates) -> None:
    """Transplant (our lesion) as a time-dependent covariate, counting-process Cox.

    R::

        cp <- tmerge(base, base, id = id,
                     death = event(followup_months, failure),
                     transplant = tdc(asymptomatic_lesion_months))
        coxph(Surv(tstart, tstop, death) ~ transplant + age_at_rtx + surgery,
              data = cp, ties = "efron")

    Concordance too: R compares each death only with the intervals at risk at that time.
    """
    results = r_results("jasa")
    model = time_dependent_cox(
        plain_csv("jasa"), covariates=covariates, time_col="followup_months",
        event_col="failure",
    )  # fmt: skip
    assert model.n == results["n_patients"]  # R's fit$n counts intervals (170)
    _check_cox(model, _renamed(results[key], "transplant"))


@pytest.mark.parametrize(
    ("key", "covariates"),
    [("landmark", []), ("landmark_adjusted", ["age_at_rtx", "surgery"])],
)
def test_landmark_cox_matches_coxph_on_landmark_subset(
    plain_csv, r_results, key, covariates
) -> None:
    """Landmark at day 90: at risk at 90, lesion (transplant) by day 90, time from day 90.

    R::

        lm <- subset(jasa, followup_months > 90)
        lm$lesion_by_landmark <- !is.na(lm$asymptomatic_lesion_months) &
                                 lm$asymptomatic_lesion_months <= 90
        coxph(Surv(followup_months - 90, failure) ~ lesion_by_landmark + age_at_rtx +
              surgery, data = lm, ties = "efron")
    """
    results = r_results("jasa")
    model = landmark_cox(
        plain_csv("jasa"), results["landmark_months"], covariates=covariates,
        time_col="followup_months", event_col="failure",
    )  # fmt: skip
    expected = results[key]
    assert model.n == results["landmark_n"] == expected["n"]
    _check_cox(model, _renamed(expected, "lesion_by_landmark"))


@pytest.mark.parametrize(
    ("dataset", "key", "covariates"),
    [
        ("firth_separation", "separation", ["asymptomatic_lesions", "age_at_rtx"]),
        ("firth_separation", "separation_univariable", ["asymptomatic_lesions"]),
        ("ovarian", "ovarian", ["age_at_rtx", "rx"]),
    ],
)
def test_firth_cox_matches_penalized_likelihood_in_r(
    cohort_csv, r_results, dataset, key, covariates
) -> None:
    """Firth Cox: coefficients, profile-likelihood CIs, penalized LR p per term.

    R (coxphf is not installable; see make_reference.R)::

        lp <- function(b) {                      # penalized partial log-likelihood
          fit <- coxph(f, data = d, init = b, control = coxph.control(iter.max = 0))
          fit$loglik[2] - 0.5 * log(det(fit$var))
        }
        b_hat <- optim(0 * b, function(b) -lp(b), method = "BFGS")$par
        # CI: b_j where 2 * (lp(b_hat) - max over b_-j of lp(b_j, b_-j)) = qchisq(.95, 1)
        # p:  pchisq(2 * (lp(b_hat) - profile(0)), 1, lower.tail = FALSE)

    No tied event times in either data set, so Efron (R here) and Breslow (coxphf,
    analytics.stats.cox.firth) coincide. The separated data set has no failure without lesions: the
    ordinary Cox coefficient is infinite, Firth's is finite.
    """
    expected = r_results("firth")[key]
    model = firth_cox(
        cohort_csv(dataset), covariates, time_col="followup_months", event_col="failure"
    )
    assert [t.term for t in model.terms] == [t["term"] for t in expected["terms"]]
    for ours, theirs in zip(model.terms, expected["terms"], strict=True):
        for name in ("coef", "hr", "ci_low", "ci_high", "p"):
            np.testing.assert_allclose(
                getattr(ours, name), theirs[name], rtol=RTOL_FIRTH, err_msg=f"{ours.term} {name}"
            )
    np.testing.assert_allclose(model.loglik, expected["penalized_loglik"], rtol=RTOL_FIRTH)
