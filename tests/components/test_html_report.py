"""The exported HTML report: self-contained, labelled, with methods and warnings."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

import pytest

from analytics.cohort import Filters
from analytics.demo import load_demo
from analytics.methods import methods_text
from analytics.report import build_report
from components.html_report import report_html
from tests.conftest import make_cohort


class _Resources(HTMLParser):
    """Collects every src/href attribute of the document's tags."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]


def _resources(html: str) -> _Resources:
    parser = _Resources()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def demo():
    """The synthetic demo cohort."""
    return load_demo()


@pytest.fixture(scope="module")
def demo_report(demo):
    """Demo report grouped by lesions with a lesion covariate."""
    return build_report(
        demo, Filters(), group_by="asymptomatic_lesions", covariates=("asymptomatic_lesions",)
    )


@pytest.fixture(scope="module")
def demo_html(demo_report):
    """The demo report rendered once."""
    return report_html(demo_report)


def test_no_external_resources(demo_html):
    external = [u for u in _resources(demo_html).urls if u.startswith(("http:", "https:", "//"))]
    assert external == []


def test_no_script_or_stylesheet_is_loaded_from_elsewhere(demo_html):
    parser = _resources(demo_html)
    assert "link" not in parser.tags
    assert parser.urls == []


def test_plotly_is_inlined_once_for_both_figures(demo_html):
    assert demo_html.count("* plotly.js (basic - minified) v") == 1
    assert demo_html.count("Plotly.newPlot") == 2


def test_contains_the_methods_text(demo_report, demo_html):
    assert escape(methods_text(demo_report)) in demo_html


def test_contains_every_warning(demo_report, demo_html):
    assert demo_report.warnings, "the demo lesion model should carry at least one warning"
    for warning in demo_report.warnings:
        assert escape(warning) in demo_html


def test_names_the_fingerprint_and_synthetic_data(demo, demo_html):
    assert demo.fingerprint in demo_html
    assert "Synthetic demo cohort" in demo_html


def test_a_real_cohort_is_not_called_synthetic(small_patients):
    html = report_html(build_report(make_cohort(small_patients), Filters()))
    assert "Synthetic demo cohort" not in html


def test_an_empty_subgroup_renders(demo):
    html = report_html(build_report(demo, Filters(edss_min=9.5), group_by="asymptomatic_lesions"))
    assert "No patients match" in html


def test_cohort_labels_are_escaped(small_patients):
    cohort = make_cohort(small_patients)
    cohort = type(cohort)(
        patients=cohort.patients,
        relapses=None,
        label="<script>alert(1)</script>.csv",
        synthetic=False,
        fingerprint="abc",
    )
    html = report_html(build_report(cohort, Filters()))
    assert "<script>alert(1)</script>" not in html


def test_the_hazard_table_has_the_report_hr(demo_report, demo_html):
    term = demo_report.univariable[0]
    assert f"{term.hr:.1f}" in demo_html
