"""Everything the Relapses panel shows for one cohort + filters + grouping, in one result.

Treatment failure keeps only a patient's first relapse after the grace period; this report
uses all of them (:mod:`analytics.stats.recurrent`): annualized relapse rates before and after
rituximab per group with exact Poisson CIs, the after-vs-before rate ratio (negative binomial,
Poisson beside it), the between-group rate ratio, the mean cumulative number of relapses over
time and the Andersen–Gill Cox model of every post-rituximab relapse.

Every method counts relapses after the same grace period as the failure definition (the
filter panel's control), so the panel and the survival analyses describe the same follow-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd

from analytics.budget import check_deadline
from analytics.data.choices import check_choices
from analytics.data.cohort import Cohort, Filters, analysis_frame
from analytics.jsonsafe import json_dict
from analytics.reports.report import REFERENCE_LEVELS
from analytics.stats.rates import DEFAULT_PRE_WINDOW_MONTHS, RelapseRates
from analytics.stats.recurrent import (
    AndersenGillModel,
    CountModel,
    MeanCumulativeFunction,
    RateRatioModel,
    andersen_gill,
    mean_cumulative_function,
    pre_post_rate_ratio,
    relapse_rate_ratio,
    relapse_rates_by_group,
)
from analytics.stats.subgroups import level_labels
from i18n.language import N_, Message, as_message, reason

ALL = "All"
# Negative binomial first: the headline (it allows between-patient variation in relapse
# frequency); Poisson beside it, for readers who know that model.
MODELS: tuple[CountModel, ...] = ("negative_binomial", "poisson")
Result = TypeVar("Result")


# What _noted needs of a fit: the notes it adds under a prefix.
class _Noted(Protocol):
    @property
    def notes(self) -> tuple[str, ...]: ...


Fit = TypeVar("Fit", bound=_Noted)


@dataclass(frozen=True)
class GroupRelapses:
    """Pre/post annualized relapse rates of one group and its after-vs-before rate ratios.

    ``label`` is "All" for the whole filtered cohort, else the level of ``group_by`` ("0"/"1"
    for a 0/1 column). A model is None when it could not be fitted (the reason is in the
    group's ``notes``, which the UI prefixes with the group's name).
    """

    label: str
    n: int
    rates: RelapseRates | None
    after_vs_before_nb: RateRatioModel | None
    after_vs_before_poisson: RateRatioModel | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelapseReport:
    """The Relapses panel's results. ``available`` is False when the cohort has no relapses
    file (every other field is then empty); ``groups`` starts with "All" and, when a grouping
    is chosen, continues with one entry per level in sorted order. ``notes`` are the
    between-group, MCF and Andersen–Gill notes; each group's own are in its entry."""

    available: bool
    n: int
    group_by: str | None
    grace_months: float
    pre_window_months: float
    groups: tuple[GroupRelapses, ...]
    between_nb: RateRatioModel | None
    between_poisson: RateRatioModel | None
    mcf: MeanCumulativeFunction | None
    andersen_gill: AndersenGillModel | None
    notes: tuple[str, ...] = ()
    conf_level: float = 0.95

    def to_dict(self, *, per_patient: bool = True) -> dict[str, Any]:
        """Plain JSON-safe data (NaN and infinities become None).

        ``per_patient=False`` leaves out each group's per-patient rates (``rates.patients``):
        the panel shows none, and they would repeat every patient once per group.
        """
        result: dict[str, Any] = json_dict(asdict(self))
        if not per_patient:
            for group in result["groups"]:
                if group["rates"] is not None:
                    del group["rates"]["patients"]
        return result

    def group(self, label: str) -> GroupRelapses:
        """The entry of group ``label`` ("All" for the whole filtered cohort)."""
        for entry in self.groups:
            if entry.label == label:
                return entry
        raise KeyError(f"no group {label!r}; groups are {[g.label for g in self.groups]}")


def _attempt(what: str, fit: Callable[[], Result], notes: list[str]) -> Result | None:
    """``fit()``, or None with a note naming ``what`` when the data cannot support it.

    The recurrent-event functions raise ValueError for data they cannot model (no person-time,
    a grouping column missing, singular designs); those are facts about this subgroup for the
    reader, not bugs. Anything else propagates and is logged by the callback's guard.
    """
    try:
        return fit()
    except (ValueError, np.linalg.LinAlgError) as error:
        notes.append(
            Message("{what}: not computed ({reason}).", what=as_message(what), reason=reason(error))
        )
        return None


# The after-vs-before model's term is called post_rituximab; its separation note then reads
# "The group “post_rituximab: 1” has no relapses" (analytics.stats.design.Design.describe),
# which no clinician would say.
_PLAIN = {
    "The group “post_rituximab: 1” has no relapses: its ratio is 0 or infinite (separation) "
    "and is not reported.": Message(
        "No relapses after rituximab: the after-vs-before ratio is 0 (separation) and is not "
        "estimated."
    ),
    "The group “post_rituximab: 0” has no relapses: its ratio is 0 or infinite "
    "(separation) and is not reported.": Message(
        "No relapses before rituximab: the after-vs-before ratio is infinite (separation) and "
        "is not estimated."
    ),
}


def _prefixed(prefix: str, messages: tuple[str, ...]) -> list[str]:
    return [
        Message("{model}: {note}", model=as_message(prefix), note=as_message(_PLAIN.get(m, m)))
        for m in messages
    ]


def _noted(what: str, prefix: str, fit: Callable[[], Fit], notes: list[str]) -> Fit | None:
    """:func:`_attempt`, and the fit's own notes added under ``prefix``."""
    fitted = _attempt(what, fit, notes)
    if fitted is not None:
        notes.extend(_prefixed(prefix, fitted.notes))
    return fitted


def _each_model(
    what: str, prefix: str, fit: Callable[..., RateRatioModel], notes: list[str]
) -> dict[str, RateRatioModel | None]:
    """``fit(model=m)`` for every count model ``m`` of MODELS; a failure is noted as ``what``
    (a msgid with a ``{model}`` placeholder), a fit's own notes under ``prefix``."""
    return {
        model: _noted(
            Message(what, model=model.replace("_", " ")), prefix, partial(fit, model=model), notes
        )
        for model in MODELS
    }


def _group_entry(
    label: str,
    members: pd.DataFrame,
    relapses: pd.DataFrame,
    grace_months: float,
    conf_level: float = 0.95,
) -> GroupRelapses:
    notes: list[str] = []
    rates = _attempt(
        N_("Relapse rates"),
        partial(
            relapse_rates_by_group,
            members,
            relapses,
            None,
            grace_months=grace_months,
            conf_level=conf_level,
        ),
        notes,
    )
    models = _each_model(
        N_("After-vs-before rate ratio ({model})"),
        # No model name in the prefix: a note both models share is then listed once.
        N_("After vs before rituximab"),
        partial(
            pre_post_rate_ratio,
            members,
            relapses,
            grace_months=grace_months,
            conf_level=conf_level,
        ),
        notes,
    )
    return GroupRelapses(
        label=label,
        n=len(members),
        rates=None if rates is None else rates.groups[0].rates,
        after_vs_before_nb=models["negative_binomial"],
        after_vs_before_poisson=models["poisson"],
        notes=tuple(dict.fromkeys(notes)),
    )


def _group_reference(frame: pd.DataFrame, group_by: str) -> dict[str, str]:
    """The grouping as a categorical term: its reference level is the clinical convention
    (female, FF) where there is one, else the first level in sorted order (0 = "no")."""
    levels = sorted(level_labels(frame[group_by]).dropna().unique())
    reference = REFERENCE_LEVELS.get(group_by)
    if reference not in levels:
        reference = levels[0] if levels else None
    return {} if reference is None else {group_by: str(reference)}


def _empty(
    available: bool,
    n: int,
    group_by: str | None,
    grace: float,
    notes: list[str],
    conf_level: float,
) -> RelapseReport:
    return RelapseReport(
        available=available,
        n=n,
        group_by=group_by,
        grace_months=grace,
        pre_window_months=DEFAULT_PRE_WINDOW_MONTHS,
        groups=(),
        between_nb=None,
        between_poisson=None,
        mcf=None,
        andersen_gill=None,
        notes=tuple(notes),
        conf_level=conf_level,
    )


def build_relapse_report(
    cohort: Cohort, filters: Filters, group_by: str | None = None, *, conf_level: float = 0.95
) -> RelapseReport:
    """The Relapses panel for ``cohort`` restricted by ``filters``, grouped by ``group_by``.

    Parameters
    ----------
    cohort : Cohort
        The loaded cohort; without a relapses file the report says so (``available`` False).
    filters : Filters
        The filter panel's choices; ``filters.grace_months`` is the grace period every method
        uses (relapses at or before it are not counted after rituximab).
    group_by : str, optional
        A patient column: rates, after-vs-before ratios and MCF curves per level, the
        between-group rate ratio and the Andersen–Gill hazard ratio of that column.
    conf_level : float, default 0.95
        Level of every interval (exact Poisson rates, Wald rate ratios, MCF, Andersen–Gill).

    Returns
    -------
    RelapseReport
        Models match R (see :mod:`analytics.stats.recurrent`): ``glm.nb`` / ``glm(family =
        poisson)`` for rate ratios, ``survfit(..., id = id)`` for the MCF and ``coxph(...
        + cluster(id))`` for Andersen–Gill.
    """
    grace = float(filters.grace_months)
    if cohort.relapses is None:
        return _empty(False, 0, group_by, grace, [], conf_level)
    patients = analysis_frame(cohort, filters)
    notes: list[str] = []
    if patients.empty:
        return _empty(True, 0, group_by, grace, notes, conf_level)
    if group_by is not None and group_by not in patients.columns:
        notes.append(
            Message("The cohort has no column {column}; showing all patients.", column=group_by)
        )
        group_by = None
    # The same rule as the main report: one NB and one Poisson model per level.
    check_choices(cohort.patients, group_by, (), 0)
    relapses = cohort.relapses[cohort.relapses["patient_id"].isin(set(patients["patient_id"]))]
    entries = [_group_entry(ALL, patients, relapses, grace, conf_level)]
    between_nb = between_poisson = ag = None
    if group_by is not None:
        labels = level_labels(patients[group_by])
        for level in sorted(labels.dropna().unique()):
            check_deadline()
            members = patients[(labels == level).to_numpy()]
            entries.append(_group_entry(str(level), members, relapses, grace, conf_level))
        categorical = _group_reference(patients, group_by)
        fits = _each_model(
            N_("Between-group rate ratio ({model})"),
            N_("Rate ratio between groups"),
            partial(
                relapse_rate_ratio,
                patients,
                relapses,
                [group_by],
                grace_months=grace,
                categorical=categorical,
                conf_level=conf_level,
            ),
            notes,
        )
        between_nb, between_poisson = fits["negative_binomial"], fits["poisson"]
        ag = _noted(
            N_("Andersen–Gill model"),
            N_("Andersen–Gill"),
            partial(
                andersen_gill,
                patients,
                relapses,
                [group_by],
                grace_months=grace,
                categorical=categorical,
                conf_level=conf_level,
            ),
            notes,
        )
    mcf = _noted(
        N_("Mean cumulative function"),
        N_("Mean cumulative function"),
        partial(
            mean_cumulative_function,
            patients,
            relapses,
            group_by=group_by,
            grace_months=grace,
            conf_level=conf_level,
        ),
        notes,
    )
    return RelapseReport(
        available=True,
        n=len(patients),
        group_by=group_by,
        grace_months=grace,
        pre_window_months=DEFAULT_PRE_WINDOW_MONTHS,
        groups=tuple(entries),
        between_nb=between_nb,
        between_poisson=between_poisson,
        mcf=mcf,
        andersen_gill=ag,
        notes=tuple(dict.fromkeys(notes)),
        conf_level=conf_level,
    )
