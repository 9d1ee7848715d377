"""The report in sections, one per part of the page: each computed only when it is shown.

``build_report`` (analytics.reports.report) runs every section in this order and composes
them, so the CLI's JSON and the page's numbers come from the same calls; the dashboard runs
and caches each section on its own, so the Survival tab of a 100 000-patient cohort does not
wait for the Cox models, lesion timing, Table 1 and MANCOVA of tabs nobody opened.

Each section keeps the notes it raised; a whole report's warnings are the sections' notes in
this order (core, hazards, tables), as one ``build_report`` call used to collect them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

from analytics.budget import check_deadline
from analytics.data.choices import check_choices
from analytics.data.cohort import DEFAULT_GRACE_MONTHS, Cohort, Filters, analysis_frame
from analytics.data.labels import column_message
from analytics.reports.display import p_parts
from analytics.reports.lesion_timing import LESION_FLAG, LESION_MONTHS, LesionTiming, lesion_timing
from analytics.reports.model_notes import hazard_model_warnings
from analytics.reports.options import Exposure, MancovaDesign, check_open_options
from analytics.stats.cox.models import CoxModel, HazardTerm, cox_model, firth_cox
from analytics.stats.cox.zph import ZphResult, cox_zph
from analytics.stats.levels import DEFAULT_CONF_LEVEL, DEFAULT_ZPH_TRANSFORM
from analytics.stats.rates import (
    IncidenceRate,
    Proportion,
    RelapseRates,
    annualized_relapse_rates,
    failure_proportion,
    incidence_rate,
)
from analytics.stats.subgroups import SubgroupRate, level_labels, risk_table_times, subgroup_rates
from analytics.stats.survival import (
    KaplanMeier,
    LogRank,
    SurvivalAt,
    kaplan_meier,
    logrank,
    median_followup,
    survival_at,
)
from analytics.stats.table_one import (
    DEFAULT_COVARIATES,
    DEFAULT_FACTOR,
    DEFAULT_TABLE_VARIABLES,
    MancovaResult,
    TableOne,
    default_dependent,
    mancova,
    table_one,
)
from i18n.language import Message, PluralMessage, general, reason

# Clinically conventional reference levels: the majority sex in NMOSD, and the commonest
# FCGR3A-158 genotype.
REFERENCE_LEVELS = {"sex": "F", "fcgr3a_v158f": "FF"}
# Below this, a subgroup's statistics are mostly noise; say so rather than hide them.
MIN_PATIENTS = 10
DEFAULT_HORIZONS = (12.0, 24.0, 60.0)
PH_ALPHA = 0.05
# The open analyses at their defaults (the study's design): nothing of theirs to check.
DEFAULT_EXPOSURE: Exposure = (LESION_FLAG, LESION_MONTHS, ())
DEFAULT_DESIGN: MancovaDesign = (None, None, None)


@dataclass(frozen=True)
class CoreSection:
    """What is always on screen (live count, cards, page warnings) and the Survival tab's
    curves: the filtered patients, their counts, Kaplan–Meier curves and log-rank test."""

    cohort_label: str
    synthetic: bool
    fingerprint: str
    filters: Filters
    group_by: str | None
    covariates: tuple[str, ...]
    conf_level: float
    n: int
    events: int
    person_years: float
    failure_rate: Proportion
    incidence: IncidenceRate
    km: dict[str, KaplanMeier]
    survival_at: dict[str, list[SurvivalAt]]
    risk_table: dict[str, list[SurvivalAt]]
    logrank: LogRank | None
    follow_up: KaplanMeier | None
    relapse_rates: RelapseRates | None
    grace_applied: bool
    notes: tuple[str, ...]
    # The analysed patients, for the other sections of the same view (never in the output).
    frame: pd.DataFrame = field(repr=False, compare=False)
    # Months columns the upload derived from dates (the methods paragraph says how).
    derived_months: tuple[str, ...] = ()


@dataclass(frozen=True)
class HazardsSection:
    """The Hazard ratios tab: univariable, multivariable and Firth Cox models, cox.zph."""

    univariable: tuple[HazardTerm, ...]
    univariable_models: dict[str, CoxModel]
    cox: CoxModel | None
    firth: CoxModel | None
    ph_test: ZphResult | None
    zph_transform: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class TablesSection:
    """The Table 1 & MANCOVA tab."""

    table_one: TableOne | None
    mancova: MancovaResult | None
    notes: tuple[str, ...]


def frame_counts(frame: pd.DataFrame) -> tuple[int, int]:
    """Patients and failures of an analysis frame: the view's n and events."""
    return len(frame), int(frame["failure"].sum())


def view_counts(cohort: Cohort, filters: Filters) -> tuple[int, int]:
    """The view's patients and failures without its curves: what the live count shows while a
    slider still moves (about 11 ms at 100 000 patients, against the core section's curves)."""
    return frame_counts(analysis_frame(cohort, filters))


def core_section(
    cohort: Cohort,
    filters: Filters,
    *,
    group_by: str | None = None,
    covariates: Sequence[str] = (),
    horizons: Sequence[float] = DEFAULT_HORIZONS,
    conf_level: float = DEFAULT_CONF_LEVEL,
) -> CoreSection:
    """The filtered cohort's counts, rates, curves, log-rank test and median follow-up.

    It checks the grouping and the covariates too (analytics.data.choices): a choice that
    would hold the server is refused before any section computes.
    """
    for name in filter(None, [*covariates, group_by]):
        if name not in cohort.patients.columns:
            raise KeyError(f"column {name!r} is not in the cohort")
    frame = analysis_frame(cohort, filters)
    notes = _sample_warnings(frame)
    grace_applied = cohort.relapses is not None
    if not grace_applied and filters.grace_months != DEFAULT_GRACE_MONTHS:
        notes.append(
            Message(
                "The {months}-month grace period was not applied: this cohort's outcome is the "
                "failure column of its patients file, taken as recorded (a grace period needs a "
                "relapses file).",
                months=general(filters.grace_months),
            )
        )
    n, events = frame_counts(frame)
    # Before any model: a free-text grouping or a many-level model would hold the server.
    check_choices(cohort.patients, group_by, covariates, events)
    person_months = float(frame["time_months"].sum())
    curves, at, test = _curves(frame, group_by, horizons, notes, conf_level)
    return CoreSection(
        cohort_label=cohort.label,
        synthetic=cohort.synthetic,
        fingerprint=cohort.fingerprint,
        derived_months=cohort.derived_months,
        filters=filters,
        group_by=group_by,
        covariates=tuple(covariates),
        conf_level=conf_level,
        n=n,
        events=events,
        person_years=person_months / 12.0,
        failure_rate=failure_proportion(events, n, conf_level=conf_level),
        incidence=incidence_rate(events, person_months, conf_level=conf_level),
        km=curves,
        survival_at=at,
        risk_table=_risk_table(curves, frame),
        logrank=test,
        follow_up=median_followup(frame["time_months"], frame["failure"], conf_level=conf_level)
        if n
        else None,
        relapse_rates=_relapse_rates(cohort, frame, filters, conf_level),
        grace_applied=grace_applied,
        notes=tuple(notes),
        frame=frame,
    )


def without_patients(core: CoreSection) -> CoreSection:
    """``core`` without its per-patient rows (the analysed frame and each patient's relapse
    rates), as a cache shared between processes keeps it: at registry size those rows are the
    section's bulk, and any process holding the cohort rebuilds them with ``with_patients``."""
    return replace(core, frame=core.frame.iloc[0:0], relapse_rates=None)


def with_patients(core: CoreSection, cohort: Cohort) -> CoreSection:
    """``core`` (from ``without_patients``) with its per-patient rows rebuilt from ``cohort``,
    by the same calls ``core_section`` made (the cohort must be the section's: same
    fingerprint)."""
    if cohort.fingerprint != core.fingerprint:
        raise ValueError("the section was computed on another cohort")
    frame = analysis_frame(cohort, core.filters)
    rates = _relapse_rates(cohort, frame, core.filters, core.conf_level)
    return replace(core, frame=frame, relapse_rates=rates)


def hazards_section(
    core: CoreSection, zph_transform: str = DEFAULT_ZPH_TRANSFORM
) -> HazardsSection:
    """``group_by`` and each covariate get a univariable Cox model; with covariates, the
    multivariable model has ``group_by`` (when it varies) and the covariates. Firth-penalized
    Cox is fitted whenever a model flags a group with 0–1 events."""
    frame, n, conf_level = core.frame, core.n, core.conf_level
    notes: list[str] = []
    # The grouping variable stays in the multivariable model: adjusting the groups'
    # comparison is what ticking covariates with a grouping asks for.
    uni_names = list(dict.fromkeys(filter(None, [core.group_by, *core.covariates])))
    multi_names = uni_names if core.covariates else []
    univariable, uni_models = _univariable(frame, uni_names, conf_level) if n else ((), {})
    multi = None
    if len(multi_names) == 1 and n:
        multi = uni_models[multi_names[0]]  # the same fit: one covariate, same coding
    elif multi_names and n:
        multi = cox_model(
            frame, multi_names, categorical=_references(frame, multi_names), conf_level=conf_level
        )
    notes.extend(hazard_model_warnings(uni_models, multi))
    firth = None
    target = multi or (next(iter(uni_models.values())) if len(uni_models) == 1 else None)
    if target is not None and target.firth_recommended:
        firth = firth_cox(
            frame, uni_names, categorical=_references(frame, uni_names), conf_level=conf_level
        )
    ph_test = _ph_check(frame, target, uni_names, notes, zph_transform)
    return HazardsSection(
        univariable=univariable,
        univariable_models=uni_models,
        cox=multi,
        firth=firth,
        ph_test=ph_test,
        zph_transform=zph_transform,
        notes=tuple(notes),
    )


def lesion_section(
    core: CoreSection,
    landmark_months: float | None = None,
    exposure: Exposure = DEFAULT_EXPOSURE,
    uni_models: dict[str, CoxModel] | None = None,
    patients: pd.DataFrame | None = None,
) -> LesionTiming | None:
    """Naive vs time-dependent vs landmark Cox models of ``exposure``. ``uni_models`` (the
    hazards section's, when computed) saves refitting the naive model; ``patients`` (the
    cohort's) has the exposure choice checked first, as ``build_report`` checks it."""
    if patients is not None:
        check_open_options(patients, "failure", exposure, DEFAULT_DESIGN)
    if not core.n:
        return None
    return _lesion_timing(core.frame, landmark_months, uni_models or {}, exposure, core.conf_level)


def rates_section(core: CoreSection) -> tuple[SubgroupRate, ...]:
    """Failure proportions by subgroup (the Failure rates tab)."""
    return tuple(subgroup_rates(core.frame, conf_level=core.conf_level)) if core.n else ()


def tables_section(
    core: CoreSection,
    table_by: str = "failure",
    design: MancovaDesign = DEFAULT_DESIGN,
    patients: pd.DataFrame | None = None,
) -> TablesSection:
    """Table 1 by ``table_by`` and the MANCOVA of ``design``; ``patients`` (the cohort's) has
    those choices checked first, as ``build_report`` checks them."""
    if patients is not None:
        check_open_options(patients, table_by, DEFAULT_EXPOSURE, design)
    notes: list[str] = []
    table = _table_one(core.frame, table_by) if core.n else None
    result = _mancova(core.frame, notes, design)
    return TablesSection(table_one=table, mancova=result, notes=tuple(notes))


def _curves(
    frame: pd.DataFrame,
    group_by: str | None,
    horizons: Sequence[float],
    notes: list[str],
    conf_level: float = DEFAULT_CONF_LEVEL,
) -> tuple[dict[str, KaplanMeier], dict[str, list[SurvivalAt]], LogRank | None]:
    if frame.empty:
        return {}, {}, None
    time, failure = frame["time_months"].to_numpy(), frame["failure"].to_numpy()
    if group_by is None:
        km = kaplan_meier(time, failure, label="All", conf_level=conf_level)
        return {"All": km}, {"All": survival_at(km, horizons)}, None
    # Arrays and masks, not frame selections per group: this runs on every filter change.
    all_labels = level_labels(frame[group_by]).to_numpy(dtype=object)
    known = pd.notna(all_labels)
    if not known.all():
        notes.append(
            PluralMessage(
                "{n} patient with no {column} is left out of the grouped curves.",
                "{n} patients with no {column} are left out of the grouped curves.",
                n=int((~known).sum()),
                column=column_message(group_by),
            )
        )
    labels, time, failure = all_labels[known], time[known], failure[known]
    curves, at = {}, {}
    for level in sorted(pd.unique(labels)):
        check_deadline()
        rows = labels == level
        km = kaplan_meier(time[rows], failure[rows], label=level, conf_level=conf_level)
        curves[level], at[level] = km, survival_at(km, horizons)
    test = None
    if len(curves) == 1:
        notes.append(
            Message(
                "Everyone analysed here has {column} = {level}: one group only, so there is no "
                "log-rank test.",
                column=group_by,
                level=str(next(iter(curves))),
            )
        )
    elif len(curves) > 1:
        test = logrank(time, failure, labels)
        if test.df < 1:
            # No failure while two groups were under observation (e.g. no failures at all):
            # survdiff's statistic is 0 on df <= 0, which is no test at all.
            notes.append(
                Message(
                    "No failures while two or more {column} groups were under observation: "
                    "the log-rank test is not defined.",
                    column=group_by,
                )
            )
            test = None
    return curves, at, test


def _univariable(
    frame: pd.DataFrame, names: Sequence[str], conf_level: float = DEFAULT_CONF_LEVEL
) -> tuple[tuple[HazardTerm, ...], dict[str, CoxModel]]:
    models = {
        name: cox_model(
            frame, [name], categorical=_references(frame, [name]), conf_level=conf_level
        )
        for name in names
    }
    terms = tuple(term for model in models.values() for term in model.terms)
    return terms, models


def _references(frame: pd.DataFrame, names: Sequence[str]) -> dict[str, str]:
    return {k: v for k, v in REFERENCE_LEVELS.items() if k in names and k in frame.columns}


def _sample_warnings(frame: pd.DataFrame) -> list[str]:
    notes: list[str] = []
    if len(frame) == 0:
        notes.append(Message("No patients match these filters."))
    elif len(frame) < MIN_PATIENTS:
        notes.append(
            Message(
                "Only {n} patients match these filters (fewer than {minimum}): estimates are "
                "very imprecise.",
                n=len(frame),
                minimum=MIN_PATIENTS,
            )
        )
    if len(frame) and frame["failure"].sum() == 0:
        notes.append(Message("No treatment failures in this group: survival stays at 100%."))
    return notes


def _ph_check(
    frame: pd.DataFrame,
    model: CoxModel | None,
    names: Sequence[str],
    notes: list[str],
    transform: str = DEFAULT_ZPH_TRANSFORM,
) -> ZphResult | None:
    if model is None or not model.terms or model.events < 2:
        return None
    used = sorted({t.covariate for t in model.terms}, key=list(names).index)
    try:
        result = cox_zph(
            frame,
            used,
            time_col="time_months",
            event_col="failure",
            categorical=_references(frame, used),
            transform=transform,
        )
    except (ValueError, ArithmeticError) as error:  # a degenerate fit: report, don't crash
        notes.append(
            Message(
                "The proportional-hazards check could not be computed ({reason}).",
                reason=reason(error),
            )
        )
        return None
    for row in result.rows:
        if row.term != "GLOBAL" and row.p is not None and row.p < PH_ALPHA:
            notes.append(_ph_note(column_message(row.term), row.p))
    return result


def _ph_note(term: str, p: float) -> Message:
    relation, value = p_parts(p)  # the page's p-value rule: never "p = 0.000"
    if relation == "<":
        return Message(
            "Proportional hazards may not hold for {term} (cox.zph score test "
            "p < {p}): its hazard ratio is an average over follow-up.",
            term=term,
            p=value,
        )
    return Message(
        "Proportional hazards may not hold for {term} (cox.zph score test "
        "p = {p}): its hazard ratio is an average over follow-up.",
        term=term,
        p=value,
    )


def _risk_table(curves: dict[str, KaplanMeier], frame: pd.DataFrame) -> dict[str, list[SurvivalAt]]:
    if frame.empty:
        return {}
    times = risk_table_times(float(frame["time_months"].max()))
    return {label: survival_at(km, times) for label, km in curves.items()}


def _table_one(frame: pd.DataFrame, by: str) -> TableOne:
    if by == "failure":
        return table_one(frame)
    variables = [v for v in ("failure", *DEFAULT_TABLE_VARIABLES) if v in frame.columns and v != by]
    return table_one(frame, by=by, variables=variables)


def _relapse_rates(
    cohort: Cohort, frame: pd.DataFrame, filters: Filters, conf_level: float = DEFAULT_CONF_LEVEL
) -> RelapseRates | None:
    if cohort.relapses is None or frame.empty:
        return None
    # annualized_relapse_rates keeps only the relapses of the patients in ``frame`` itself; a
    # second join here cost as much as the whole computation on large cohorts.
    return annualized_relapse_rates(
        frame, cohort.relapses, grace_months=filters.grace_months, conf_level=conf_level
    )


def _lesion_timing(
    frame: pd.DataFrame,
    landmark_months: float | None,
    uni_models: dict[str, CoxModel],
    exposure: Exposure,
    conf_level: float = DEFAULT_CONF_LEVEL,
) -> LesionTiming | None:
    flag, months, covariates = exposure
    # The univariable model of the flag, when there is one, is the naive model (same frame,
    # same coding: no reference level applies to a 0/1 flag), so it is fitted once.
    naive = None if covariates else uni_models.get(flag)
    return lesion_timing(
        frame,
        landmark_months,
        naive=naive,
        exposure=flag,
        exposure_months=months,
        covariates=covariates,
        conf_level=conf_level,
    )


def _mancova(
    frame: pd.DataFrame, notes: list[str], design: MancovaDesign = (None, None, None)
) -> MancovaResult | None:
    dependent, factor, covariates = design
    if len(frame) < MIN_PATIENTS or (factor or DEFAULT_FACTOR) not in frame.columns:
        return None
    dependent = default_dependent(frame) if dependent is None else dependent
    factor = factor or DEFAULT_FACTOR
    if covariates is None:
        # A chosen factor or dependent variable leaves the default covariates, not two roles.
        covariates = [c for c in DEFAULT_COVARIATES if c != factor and c not in dependent]
    try:
        return mancova(frame, dependent=dependent, factor=factor, covariates=covariates)
    except ValueError as error:
        notes.append(Message("MANCOVA not computed: {reason}", reason=reason(error)))
        return None
