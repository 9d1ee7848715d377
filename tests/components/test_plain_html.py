"""Display-only panels as plain data (components/plain_html.py): the page's HTML unchanged,
text never markup, nothing outside the allow-list."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pytest
from dash import dcc, html

from analytics.data.demo import load_demo
from analytics.reports.report import build_report
from components.panels import analyses, cards
from components.plain_html import plain


def _find(node, tag: str) -> list[dict]:
    if isinstance(node, list):
        return [found for child in node for found in _find(child, tag)]
    if not isinstance(node, dict):
        return []
    return ([node] if node["tag"] == tag else []) + _find(node["children"], tag)


def test_bootstrap_parts_get_the_classes_dash_bootstrap_components_gives_them():
    table = plain(
        dbc.Table(
            [html.Thead(html.Tr(html.Th("Group", scope="col"))), html.Tbody(html.Tr(html.Td(3)))],
            striped=True, size="sm", responsive=True, className="caption-top",
        )
    )  # fmt: skip
    assert table["attrs"] == {"class": "table-responsive"}
    (inner,) = table["children"]
    assert inner["attrs"]["class"] == "table table-sm table-striped caption-top"
    assert _find(table, "th")[0]["attrs"] == {"scope": "col"}
    assert _find(table, "td")[0]["children"] == 3
    col = plain(dbc.Col(dbc.Card(dbc.CardBody("x"), id="c"), xs=6, md=4, xl=2))
    assert col["attrs"]["class"] == "col-6 col-md-4 col-xl-2"
    assert col["children"]["attrs"] == {"id": "c", "class": "card"}
    assert col["children"]["children"]["attrs"] == {"class": "card-body"}
    alert = plain(dbc.Alert("careful", color="warning", className="small"))
    assert alert["attrs"] == {"class": "alert alert-warning small", "role": "alert"}


def test_the_summary_cards_keep_their_ids_and_numbers():
    report = build_report(load_demo())
    data = plain(cards.summary_cards(report, total=report.n))
    values = {
        node["attrs"]["id"]: node["children"]
        for node in _find(data, "div")
        if node["attrs"].get("id", "").endswith("-value")
    }
    assert values["card-n-value"] == "54"
    assert values["card-events-value"] == "12"
    summary = plain(analyses.km_summary(report))
    assert len(_find(summary, "tr")) == 1 + len(report.km)  # header + one row per curve


def test_an_uploaded_label_stays_text():
    label = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    node = plain(html.Td(label, **{"aria-label": label}))
    assert node["children"] == label  # the browser sets it with textContent
    assert node["attrs"] == {"aria-label": label}  # an attribute value, never markup


@pytest.mark.parametrize(
    "component",
    [
        html.Script("alert(1)"),
        html.Iframe(src="https://example.org"),
        html.A("x", href="javascript:alert(1)"),
        html.Img(src="x"),
        dcc.Graph(),
        dbc.Button("x"),
    ],
)
def test_anything_outside_the_allow_list_is_refused(component):
    with pytest.raises(TypeError):
        plain(component)


def test_the_browser_allows_exactly_the_tags_and_attributes_plain_html_sends():
    """assets/static_parts.js checks the data again: its lists are this module's."""
    import re
    from pathlib import Path

    from components.plain_html import _PLAIN_ATTRS, TAGS

    script = (Path(__file__).resolve().parents[2] / "assets" / "static_parts.js").read_text()
    tags = re.search(r"var TAGS = \(([^)]*)\)\.split", script).group(1)
    assert set(re.sub(r'["+\s]+', " ", tags).split()) == set(TAGS)
    attrs = re.search(r"var ATTRS = \[([^\]]*)\]", script).group(1)
    assert set(re.findall(r'"([a-z-]+)"', attrs)) == set(_PLAIN_ATTRS)
