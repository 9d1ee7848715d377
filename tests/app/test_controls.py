"""Filter controls <-> ViewState, and what the controls offer for a given cohort."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.layout import ids
from app.layout.page import build_layout
from app.state.controls import (
    CONTROL_IDS,
    EDSS_BOUNDS,
    cohort_controls,
    controls_from_state,
    state_from_controls,
)
from app.state.view_state import ALL, DEFAULT_GROUP_BY, NO_GROUP, ViewState
from tests.conftest import make_cohort

AGE_BOUNDS = (18.0, 75.0)
HORIZON_VALUES = (None, 12.0, 24.0, 36.0, 60.0, 120.0)


def _finite(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def _restricting_span(bounds: tuple[float, float]) -> st.SearchStrategy:
    """None, or a range that does not cover the slider's whole extent (so it filters)."""
    pairs = st.tuples(_finite(*bounds), _finite(*bounds)).map(lambda p: tuple(sorted(p)))
    restricting = pairs.filter(lambda p: not (p[0] <= bounds[0] and p[1] >= bounds[1]))
    return st.none() | restricting


NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,19}", fullmatch=True).filter(lambda n: n != NO_GROUP)
STATES = st.builds(
    ViewState,
    sex=st.sampled_from([None, "F", "M"]),
    age=_restricting_span(AGE_BOUNDS),
    edss=_restricting_span(EDSS_BOUNDS),
    lesions=st.sampled_from([None, 0, 1]),
    gd_persistent=st.sampled_from([None, 0, 1]),
    fcgr3a=st.sampled_from([None, "VV", "VF", "FF"]),
    grace_months=_finite(0, 12),
    group_by=st.none() | st.just(DEFAULT_GROUP_BY) | NAMES,
    covariates=st.lists(NAMES, max_size=4).map(tuple),
    horizon=st.sampled_from(HORIZON_VALUES) | _finite(0.5, 1e7),
    landmark=_finite(0.5, 1e7),
)


@given(STATES)
def test_state_to_controls_and_back_is_identity(state):
    values = controls_from_state(state, AGE_BOUNDS)
    assert state_from_controls(values, AGE_BOUNDS) == state


@given(STATES)
def test_controls_give_one_value_per_control(state):
    assert len(controls_from_state(state, AGE_BOUNDS)) == len(CONTROL_IDS)


def test_default_state_shows_sliders_at_full_extent():
    values = dict(zip(CONTROL_IDS, controls_from_state(ViewState(), AGE_BOUNDS), strict=True))
    assert (values[ids.AGE], values[ids.EDSS]) == (list(AGE_BOUNDS), list(EDSS_BOUNDS))


@pytest.mark.parametrize(
    ("age", "edss"),
    [
        ([18, 75], [0, 10]),
        ([18.0, 75.0], [0.0, 10.0]),
        ((18, 75), (0, 10)),
        ([10, 90], [-1, 11]),  # beyond the extent restricts nothing either
    ],
)
def test_a_range_slider_at_full_extent_means_no_filter(age, edss):
    values = list(controls_from_state(ViewState(), AGE_BOUNDS))
    values[CONTROL_IDS.index(ids.AGE)] = age
    values[CONTROL_IDS.index(ids.EDSS)] = edss
    state = state_from_controls(tuple(values), AGE_BOUNDS)
    assert (state.age, state.edss) == (None, None)


@pytest.mark.parametrize(
    ("age", "expected"),
    [([19, 75], (19.0, 75.0)), ([18, 74], (18.0, 74.0)), ([30, 40], (30.0, 40.0))],
)
def test_moving_either_slider_end_filters(age, expected):
    values = list(controls_from_state(ViewState(), AGE_BOUNDS))
    values[CONTROL_IDS.index(ids.AGE)] = age
    assert state_from_controls(tuple(values), AGE_BOUNDS).age == expected


@pytest.mark.parametrize("bad", [None, [], [30], "30-40", [1, 2, 3]])
def test_a_missing_or_malformed_slider_value_means_no_filter(bad):
    values = list(controls_from_state(ViewState(), AGE_BOUNDS))
    values[CONTROL_IDS.index(ids.AGE)] = bad
    assert state_from_controls(tuple(values), AGE_BOUNDS).age is None


@pytest.mark.parametrize("landmark", [None, 0, -5, "12"])
def test_an_unusable_landmark_falls_back_to_12_months(landmark):
    values = list(controls_from_state(ViewState(), AGE_BOUNDS))
    values[CONTROL_IDS.index(ids.LANDMARK)] = landmark
    assert state_from_controls(tuple(values), AGE_BOUNDS).landmark == 12.0


def test_radio_values_are_read_as_the_filters_expect():
    values = dict(zip(CONTROL_IDS, controls_from_state(ViewState(), AGE_BOUNDS), strict=True))
    values.update({ids.SEX: "M", ids.LESIONS: "1", ids.GD: "0", ids.FCGR3A: "VF"})
    state = state_from_controls(tuple(values[c] for c in CONTROL_IDS), AGE_BOUNDS)
    assert (state.sex, state.lesions, state.gd_persistent, state.fcgr3a) == ("M", 1, 0, "VF")


def test_the_layout_defaults_are_the_default_state(demo):
    """The controls as first rendered mean 'no filter' (the URL stays empty on load)."""
    layout = build_layout(demo)
    values = tuple(layout[cid].value for cid in CONTROL_IDS)
    bounds = (float(layout[ids.AGE].min), float(layout[ids.AGE].max))
    assert state_from_controls(values, bounds) == ViewState()


def test_the_layout_shows_the_default_state_as_controls_from_state_does(demo):
    layout = build_layout(demo)
    bounds = (float(layout[ids.AGE].min), float(layout[ids.AGE].max))
    rendered = [layout[cid].value for cid in CONTROL_IDS]
    expected = list(controls_from_state(ViewState(), bounds))
    assert rendered == expected


# --- what the controls offer for a cohort ------------------------------------------------


def test_demo_shows_every_contract_filter(demo):
    assert all(cohort_controls(demo).visible.values())


def test_demo_groupings_are_the_few_level_columns(demo):
    offered = [o["value"] for o in cohort_controls(demo).group_options]
    assert offered == [NO_GROUP, "sex", "asymptomatic_lesions", "gd_persistent", "fcgr3a_v158f"]


def test_demo_covariates_exclude_outcome_and_identifier_columns(demo):
    offered = {o["value"] for o in cohort_controls(demo).covariate_options}
    assert offered == {
        "sex",
        "age_at_rtx",
        "edss_baseline",
        "asymptomatic_lesions",
        "gd_persistent",
        "fcgr3a_v158f",
    }


def test_demo_age_bounds_enclose_every_age(demo):
    low, high = cohort_controls(demo).age_bounds
    ages = demo.patients["age_at_rtx"].dropna()
    assert (low, high) == (float(int(ages.min())), float(-int(-ages.max() // 1)))


def _minimal_patients() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "patient_id": ["A", "B", "C", "D"],
            "followup_months": [10.0, 20.0, 30.0, 40.0],
            "failure": [1.0, 0.0, 0.0, 1.0],
            "failure_months": [8.0, None, None, 30.0],
        }
    )


def test_filters_for_absent_columns_are_hidden():
    controls = cohort_controls(make_cohort(_minimal_patients()))
    assert controls.visible == dict.fromkeys(
        (ids.SEX, ids.AGE, ids.EDSS, ids.LESIONS, ids.GD, ids.FCGR3A), False
    )


def test_a_cohort_without_ages_gets_a_default_age_range():
    controls = cohort_controls(make_cohort(_minimal_patients()))
    assert controls.age_bounds == (0.0, 100.0)


def test_a_cohort_without_optional_columns_offers_no_grouping_but_none():
    controls = cohort_controls(make_cohort(_minimal_patients()))
    assert [o["value"] for o in controls.group_options] == [NO_GROUP]


def test_only_the_present_contract_columns_are_visible(small_patients):
    patients = small_patients.drop(columns=["fcgr3a_v158f", "edss_baseline"])
    visible = cohort_controls(make_cohort(patients)).visible
    hidden = sorted(cid for cid, shown in visible.items() if not shown)
    assert hidden == sorted([ids.FCGR3A, ids.EDSS])


@pytest.fixture
def with_extras(demo):
    """The demo patients plus extra columns of few, many, one and no levels."""
    patients = demo.patients.copy()
    n = len(patients)
    patients["centre"] = [("north", "south", "east")[i % 3] for i in range(n)]
    patients["crp_mg_l"] = [0.5 * i for i in range(n)]
    patients["site_region"] = ["EU"] * n
    patients["unused"] = [None] * n
    return make_cohort(patients)


def test_extra_few_level_columns_are_offered_as_groupings(with_extras):
    offered = [o["value"] for o in cohort_controls(with_extras).group_options]
    assert "centre" in offered


@pytest.mark.parametrize("column", ["crp_mg_l", "site_region", "unused"])
def test_extra_columns_with_many_one_or_no_levels_are_not_groupings(with_extras, column):
    offered = [o["value"] for o in cohort_controls(with_extras).group_options]
    assert column not in offered


def test_extra_columns_with_variation_are_offered_as_covariates(with_extras):
    offered = {o["value"] for o in cohort_controls(with_extras).covariate_options}
    assert {"centre", "crp_mg_l"} <= offered


@pytest.mark.parametrize("column", ["site_region", "unused", "patient_id", "failure_months"])
def test_constant_empty_and_outcome_columns_are_not_covariates(with_extras, column):
    offered = {o["value"] for o in cohort_controls(with_extras).covariate_options}
    assert column not in offered


def test_radio_all_means_no_restriction():
    values = list(controls_from_state(ViewState(), AGE_BOUNDS))
    assert values[CONTROL_IDS.index(ids.SEX)] == ALL


@pytest.mark.parametrize(("levels", "offered"), [(2, True), (8, True), (9, False)])
def test_grouping_needs_two_to_eight_levels(demo, levels, offered):
    patients = demo.patients.copy()
    patients["arm"] = [f"L{i % levels}" for i in range(len(patients))]
    options = [o["value"] for o in cohort_controls(make_cohort(patients)).group_options]
    assert ("arm" in options) is offered


@pytest.mark.parametrize("months", [12.0, 24.0, 36.0, 60.0, 120.0])
def test_a_horizon_shows_as_its_dropdown_value(months):
    values = controls_from_state(ViewState(horizon=months), AGE_BOUNDS)
    assert values[CONTROL_IDS.index(ids.HORIZON)] == f"{int(months)}"
