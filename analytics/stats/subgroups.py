"""Failure proportion per subgroup, and the time grid of the number-at-risk table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analytics.jsonsafe import json_dict
from analytics.stats.design import coded_labels
from analytics.stats.rates import Proportion, failure_proportion

# Variables a neurologist splits a cohort by; numeric ones (age, EDSS) are ranges, not groups.
SUBGROUP_VARIABLES = ("sex", "asymptomatic_lesions", "gd_persistent", "fcgr3a_v158f")


@dataclass(frozen=True)
class SubgroupRate:
    """Failure proportion (exact CI) among patients with ``variable == level``."""

    variable: str
    level: str
    proportion: Proportion

    def to_dict(self) -> dict[str, object]:
        return json_dict(
            {"variable": self.variable, "level": self.level, **self.proportion.to_dict()}
        )


def _label(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _label_or_missing(value: Any) -> object:
    if pd.api.types.is_scalar(value) and pd.isna(value):  # None, NaN, pd.NA, NaT
        return None
    return _label(value)


def level_labels(series: pd.Series) -> pd.Series:
    """Text labels of a grouping column (0/1 codes read "0"/"1"); missing stays missing."""
    if series.empty or isinstance(series.dtype, pd.CategoricalDtype):
        # map() keeps these dtypes (float64 when empty, category); nothing here to speed up.
        return series.map(_label_or_missing)
    # Each distinct value is labelled once (not each patient): this runs per report.
    codes, levels, _ = coded_labels(series.to_numpy(), label=_label)
    lookup = np.array([*levels, None], dtype=object)  # code -1 (missing) -> None
    return pd.Series(lookup[codes], index=series.index, name=series.name, dtype=object)


def subgroup_rates(
    frame: pd.DataFrame, variables: Sequence[str] = SUBGROUP_VARIABLES, conf_level: float = 0.95
) -> list[SubgroupRate]:
    """Failure proportions for each level of each variable present in ``frame``."""
    out = []
    failed = frame["failure"].to_numpy()
    for variable in variables:
        if variable not in frame.columns:
            continue
        codes, levels, _ = coded_labels(frame[variable].to_numpy(), label=_label)
        known = codes >= 0
        # Per-level sums of the 0/1 failure column, as rows["failure"].sum() per level.
        patients = np.bincount(codes[known], minlength=len(levels))
        failures = np.bincount(codes[known], weights=failed[known], minlength=len(levels))
        for level, n, events in zip(levels, patients, failures, strict=True):
            proportion = failure_proportion(int(events), int(n), conf_level=conf_level)
            out.append(SubgroupRate(variable=variable, level=level, proportion=proportion))
    return out


def risk_table_step(span_months: float) -> float:
    """Months between two at-risk columns (and time-axis ticks) for a plot of ``span_months``.

    Steps a clinician counts in (a month, a quarter, half a year, years), at most 9 columns so
    the counts stay readable on a 1024-px screen and a journal column: monthly up to 6 months,
    3-monthly up to a year, 6-monthly up to 3 years, yearly up to 8 years, then whole years
    chosen to keep 9 columns or fewer.
    """
    if span_months <= 6:
        return 1.0
    if span_months <= 12:
        return 3.0
    if span_months <= 36:
        return 6.0
    return 12.0 * math.ceil(span_months / 96)


def risk_table_times(max_time: float) -> tuple[float, ...]:
    """Tick times for the at-risk table from 0 to ``max_time`` (:func:`risk_table_step`)."""
    if max_time <= 0:
        return (0.0,)
    step = risk_table_step(max_time)
    count = int(max_time // step) + 1
    return tuple(step * i for i in range(count))
