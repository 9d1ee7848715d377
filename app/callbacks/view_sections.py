"""The report of a view in sections, each computed when a panel that shows it is on screen.

A filter change with the Survival tab open computes the core section (counts, cards, curves)
only; the Cox models, lesion timing, subgroup rates, Table 1 and MANCOVA are computed when
their tab is opened, and then cached for that view. ``report_for`` composes the whole
report from the same cached sections (analytics.reports.report.compose_report, as the CLI's
``build_report`` does), for the HTML export and the methods paragraph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import TypeVar

from analytics.data.cohort import Cohort
from analytics.reports.lesion_timing import LesionTiming
from analytics.reports.report import Report, compose_report
from analytics.reports.sections import (
    CoreSection,
    HazardsSection,
    TablesSection,
    core_section,
    hazards_section,
    lesion_section,
    rates_section,
    tables_section,
    with_patients,
    without_patients,
)
from analytics.stats.subgroups import SubgroupRate
from app.state.lru import BoundedCache
from app.state.shared_cache import shared_cached
from app.state.shared_store import from_pickle, to_pickle
from app.state.view_state import ViewState

T = TypeVar("T")

# Sections by (section, cohort content, the choices it depends on): going back to a view or
# opening a tab already computed costs a lookup. Bounded by count and by patients summed,
# since a registry-sized core section holds the analysed frame and long curves (at most four
# 100 000-patient views per worker, the benchmarks' peak-RSS run, as the whole reports were).
SECTION_CACHE_ITEMS = 64 * 5
SECTION_CACHE_PATIENTS = 400_000
_sections: BoundedCache[object] = BoundedCache(SECTION_CACHE_ITEMS, SECTION_CACHE_PATIENTS)
# The other sections hold models and tables whose size does not grow with the patients
# (a few numbers per term or level): they weigh little against the core's frame and curves.
SMALL_SECTION_SHARE = 0.05


def core_key(cohort: Cohort, state: ViewState) -> tuple[Hashable, ...]:
    """What the core section depends on (and so everything derived from it)."""
    return (
        cohort.fingerprint,
        cohort.label,
        cohort.synthetic,
        state.filters(),
        state.group_by,
        state.covariates,
        state.conf_level,
    )


def hazards_key(cohort: Cohort, state: ViewState) -> tuple[Hashable, ...]:
    return (*core_key(cohort, state), state.zph_transform)


def lesion_key(cohort: Cohort, state: ViewState) -> tuple[Hashable, ...]:
    exposure = (state.exposure, state.exposure_months, state.exposure_covariates)
    return (*core_key(cohort, state), state.landmark, exposure)


def table_one_key(cohort: Cohort, state: ViewState) -> tuple[Hashable, ...]:
    return (*core_key(cohort, state), state.table_by)


def mancova_key(cohort: Cohort, state: ViewState) -> tuple[Hashable, ...]:
    design = (state.mancova_dependent, state.mancova_factor, state.mancova_covariates)
    return (*core_key(cohort, state), design)


def digest(*parts: object) -> str:
    """A short fingerprint of a key, for the page's "last rendered" stores: it tells one
    view from another without sending filter values or data to the browser."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:24]


def _cached(
    kind: str,
    key: tuple[Hashable, ...],
    compute: Callable[[], T],
    weight: float,
    codec: dict[str, Callable] | None = None,
) -> T:
    # With REDIS_URL every worker and container shares the sections it computed
    # (app/state/shared_cache.py); without it, this worker's cache alone.
    value = shared_cached(
        "sections",
        (kind, key),
        compute,
        local=_sections,
        weight=lambda _: weight,
        **(codec or {}),
    )
    return value  # type: ignore[return-value]


def core_without_patients(core: CoreSection) -> bytes:
    """The core section as Redis keeps it: without its per-patient rows. They are its bulk at
    registry size (every filtered patient, per view), and every worker holds the cohort they
    derive from: rebuilding them costs less than shipping them, and keeps patient rows out of
    Redis."""
    return to_pickle(without_patients(core))


def core_with_patients(payload: bytes, cohort: Cohort) -> CoreSection:
    """A core section from Redis with its per-patient rows rebuilt from this worker's cohort."""
    core = from_pickle(payload)
    if not isinstance(core, CoreSection):
        raise TypeError("not a core section")
    return with_patients(core, cohort)


def _patients(cohort: Cohort) -> float:
    return float(max(1, len(cohort.patients)))


def core_for(cohort: Cohort, state: ViewState) -> CoreSection:
    """Counts, cards and Kaplan–Meier curves of this view (always on screen)."""
    return _cached(
        "core",
        core_key(cohort, state),
        lambda: core_section(
            cohort,
            state.filters(),
            group_by=state.group_by,
            covariates=state.covariates,
            conf_level=state.conf_level,
        ),
        _patients(cohort),
        codec={
            "encode": core_without_patients,
            "decode": lambda payload: core_with_patients(payload, cohort),
        },
    )


def hazards_for(cohort: Cohort, state: ViewState) -> HazardsSection:
    """The Hazard ratios tab's Cox models of this view."""
    core = core_for(cohort, state)
    return _cached(
        "hazards",
        hazards_key(cohort, state),
        lambda: hazards_section(core, state.zph_transform),
        _patients(cohort) * SMALL_SECTION_SHARE,
    )


def lesion_for(cohort: Cohort, state: ViewState) -> LesionTiming | None:
    """The Lesion timing tab's three models of this view's exposure."""
    core = core_for(cohort, state)
    exposure = (state.exposure, state.exposure_months, state.exposure_covariates)
    return _cached(
        "lesions",
        lesion_key(cohort, state),
        # The naive model is refitted here rather than waiting for the Cox models of a tab
        # that may never be opened: the same call, the same numbers.
        lambda: lesion_section(core, state.landmark, exposure, patients=cohort.patients),
        _patients(cohort) * SMALL_SECTION_SHARE,
    )


def rates_for(cohort: Cohort, state: ViewState) -> tuple[SubgroupRate, ...]:
    """The Failure rates tab's subgroup proportions of this view."""
    core = core_for(cohort, state)
    return _cached(
        "rates",
        core_key(cohort, state),
        lambda: rates_section(core),
        _patients(cohort) * SMALL_SECTION_SHARE,
    )


def tables_for(cohort: Cohort, state: ViewState, table_by: str | None = None) -> TablesSection:
    """Table 1 (by ``table_by``, the state's choice by default) and the MANCOVA."""
    table_by = state.table_by if table_by is None else table_by
    core = core_for(cohort, state)
    design = (state.mancova_dependent, state.mancova_factor, state.mancova_covariates)
    return _cached(
        "tables",
        (*mancova_key(cohort, state), table_by),
        lambda: tables_section(core, table_by, design, patients=cohort.patients),
        _patients(cohort) * SMALL_SECTION_SHARE,
    )


def report_for(cohort: Cohort, state: ViewState, table_by: str | None = None) -> Report:
    """The whole report of this view (every section, each computed once and cached), as
    ``build_report`` composes it for the CLI (``table_by`` overrides the state's)."""
    return compose_report(
        core_for(cohort, state),
        hazards_for(cohort, state),
        lesion_for(cohort, state),
        rates_for(cohort, state),
        tables_for(cohort, state, table_by),
    )
