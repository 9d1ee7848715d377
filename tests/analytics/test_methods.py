"""The methods paragraph says what this view computed, in either language."""

from __future__ import annotations

import json
from pathlib import Path

from analytics.data.cohort import Filters
from analytics.reports.methods import R_SURVIVAL_CHECKED, methods_text, software_versions
from analytics.reports.report import build_report
from i18n.language import using_language

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"


def test_names_the_view(demo):
    report = build_report(
        demo,
        Filters(sex="F", grace_months=3),
        group_by="asymptomatic_lesions",
        covariates=("edss_baseline",),
        landmark_months=18,
    )
    text = methods_text(report)
    assert f"The analysis included {report.n} patients (a subgroup selected by Sex: female)" in text
    assert "more than 3 months after the first rituximab infusion" in text
    assert "Groups defined by Asymptomatic lesions were compared with the log-rank test." in text
    assert "The multivariable model included Asymptomatic lesions and Baseline EDSS." in text
    with using_language("es"):
        assert "Lesiones asintomáticas" in methods_text(report)
    assert "landmark analysis at 18 months" in text


def test_only_methods_the_view_used(demo):
    report = build_report(demo, Filters(), group_by=None)
    text = methods_text(report)
    assert "(the whole cohort)" in text
    assert "log-rank" not in text
    assert "multivariable model included" not in text


def test_relapse_methods_only_with_relapse_data(demo):
    with_relapses = methods_text(build_report(demo, Filters()))
    assert "Andersen–Gill" in with_relapses
    without = demo.__class__(
        patients=demo.patients, relapses=None, label="x", synthetic=False, fingerprint="x"
    )
    assert "Andersen–Gill" not in methods_text(build_report(without, Filters()))


def test_spanish_paragraph_with_decimal_commas(demo):
    report = build_report(demo, Filters(grace_months=4.5), group_by="sex")
    with using_language("es"):
        text = methods_text(report)
    assert text.startswith(f"El análisis incluyó {report.n} pacientes (toda la cohorte)")
    assert "más de 4,5 meses después de la primera infusión de rituximab" in text
    assert "prueba de log-rank" in text


def test_software_versions_are_the_installed_ones():
    versions = software_versions()
    assert set(versions) == {"nmosd-cohort-explorer", "numpy", "scipy", "pandas", "statsmodels"}
    assert all(v[0].isdigit() for v in versions.values())


def test_the_r_version_named_is_the_one_the_fixtures_came_from():
    found = {
        json.loads(path.read_text())["meta"]["survival_version"]
        for path in REFERENCE.glob("*.json")
        if "survival_version" in json.loads(path.read_text()).get("meta", {})
    }
    assert found == {R_SURVIVAL_CHECKED}
