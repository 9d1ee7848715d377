"""Recurrent relapses: rate ratios, the mean cumulative function and the Andersen–Gill model.

Treatment failure (the first relapse after the grace period) throws away every later relapse.
These methods use all of them: relapse counts over person-time (Poisson and negative-binomial
rate ratios), the mean number of relapses per patient over time (mean cumulative function) and
a Cox model of every relapse (Andersen–Gill). Relapses of one patient are correlated, so each
method says how it allows for that: the negative-binomial dispersion, the Lawless–Nadeau
variance, the cluster-robust sandwich.

Per-patient counts and person-years come from
:func:`analytics.stats.rates.annualized_relapse_rates`, so the pre-treatment window and the grace
period mean the same here as in the rate panel.
"""

from analytics.stats.recurrent.andersen_gill import (
    AndersenGillModel,
    AndersenGillTerm,
    andersen_gill,
    counting_process,
)
from analytics.stats.recurrent.counts import (
    CountModel,
    GroupRelapseRates,
    RateRatioModel,
    RateRatioTerm,
    RelapseRatesByGroup,
    count_rate_ratio,
    pre_post_rate_ratio,
    relapse_rate_ratio,
    relapse_rates_by_group,
)
from analytics.stats.recurrent.mcf import (
    MeanCumulativeCurve,
    MeanCumulativeFunction,
    mcf_curve,
    mean_cumulative_function,
)

__all__ = [
    "AndersenGillModel",
    "AndersenGillTerm",
    "CountModel",
    "GroupRelapseRates",
    "MeanCumulativeCurve",
    "MeanCumulativeFunction",
    "RateRatioModel",
    "RateRatioTerm",
    "RelapseRatesByGroup",
    "andersen_gill",
    "count_rate_ratio",
    "counting_process",
    "mcf_curve",
    "mean_cumulative_function",
    "pre_post_rate_ratio",
    "relapse_rate_ratio",
    "relapse_rates_by_group",
]
