"""The header as HTML for the page's shell (components/static_html.py)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pytest
from dash import dcc, html

from components.static_html import to_html


def test_elements_attributes_and_text():
    tree = html.Div(
        [html.H1("Title", className="h4"), html.A("Español", href="?lang=es", hrefLang="es")],
        id="top",
    )
    assert to_html(tree) == (
        '<div id="top"><h1 class="h4">Title</h1><a href="?lang=es" hreflang="es">Español</a></div>'
    )


def test_text_and_attribute_values_are_escaped():
    """A label with markup stays text (an administrator's cohort label included)."""
    tree = html.Span('<script>alert(1)</script> & "x"', title='"><img src=x onerror=alert(1)>')
    written = to_html(tree)
    assert "<script>" not in written
    assert "<img" not in written
    assert written == (
        '<span title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">'
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;</span>"
    )


def test_bootstrap_container_and_badge_get_their_classes():
    assert to_html(dbc.Container("x", fluid=True, className="pt-2")) == (
        '<div class="container-fluid pt-2">x</div>'
    )
    badge = dbc.Badge("Demo", color="warning", text_color="dark", className="me-2")
    assert to_html(badge) == '<span class="me-2 badge text-dark bg-warning">Demo</span>'


@pytest.mark.parametrize(
    "component",
    [
        html.Button("x"),  # not a header element
        html.Div("x", style={"color": "red"}),  # a prop without a decision
        html.Div("x", n_clicks=1, tabIndex=0),
        dcc.Store(id="s"),
        dbc.Row("x"),
    ],
)
def test_anything_else_is_refused(component):
    with pytest.raises(TypeError):
        to_html(component)
