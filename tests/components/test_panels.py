"""Panel bodies: empty states, Table 1, rates, KM summary, paper comparison."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pytest
from dash import html

from analytics.data.cohort import Filters
from analytics.reports.paper import compare_with_paper
from analytics.reports.report import build_report
from components.panels import analyses as panels
from tests.dash_text import component_texts as _texts
from tests.dash_text import components_of as _find


def _body_rows(table) -> list:
    (body,) = _find(table, html.Tbody)
    return body.children


@pytest.fixture(scope="module")
def demo_report(demo):
    """All demo patients grouped by lesions."""
    return build_report(demo, Filters(), group_by="asymptomatic_lesions")


@pytest.fixture(scope="module")
def empty_report(demo):
    """A subgroup nobody is in."""
    return build_report(demo, Filters(edss_min=9.5), group_by="asymptomatic_lesions")


@pytest.mark.parametrize(
    "render",
    [
        lambda r: panels.km_summary(r),
        lambda r: panels.rates_panel(r.subgroup_rates, r),
        lambda r: panels.table_one_panel(r.table_one),
    ],
    ids=["km_summary", "rates", "table_one"],
)
def test_empty_subgroup_panels_show_the_empty_state(empty_report, render):
    component = render(empty_report)
    assert "empty-state" in component.className
    assert panels.EMPTY_MESSAGE in _texts(component)


def test_mancova_without_data_explains_why():
    assert "at least 10 patients" in " ".join(_texts(panels.mancova_panel(None)))


def test_no_warnings_render_nothing():
    assert _texts(panels.warnings_list([])) == []


def test_warnings_are_all_listed():
    alert = panels.warnings_list(["one", "two"], "Title")
    assert [t for t in _texts(alert) if t in ("one", "two")] == ["one", "two"]


def test_table_one_has_a_row_per_variable(demo_report):
    table = demo_report.table_one
    (rendered,) = _find(panels.table_one_panel(table), dbc.Table)
    assert len(_body_rows(rendered)) == len(table.rows)


def test_table_one_shows_each_rows_p(demo_report):
    from components.text.format import format_p

    table = demo_report.table_one
    (rendered,) = _find(panels.table_one_panel(table), dbc.Table)
    shown = [row.children[-2].children for row in _body_rows(rendered)]
    assert shown == [format_p(r.p) if r.p is not None else "—" for r in table.rows]


def test_table_one_has_a_column_per_group(demo_report):
    table = demo_report.table_one
    (rendered,) = _find(panels.table_one_panel(table), dbc.Table)
    (head,) = _find(rendered, html.Thead)
    columns = head.children.children
    assert len(columns) == 1 + len(table.group_labels) + 3


def test_table_one_header_counts_add_up(demo_report):
    assert sum(demo_report.table_one.group_sizes) == demo_report.n


def test_km_summary_has_a_row_per_curve(demo_report):
    (rendered,) = _find(panels.km_summary(demo_report), dbc.Table)
    rows = _body_rows(rendered)
    assert [(r.children[1].children, r.children[2].children) for r in rows] == [
        (km.n, km.events) for km in demo_report.km.values()
    ]


def test_rates_table_starts_with_all_patients(demo_report):
    tables = _find(panels.rates_panel(demo_report.subgroup_rates, demo_report), dbc.Table)
    first = _body_rows(tables[-1])[0]
    assert [c.children for c in first.children[2:4]] == [demo_report.events, demo_report.n]


def test_rates_table_has_a_row_per_subgroup(demo_report):
    tables = _find(panels.rates_panel(demo_report.subgroup_rates, demo_report), dbc.Table)
    assert len(_body_rows(tables[-1])) == 1 + len(demo_report.subgroup_rates)


def test_hazard_notes_without_a_model_ask_for_a_grouping(demo):
    report = build_report(demo, Filters())
    assert any("Choose a grouping" in t for t in _texts(panels.hazard_notes(report)))


def test_lesion_panel_without_the_column_says_so():
    texts = _texts(panels.lesion_panel(None, 10))
    assert any("asymptomatic_lesions" in t for t in texts)


def test_lesion_panel_of_an_empty_subgroup_shows_the_empty_state():
    assert panels.EMPTY_MESSAGE in _texts(panels.lesion_panel(None, 0))


def test_paper_panel_flags_the_two_inconsistencies(demo):
    rendered = panels.paper_panel(compare_with_paper(demo))
    flagged = [t for t in _texts(rendered) if "internally inconsistent" in t]
    assert len(flagged) == 2
