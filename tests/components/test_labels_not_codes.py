"""Labels instead of codes (issue 15): every place that used to print a column name or a 0/1
code prints the clinician's label, in English and in Spanish, on the page, in the HTML report
and in the CLI text; an uploaded extra column keeps its name."""

from __future__ import annotations

from html import escape

import pytest

from analytics.data.cohort import Filters, analysis_frame
from analytics.reports.report import build_report
from analytics.reports.table_one_text import mancova_cells, table_one_cells
from analytics.reports.text import render_text
from analytics.stats.conditional import conditional_survival
from components.export.html_report import report_html
from components.panels import analyses as panels
from components.panels.conditional import conditional_panel
from i18n.language import translate_message, using_language
from tests.conftest import make_cohort
from tests.dash_text import component_texts

COVARIATES = ("age_at_rtx", "sex", "edss_baseline")


@pytest.fixture(scope="module")
def report(demo):
    return build_report(demo, Filters(), group_by="asymptomatic_lesions", covariates=COVARIATES)


def _row(cells, name):
    return next(row for row in cells if row[0] == name)


@pytest.mark.parametrize(
    ("language", "lesions", "no", "yes", "sex", "female", "age", "follow_up"),
    [
        ("en", "Asymptomatic lesions", "No", "Yes", "Sex", "Female", "Age at rituximab (years)",
         "Follow-up (months)"),
        ("es", "Lesiones asintomáticas", "No", "Sí", "Sexo", "Mujer",
         "Edad al iniciar rituximab (años)", "Seguimiento (meses)"),
    ],
)  # fmt: skip
def test_table_one_rows_name_levels_and_units(
    report, language, lesions, no, yes, sex, female, age, follow_up
):
    with using_language(language):
        header, rows = table_one_cells(report.table_one)
    lesion_row = _row(rows, lesions)
    # Each cell starts with the level's name, never its code ("0: 20 (48%)" before).
    for cell in lesion_row[1:4]:
        assert cell.startswith(f"{no}: "), cell
        assert f"; {yes}: " in cell, cell
        assert not cell.startswith("0:")
    assert all(cell.startswith(f"{female}: ") for cell in _row(rows, sex)[1:4])
    assert {age, follow_up} <= {row[0] for row in rows}
    assert not [row[0] for row in rows if "_" in row[0]]  # no column code left


def test_an_extra_columns_codes_stay_as_in_the_file(small_patients):
    cohort = make_cohort(small_patients.assign(site=["A", "B"] * 4))
    report = build_report(cohort, Filters(), table_by="site")
    header, rows = table_one_cells(report.table_one)
    assert header[1].startswith("site: A")


@pytest.mark.parametrize(
    ("language", "lesions", "age", "dependent"),
    [
        ("en", "Asymptomatic lesions", "Age at rituximab", "Time to failure or censoring (months)"),
        ("es", "Lesiones asintomáticas", "Edad al iniciar rituximab",
         "Tiempo hasta el fracaso o la censura (meses)"),
    ],
)  # fmt: skip
def test_mancova_terms_and_design_are_labelled(report, language, lesions, age, dependent):
    with using_language(language):
        header, rows, caption = mancova_cells(report.mancova)
    assert [row[0] for row in rows][:2] == [lesions, age]
    assert dependent in caption
    assert lesions in caption
    assert "asymptomatic_lesions" not in caption
    assert "time_months" not in caption


def test_the_cli_text_labels_table_one_mancova_and_curves(report):
    text = render_text(report)
    assert "Table 1 (by Treatment failure;" in text
    assert "  Asymptomatic lesions | No: 20 (48%); Yes: 22 (52%)" in text
    assert "factor Asymptomatic lesions; covariates Age at rituximab, Sex, Baseline EDSS" in text
    assert "  Asymptomatic lesions: yes: n " in text
    assert "keeps the data file's column names and codes" in text


def test_the_json_keeps_the_codes(report):
    data = report.to_dict()
    assert data["table_one"]["by"] == "failure"
    assert {t["term"] for t in data["cox"]["terms"]} >= {"asymptomatic_lesions", "sex=M"}


@pytest.mark.parametrize(
    ("language", "group", "model"),
    [
        ("en", "The group “Asymptomatic lesions: no” has 1 event", "Multivariable Cox: Only"),
        ("es", "El grupo «Lesiones asintomáticas: no» tiene 1 evento", "Cox multivariable: Solo"),
    ],
)
def test_warnings_name_the_group_and_the_model(report, language, group, model):
    with using_language(language):
        shown = [translate_message(w) for w in report.warnings]
        notes = component_texts(panels.hazard_notes(report))
    assert any(w.startswith(group) for w in shown), shown
    assert any(w.startswith(model) for w in shown), shown
    assert any(n.startswith(model) for n in notes), notes
    assert not [w for w in shown if "asymptomatic_lesions" in w]


def test_each_events_per_variable_warning_names_its_model(demo):
    # The genotype's two coefficients and the multivariable model's three are too many for
    # 12 failures; age alone is not: two warnings, each naming its model.
    report = build_report(demo, Filters(), group_by="fcgr3a_v158f", covariates=("age_at_rtx",))
    epv = [w for w in report.warnings if "events per variable" in w]
    assert sorted(w.split(":")[0] for w in epv) == [
        "Multivariable Cox",
        "Univariable Cox (FCGR3A-V158F)",
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Follow-up in Asymptomatic lesions: yes ends at"),
        ("es", "Lesiones asintomáticas: sí"),
    ],
)
def test_conditional_reasons_name_the_group(demo, language, expected):
    frame = analysis_frame(demo, Filters())
    table = conditional_survival(frame, 60, 36, group_by="asymptomatic_lesions")
    with using_language(language):
        texts = " ".join(component_texts(conditional_panel(table)))
    assert expected in texts
    assert " in 1 " not in texts
    assert " en 1 " not in texts


def test_the_html_report_labels_its_context_and_tables(report):
    html = report_html(report)
    assert escape("grouping: Asymptomatic lesions; covariates: Age at rituximab, Sex,") in html
    assert escape("Univariable (Baseline EDSS)") in html
    with using_language("es"):
        spanish = report_html(report)
    assert escape("Univariable (EDSS basal)") in spanish
    assert escape("No: 20 (48\xa0%); Sí: 22 (52\xa0%)") in spanish


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Filters: Sex: female; age 30–60 years; Asymptomatic lesions: yes; grace period 3"),
        ("es", "Filtros: Sexo: mujer; edad 30–60 años; Lesiones asintomáticas: sí; periodo de "
         "gracia 3"),
    ],
)  # fmt: skip
def test_the_filters_are_in_words_in_the_report_and_the_cli(demo, language, expected):
    filters = Filters(sex="F", age_min=30, age_max=60, lesions=1, grace_months=3)
    report = build_report(demo, filters)
    with using_language(language):
        html = report_html(report)
    assert escape(expected) in html
    assert "age_min" not in html
    if language == "en":
        assert expected in render_text(report)
