"""(c) The naive baseline: what a straightforward analysis script does for the same view.

No caching, no vectorised shortcuts, library defaults: pandas to derive the outcome and
filter, lifelines ``KaplanMeierFitter`` per group, ``multivariate_logrank_test``,
``CoxPHFitter`` (Efron ties, lifelines' default) per covariate and for all covariates with
its ``summary`` table (what such a script prints), and Table-1 tests (Mann-Whitney U,
Fisher's exact test, statsmodels' chi-square for larger tables) of each baseline variable
by failure. Timed in phases so that "core" covers exactly the fits R does.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from app.state.view_state import ViewState
from benchmarks.stats import timed

TABLE_VARIABLES = (
    "sex",
    "age_at_rtx",
    "edss_baseline",
    "asymptomatic_lesions",
    "gd_persistent",
    "fcgr3a_v158f",
    "followup_months",
)
CATEGORICAL_REFERENCES = {"sex": "F", "fcgr3a_v158f": "FF"}


def prepare(patients: pd.DataFrame, relapses: pd.DataFrame, view: ViewState) -> pd.DataFrame:
    """Outcome with the view's grace period, then the view's filters (missing never matches)."""
    later = relapses[relapses["months_from_rtx"] > view.grace_months]
    first = later.groupby("patient_id")["months_from_rtx"].min()
    df = patients.copy()
    df["failure_months"] = df["patient_id"].map(first)
    df.loc[df["failure_months"] > df["followup_months"], "failure_months"] = np.nan
    df["failure"] = df["failure_months"].notna().astype(int)
    df["time_months"] = df["failure_months"].fillna(df["followup_months"])
    if view.sex:
        df = df[df["sex"] == view.sex]
    if view.lesions is not None:
        df = df[df["asymptomatic_lesions"] == view.lesions]
    if view.gd_persistent is not None:
        df = df[df["gd_persistent"] == view.gd_persistent]
    if view.age:
        df = df[(df["age_at_rtx"] >= view.age[0]) & (df["age_at_rtx"] <= view.age[1])]
    if view.edss:
        df = df[(df["edss_baseline"] >= view.edss[0]) & (df["edss_baseline"] <= view.edss[1])]
    return df


def _cox_data(df: pd.DataFrame, covariates) -> pd.DataFrame:
    data = df[["time_months", "failure", *covariates]].dropna()
    for name, reference in CATEGORICAL_REFERENCES.items():
        if name in covariates:
            dummies = pd.get_dummies(data[name], prefix=name, dtype=float)
            dummies = dummies.drop(columns=f"{name}_{reference}", errors="ignore")
            data = pd.concat([data.drop(columns=name), dummies], axis=1)
    # A column without variation (e.g. one sex left after filtering) cannot be fitted.
    keep = [c for c in data.columns if c in ("time_months", "failure") or data[c].nunique() > 1]
    return data[keep]


def _cox(df: pd.DataFrame, covariates) -> object:
    from lifelines import CoxPHFitter

    data = _cox_data(df, covariates)
    if data.shape[1] <= 2 or data["failure"].sum() == 0:
        return None
    cph = CoxPHFitter()
    try:
        cph.fit(data, duration_col="time_months", event_col="failure")
    except Exception:  # a script would stop here; the benchmark counts the time and goes on
        return None
    return cph.summary


def fits(df: pd.DataFrame, view: ViewState) -> None:
    """KM per group, log-rank, Cox univariable and multivariable (the fits R does)."""
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test

    if view.group_by is None:
        KaplanMeierFitter().fit(df["time_months"], df["failure"])
    else:
        grouped = df[df[view.group_by].notna()]
        for _, rows in grouped.groupby(view.group_by):
            kmf = KaplanMeierFitter().fit(rows["time_months"], rows["failure"])
            _ = kmf.median_survival_time_
        if grouped[view.group_by].nunique() > 1:
            multivariate_logrank_test(
                grouped["time_months"], grouped[view.group_by], grouped["failure"]
            )
    names = list(view.covariates) or ([view.group_by] if view.group_by else [])
    for name in names:
        _cox(df, [name])
    if view.covariates:
        _cox(df, list(view.covariates))


def table_one(df: pd.DataFrame) -> None:
    """One test per baseline variable, failures against the others."""
    from scipy import stats
    from statsmodels.stats.contingency_tables import Table

    for variable in TABLE_VARIABLES:
        values = df[[variable, "failure"]].dropna()
        if values[variable].dtype == object or values[variable].nunique() <= 3:
            table = pd.crosstab(values[variable], values["failure"])
            if table.shape == (2, 2):
                stats.fisher_exact(table.to_numpy())
            elif min(table.shape) > 1:
                Table(table.to_numpy()).test_nominal_association()
        else:
            groups = [g[variable].to_numpy() for _, g in values.groupby("failure")]
            if len(groups) == 2:
                stats.mannwhitneyu(*groups)


@dataclass
class NaiveTimes:
    prepare: list[float] = field(default_factory=list)
    fits: list[float] = field(default_factory=list)
    table_one: list[float] = field(default_factory=list)

    def full(self) -> list[float]:
        return [a + b + c for a, b, c in zip(self.prepare, self.fits, self.table_one, strict=True)]


def time_naive(patients: pd.DataFrame, relapses: pd.DataFrame, views) -> NaiveTimes:
    times = NaiveTimes()
    with warnings.catch_warnings():
        # lifelines' convergence/separation warnings on small subgroups: printed by a
        # script, irrelevant to its speed.
        warnings.simplefilter("ignore")
        for view in views:
            seconds, df = timed(lambda v=view: prepare(patients, relapses, v))
            times.prepare.append(seconds)
            times.fits.append(timed(lambda d=df, v=view: fits(d, v))[0])
            times.table_one.append(timed(lambda d=df: table_one(d))[0])
    return times
