"""Every hazard ratio shown says what it compares: forest plot, model table, HTML report, CLI.

The wording comes from analytics (term_contrast); these check it reaches each place a
hazard ratio is printed (issue 12: "per unit" on age, no reference level in the tables).
"""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from analytics.data.cohort import Filters
from analytics.reports.report import build_report
from analytics.reports.text import render_text
from components.export.html_report import report_html
from components.figures.forest import forest_figure as forest_figure_data
from components.figures.forest import report_sections
from components.panels.analyses import hazard_notes, lesion_panel
from i18n.language import using_language
from tests.dash_text import component_texts


def forest_figure(*args, **options) -> go.Figure:
    # Read as plotly's (validated) objects: a misspelt property fails the test too.
    return go.Figure(forest_figure_data(*args, **options))


@pytest.fixture(scope="module")
def report(demo):
    return build_report(demo, Filters(), group_by="sex", covariates=("age_at_rtx", "edss_baseline"))


def test_the_forest_labels_state_units_and_reference(report):
    labels = [y for trace in forest_figure(report_sections(report)).data for y in trace.y]
    assert any(label.endswith("(per year)") for label in labels)
    assert any(label.endswith("(per EDSS point)") for label in labels)
    assert any(label.endswith("Sex: male vs female") for label in labels)
    assert any(label.endswith("Age at rituximab (per year)") for label in labels)
    assert not any("per unit" in label or "age_at_rtx" in label for label in labels)


def test_the_forest_labels_in_spanish(report):
    with using_language("es"):
        labels = [y for trace in forest_figure(report_sections(report)).data for y in trace.y]
    assert any(label.endswith("(por año)") for label in labels)
    assert any(label.endswith("Sexo: hombre frente a mujer") for label in labels)


def test_the_model_table_states_units_and_reference(report):
    texts = component_texts(hazard_notes(report))
    assert "Age at rituximab (per year)" in texts
    assert "Sex: male vs female" in texts
    assert "Univariable (Baseline EDSS)" in texts
    assert not [text for text in texts if "age_at_rtx" in text or "sex=M" in text]


def test_the_model_table_in_spanish(report):
    with using_language("es"):
        texts = component_texts(hazard_notes(report))
    assert "Edad al iniciar rituximab (por año)" in texts
    assert "Sexo: hombre frente a mujer" in texts


def test_the_html_report_states_units_and_reference(report):
    html = report_html(report)
    assert "Age at rituximab (per year)" in html
    assert "Sex: male vs female" in html
    assert "sex=M" not in html
    assert "age_at_rtx (" not in html


def test_the_cli_text_states_units_and_reference(report):
    text = render_text(report)
    assert "  Age at rituximab (per year): HR " in text
    assert "  Baseline EDSS (per EDSS point): HR " in text
    assert "  Sex: male vs female: HR " in text
    assert "sex=M" not in text


def test_the_lesion_estimates_state_what_they_compare(report):
    texts = component_texts(lesion_panel(report.lesion_timing, report.n))
    assert texts.count("Asymptomatic lesions (yes vs no)") == 3
    assert report_html(report).count("Asymptomatic lesions (yes vs no)") >= 3
    with using_language("es"):
        texts = component_texts(lesion_panel(report.lesion_timing, report.n))
    assert texts.count("Lesiones asintomáticas (sí frente a no)") == 3
