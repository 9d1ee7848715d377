"""The open analyses' controls: what a cohort offers, the panels they drive, and a bad choice
from a URL falling back to the default with a note (never a crash)."""

from __future__ import annotations

import pytest

from analytics.data.cohort import Filters
from analytics.reports.report import build_report
from app.layout import ids
from app.state.open_controls import open_options, usable_open_state
from app.state.view_state import ViewState
from components.text.format import format_hr
from i18n.language import using_language
from tests.app.page_calls import render_page
from tests.dash_text import component_texts

EXPOSURE = {ids.EXPOSURE: "gd_persistent", ids.EXPOSURE_MONTHS: "asymptomatic_lesion_months"}


def _panel(app, component_id: str, **changes) -> str:
    return " ".join(component_texts(render_page(app, changes)[component_id]))


def _values(options, component_id: str) -> set[str]:
    return {option["value"] for option in options.by_id[component_id]}


def test_the_dropdowns_offer_only_columns_that_fit(demo):
    options = open_options(demo.patients)
    flags = _values(options, ids.EXPOSURE)
    assert {"asymptomatic_lesions", "gd_persistent"} <= flags
    assert not flags & {"sex", "age_at_rtx", "fcgr3a_v158f", "failure", "patient_id"}
    onsets = _values(options, ids.EXPOSURE_MONTHS)
    assert "asymptomatic_lesion_months" in onsets
    assert not onsets & {"sex", "fcgr3a_v158f", "patient_id"}
    groupings = _values(options, ids.TABLE_BY)
    assert {"failure", "sex", "fcgr3a_v158f", "asymptomatic_lesions"} <= groupings
    assert not groupings & {"age_at_rtx", "patient_id", "followup_months"}
    assert "time_months" in _values(options, ids.MANCOVA_DEPENDENT)
    assert "sex" not in _values(options, ids.MANCOVA_DEPENDENT)


def test_the_lesion_tab_names_the_chosen_exposure_with_build_reports_numbers(app_context, demo):
    text = _panel(app_context, ids.LESION_PANEL, **EXPOSURE)
    expected = build_report(
        demo, Filters(), group_by="asymptomatic_lesions", landmark_months=12.0,
        exposure="gd_persistent", exposure_months="asymptomatic_lesion_months",
    ).lesion_timing  # fmt: skip
    assert "Persistent Gd enhancement and treatment failure" in text
    assert "Naive (Persistent Gd enhancement as a baseline covariate)" in text
    assert "lesion as a baseline" not in text
    term = expected.time_dependent.terms[0]
    assert format_hr(term.hr, term.ci_low, term.ci_high) in text


def test_the_default_exposure_keeps_the_studys_words(app_context):
    text = _panel(app_context, ids.LESION_PANEL)
    assert "Asymptomatic lesions and treatment failure" in text


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (ViewState(exposure="sex"), "option --exposure, row 2, column sex"),
        (ViewState(exposure="gd_persistent", exposure_months="nope"), "column nope: is not"),
        (ViewState(table_by="age_at_rtx"), "column age_at_rtx: has"),
        (ViewState(mancova_factor="patient_id"), "option --mancova-factor, column patient_id"),
        (ViewState(mancova_dependent=("time_months",)), "needs at least two dependent"),
    ],
)
def test_a_bad_choice_from_a_url_falls_back_to_the_default_with_a_note(demo, state, message):
    usable, notes = usable_open_state(state, demo.patients)
    assert usable == ViewState()
    assert len(notes) == 1
    assert message in notes[0]


def test_the_note_is_in_the_pages_language(demo):
    with using_language("es"):
        _, notes = usable_open_state(ViewState(table_by="age_at_rtx"), demo.patients)
    assert notes[0].startswith("opción --table-by, columna age_at_rtx: tiene")


def test_a_bad_choice_on_the_page_is_a_note_not_a_crash(app_context):
    text = _panel(app_context, ids.WARNINGS, **{ids.EXPOSURE: "sex"})
    assert "must be 0/1 (a binary exposure)" in text
    assert "Asymptomatic lesions and treatment failure" in _panel(
        app_context, ids.LESION_PANEL, **{ids.EXPOSURE: "sex"}
    )


def test_table_one_follows_its_dropdown(app_context, demo):
    text = _panel(app_context, ids.TABLE_ONE, **{ids.TABLE_BY: "fcgr3a_v158f"})
    expected = build_report(demo, Filters(), table_by="fcgr3a_v158f").table_one
    assert expected.group_labels == ("FF", "VF", "VV")
    for label in expected.group_labels:
        assert label in text


def test_mancova_follows_its_dropdowns(app_context, demo):
    changes = {ids.MANCOVA_FACTOR: "sex", ids.MANCOVA_COVARIATES: ["age_at_rtx"]}
    text = _panel(app_context, ids.MANCOVA, **changes)
    assert "factor Sex" in text
    assert "covariates Age at rituximab" in text


def test_the_multiple_choice_dropdowns_speak_the_pages_language():
    """Dash's own dropdown texts ("2 selected", "Select All", "Search") were English on the
    Spanish page (seen in a screenshot of the Table 1 & MANCOVA tab)."""
    from dash import dcc

    from app.layout.open_analyses import exposure_controls, mancova_controls

    def dropdowns(row):
        found = []

        def walk(node):
            if isinstance(node, dcc.Dropdown):
                found.append(node)
            children = getattr(node, "children", None)
            for child in children if isinstance(children, list) else [children]:
                if child is not None and not isinstance(child, str):
                    walk(child)

        walk(row)
        return found

    with using_language("es"):
        spanish = dropdowns(mancova_controls(None)) + dropdowns(exposure_controls(None))
    assert len(spanish) == 3
    for dropdown in spanish:
        labels = dropdown.labels
        assert labels["selected_count"] == "{num_selected} seleccionadas"
        assert labels["search"] == "Buscar"
        assert labels["select_all"] == "Seleccionar todas"
