"""The served page shows the header before its scripts run (app/layout/shell.py)."""

from __future__ import annotations

import json
import re

import pytest

from app.server.config import Config
from app.server.factory import create_app
from app.server.page_boot import RENDERER, SCRIPTS_ID, boot_scripts


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


def test_script_files_are_fetched_by_the_renderer_script_after_the_first_paint(client):
    page = client.get("/").get_data(as_text=True)
    assert re.findall(r"<script[^>]*\ssrc=[^>]*>", page) == []  # no file the parser waits for
    listing = re.search(
        rf'<script id="{SCRIPTS_ID}" type="application/json"[^>]*>(.*?)</script>', page
    )
    assert listing is not None
    urls = json.loads(listing.group(1))
    # Dash's order: its dependencies (React first), the components, the renderer's bundle.
    assert "polyfill" in urls[0]
    assert urls.index(next(u for u in urls if "react-dom" in u)) < urls.index(
        next(u for u in urls if "dash_renderer" in u)
    )
    assert all(u.startswith("/") for u in urls)  # this server's files only
    renderer = re.search(r'<script id="_dash-renderer"[^>]*>(.*?)</script>', page, re.S)
    assert renderer is not None
    assert renderer.group(1) == RENDERER


def test_unexpected_script_tags_are_left_as_dash_wrote_them():
    """A Dash upgrade that writes its tags otherwise: the page loads as Dash's own."""
    odd = '<script src="/a.js" crossorigin></script><script>var x = 1;</script>'
    assert boot_scripts(odd) == odd
    usual = '<script src="/a.js"></script><script>var x = 1;</script>'
    assert boot_scripts(usual) == (
        f'<script id="{SCRIPTS_ID}" type="application/json" data-renderer-src="">["/a.js"]</script>'
        "<script>var x = 1;</script>"
    )


def test_an_invalid_configured_cohort_keeps_dashs_placeholder(tmp_path):
    bad = tmp_path / "cohort.csv"
    bad.write_text("patient_id,followup_months,failure\nA,abc,1\n", encoding="utf-8")
    page = create_app(Config(cohort_path=bad)).server.test_client().get("/")
    assert "Loading..." in _entry(page.get_data(as_text=True))
