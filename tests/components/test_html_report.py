"""The exported HTML report: self-contained, labelled, with methods and warnings."""

from __future__ import annotations

from dataclasses import replace
from html import escape
from html.parser import HTMLParser

import pytest

from analytics.data.cohort import Filters
from analytics.reports.methods import methods_text
from analytics.reports.relapse_report import ALL, build_relapse_report
from analytics.reports.report import build_report
from components.export.html_report import report_html
from components.figures.mcf import tail_caption
from components.text.format import format_p
from components.text.relapse_text import (
    RateCell,
    andersen_gill_tables,
    between_table,
    rates_table,
    regression_to_mean_caveat,
)
from i18n.language import using_language
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


# --- the Relapses tab's section ------------------------------------------------------------


@pytest.fixture(scope="module")
def relapses(demo):
    """The Relapses tab's report of the same view (grouped by lesions)."""
    return build_relapse_report(demo, Filters(), "asymptomatic_lesions")


@pytest.fixture(scope="module")
def with_relapses(demo_report, relapses):
    """The demo report with its relapses section."""
    return report_html(demo_report, relapses=relapses)


def test_relapses_section_has_the_tabs_numbers(relapses, with_relapses):
    assert "<h2>Relapses before and after rituximab</h2>" in with_relapses
    everyone = relapses.group(ALL)
    pre, post = everyone.rates.pooled_pre, everyone.rates.pooled_post
    assert f"{pre.estimate:.2f} ({pre.ci_low:.2f}–{pre.ci_high:.2f})" in with_relapses
    assert f"{post.events} relapses / {post.person_years:.1f} patient-years" in with_relapses
    nb = everyone.after_vs_before_nb.terms[0]
    # Below 0.1 two significant digits, as the tab shows them (0.093, not 0.09).
    assert nb.rate_ratio < 0.1 <= nb.ci_high
    expected = f"{nb.rate_ratio:.2g} ({nb.ci_low:.2g}–{nb.ci_high:.2f}), {format_p(nb.p)}"
    assert f"<td>{escape(expected)}</td>" in with_relapses
    hr = relapses.andersen_gill.terms[0]
    assert hr.hr >= 10
    assert f"<td>{hr.hr:.1f} ({hr.ci_low:.2f}–{hr.ci_high:.1f})</td>" in with_relapses
    assert "Asymptomatic lesions: yes vs Asymptomatic lesions: no" in with_relapses


def test_relapses_section_renders_every_cell_of_the_tabs_tables(relapses, with_relapses):
    tables = [rates_table(relapses), between_table(relapses), *andersen_gill_tables(relapses)]
    for table in tables:
        assert f"<caption>{escape(table.caption)}</caption>" in with_relapses
        for row in table.rows:
            for cell in row:
                if isinstance(cell, RateCell):
                    assert f"{escape(cell.rate)}<br><small>{escape(cell.counts)}</small>" in (
                        with_relapses
                    )
                else:
                    assert f"<td>{escape(str(cell))}</td>" in with_relapses


def test_regression_to_the_mean_caveat_follows_the_rates_table(relapses, with_relapses):
    caveat = escape(regression_to_mean_caveat(relapses))
    assert with_relapses.count(caveat) == 1
    rates_end = with_relapses.index("</table>", with_relapses.index("ARR before rituximab"))
    between = with_relapses.index("<h3>Between groups</h3>")
    assert rates_end < with_relapses.index(caveat) < between


def test_the_mcf_figure_has_its_faded_tails_and_caption(relapses, with_relapses):
    assert with_relapses.count("Plotly.newPlot") == 3
    assert with_relapses.count("* plotly.js (basic - minified) v") == 1
    assert escape(tail_caption(relapses.mcf)) in with_relapses
    assert '"dash":"dot"' in with_relapses
    assert "Dotted, faded: fewer than 10 patients still followed" in with_relapses


def test_relapses_section_stays_self_contained(with_relapses):
    parser = _resources(with_relapses)
    assert "link" not in parser.tags
    assert parser.urls == []


def test_relapse_notes_are_listed(demo):
    report = build_relapse_report(demo, Filters(sex="M"), "fcgr3a_v158f")
    notes = [*report.notes, *(n for g in report.groups for n in g.notes)]
    assert notes, "a small subgroup by genotype should carry notes"
    html = report_html(build_report(demo, Filters(sex="M")), relapses=report)
    for note in report.notes:
        assert escape(note) in html


def test_without_a_relapses_file_the_section_says_so(demo, demo_report):
    none = build_relapse_report(replace(demo, relapses=None), Filters(), "asymptomatic_lesions")
    html = report_html(demo_report, relapses=none)
    assert "No relapses file" in html
    assert html.count("Plotly.newPlot") == 2


def test_no_relapse_report_no_section(demo_html):
    assert "Relapses before and after rituximab" not in demo_html


def test_a_spanish_report_is_spanish_throughout(demo, demo_report, relapses):
    with using_language("es"):
        html = report_html(demo_report, relapses=relapses)
        methods = methods_text(demo_report)
    assert '<html lang="es">' in html
    assert "<h2>Métodos</h2>" in html
    assert escape(methods) in html
    assert methods.startswith("El análisis incluyó 54 pacientes")
    assert "Brotes antes y después de rituximab" in html
    assert "regresión a la media" in html
    # The failure proportion (12 of 54) with a decimal comma, the words of the summary table.
    assert "22,2\u00a0%" in html
    assert "Proporción de fracaso" in html
    assert '"separators":",."' in html.replace(" ", "")  # the figures' decimal commas


def test_the_report_has_the_open_analyses_as_the_page_shows_them(demo):
    """Chosen exposure, Table 1 grouping and MANCOVA factor reach the HTML report, with the
    page's rounding (the same cells as the Table 1 & MANCOVA tab)."""
    report = build_report(
        demo,
        group_by="asymptomatic_lesions",
        table_by="fcgr3a_v158f",
        exposure="gd_persistent",
        exposure_months="asymptomatic_lesion_months",
        exposure_covariates=("age_at_rtx",),
        mancova_factor="sex",
    )
    html = report_html(report)
    assert escape("Persistent Gd enhancement: immortal-time bias") in html
    assert escape("Naive (Persistent Gd enhancement as a baseline covariate)") in html
    assert escape("Each model is adjusted for Age at rituximab") in html
    failure = next(row for row in report.table_one.rows if row.variable == "failure")
    assert f"<td>{escape(format_p(failure.p))}</td><td>{escape(failure.test)}</td>" in html
    assert escape("factor Sex; covariates Age at rituximab, Baseline EDSS") in html
    assert escape("compared across the groups of FCGR3A-V158F") in html
