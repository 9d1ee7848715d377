"""Only the shown tab is computed and sent: the per-tab callbacks and the section cache."""

from __future__ import annotations

import pytest
from dash import Patch, no_update

from analytics.data.cohort import Filters
from analytics.reports import sections as analytics_sections
from analytics.reports.methods import methods_text
from analytics.reports.report import build_report
from app.callbacks import view_sections
from app.callbacks.methods import update_methods
from app.callbacks.report import update_panels
from app.callbacks.tab_panels import update_hazards_tab, update_survival_tab, update_table_tab
from app.layout import ids
from app.layout.tabs import panel_id
from tests.app.page_calls import TAB_CALLBACKS, call, render_page
from tests.dash_text import component_texts

SECTIONS = ("core_section", "hazards_section", "lesion_section", "rates_section", "tables_section")


@pytest.fixture
def computed(monkeypatch):
    """The names of the sections computed (each call of analytics.reports.sections')."""
    calls: list[str] = []
    for name in SECTIONS:
        real = getattr(view_sections, name)

        def counted(*args, _name=name, _real=real, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(view_sections, name, counted)
    return calls


def _hidden_tabs(dash_app, changes, shown="km"):
    """Every tab's callback as the page runs them with ``shown`` open and the rest hidden."""
    out = {}
    for tab, function in TAB_CALLBACKS.items():
        hidden = {
            **changes,
            (ids.COHORT_STORE, "data"): None,
            (panel_id(tab), "hidden"): tab != shown,
        }
        out[tab] = call(function, dash_app, hidden, f"{ids.SEX}.value")
    return out


def test_a_filter_change_with_survival_open_computes_only_the_core(app_context, computed):
    changes = {ids.SEX: "F"}
    call(update_panels, app_context, {**changes, (ids.COHORT_STORE, "data"): None})
    sent = _hidden_tabs(app_context, changes, shown="km")
    assert computed == ["core_section"]
    for tab, outputs in sent.items():
        if tab != "km":
            assert all(value is no_update for value in outputs.values()), tab
    assert sent["km"][ids.KM_GRAPH] is not no_update


def test_opening_a_tab_computes_its_section_for_the_current_view(app_context, computed, demo):
    changes = {ids.SEX: "F", ids.COVARIATES: ["age_at_rtx"]}
    _hidden_tabs(app_context, changes, shown="km")
    assert "hazards_section" not in computed
    opened = call(
        update_hazards_tab,
        app_context,
        {**changes, (ids.COHORT_STORE, "data"): None, (panel_id("hr"), "hidden"): False},
        f"{panel_id('hr')}.hidden",
    )
    assert computed.count("hazards_section") == 1
    expected = build_report(
        demo, Filters(sex="F"), group_by="asymptomatic_lesions", covariates=["age_at_rtx"]
    )
    forest = opened[ids.FOREST_GRAPH]
    shown_hr = sorted(
        x for trace in forest["data"] if trace["mode"] == "markers" for x in trace["x"]
    )
    firth = expected.firth.terms if expected.firth else ()
    expected_hr = sorted(term.hr for term in (*expected.univariable, *expected.cox.terms, *firth))
    assert shown_hr == pytest.approx(expected_hr, rel=1e-12)


def test_a_tab_showing_the_current_view_sends_nothing(app_context, computed):
    changes = {(ids.COHORT_STORE, "data"): None, (panel_id("hr"), "hidden"): False}
    first = call(update_hazards_tab, app_context, changes)
    again = call(
        update_hazards_tab,
        app_context,
        {**changes, (ids.RENDERED_HR, "data"): first[ids.RENDERED_HR]},
    )
    assert all(value is no_update for value in again.values())
    # Another tab's choice (the exposure) leaves the Hazard ratios tab's view as it is.
    other = call(
        update_hazards_tab,
        app_context,
        {
            **changes,
            (ids.RENDERED_HR, "data"): first[ids.RENDERED_HR],
            ids.EXPOSURE_COVARIATES: ["age_at_rtx"],
        },
    )
    assert all(value is no_update for value in other.values())
    changed = call(
        update_hazards_tab,
        app_context,
        {**changes, (ids.RENDERED_HR, "data"): first[ids.RENDERED_HR], ids.SEX: "M"},
    )
    assert changed[ids.FOREST_GRAPH] is not no_update


def test_the_cards_are_not_resent_for_a_tab_choice(app_context, computed):
    changes = {(ids.COHORT_STORE, "data"): None}
    first = call(update_panels, app_context, {**changes, (ids.RENDERED_CORE, "data"): None})
    rendered = {(ids.RENDERED_CORE, "data"): first[ids.RENDERED_CORE]}
    for choice in ({ids.TABLE_BY: "sex"}, {ids.ZPH_TRANSFORM: "rank"}, {ids.HORIZON: 24}):
        again = call(update_panels, app_context, {**changes, **rendered, **choice})
        assert all(value is no_update for value in again.values()), choice
    assert computed == ["core_section"]


def test_the_km_display_options_recompute_nothing(app_context, computed):
    changes = {(ids.COHORT_STORE, "data"): None}
    first = call(update_survival_tab, app_context, {**changes, (ids.RENDERED_KM, "data"): None})
    rendered = {(ids.RENDERED_KM, "data"): first[ids.RENDERED_KM]}
    # CI bands and the failures/censored counts are switched in the browser.
    for options in (["events"], [], ["ci", "events"]):
        again = call(
            update_survival_tab, app_context, {**changes, **rendered, ids.KM_OPTIONS: options}
        )
        assert all(value is no_update for value in again.values()), options
    kmunicate = call(
        update_survival_tab, app_context, {**changes, **rendered, ids.KM_OPTIONS: ["kmunicate"]}
    )
    assert kmunicate[ids.KM_GRAPH] is not no_update
    assert computed == ["core_section"]


def test_a_new_horizon_patches_the_axes_and_the_risk_table_only(app_context, computed):
    changes = {(ids.COHORT_STORE, "data"): None}
    first = call(update_survival_tab, app_context, {**changes, (ids.RENDERED_KM, "data"): None})
    rendered = {(ids.RENDERED_KM, "data"): first[ids.RENDERED_KM]}
    patched = call(update_survival_tab, app_context, {**changes, **rendered, ids.HORIZON: 24})
    assert isinstance(patched[ids.KM_GRAPH], Patch)
    assert patched[ids.KM_SUMMARY] is no_update
    operations = patched[ids.KM_GRAPH].to_plotly_json()["operations"]
    axes = {
        op["location"][1]: op["params"]["value"]
        for op in operations
        if op["location"][0] == "layout"
    }
    assert sorted(axes) == ["xaxis", "xaxis2"]
    for axis in axes.values():
        assert axis["range"][1] == pytest.approx(24 * 1.02)
        assert axis["tickvals"] == [0, 6, 12, 18, 24]  # the at-risk columns follow the ticks
    # The curves stay as drawn: only the at-risk rows (the table's axes, x2/y2) are replaced.
    rows = [op["params"]["value"] for op in operations if op["location"][0] == "data"]
    assert len(rows) == 2
    assert all(row["yaxis"] == "y2" and list(row["x"]) == [0, 6, 12, 18, 24] for row in rows)
    assert computed == ["core_section"]


def test_table_one_choice_leaves_the_mancova_as_it_is(app_context):
    changes = {(ids.COHORT_STORE, "data"): None, (panel_id("table"), "hidden"): False}
    first = call(update_table_tab, app_context, changes)
    again = call(
        update_table_tab,
        app_context,
        {**changes, (ids.RENDERED_TABLE, "data"): first[ids.RENDERED_TABLE], ids.TABLE_BY: "sex"},
    )
    assert again[ids.TABLE_ONE] is not no_update
    assert again[ids.MANCOVA] is no_update


def test_the_methods_are_written_only_while_open(app_context, computed, demo):
    changes = {(ids.COHORT_STORE, "data"): None}
    closed = call(update_methods, app_context, {**changes, (ids.METHODS_TOGGLE, "n_clicks"): 2})
    assert all(value is no_update for value in closed.values())
    assert computed == []
    opened = call(update_methods, app_context, {**changes, (ids.METHODS_TOGGLE, "n_clicks"): 1})
    text = " ".join(component_texts(opened[ids.METHODS]))
    # The paragraph of the whole view, as the CLI's report describes it.
    assert methods_text(build_report(demo, Filters(), group_by="asymptomatic_lesions")) in text
    assert sorted(set(computed)) == sorted(SECTIONS)


def test_the_whole_page_equals_build_report(app_context, demo):
    """Sections computed one by one, then composed, give build_report's numbers."""
    state_changes = {
        ids.SEX: "F",
        ids.COVARIATES: ["age_at_rtx", "sex"],
        ids.GROUP_BY: "gd_persistent",
    }
    page = render_page(app_context, state_changes)
    assert page[ids.LIVE_COUNT] is not None
    from app.callbacks.common import report_for, resolve_view  # noqa: F401 (the page's path)
    from app.state.view_state import ViewState

    composed = report_for(
        demo, ViewState(sex="F", covariates=("age_at_rtx", "sex"), group_by="gd_persistent")
    )
    expected = build_report(
        demo, Filters(sex="F"), group_by="gd_persistent", covariates=["age_at_rtx", "sex"]
    )
    assert composed.to_dict() == expected.to_dict()


def test_build_report_is_its_sections(demo, monkeypatch):
    """The CLI's report computes each section once, in the page's order."""
    calls: list[str] = []
    from analytics.reports import report as report_module

    for name in SECTIONS:
        real = getattr(analytics_sections, name)

        def counted(*args, _name=name, _real=real, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(report_module, name, counted)
    build_report(demo, Filters())
    assert calls == list(SECTIONS)
