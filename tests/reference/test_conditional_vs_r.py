"""Conditional survival against R ``survfit(..., start.time = X)`` evaluated at ``X + Y``.

Fixtures: ``Rscript tests/reference/make_recurrent_reference.R`` (conditional_*.json), on the
lung/veteran/ovarian CSVs of make_reference.R (times in days) and the demo cohort (months).
Tolerance ``rtol = 1e-6``: both sides are closed-form products and sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.data.cohort import derive_outcome
from analytics.stats.conditional import conditional_survival

RTOL = 1e-6


def _check(result, expected_groups: dict) -> None:
    assert [g.label for g in result.groups] == list(expected_groups)
    for ours in result.groups:
        theirs = expected_groups[ours.label]
        assert ours.at_risk == theirs["n_risk_at_start"]
        assert ours.events == theirs["events"]
        assert ours.reason is None
        np.testing.assert_allclose(ours.estimate, theirs["surv"], rtol=RTOL)
        # summary.survfit's std.err is the SE of S itself (survfit's own $std.err is of log S).
        np.testing.assert_allclose(ours.std_err, theirs["std_err"], rtol=RTOL)
        np.testing.assert_allclose(ours.ci_low, theirs["lower"], rtol=RTOL)
        np.testing.assert_allclose(ours.ci_high, theirs["upper"], rtol=RTOL)


def test_conditional_survival_matches_survfit_start_time(plain_csv, r_results) -> None:
    """lung, veteran and ovarian at X with no failure exactly at X (then R's and ours agree).

    R::

        fit <- survfit(Surv(followup_months, failure) ~ 1, data = d[d$group == g, ],
                       conf.type = "log-log", start.time = X)
        s <- summary(fit, times = X + Y)
        s$surv; s$std.err; s$lower; s$upper
        sum(d$followup_months > X)   # at risk beyond X

    One case has a failure at exactly X = 180 (lung); its reference is ``start.time = X +
    1e-6``, i.e. ``P(T > X + Y | T > X)``, the definition we use (R's ``start.time = X``
    conditions on ``T >= X``).
    """
    cases = r_results("conditional_reference")["cases"]
    assert len(cases) == 6
    for case in cases:
        frame = plain_csv(case["dataset"]).rename(columns={"followup_months": "time_months"})
        result = conditional_survival(
            frame, case["given"], case["horizon"], group_by=case["group_by"]
        )
        _check(result, case["groups"])


def test_failure_at_x_is_not_counted(plain_csv) -> None:
    """A failure exactly at X is before "failure-free for X": R's ``start.time = X`` counts it.

    R::

        summary(survfit(Surv(time, status) ~ 1, start.time = 180), times = 380)$surv  # T >= 180
    """
    lung = plain_csv("lung").rename(columns={"followup_months": "time_months"})
    at_x = conditional_survival(lung, 180, 200).groups[0]
    just_before = conditional_survival(lung, 179.999, 200.001).groups[0]
    assert at_x.events < just_before.events
    assert at_x.estimate > just_before.estimate


@pytest.mark.parametrize("index", [0, 1, 2])
def test_demo_conditional_survival_matches_r(plain_csv, r_results, index) -> None:
    """Demo cohort, failure = first relapse in (6, followup] (derived in R from the CSVs).

    R::

        m <- relapses$months_from_rtx[relapses$patient_id == id]; m <- m[m > 6 & m <= fu]
        failure <- length(m) > 0; time <- if (failure) min(m) else fu
        summary(survfit(Surv(time, failure) ~ 1, conf.type = "log-log", start.time = X),
                times = X + Y)      # all, and per asymptomatic_lesions
    """
    case = r_results("conditional_demo")["cases"][index]
    frame: pd.DataFrame = derive_outcome(
        plain_csv("recurrent_demo_patients"), plain_csv("recurrent_demo_relapses"), 6.0
    )
    _check(conditional_survival(frame, case["given"], case["horizon"]), case["all"])
    _check(
        conditional_survival(
            frame, case["given"], case["horizon"], group_by="asymptomatic_lesions"
        ),
        case["lesions"],
    )
