"""Failure proportion, incidence rate and annualized relapse rates, with exact intervals.

Exact here means what R means: Clopper-Pearson for a proportion (R ``binom.test``) and
the exact Poisson interval for a rate (R ``poisson.test``). Both are the usual choice for
small cohorts, where the Wald interval undercovers and can cross 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from analytics.jsonsafe import json_dict

MONTHS_PER_YEAR = 12.0

# Disease onset is not in the data contract, so the pre-rituximab exposure cannot be
# "onset to first infusion". A fixed window the same for every patient is the common choice
# in rituximab NMOSD cohorts, and it avoids counting the onset attack that opens an
# onset-based window (which inflates the pre-treatment rate for recently diagnosed patients).
DEFAULT_PRE_WINDOW_MONTHS = 24.0


def _check_conf_level(conf_level: float) -> float:
    if not 0.0 < conf_level < 1.0:
        raise ValueError(f"conf_level must be between 0 and 1, got {conf_level}")
    return (1.0 - conf_level) / 2.0


@dataclass(frozen=True)
class Proportion:
    """A proportion ``events / n`` with its exact (Clopper-Pearson) confidence interval."""

    events: int
    n: int
    estimate: float
    ci_low: float
    ci_high: float
    conf_level: float
    method: str = "Clopper-Pearson exact (R binom.test)"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        result: dict[str, Any] = json_dict(asdict(self))
        return result


@dataclass(frozen=True)
class IncidenceRate:
    """Events per ``per`` person-years with the exact Poisson confidence interval."""

    events: int
    person_years: float
    per: float
    estimate: float
    ci_low: float
    ci_high: float
    conf_level: float
    method: str = "exact Poisson (R poisson.test)"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        result: dict[str, Any] = json_dict(asdict(self))
        return result


def failure_proportion(events: int, n: int, conf_level: float = 0.95) -> Proportion:
    """Proportion of patients who failed, with the Clopper-Pearson exact interval.

    Matches R ``binom.test(events, n, conf.level = conf_level)$conf.int``: the limits are
    beta quantiles, ``qbeta(a/2, x, n - x + 1)`` and ``qbeta(1 - a/2, x + 1, n - x)``, with the
    lower limit 0 when ``x = 0`` and the upper limit 1 when ``x = n``.

    Parameters
    ----------
    events : int
        Number of failures, ``0 <= events <= n``.
    n : int
        Number of patients. ``n = 0`` gives NaN estimate and limits (nothing to estimate).
    conf_level : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    Proportion
        ``estimate``, ``ci_low``, ``ci_high`` in [0, 1].

    Examples
    --------
    >>> result = failure_proportion(12, 54)
    >>> round(result.estimate, 4), round(result.ci_low, 4), round(result.ci_high, 4)
    (0.2222, 0.1204, 0.3556)
    """
    alpha_half = _check_conf_level(conf_level)
    events, n = int(events), int(n)
    if n < 0 or not 0 <= events <= max(n, 0):
        raise ValueError(f"need 0 <= events <= n, got events={events}, n={n}")
    if n == 0:
        nan = float("nan")
        return Proportion(events, n, nan, nan, nan, conf_level)
    # betaincinv is R's qbeta (stats.beta.ppf's values) without the wrapper's ~0.1 ms of argument
    # handling: a report asks for ~20 limits, and with every distribution call of the report
    # made through scipy.stats the 54-patient report took ~14% longer.
    low = 0.0 if events == 0 else float(special.betaincinv(events, n - events + 1, alpha_half))
    high = 1.0 if events == n else float(special.betaincinv(events + 1, n - events, 1 - alpha_half))
    return Proportion(events, n, events / n, low, high, conf_level)


def incidence_rate(
    events: int,
    person_time_months: float,
    per: float = 100.0,
    conf_level: float = 0.95,
) -> IncidenceRate:
    """Events per ``per`` person-years with the exact Poisson interval.

    Matches R ``poisson.test(events, T = person_years, conf.level = conf_level)$conf.int``
    scaled by ``per``: the limits for the count are ``qchisq(a/2, 2x) / 2`` (0 when ``x = 0``)
    and ``qchisq(1 - a/2, 2x + 2) / 2``, the same as R's ``qgamma(a/2, x)`` and
    ``qgamma(1 - a/2, x + 1)``.

    Parameters
    ----------
    events : int
        Number of events (failures or relapses), ``>= 0``.
    person_time_months : float
        Total time at risk in months (converted to years as months / 12).
    per : float, default 100.0
        Rate unit in person-years: 100 gives events per 100 person-years, 1 gives an
        annualized rate (ARR).
    conf_level : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    IncidenceRate
        Estimate and limits per ``per`` person-years; NaN when there is no person-time.
    """
    alpha_half = _check_conf_level(conf_level)
    events = int(events)
    if events < 0:
        raise ValueError(f"events must be >= 0, got {events}")
    if not person_time_months >= 0:
        raise ValueError(f"person_time_months must be >= 0, got {person_time_months}")
    if per <= 0:
        raise ValueError(f"per must be > 0, got {per}")
    person_years = float(person_time_months) / MONTHS_PER_YEAR
    if person_years == 0:
        nan = float("nan")
        return IncidenceRate(events, 0.0, per, nan, nan, nan, conf_level)
    # gammaincinv is R's qgamma (stats.chi2.ppf's ufunc), for the reason in failure_proportion.
    count_low = 0.0 if events == 0 else float(special.gammaincinv(events, alpha_half))
    count_high = float(special.gammaincinv(events + 1, 1 - alpha_half))
    scale = per / person_years
    return IncidenceRate(
        events=events,
        person_years=person_years,
        per=per,
        estimate=events * scale,
        ci_low=count_low * scale,
        ci_high=count_high * scale,
        conf_level=conf_level,
    )


# The per-patient columns of :attr:`RelapseRates.patients`, in this order.
PATIENT_RATE_COLUMNS = (
    "patient_id",
    "pre_relapses",
    "pre_years",
    "pre_arr",
    "post_relapses",
    "post_years",
    "post_arr",
)


@dataclass(frozen=True)
class RelapseRates:
    """Per-patient and pooled annualized relapse rates (ARR) before and after rituximab.

    ``patients`` has one row per patient with the columns of :data:`PATIENT_RATE_COLUMNS`
    (``patient_id``; relapse counts, years at risk and ARR before and after rituximab; a
    patient with no post-treatment time has ``post_arr`` NaN). It is a frame rather than one
    object per patient because registry-sized cohorts have 10^5 patients and every caller
    reads it by column; treat it as read-only (:meth:`frame` gives a copy to modify).
    ``pooled_pre`` and ``pooled_post`` are total relapses / total person-years with exact
    Poisson intervals (``per = 1``); ``median_pre_arr`` / ``median_post_arr`` summarise the
    per-patient rates (patients with no post-treatment time excluded).
    """

    # compare=False: a frame has no truth value, so __eq__ below compares it with .equals
    # and the generated __hash__ covers the summary fields only.
    patients: pd.DataFrame = field(compare=False, repr=False)
    pooled_pre: IncidenceRate
    pooled_post: IncidenceRate
    median_pre_arr: float
    median_post_arr: float
    pre_window_months: float
    grace_months: float
    relapses_outside_window: int
    relapses_at_infusion: int

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RelapseRates):
            return NotImplemented
        summary = [f.name for f in fields(self) if f.compare]
        return all(getattr(self, n) == getattr(other, n) for n in summary) and bool(
            self.patients.equals(other.patients)
        )

    def frame(self) -> pd.DataFrame:
        """Per-patient rates as a DataFrame, one row per patient (a copy of ``patients``)."""
        return self.patients.copy()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None); ``patients`` is a list of row dicts."""
        result: dict[str, Any] = json_dict(asdict(self))
        return result


def require_relapse_columns(patients: pd.DataFrame, relapses: pd.DataFrame) -> None:
    """Raise ValueError unless the frames have the columns every relapse statistic reads."""
    for name, frame, columns in (
        ("patients", patients, ("patient_id", "followup_months")),
        ("relapses", relapses, ("patient_id", "months_from_rtx")),
    ):
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise ValueError(f"{name} frame lacks column(s): {', '.join(missing)}")


def _validate_relapse_inputs(
    patients: pd.DataFrame, relapses: pd.DataFrame, pre_window_months: float, grace_months: float
) -> None:
    require_relapse_columns(patients, relapses)
    if not pre_window_months > 0:
        raise ValueError(f"pre_window_months must be > 0, got {pre_window_months}")
    if not grace_months >= 0:
        raise ValueError(f"grace_months must be >= 0, got {grace_months}")


def annualized_relapse_rates(
    patients: pd.DataFrame,
    relapses: pd.DataFrame,
    *,
    grace_months: float = 0.0,
    pre_window_months: float = DEFAULT_PRE_WINDOW_MONTHS,
    conf_level: float = 0.95,
) -> RelapseRates:
    """Annualized relapse rates before and after the first rituximab infusion.

    Pre-rituximab ARR: relapses with ``-pre_window_months <= months_from_rtx < 0`` over the
    window (default the 24 months before the first infusion, the same for every patient,
    because disease onset is not part of the data contract). Earlier relapses are not
    counted (their number is reported in ``relapses_outside_window``).

    Post-rituximab ARR: relapses with ``grace_months < months_from_rtx <= followup_months``
    over ``followup_months - grace_months``. The default ``grace_months = 0`` is the usual
    post-treatment ARR (every relapse after the first infusion). A positive value excludes
    early relapses before B-cell depletion is complete, as the failure definition does; a
    patient followed no longer than the grace period then contributes no post-treatment time.
    Relapses at exactly month 0 (the infusion day) are counted in neither period
    (``relapses_at_infusion``).

    Only patients in ``patients`` are used, so a filtered frame gives the subgroup's rates;
    relapses of other patients are ignored. Pooled rates are total relapses / total
    person-years with exact Poisson CIs as R ``poisson.test(sum(x), sum(T))`` (see
    :func:`incidence_rate`, ``per = 1``).

    Parameters
    ----------
    patients : DataFrame
        Needs ``patient_id`` and ``followup_months``.
    relapses : DataFrame
        Needs ``patient_id`` and ``months_from_rtx`` (negative = before rituximab).
    grace_months : float, default 0.0
        Post-treatment relapses at or before this month are not counted.
    pre_window_months : float, default 24.0
        Length of the pre-treatment window.
    conf_level : float, default 0.95
        Confidence level of the pooled intervals.

    Returns
    -------
    RelapseRates
    """
    _validate_relapse_inputs(patients, relapses, pre_window_months, grace_months)
    ids = patients["patient_id"].astype(str).to_numpy()
    followup = patients["followup_months"].astype(float).to_numpy()
    counts, months = _relapse_counts(ids, followup, relapses, grace_months, pre_window_months)
    pre_counts, post_counts = counts
    pre_years = pre_window_months / MONTHS_PER_YEAR
    post_years = np.maximum(followup - grace_months, 0.0) / MONTHS_PER_YEAR
    has_post = post_years > 0
    pre_arr = pre_counts / pre_years
    with np.errstate(divide="ignore", invalid="ignore"):
        post_arr = np.where(has_post, post_counts / post_years, np.nan)
    per_patient = pd.DataFrame(
        {
            "patient_id": ids,
            "pre_relapses": pre_counts,
            "pre_years": np.full(len(ids), pre_years),
            "pre_arr": pre_arr,
            "post_relapses": post_counts,
            "post_years": post_years,
            "post_arr": post_arr,
        },
        columns=list(PATIENT_RATE_COLUMNS),
    )
    # Python's sum in patient order, as before, so the pooled person-time is bit-for-bit the same.
    total_post_months = sum(post_years.tolist()) * MONTHS_PER_YEAR
    return RelapseRates(
        patients=per_patient,
        pooled_pre=incidence_rate(
            int(pre_counts.sum()),
            pre_window_months * len(ids),
            per=1.0,
            conf_level=conf_level,
        ),
        pooled_post=incidence_rate(
            int(post_counts.sum()),
            total_post_months,
            per=1.0,
            conf_level=conf_level,
        ),
        median_pre_arr=float(np.median(pre_arr)) if len(ids) else float("nan"),
        median_post_arr=float(np.median(post_arr[has_post])) if has_post.any() else float("nan"),
        pre_window_months=float(pre_window_months),
        grace_months=float(grace_months),
        relapses_outside_window=int((months < -pre_window_months).sum()),
        relapses_at_infusion=int((months == 0).sum()),
    )


def _relapse_counts(
    ids: np.ndarray,
    followup: np.ndarray,
    relapses: pd.DataFrame,
    grace_months: float,
    pre_window_months: float,
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """Pre- and post-rituximab relapse counts per patient, and the months of their relapses.

    Relapses of patients not in ``ids`` are ignored. One integer code per distinct ID over
    both frames turns the per-patient counting into two bincounts.
    """
    owners = relapses["patient_id"].astype(str).to_numpy()
    codes, uniques = pd.factorize(np.concatenate([ids, owners]))
    patient_code, relapse_code = codes[: len(ids)], codes[len(ids) :]
    listed = np.zeros(len(uniques), dtype=bool)
    listed[patient_code] = True
    mine = listed[relapse_code]
    owner = relapse_code[mine]
    months = relapses["months_from_rtx"].astype(float).to_numpy()[mine]
    followup_of = np.full(len(uniques), np.nan)
    followup_of[patient_code] = followup
    in_pre = (months < 0) & (months >= -pre_window_months)
    in_post = (months > grace_months) & (months <= followup_of[owner])
    pre = np.bincount(owner[in_pre], minlength=len(uniques))[patient_code]
    post = np.bincount(owner[in_post], minlength=len(uniques))[patient_code]
    return (pre, post), months
