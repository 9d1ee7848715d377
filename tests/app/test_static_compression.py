"""Static files go out gzipped and cacheable; pages and callback answers stay uncached."""

from __future__ import annotations

import gzip

import pytest

from app.server.config import Config
from app.server.factory import create_app
from components.export.plotlyjs import BUNDLE


@pytest.fixture(scope="module")
def client():
    """A test client of the app with the default (demo) configuration."""
    return create_app(Config()).server.test_client()


def _asset_url(client, name: str) -> str:
    html = client.get("/").get_data(as_text=True)
    start = html.index(f"/assets/{name}")
    return html[start : html.index('"', start)]


def test_plotly_bundle_is_gzipped_and_cacheable(client):
    url = _asset_url(client, BUNDLE.name)
    response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "max-age" in response.headers["Cache-Control"]
    body = response.get_data()
    assert len(body) < BUNDLE.stat().st_size / 2
    assert gzip.decompress(body) == BUNDLE.read_bytes()


def test_the_second_request_gets_the_same_bytes(client):
    url = _asset_url(client, BUNDLE.name)
    first = client.get(url, headers={"Accept-Encoding": "gzip"}).get_data()
    second = client.get(url, headers={"Accept-Encoding": "gzip"}).get_data()
    assert first == second


def test_without_gzip_the_file_goes_out_as_it_is(client):
    url = _asset_url(client, BUNDLE.name)
    response = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert response.get_data() == BUNDLE.read_bytes()


def test_the_page_itself_is_not_cached(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Cache-Control"] == "no-store"


def test_bundles_are_registered_before_the_first_request():
    """A worker's first request may be for a bundle, on another thread than the page's."""
    app = create_app(Config())
    assert "dash" in app.registered_paths
    html_free_client = app.server.test_client()
    bundle = next(iter(sorted(app.registered_paths["dash"])))
    response = html_free_client.get(f"/_dash-component-suites/dash/{bundle}")
    assert response.status_code == 200
