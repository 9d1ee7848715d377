"""Conditional survival: the chance of staying failure-free for Y more months, given X so far.

A patient who has been relapse-free on rituximab for two years asks about the next year, not
about the next three years from the first infusion. The answer is ``S(X + Y) / S(X)`` from the
Kaplan–Meier curve: the product of the curve's steps in ``(X, X + Y]``, so only patients still
failure-free and followed beyond ``X`` inform it (Zabor et al. 2013, Curr Oncol Rep 15:116).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from analytics.data.labels import column_message, level_message
from analytics.jsonsafe import json_dict
from analytics.stats.levels import normal_quantile
from analytics.stats.subgroups import level_labels
from analytics.stats.survival import KaplanMeier, kaplan_meier
from i18n.language import Message, PluralMessage, as_message, general

# Fewer patients than this at risk at X make the conditional estimate rest on a handful of
# people; the dashboard should say so rather than show a bare percentage.
FEW_AT_RISK = 10


@dataclass(frozen=True)
class ConditionalSurvival:
    """``P(failure-free at X + Y | failure-free at X)`` with its log-log confidence interval.

    ``estimate`` and the limits are None with a ``reason`` when nobody is at risk beyond
    ``given_months`` or when follow-up does not reach ``given_months + horizon_months``.
    ``at_risk`` counts patients failure-free and still followed beyond ``given_months``;
    ``events`` the failures in ``(X, X + Y]``.
    """

    label: str
    given_months: float
    horizon_months: float
    n: int
    at_risk: int
    events: int
    estimate: float | None
    std_err: float | None
    ci_low: float | None
    ci_high: float | None
    conf_level: float
    conf_type: str = "log-log"
    reason: str | None = None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        return json_dict(asdict(self))


@dataclass(frozen=True)
class ConditionalSurvivalTable:
    """Conditional survival for every group (one entry per group; "All" when ungrouped)."""

    group_by: str | None
    given_months: float
    horizon_months: float
    groups: tuple[ConditionalSurvival, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        return json_dict(asdict(self))

    def group(self, label: str) -> ConditionalSurvival:
        """The entry of group ``label``."""
        for entry in self.groups:
            if entry.label == label:
                return entry
        raise KeyError(f"no group {label!r}; groups are {[g.label for g in self.groups]}")


def _check_times(given_months: float, horizon_months: float, conf_level: float) -> None:
    if not given_months >= 0:
        raise ValueError(f"months already failure-free must be >= 0, got {given_months}")
    if not horizon_months > 0:
        raise ValueError(f"months ahead must be > 0, got {horizon_months}")
    if not 0.0 < conf_level < 1.0:
        raise ValueError(f"conf_level must be between 0 and 1, got {conf_level}")


def conditional_from_km(
    km: KaplanMeier, given_months: float, horizon_months: float, group: str | None = None
) -> ConditionalSurvival:
    """Conditional survival ``S(X + Y) / S(X)`` read off a Kaplan–Meier curve.

    The estimate is the product of ``1 - d / n`` over the event times in ``(X, X + Y]``; its
    Greenwood variance on the log scale is the sum of ``d / (n (n - d))`` over the same times,
    and the interval is log-log, ``S ** exp(±z·se(log S) / log S)``, as
    :func:`analytics.stats.survival.kaplan_meier`.

    Matches R ``summary(survfit(Surv(time, status) ~ 1, conf.type = "log-log",
    start.time = X), times = X + Y)`` (``surv``, ``std.err`` — the SE of S —, ``lower``,
    ``upper``) whenever no failure falls exactly at month ``X``. R's ``start.time`` keeps
    patients with time ``>= X``, so a failure at exactly ``X`` counts against R's estimate
    (``P(T > X + Y | T >= X)``); here it does not, because a patient who failed at month ``X``
    was not failure-free for ``X`` months (``P(T > X + Y | T > X)``, the usual definition).

    Parameters
    ----------
    km : KaplanMeier
        The group's curve from :func:`analytics.stats.survival.kaplan_meier`.
    given_months : float
        ``X``: months already failure-free on rituximab, ``>= 0``.
    horizon_months : float
        ``Y``: months ahead, ``> 0``.
    group : str, optional
        How the reasons and notes name the group (a labelled level, e.g. "Asymptomatic
        lesions: no"); the curve's label when None.

    Returns
    -------
    ConditionalSurvival
        With ``estimate`` None and a ``reason`` when nobody is followed beyond ``X`` or the
        longest follow-up is shorter than ``X + Y`` (R's ``summary(times =)`` drops such a time).
    """
    _check_times(given_months, horizon_months, km.conf_level)
    named = as_message(str(km.label)) if group is None else group
    timeline = np.asarray(km.timeline)
    at_risk = np.asarray(km.at_risk, dtype=float)
    events_at = np.asarray(km.events_at, dtype=float)
    leaving = events_at + np.asarray(km.censored_at, dtype=float)
    target = given_months + horizon_months
    # Patients still failure-free and followed beyond X: those whose own time is > X.
    still = km.n - int(leaving[timeline <= given_months].sum())
    window = (timeline > given_months) & (timeline <= target)
    events = int(events_at[window].sum())
    base = ConditionalSurvival(
        label=km.label,
        given_months=float(given_months),
        horizon_months=float(horizon_months),
        n=km.n,
        at_risk=still,
        events=events,
        estimate=None,
        std_err=None,
        ci_low=None,
        ci_high=None,
        conf_level=km.conf_level,
    )
    last = float(timeline[-1])
    if still == 0:
        return replace(
            base,
            reason=Message(
                "Nobody in {group} is still failure-free and followed beyond {months} months.",
                group=named,
                months=general(given_months),
            ),
        )
    if target > last:
        return replace(
            base,
            reason=Message(
                "Follow-up in {group} ends at {last} months, before {given} + {ahead} = "
                "{target} months.",
                group=named,
                last=general(last),
                given=general(given_months),
                ahead=general(horizon_months),
                target=general(target),
            ),
        )
    n_w, d_w = at_risk[window], events_at[window]
    estimate = float(np.prod(1.0 - d_w / n_w))
    with np.errstate(divide="ignore", invalid="ignore"):
        var_log = float(np.sum(d_w / (n_w * (n_w - d_w))))
    low, high = _log_log_interval(estimate, var_log, km.conf_level)
    notes: tuple[str, ...] = ()
    if still < FEW_AT_RISK:
        notes = (
            PluralMessage(
                "Only {n} patient in {group} is failure-free and followed beyond {months} "
                "months: the estimate is imprecise.",
                "Only {n} patients in {group} are failure-free and followed beyond {months} "
                "months: the estimate is imprecise.",
                n=int(still),
                group=named,
                months=general(given_months),
            ),
        )
    return replace(
        base,
        estimate=estimate,
        std_err=estimate * float(np.sqrt(var_log)) if estimate > 0 else float("nan"),
        ci_low=low,
        ci_high=high,
        notes=notes,
    )


def _log_log_interval(estimate: float, var_log: float, conf_level: float) -> tuple[float, float]:
    """As R's ``conf.type = "log-log"``: [1, 1] with no events, undefined once S is 0."""
    if var_log == 0:
        return 1.0, 1.0
    if estimate <= 0:
        return float("nan"), float("nan")
    z = normal_quantile(conf_level)
    shift = z * np.sqrt(var_log) / np.log(estimate)
    bounds = sorted((estimate ** np.exp(shift), estimate ** np.exp(-shift)))
    return float(bounds[0]), float(bounds[1])


def conditional_survival(
    frame: pd.DataFrame,
    given_months: float,
    horizon_months: float,
    *,
    group_by: str | None = None,
    time_col: str = "time_months",
    event_col: str = "failure",
    conf_level: float = 0.95,
) -> ConditionalSurvivalTable:
    """Chance of staying failure-free ``horizon_months`` longer, given ``given_months`` so far.

    Parameters
    ----------
    frame : DataFrame
        One row per patient with the derived outcome (``analytics.data.cohort.analysis_frame``).
    given_months : float
        ``X``: months failure-free on rituximab so far.
    horizon_months : float
        ``Y``: months ahead.
    group_by : str, optional
        Column whose levels get one estimate each; patients with no value are left out (noted).
    time_col, event_col : str
        Analysis time and the 0/1 failure indicator.
    conf_level : float, default 0.95
        Level of the log-log interval.

    Returns
    -------
    ConditionalSurvivalTable
        One :class:`ConditionalSurvival` per group, in sorted order; each matches R
        ``summary(survfit(Surv(time, status) ~ 1, conf.type = "log-log", start.time = X),
        times = X + Y)`` on that group (see :func:`conditional_from_km` for failures at ``X``).

    Examples
    --------
    >>> frame = pd.DataFrame({"time_months": [3, 8, 12, 20, 30], "failure": [1, 1, 0, 1, 0]})
    >>> result = conditional_survival(frame, given_months=6, horizon_months=12)
    >>> result.groups[0].at_risk, result.groups[0].estimate
    (4, 0.75)
    """
    _check_times(given_months, horizon_months, conf_level)
    for column in (time_col, event_col, *([group_by] if group_by else [])):
        if column not in frame.columns:
            raise ValueError(f"the cohort has no column {column!r}")
    notes: list[str] = []
    parts: list[tuple[str, pd.DataFrame]] = [("All", frame)]
    if group_by is not None:
        labels = level_labels(frame[group_by])
        if labels.isna().any():
            notes.append(
                PluralMessage(
                    "{n} patient with no {column} is left out of the conditional survival.",
                    "{n} patients with no {column} are left out of the conditional survival.",
                    n=int(labels.isna().sum()),
                    column=column_message(group_by),
                )
            )
        parts = [(str(level), frame[labels == level]) for level in sorted(labels.dropna().unique())]
    groups = []
    for label, rows in parts:
        km = kaplan_meier(rows[time_col], rows[event_col], label=label, conf_level=conf_level)
        name = None if group_by is None else level_message(group_by, label)
        groups.append(conditional_from_km(km, given_months, horizon_months, name))
    return ConditionalSurvivalTable(
        group_by=group_by,
        given_months=float(given_months),
        horizon_months=float(horizon_months),
        groups=tuple(groups),
        notes=tuple(notes),
    )


def conditional_survival_grid(
    frame: pd.DataFrame,
    given: Sequence[float],
    horizon_months: float,
    **options: Any,
) -> tuple[ConditionalSurvivalTable, ...]:
    """:func:`conditional_survival` for several ``X`` at one horizon (e.g. 0, 12, 24, 36).

    The row ``X = 0`` is the plain Kaplan–Meier survival at ``Y``, so the table shows how the
    outlook improves the longer a patient stays failure-free.
    """
    return tuple(conditional_survival(frame, x, horizon_months, **options) for x in given)
