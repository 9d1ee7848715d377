"""Kaplan–Meier and log-rank against R ``survival`` (fixtures: tests/data/reference).

Tolerance ``rtol = 1e-6`` (docs/architecture.md asks for 4 significant digits; both computations are
closed-form, so they agree to rounding). Counts must be equal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.stats.survival import kaplan_meier, logrank
from tests.reference.conftest import assert_logrank_matches_r

RTOL = 1e-6


def _level(value: object) -> str:
    """R's label for a group value: 1.0 -> "1", "F" -> "F"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _r_values(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _check_curve(frame: pd.DataFrame, r_curve: dict, label: str) -> None:
    km = kaplan_meier(frame["followup_months"], frame["failure"], label=label)
    assert km.n == r_curve["n"]
    assert km.events == r_curve["events"]
    # Our index 0 is the added time 0 (survival 1); R's survfit starts at the first time.
    np.testing.assert_array_equal(km.timeline[1:], r_curve["time"])
    np.testing.assert_array_equal(km.at_risk[1:], r_curve["n_risk"])
    np.testing.assert_array_equal(km.events_at[1:], r_curve["n_event"])
    np.testing.assert_array_equal(km.censored_at[1:], r_curve["n_censor"])
    surv = _r_values(r_curve["surv"])
    np.testing.assert_allclose(km.survival[1:], surv, rtol=RTOL)
    # R's std.err is se(log S) (of the cumulative hazard); ours is Greenwood's se of S.
    np.testing.assert_allclose(km.std_err[1:], _r_values(r_curve["std_err"]) * surv, rtol=RTOL)
    np.testing.assert_allclose(km.ci_low[1:], _r_values(r_curve["lower"]), rtol=RTOL)
    np.testing.assert_allclose(km.ci_high[1:], _r_values(r_curve["upper"]), rtol=RTOL)
    for ours, theirs in (
        (km.median, r_curve["median"]),
        (km.median_ci_low, r_curve["median_lower"]),
        (km.median_ci_high, r_curve["median_upper"]),
    ):
        if theirs is None:
            assert ours is None
        else:
            np.testing.assert_allclose(ours, theirs, rtol=RTOL)


@pytest.mark.parametrize(
    ("dataset", "key", "group_col"),
    [
        ("lung", "km_all", None),
        ("lung", "km_sex", "sex"),
        ("veteran", "km_trt", "trt"),
        ("ovarian", "km_all", None),
        ("ovarian", "km_rx", "rx"),
    ],
)
def test_kaplan_meier_matches_survfit(cohort_csv, r_results, dataset, key, group_col) -> None:
    """Curves, risk table, Greenwood SE, log-log CI and median CI as R's survfit.

    R::

        fit <- survfit(Surv(followup_months, failure) ~ group, data = d,
                       conf.type = "log-log")
        fit$time; fit$n.risk; fit$n.event; fit$n.censor; fit$surv; fit$std.err
        fit$lower; fit$upper
        summary(fit)$table[, c("records", "events", "median", "0.95LCL", "0.95UCL")]
    """
    frame = cohort_csv(dataset)
    expected = r_results(dataset)[key]
    if group_col is None:
        _check_curve(frame, expected["All"], "All")
        return
    labels = frame[group_col].map(_level)
    assert sorted(expected) == sorted(labels.unique())
    for label, r_curve in expected.items():
        _check_curve(frame[labels == label], r_curve, label)


@pytest.mark.parametrize(
    ("dataset", "key", "group_col"),
    [
        ("lung", "logrank_sex", "sex"),
        ("lung", "logrank_ph_ecog", "ph_ecog"),  # 4 groups, one of them a single patient
        ("veteran", "logrank_celltype", "celltype"),
        ("ovarian", "logrank_rx", "rx"),
    ],
)
def test_logrank_matches_survdiff(cohort_csv, r_results, dataset, key, group_col) -> None:
    """Chi-square, df, p, observed and expected events per group as R's survdiff.

    R::

        sd <- survdiff(Surv(followup_months, failure) ~ group, data = d)
        sd$chisq; length(sd$n) - 1; pchisq(sd$chisq, df, lower.tail = FALSE)
        sd$obs; sd$exp
    """
    frame = cohort_csv(dataset)
    frame = frame[frame[group_col].notna()]  # survdiff drops the row with missing ph.ecog
    expected = r_results(dataset)[key]
    result = logrank(frame["followup_months"], frame["failure"], frame[group_col].map(_level))
    assert_logrank_matches_r(result, expected, RTOL)
