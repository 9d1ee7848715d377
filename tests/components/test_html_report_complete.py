"""The HTML report holds what the page shows (issue 15): the median follow-up with its CI as
the card gives it, the Survival tab's failure-free table, n and failures per hazard ratio;
the numbers are the page's cells, and the CLI prints the same; and the figures' toolbar has a
strip of its own above every legend."""

from __future__ import annotations

import re
from html import escape

import pytest

from analytics.data.cohort import Filters
from analytics.reports.report import build_report
from analytics.reports.text import render_text
from components.export.html_report import TOOLBAR_PX, clear_of_toolbar, report_html
from components.figures.forest import forest_figure, report_sections
from components.figures.km import km_figure
from components.panels import analyses as panels
from components.panels import cards
from components.text.format import format_median_ci, median_value
from i18n.language import using_language
from tests.dash_text import component_texts, components_of


@pytest.fixture(scope="module")
def report(demo):
    return build_report(demo, Filters(), group_by="asymptomatic_lesions", covariates=("sex",))


def _rows(component) -> list[list[str]]:
    return [
        [" ".join(component_texts(cell)) for cell in row.children]
        for row in components_of(component, "Tr")
    ]


def _html_rows(html: str) -> list[list[str]]:
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", html)
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_failure_free_table_is_the_pages(report, language):
    with using_language(language):
        page = _rows(panels.km_summary(report))
        html = _html_rows(report_html(report))
    assert len(page) == len(report.km) + 1
    assert len(page[0]) == 4 + len(next(iter(report.survival_at.values())))
    for row in page:  # header and each group, cell for cell
        assert [escape(cell, quote=False) for cell in row] in html, row


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_median_follow_up_has_the_cards_ci(report, language):
    follow = report.follow_up
    assert follow is not None
    assert follow.median_ci_low is not None
    with using_language(language):
        card = " ".join(component_texts(cards.summary_cards(report, total=report.n)))
        value = median_value(follow.median)
        interval = format_median_ci(follow.median_ci_low, follow.median_ci_high)
        html = report_html(report)
    assert value in card
    assert interval in card
    assert escape(f"{value} {interval}", quote=False) in html


def test_the_cli_prints_the_pages_follow_up_and_failure_free_cells(report):
    lines = render_text(report).splitlines()
    follow = report.follow_up
    assert follow is not None
    (line,) = [x for x in lines if x.startswith("  Median follow-up (reverse Kaplan-Meier)")]
    card = " ".join(component_texts(cards.summary_cards(report, total=report.n)))
    value, interval = line.split(": ", 1)[1].split(" ", 1)
    assert value in card
    assert interval.replace("-", "\u2013") in card
    page = _rows(panels.km_summary(report))[1:]
    for row in page:  # group, n, failures, median, failure-free at each time
        (at,) = [i for i, x in enumerate(lines) if x.startswith(f"  {row[0]}: n {row[1]}, ")]
        cells = lines[at + 1].split("failure-free at ", 1)[1].split(" | ")
        assert [c.split(" mo ", 1)[1].replace("-", "\u2013") for c in cells] == row[4:]


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_hazard_ratio_row_has_n_and_failures(report, language):
    with using_language(language):
        page = _rows(panels.hazard_notes(report))
        html = _html_rows(report_html(report))
    header, *body = page
    assert header[-2:] in (["n", "Failures"], ["n", "Fracasos"])
    assert body
    for row in body:
        # The report's row: model, term, HR (CI), p, n, failures, as the page's table.
        assert [escape(cell, quote=False) for cell in row] in html, row
        assert row[-1].isdigit()
        assert row[-2].isdigit()


def test_the_toolbar_strip_keeps_legends_clear(report):
    forest = forest_figure(report_sections(report))
    cleared = clear_of_toolbar(forest)
    top = forest["layout"].get("margin", {}).get("t", 100)
    assert cleared["layout"]["margin"]["t"] == top + TOOLBAR_PX
    if "height" in forest["layout"]:
        assert cleared["layout"]["height"] == forest["layout"]["height"] + TOOLBAR_PX
    km = km_figure(report.km, report.risk_table, group_by=report.group_by)
    assert clear_of_toolbar(km)["layout"]["margin"]["t"] >= TOOLBAR_PX
    # The report draws the cleared figures.
    html = report_html(report)
    assert f'"t":{top + TOOLBAR_PX}' in html.replace(" ", "")
