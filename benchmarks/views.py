"""The views a clinician steps through: filter, grouping and covariate changes.

Eight templates cover what the dashboard offers (sex, age, EDSS, lesion, Gd and grace-period
filters; grouping by lesions, sex, genotype or none; zero to three Cox covariates). Each
view also carries an age window that moves with its index, so ``distinct_view(i)`` differs
from every other index below ``UNIQUE_VIEWS``: a result cache keyed on the view (filters,
grouping, covariates) misses on each of them, which is what "recompute after a filter
change" has to measure. Every part of the harness draws from its own index range, so a
cache filled by one measurement never serves another.
"""

from __future__ import annotations

from dataclasses import replace

from app.state.view_state import ViewState

LESIONS = "asymptomatic_lesions"
TEMPLATES = (
    ViewState(group_by=LESIONS),
    ViewState(sex="F", group_by=LESIONS, covariates=(LESIONS, "age_at_rtx")),
    ViewState(edss=(0.0, 4.5), group_by=LESIONS, covariates=(LESIONS,)),
    ViewState(sex="M", group_by=LESIONS, covariates=(LESIONS, "age_at_rtx", "edss_baseline")),
    ViewState(lesions=1, group_by="sex", covariates=("age_at_rtx",)),
    ViewState(edss=(2.0, 6.0), group_by=None, covariates=(LESIONS, "age_at_rtx")),
    ViewState(grace_months=3.0, group_by=LESIONS, covariates=(LESIONS, "sex")),
    ViewState(gd_persistent=0, group_by="fcgr3a_v158f", covariates=(LESIONS, "age_at_rtx")),
)
LOW_STEPS = 20
HIGH_STEPS = 25
UNIQUE_VIEWS = len(TEMPLATES) * LOW_STEPS * HIGH_STEPS

# Index ranges, one per measurement (see the module docstring).
REPORT_START = 0
CALLBACK_START = 200
FITS_START = 400
LOAD_TEST_START = 1000

# The view measured again and again ("repeat view"): the dashboard's opening view, which no
# distinct view equals (they all have an age window).
REPEAT_VIEW = TEMPLATES[0]


def distinct_view(index: int, age_bounds: tuple[float, float]) -> ViewState:
    """The ``index``-th view; its age window stays inside the cohort's ``age_bounds``."""
    template = TEMPLATES[index % len(TEMPLATES)]
    step = (index // len(TEMPLATES)) % (LOW_STEPS * HIGH_STEPS)
    low = age_bounds[0] + 1 + step % LOW_STEPS
    high = age_bounds[1] - 1 - step // LOW_STEPS
    return replace(template, age=(float(low), float(high)))


def distinct_views(start: int, count: int, age_bounds: tuple[float, float]) -> list[ViewState]:
    return [distinct_view(start + i, age_bounds) for i in range(count)]


def describe(view: ViewState) -> str:
    """A short text of a view for the results file, e.g. ``sex=F age=19-78 by lesions``."""
    parts = []
    if view.sex:
        parts.append(f"sex={view.sex}")
    if view.age:
        parts.append(f"age={view.age[0]:g}-{view.age[1]:g}")
    if view.edss:
        parts.append(f"edss={view.edss[0]:g}-{view.edss[1]:g}")
    if view.lesions is not None:
        parts.append(f"lesions={view.lesions}")
    if view.gd_persistent is not None:
        parts.append(f"gd={view.gd_persistent}")
    if view.grace_months != 6.0:
        parts.append(f"grace={view.grace_months:g}")
    parts.append(f"by {view.group_by or 'none'}")
    if view.covariates:
        parts.append("cox " + "+".join(view.covariates))
    return " ".join(parts)
