"""The served page shows the header before its scripts run (app/layout/shell.py)."""

from __future__ import annotations

import re

import pytest

from app.server.config import Config
from app.server.factory import create_app


@pytest.fixture(scope="module")
def client():
    return create_app(Config()).server.test_client()


def _entry(page: str) -> str:
    start = page.index('<div id="react-entry-point">')
    return page[start : page.index('<script id="_dash-config"', start)]


@pytest.mark.parametrize(
    ("query", "title", "loading"),
    [
        ("", "RTX-Refractory NMOSD Cohort Explorer", "Loading the explorer…"),
        (
            "?lang=es",
            "Explorador de la cohorte NMOSD refractaria a rituximab",
            "Cargando el explorador…",
        ),
    ],
)
def test_the_entry_point_holds_the_header_in_the_pages_language(client, query, title, loading):
    entry = _entry(client.get(f"/{query}").get_data(as_text=True))
    assert f'<h1 class="h4 mb-0">{title}</h1>' in entry
    assert loading in entry
    assert "abbreviations" in entry
    assert "<abbr" in entry
    assert "Loading..." not in entry  # Dash's placeholder is replaced


def test_the_shell_names_the_synthetic_demo(client):
    assert "Synthetic demo cohort" in _entry(client.get("/").get_data(as_text=True))


def test_script_files_are_deferred_and_the_renderer_waits_for_them(client):
    page = client.get("/").get_data(as_text=True)
    files = re.findall(r"<script[^>]*\bsrc=[^>]*>", page)
    assert len(files) > 5
    assert all(" defer " in tag for tag in files), [t for t in files if " defer " not in t]
    renderer = re.search(r'<script id="_dash-renderer"[^>]*>(.*?)</script>', page, re.S)
    assert renderer is not None
    assert "DOMContentLoaded" in renderer.group(1)
    assert "new DashRenderer" in renderer.group(1)


def test_an_invalid_configured_cohort_keeps_dashs_placeholder(tmp_path):
    bad = tmp_path / "cohort.csv"
    bad.write_text("patient_id,followup_months,failure\nA,abc,1\n", encoding="utf-8")
    page = create_app(Config(cohort_path=bad)).server.test_client().get("/")
    assert "Loading..." in _entry(page.get_data(as_text=True))
