"""Data-derived labels are literal text in every figure: plotly renders a subset of HTML in
legends, hovers, ticks and titles, so a group value ``<a href=...>`` was a live link in the
page and in the exported report."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from analytics.data.cohort import Filters
from analytics.data.io import load_cohort
from analytics.reports.relapse_report import build_relapse_report
from analytics.reports.report import build_report
from analytics.stats.timelines import patient_timelines
from components.export.html_report import report_html
from components.figures.forest import forest_figure, report_sections
from components.figures.km import km_figure
from components.figures.mcf import mcf_figure
from components.figures.rates import rates_figure
from components.figures.swimmer import swimmer_figure
from components.text.labels import markup_free

DEMO = Path(__file__).resolve().parents[2] / "analytics" / "data" / "demo"
LINK = '<a href="https://evil.example/x">clinic</a>'
PATIENT = "<i>SYN</i>-"
SITE = "<b>site</b>"


def _csv(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode()


@pytest.fixture(scope="module")
def cohort():
    """The demo with a hostile centre name, a hostile column name and marked-up patient IDs."""
    patients = pd.read_csv(DEMO / "patients.csv", dtype=str, keep_default_na=False)
    relapses = pd.read_csv(DEMO / "relapses.csv", dtype=str, keep_default_na=False)
    half = len(patients) // 2
    patients["centre"] = [LINK] * half + ["Bern"] * (len(patients) - half)
    patients[SITE] = [str(k % 3) for k in range(len(patients))]
    for frame in (patients, relapses):
        frame["patient_id"] = frame["patient_id"].str.replace("SYN-", PATIENT, regex=False)
    return load_cohort(_csv(patients), _csv(relapses))


def _strings(value: object) -> list[str]:
    """Every string a figure may show (customdata is data for callbacks, never displayed)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k != "customdata" for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    if hasattr(value, "tolist"):
        return _strings(value.tolist())
    return []


def _assert_literal(figure, shows_data: bool = True) -> None:
    texts = _strings(figure)
    assert not [s for s in texts if "<a " in s or "<i>" in s or "<b>site" in s]
    shown = (markup_free(LINK), markup_free(PATIENT), markup_free(SITE))
    assert not shows_data or any(literal in s for s in texts for literal in shown)


def test_km_rates_and_forest_show_a_hostile_level_as_text(cohort):
    report = build_report(cohort, Filters(), group_by="centre", covariates=(SITE,))
    _assert_literal(km_figure(report.km, report.risk_table, group_by="centre"))
    _assert_literal(forest_figure(report_sections(report)))
    # Subgroup rates are of contract columns only (validated levels): nothing to show here.
    _assert_literal(rates_figure(report.failure_rate, report.subgroup_rates), shows_data=False)


def test_mcf_and_timelines_show_hostile_levels_and_patient_ids_as_text(cohort):
    relapses = build_relapse_report(cohort, Filters(), group_by="centre")
    _assert_literal(mcf_figure(relapses.mcf, title="MCF"))
    timelines = patient_timelines(cohort, Filters(), group_by="centre")
    _assert_literal(swimmer_figure(timelines))


def test_the_exported_report_has_no_live_data_link(cohort):
    report = build_report(cohort, Filters(), group_by="centre")
    relapses = build_relapse_report(cohort, Filters(), group_by="centre")
    page = report_html(report, relapses=relapses)
    assert 'href="https://evil.example' not in page
    assert 'href=\\"https://evil.example' not in page  # nor inside a figure's JSON
