"""The mean cumulative function of relapses, with the Lawless–Nadeau variance."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analytics.budget import check_deadline
from analytics.jsonsafe import json_dict
from analytics.stats.recurrent.counts import _check_conf_level, _groups, _post_relapses
from i18n.language import PluralMessage, general

Array = NDArray[np.float64]
# Cells of one block of the mean cumulative function's patients x times influence arrays.
MCF_BLOCK_CELLS = 2_000_000


@dataclass(frozen=True)
class MeanCumulativeCurve:
    """Mean number of relapses per patient by each time (index 0 is the start, value 0).

    ``std_err`` is the Lawless–Nadeau robust standard error, which allows a patient's relapses
    to be correlated; the interval is log-transformed, ``mcf * exp(±z·se / mcf)``.
    """

    label: str
    n: int
    events: int
    timeline: tuple[float, ...]
    mcf: tuple[float, ...]
    std_err: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    at_risk: tuple[int, ...]
    events_at: tuple[int, ...]
    conf_level: float
    variance: str = "Lawless-Nadeau robust"
    conf_type: str = "log"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        return json_dict(asdict(self))


@dataclass(frozen=True)
class MeanCumulativeFunction:
    """Mean cumulative function of post-rituximab relapses, per group."""

    group_by: str | None
    grace_months: float
    curves: tuple[MeanCumulativeCurve, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data (NaN becomes None)."""
        return json_dict(asdict(self))

    def curve(self, label: str) -> MeanCumulativeCurve:
        """The curve of group ``label``."""
        for c in self.curves:
            if c.label == label:
                return c
        raise KeyError(f"no group {label!r}; groups are {[c.label for c in self.curves]}")


def mcf_curve(
    followup: Array,
    owner: NDArray[np.int_],
    times: Array,
    *,
    start: float = 0.0,
    label: str = "All",
    conf_level: float = 0.95,
) -> MeanCumulativeCurve:
    """Nelson–Aalen mean cumulative function with the Lawless–Nadeau variance.

    ``MCF(t) = sum over relapse times s <= t of d(s) / Y(s)``, with ``d`` the relapses at
    ``s`` and ``Y`` the patients followed at ``s`` (``start < s <= followup``); the grid is
    every relapse time and every end of follow-up. Its variance
    is ``sum_i (sum_{s <= t} Y_i(s) (dN_i(s) - d(s) / Y(s)) / Y(s))^2`` (Lawless & Nadeau 1995,
    Technometrics 37:158), the sum of squared per-patient influences.

    Matches R ``survfit(Surv(start, stop, event) ~ 1, id = id)`` on the counting-process
    data: ``cumhaz`` and ``std.chaz`` (survival >= 3 uses the same robust, id-clustered
    variance when ``id`` is given).

    Parameters
    ----------
    followup : array
        End of follow-up of each patient.
    owner : int array
        For each relapse, the index of its patient in ``followup``.
    times : array
        Relapse times, each in ``(start, followup[owner]]``.
    """
    z = _check_conf_level(conf_level)
    # Ends of follow-up join the grid (steps of zero height) so the curve and its risk
    # table run to the last follow-up, as survfit's do.
    grid = np.unique(np.concatenate((times, followup[followup > start])))
    column = np.searchsorted(grid, times)
    later = followup.size - np.searchsorted(np.sort(followup), grid, side="left")
    at_risk = np.where(grid > start, later, 0).astype(float)
    events_at = np.bincount(column, minlength=grid.size).astype(float)
    increment = events_at / at_risk
    # The influences are patients x grid: built a block of patients at a time (about 16 MB
    # per array) so that 100 000 patients do not need 2 GB at once (issue 17).
    block = max(1, MCF_BLOCK_CELLS // max(1, grid.size))
    squares = np.zeros(grid.size)
    for first in range(0, followup.size, block):
        check_deadline()
        ends = followup[first : first + block]
        counts = np.zeros((ends.size, grid.size))
        mine = (owner >= first) & (owner < first + ends.size)
        np.add.at(counts, (owner[mine] - first, column[mine]), 1.0)
        followed = (ends[:, None] >= grid[None, :]) & (grid[None, :] > start)
        influence = np.cumsum(followed * (counts - increment[None, :]) / at_risk[None, :], axis=1)
        squares += (influence**2).sum(axis=0)
    mcf = np.cumsum(increment)
    se = np.sqrt(squares)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Before the first relapse the MCF is 0 with no variance: the interval is [0, 0].
        spread = np.where(mcf > 0, np.exp(z * se / mcf), 1.0)
    return MeanCumulativeCurve(
        label=label,
        n=int(followup.size),
        events=int(times.size),
        timeline=(float(start), *grid.tolist()),
        mcf=(0.0, *mcf.tolist()),
        std_err=(0.0, *se.tolist()),
        ci_low=(0.0, *(mcf / spread).tolist()),
        ci_high=(0.0, *(mcf * spread).tolist()),
        at_risk=(int(followup.size), *at_risk.astype(int).tolist()),
        events_at=(0, *events_at.astype(int).tolist()),
        conf_level=conf_level,
    )


def mean_cumulative_function(
    patients: pd.DataFrame,
    relapses: pd.DataFrame,
    *,
    group_by: str | None = None,
    grace_months: float = 0.0,
    conf_level: float = 0.95,
) -> MeanCumulativeFunction:
    """Mean cumulative number of relapses per patient since the first rituximab infusion.

    Counts every relapse in ``(grace_months, followup_months]`` (default: every relapse after
    the first infusion) and puts each patient at risk from ``grace_months`` to their last
    follow-up; duplicate records of one patient's relapse at the same month both count, as in
    the relapse rates. See :func:`mcf_curve` for the estimator and the R call it matches.
    Unlike ``1 - KM`` it keeps counting after a patient's first relapse, so it shows whether
    relapses on rituximab are one-off events or keep coming.
    """
    people, events = _post_relapses(patients, relapses, grace_months)
    notes: list[str] = []
    if len(people) < len(patients):
        notes.append(
            PluralMessage(
                "{n} patient followed no longer than the {months}-month grace period is left out.",
                "{n} patients followed no longer than the {months}-month grace period are left "
                "out.",
                n=len(patients) - len(people),
                months=general(grace_months),
            )
        )
    parts, group_notes = _groups(people, group_by)
    notes.extend(group_notes)
    curves = []
    for label, mask in parts:
        members = people[mask].reset_index(drop=True)
        index = {pid: i for i, pid in enumerate(members["patient_id"])}
        mine = events[events["patient_id"].isin(index.keys())]
        curves.append(
            mcf_curve(
                members["followup_months"].to_numpy(dtype=float),
                mine["patient_id"].map(index).to_numpy(dtype=int),
                mine["months_from_rtx"].to_numpy(dtype=float),
                start=grace_months,
                label=label,
                conf_level=conf_level,
            )
        )
    return MeanCumulativeFunction(
        group_by=group_by,
        grace_months=float(grace_months),
        curves=tuple(curves),
        notes=tuple(notes),
    )
