"""The Spanish page: chosen by the URL, served in Spanish, and kept as the view changes."""

from __future__ import annotations

import pytest

from app.callbacks.view import controls_from_url, query_from_controls
from app.layout import ids
from app.state.controls import CONTROL_IDS
from app.state.page_language import COOKIE
from tests.app.callback_calls import arguments, run_triggered
from tests.app.page_calls import render_page
from tests.dash_text import component_texts


@pytest.fixture
def client(dash_app):
    return dash_app.server.test_client()


def test_the_page_says_its_language(client):
    assert '<html lang="es">' in client.get("/?lang=es").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_the_layout_request_follows_the_page_it_belongs_to(client):
    spanish = client.get("/_dash-layout", headers={"Referer": "http://localhost/?sex=F&lang=es"})
    english = client.get("/_dash-layout", headers={"Referer": "http://localhost/?sex=F"})
    assert "Filtros" in spanish.get_data(as_text=True)
    assert "Filtros" not in english.get_data(as_text=True)
    assert "Filters" in english.get_data(as_text=True)


def test_without_a_referer_the_cookie_of_the_page_decides(dash_app):
    client = dash_app.server.test_client()
    page = client.get("/?lang=es")
    assert f"{COOKIE}=es" in page.headers["Set-Cookie"]
    assert "SameSite=Strict" in page.headers["Set-Cookie"]
    assert "Filtros" in client.get("/_dash-layout").get_data(as_text=True)
    client.get("/")  # back to English
    assert "Filtros" not in client.get("/_dash-layout").get_data(as_text=True)


def test_a_referer_from_another_site_is_not_trusted(client):
    reply = client.get("/_dash-layout", headers={"Referer": "http://elsewhere.example/?lang=es"})
    assert "Filtros" not in reply.get_data(as_text=True)


def _spanish_panels(dash_app):
    return render_page(dash_app, {(ids.LANGUAGE, "data"): "es"}, tabs=("km",))


def test_panels_are_rendered_in_the_page_language(app_context):
    panels = _spanish_panels(app_context)
    cards = panels[ids.CARDS]
    texts = " ".join(component_texts(cards))
    assert "Fracasos terapéuticos" in texts
    assert "22,2\u00a0%" in texts  # 12 of 54, with a decimal comma
    assert "IC 95\u00a0%" in texts or "IC 95 %" in texts
    km = panels[ids.KM_GRAPH]
    assert km["layout"]["separators"] == ",."


def test_the_url_keeps_the_language_when_a_filter_changes(app_context):
    args = arguments(query_from_controls, app_context, {ids.SEX: "F", (ids.LANGUAGE, "data"): "es"})
    query = run_triggered(query_from_controls, args, f"{ids.SEX}.value")
    assert query == "?sex=F&lang=es"


def test_reset_keeps_the_language(app_context):
    restore = arguments(controls_from_url, app_context, {(ids.URL_QUERY, "data"): "?sex=F&lang=es"})
    controls = run_triggered(controls_from_url, restore, f"{ids.RESET}.n_clicks")
    values = dict(zip(CONTROL_IDS, controls, strict=False))
    args = arguments(query_from_controls, app_context, {**values, (ids.LANGUAGE, "data"): "es"})
    assert run_triggered(query_from_controls, args, f"{ids.RESET}.n_clicks") == "?lang=es"


def test_a_mexican_page_has_spanish_words_and_mexican_numbers(client, app_context):
    assert '<html lang="es-MX">' in client.get("/?lang=es-MX").get_data(as_text=True)
    panels = render_page(app_context, {(ids.LANGUAGE, "data"): "es-MX"}, tabs=("km",))
    texts = " ".join(component_texts(panels[ids.CARDS]))
    assert "Fracasos terapéuticos" in texts
    assert "22.2%" in texts  # 12 of 54: CLDR es-MX writes a decimal point, no space
    assert panels[ids.KM_GRAPH]["layout"]["separators"] == ".,"


def test_the_url_keeps_a_mexican_page_mexican(app_context):
    args = arguments(
        query_from_controls, app_context, {ids.SEX: "F", (ids.LANGUAGE, "data"): "es-MX"}
    )
    query = run_triggered(query_from_controls, args, f"{ids.SEX}.value")
    assert query == "?sex=F&lang=es-MX"
