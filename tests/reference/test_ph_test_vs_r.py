"""``analytics.stats.cox.zph.cox_zph`` against R ``survival::cox.zph`` (survival 3.5.3).

Tolerance: ``rtol = 1e-6`` on chi-square and p (the score test is closed-form given the
fitted coefficients, which both sides converge far below this); df must be equal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.stats.cox.zph import cox_zph

RTOL = 1e-6
VETERAN = (["trt", "celltype", "karno"], {"celltype": "large"})


def _ecog_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """ph_ecog as text levels, so it is one 3-df term as factor(ph_ecog) is in R."""
    text = frame["ph_ecog"].map(lambda v: None if pd.isna(v) else str(int(v)))
    return frame.assign(ph_ecog=text)


@pytest.mark.parametrize(
    ("dataset", "key", "covariates", "categorical", "transform"),
    [
        ("lung", "zph_multi", ["age_at_rtx", "sex", "ph_ecog"], None, "km"),
        ("veteran", "zph", *VETERAN, "km"),
        ("veteran", "zph_identity", *VETERAN, "identity"),
        ("veteran", "zph_rank", *VETERAN, "rank"),
        ("veteran", "zph_log", *VETERAN, "log"),
        ("ovarian", "zph_age_rx", ["age_at_rtx", "rx"], None, "km"),
    ],
)
def test_cox_zph_matches_r(
    cohort_csv, r_results, dataset, key, covariates, categorical, transform
) -> None:
    """Per-term and GLOBAL score tests of proportional hazards.

    R::

        fit <- coxph(Surv(followup_months, failure) ~ trt + relevel(celltype, "large") +
                     karno, data = veteran, ties = "efron")     # likewise lung, ovarian
        cox.zph(fit, transform = "km")$table     # also "identity", "rank", "log"
    """
    frame = cohort_csv(dataset)
    if dataset == "lung":
        frame = _ecog_as_text(frame)
    expected = r_results(dataset)[key]["rows"]
    result = cox_zph(
        frame,
        covariates,
        time_col="followup_months",
        event_col="failure",
        categorical=categorical,
        transform=transform,
    )
    assert result.warnings == ()
    assert [r.term for r in result.rows] == [r["term"] for r in expected]
    assert [r.df for r in result.rows] == [r["df"] for r in expected]
    np.testing.assert_allclose([r.chisq for r in result.rows], [r["chisq"] for r in expected],
                               rtol=RTOL)  # fmt: skip
    np.testing.assert_allclose([r.p for r in result.rows], [r["p"] for r in expected], rtol=RTOL)


def test_karno_violates_proportional_hazards_in_veteran(cohort_csv) -> None:
    """The textbook PH violation is flagged (R: karno p = 0.00034, GLOBAL p = 0.00036)."""
    result = cox_zph(
        cohort_csv("veteran"),
        ["trt", "celltype", "karno"],
        time_col="followup_months",
        event_col="failure",
        categorical={"celltype": "large"},
    )
    assert result.violations() == ("celltype", "karno")
