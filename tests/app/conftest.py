"""Shared app-test fixtures: the demo app, a request context, and an empty report cache."""

from __future__ import annotations

import pytest

from app.callbacks import view_sections
from app.server.config import Config
from app.server.factory import create_app
from app.state.lru import BoundedCache


@pytest.fixture(autouse=True)
def fresh_report_cache(monkeypatch):
    """An empty cache of report sections (as a freshly started worker has)."""
    cache = BoundedCache(view_sections.SECTION_CACHE_ITEMS, view_sections.SECTION_CACHE_PATIENTS)
    monkeypatch.setattr(view_sections, "_sections", cache)
    return cache


@pytest.fixture(scope="module")
def dash_app():
    """The app with the default (demo) configuration."""
    return create_app(Config())


@pytest.fixture
def app_context(dash_app):
    """A request context, so ``current_app`` is the app's Flask server."""
    with dash_app.server.test_request_context():
        yield dash_app
