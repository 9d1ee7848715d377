"""One call that assembles every panel's results for a cohort and a set of filters.

The dashboard, the CLI and the exports all read this object, which is why the numbers on
the page equal the CLI's for the same filters. It is composed of the sections of
analytics.reports.sections, which the dashboard also computes one at a time (per tab).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from analytics.data.cohort import Cohort, Filters
from analytics.jsonsafe import json_dict
from analytics.reports.lesion_timing import LESION_FLAG, LESION_MONTHS, LesionTiming
from analytics.reports.options import check_open_options
from analytics.reports.sections import (
    DEFAULT_HORIZONS,
    MIN_PATIENTS,
    PH_ALPHA,
    REFERENCE_LEVELS,
    CoreSection,
    HazardsSection,
    TablesSection,
    core_section,
    hazards_section,
    lesion_section,
    rates_section,
    tables_section,
)
from analytics.stats.conditional import ConditionalSurvivalTable, conditional_survival
from analytics.stats.cox.models import CoxModel, HazardTerm
from analytics.stats.cox.zph import ZphResult
from analytics.stats.levels import DEFAULT_CONF_LEVEL, DEFAULT_ZPH_TRANSFORM
from analytics.stats.rates import IncidenceRate, Proportion, RelapseRates
from analytics.stats.subgroups import SubgroupRate
from analytics.stats.survival import KaplanMeier, LogRank, SurvivalAt
from analytics.stats.table_one import MancovaResult, TableOne

# Re-exported: callers and tests have always found these here.
__all__ = [
    "DEFAULT_HORIZONS",
    "MIN_PATIENTS",
    "PH_ALPHA",
    "REFERENCE_LEVELS",
    "Report",
    "build_report",
    "compose_report",
]


@dataclass(frozen=True)
class Report:
    """Everything the panels show for one cohort + filters. ``to_dict`` is the CLI's JSON."""

    cohort_label: str
    synthetic: bool
    fingerprint: str
    filters: Filters
    group_by: str | None
    covariates: tuple[str, ...]
    n: int
    events: int
    person_years: float
    failure_rate: Proportion
    incidence: IncidenceRate
    km: dict[str, KaplanMeier]
    survival_at: dict[str, list[SurvivalAt]]
    risk_table: dict[str, list[SurvivalAt]]
    subgroup_rates: tuple[SubgroupRate, ...]
    logrank: LogRank | None
    univariable: tuple[HazardTerm, ...]
    univariable_models: dict[str, CoxModel]
    cox: CoxModel | None
    firth: CoxModel | None
    ph_test: ZphResult | None
    follow_up: KaplanMeier | None
    lesion_timing: LesionTiming | None
    relapse_rates: RelapseRates | None
    table_one: TableOne | None
    mancova: MancovaResult | None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    conf_level: float = DEFAULT_CONF_LEVEL
    zph_transform: str = DEFAULT_ZPH_TRANSFORM
    conditional: ConditionalSurvivalTable | None = None
    # False when the outcome is the patients file's failure column (no relapses file): the
    # grace period of ``filters`` could not be applied to it.
    grace_applied: bool = True
    # Months columns the upload derived from dates (the methods paragraph says how).
    derived_months: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The CLI contract's keys (docs/cli.md), followed by the extra panels' results."""
        return json_dict(
            {
                "n": self.n,
                "events": self.events,
                "person_years": self.person_years,
                "failure_rate": self.failure_rate.to_dict(),
                "incidence_per_100py": self.incidence.to_dict(),
                "km": {"groups": {k: v.to_dict() for k, v in self.km.items()}},
                "logrank": None if self.logrank is None else self.logrank.to_dict(),
                "univariable": [_term_dict(t) for t in self.univariable],
                "cox": None if self.cox is None else _model_dict(self.cox),
                "warnings": list(self.warnings),
                "cohort": {
                    "label": self.cohort_label,
                    "synthetic": self.synthetic,
                    "fingerprint": self.fingerprint,
                },
                "filters": self.filters.to_dict(),
                "group_by": self.group_by,
                "covariates": list(self.covariates),
                "survival_at": {k: [s.to_dict() for s in v] for k, v in self.survival_at.items()},
                "risk_table": {k: [s.to_dict() for s in v] for k, v in self.risk_table.items()},
                "subgroup_rates": [r.to_dict() for r in self.subgroup_rates],
                "firth": None if self.firth is None else _model_dict(self.firth),
                "ph_test": None if self.ph_test is None else self.ph_test.to_dict(),
                "median_followup": _follow_up_dict(self.follow_up),
                "lesion_timing": None
                if self.lesion_timing is None
                else self.lesion_timing.to_dict(),
                "relapse_rates": None
                if self.relapse_rates is None
                else self.relapse_rates.to_dict(),
                "table_one": None if self.table_one is None else self.table_one.to_dict(),
                "mancova": None if self.mancova is None else self.mancova.to_dict(),
                "conf_level": self.conf_level,
                "zph_transform": self.zph_transform,
                "conditional": None if self.conditional is None else self.conditional.to_dict(),
                "grace_applied": self.grace_applied,
            }
        )


def _term_dict(term: HazardTerm) -> dict[str, object]:
    return {
        "term": term.term,
        "hr": term.hr,
        "ci_low": term.ci_low,
        "ci_high": term.ci_high,
        "p": term.p,
        "coef": term.coef,
        "se": term.se,
        "reference": term.reference,
        "unit": term.unit,
    }


def _model_dict(model: CoxModel) -> dict[str, object]:
    out = model.to_dict()
    out["terms"] = [_term_dict(t) for t in model.terms]
    return out


def _follow_up_dict(km: KaplanMeier | None) -> dict[str, object] | None:
    if km is None:
        return None
    return {
        "median": km.median,
        "ci_low": km.median_ci_low,
        "ci_high": km.median_ci_high,
        "method": "reverse Kaplan-Meier",
    }


def build_report(
    cohort: Cohort,
    filters: Filters | None = None,
    *,
    group_by: str | None = None,
    covariates: Sequence[str] = (),
    landmark_months: float | None = None,
    horizons: Sequence[float] = DEFAULT_HORIZONS,
    conf_level: float = DEFAULT_CONF_LEVEL,
    table_by: str = "failure",
    zph_transform: str = DEFAULT_ZPH_TRANSFORM,
    conditional: tuple[float, float] | None = None,
    exposure: str = LESION_FLAG,
    exposure_months: str = LESION_MONTHS,
    exposure_covariates: Sequence[str] = (),
    mancova_dependent: Sequence[str] | None = None,
    mancova_factor: str | None = None,
    mancova_covariates: Sequence[str] | None = None,
) -> Report:
    """Compute every panel's statistics for ``cohort`` restricted by ``filters``.

    ``group_by`` and each of ``covariates`` get a univariable Cox model; with covariates,
    the multivariable model has ``group_by`` (when it varies) and the covariates.
    Firth-penalized Cox is fitted whenever a model flags a group with 0–1 events. Table 1
    compares the groups of ``table_by`` (failure status by default; any grouping column,
    with failure as one of its rows). ``conf_level`` is the level of every interval;
    ``zph_transform`` the time transform of the cox.zph test; ``conditional`` = (X, Y) months
    adds conditional survival S(X + Y) / S(X) per group. ``exposure`` / ``exposure_months``
    name the time-varying exposure of the naive vs time-dependent vs landmark models
    (asymptomatic lesions by default), adjusted for ``exposure_covariates``; ``mancova_*``
    replace the MANCOVA's default design. Bad choices raise ``CohortValidationError`` naming
    the option, column and rule (analytics.reports.options).
    """
    filters = filters or Filters()
    exposure_choice = (exposure, exposure_months, exposure_covariates)
    design = (mancova_dependent, mancova_factor, mancova_covariates)
    # Every choice is checked before anything is computed (so the CLI names the first broken
    # option whatever the section).
    check_open_options(cohort.patients, table_by, exposure_choice, design)
    core = core_section(
        cohort,
        filters,
        group_by=group_by,
        covariates=covariates,
        horizons=horizons,
        conf_level=conf_level,
    )
    hazards = hazards_section(core, zph_transform)
    return compose_report(
        core,
        hazards,
        lesion_section(core, landmark_months, exposure_choice, hazards.univariable_models),
        rates_section(core),
        tables_section(core, table_by, design),
        None
        if conditional is None
        else conditional_survival(
            core.frame, *conditional, group_by=group_by, conf_level=conf_level
        ),
    )


def compose_report(
    core: CoreSection,
    hazards: HazardsSection,
    lesions: LesionTiming | None,
    rates: tuple[SubgroupRate, ...],
    tables: TablesSection,
    conditional: ConditionalSurvivalTable | None = None,
) -> Report:
    """The whole report of one view from its sections (``build_report``'s, or the
    dashboard's cached ones): the warnings are the sections' notes, core first."""
    notes = [*core.notes, *hazards.notes, *tables.notes]
    return Report(
        cohort_label=core.cohort_label,
        synthetic=core.synthetic,
        derived_months=core.derived_months,
        fingerprint=core.fingerprint,
        filters=core.filters,
        group_by=core.group_by,
        covariates=core.covariates,
        n=core.n,
        events=core.events,
        person_years=core.person_years,
        failure_rate=core.failure_rate,
        incidence=core.incidence,
        km=core.km,
        survival_at=core.survival_at,
        risk_table=core.risk_table,
        subgroup_rates=rates,
        logrank=core.logrank,
        univariable=hazards.univariable,
        univariable_models=hazards.univariable_models,
        cox=hazards.cox,
        firth=hazards.firth,
        ph_test=hazards.ph_test,
        follow_up=core.follow_up,
        lesion_timing=lesions,
        relapse_rates=core.relapse_rates,
        table_one=tables.table_one,
        mancova=tables.mancova,
        warnings=tuple(dict.fromkeys(notes)),
        conf_level=core.conf_level,
        zph_transform=hazards.zph_transform,
        conditional=conditional,
        grace_applied=core.grace_applied,
    )
