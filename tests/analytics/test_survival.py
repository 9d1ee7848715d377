"""Kaplan–Meier, survival_at and log-rank on small hand-checkable data.

The full comparison against R on public data sets is in tests/reference; these pin the
edge rules (medians on a flat 0.5, empty CI at S = 0, at-risk counts between event times).
"""

from __future__ import annotations

import numpy as np
import pytest

from analytics.stats.survival import kaplan_meier, logrank, median_followup, survival_at


def test_median_on_flat_half_is_midpoint_like_r():
    """R: survfit(Surv(c(1,2,3,4,5,6), c(1,1,1,0,1,0)) ~ 1) prints median 4, 0.95LCL 1, UCL NA."""
    km = kaplan_meier([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 0])
    assert km.median == 4.0
    assert km.median_ci_low == 1.0
    assert km.median_ci_high is None


def test_median_all_events_even_n():
    """R: survfit(Surv(c(2,4,6,8), rep(1,4)) ~ 1): median 5, 0.95LCL 2, UCL NA."""
    km = kaplan_meier([2, 4, 6, 8], [1, 1, 1, 1])
    assert (km.median, km.median_ci_low, km.median_ci_high) == (5.0, 2.0, None)


def test_curve_starts_at_one_and_ci_undefined_at_zero():
    km = kaplan_meier([1, 2, 2, 4], [1, 1, 0, 1])
    assert km.timeline == (0.0, 1.0, 2.0, 4.0)
    assert km.survival == (1.0, 0.75, 0.5, 0.0)
    assert km.at_risk == (4, 4, 3, 1)
    assert km.events_at == (0, 1, 1, 1)
    assert km.censored_at == (0, 0, 1, 0)
    assert np.isnan(km.ci_low[-1])
    assert np.isnan(km.ci_high[-1])
    assert km.to_dict()["ci_low"][-1] is None


def test_no_events_gives_flat_curve_and_no_median():
    km = kaplan_meier([5, 6, 7], [0, 0, 0])
    assert set(km.survival) == {1.0}
    assert km.median is None
    assert km.events == 0


def test_survival_at_matches_r_summary_times():
    """R: summary(fit, times = c(0, 2.5, 4, 10), extend = TRUE) gives n.risk 6, 4, 3, 0
    and surv 1, 0.6667, 0.5, 0.25 (events 1,2,3,5 and censoring at 4 and 6)."""
    km = kaplan_meier([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 0])
    rows = survival_at(km, [0, 2.5, 4, 10])
    assert [r.at_risk for r in rows] == [6, 4, 3, 0]
    np.testing.assert_allclose([r.survival for r in rows], [1, 2 / 3, 0.5, 0.25])
    assert [r.cumulative_events for r in rows] == [0, 2, 3, 4]
    assert [r.cumulative_censored for r in rows] == [0, 0, 1, 2]


def test_logrank_two_groups_matches_r():
    """R: survdiff(Surv(1:8, c(1,1,0,1,1,0,1,1)) ~ strsplit("aabbabab", "")[[1]])
    Observed 4, 2; Expected 2.33, 3.67; Chisq = 2.26 (2.262271 unrounded) on 1 df."""
    result = logrank(range(1, 9), [1, 1, 0, 1, 1, 0, 1, 1], list("aabbabab"))
    assert result.df == 1
    np.testing.assert_allclose(result.chisq, 2.2622707, rtol=1e-6)
    np.testing.assert_allclose(result.expected, [2.3285714, 3.6714286], rtol=1e-6)


def test_logrank_is_invariant_to_group_order_and_labels():
    time, event = [3, 5, 7, 2, 9, 4, 6, 8, 1], [1, 0, 1, 1, 1, 0, 1, 1, 0]
    a = logrank(time, event, list("xyzxyzxyz"))
    b = logrank(time, event, list("cbacbacba"))
    assert a.df == b.df == 2
    np.testing.assert_allclose(a.chisq, b.chisq)


def test_logrank_without_variance_is_zero_not_an_error():
    """Everyone at risk fails at the only event time: V = 0 and O = E (1 and 1), so the
    statistic is 0 by hand (R's solve() stops on the singular system; the page must not)."""
    result = logrank([1, 1], [1, 1], ["a", "b"])
    assert result.df == 1
    assert result.chisq == 0.0
    assert result.p == 1.0


def test_reverse_km_median_followup():
    # Censored at 10, 20, 30, 40; failures at 5 and 15 censor follow-up in reverse KM.
    km = median_followup([5, 10, 15, 20, 30, 40], [1, 0, 1, 0, 0, 0])
    assert km.median == 30.0


@pytest.mark.parametrize(
    ("time", "event", "message"),
    [
        ([1, 2], [1], "equal length"),
        ([1, float("nan")], [1, 0], "missing"),
        ([-1, 2], [1, 0], "non-negative"),
    ],
)
def test_bad_arrays_are_refused(time, event, message):
    with pytest.raises(ValueError, match=message):
        kaplan_meier(time, event)
