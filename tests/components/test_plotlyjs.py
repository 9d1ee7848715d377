"""The vendored plotly.js bundle: the version plotly.py writes figures for, used by the page."""

from __future__ import annotations

from plotly.offline import get_plotlyjs_version

from components.export.plotlyjs import BUNDLE, PLOTLYJS_VERSION


def test_the_vendored_bundle_matches_the_installed_plotly_py():
    header = BUNDLE.read_text(encoding="utf-8")[:200]
    assert f"v{PLOTLYJS_VERSION}" in header
    assert get_plotlyjs_version() == PLOTLYJS_VERSION


def test_the_page_loads_the_basic_bundle_and_not_the_full_one():
    from app.server.config import Config
    from app.server.factory import create_app

    html = create_app(Config()).server.test_client().get("/").get_data(as_text=True)
    assert BUNDLE.name in html
    assert "package_data/plotly.min.js" not in html
