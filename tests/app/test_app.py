"""The Dash app starts on the demo cohort, serves /healthz and loads nothing from outside."""

from __future__ import annotations

import re

import pytest

from app.server.config import Config
from app.server.factory import create_app


@pytest.fixture(scope="module")
def client():
    """A Flask test client of the app built with default (demo) configuration."""
    return create_app(Config()).server.test_client()


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "cohort_loaded": True, "cache": "local"}


def test_index_page_references_only_local_resources(client):
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the page should load its scripts"
    assert [u for u in urls if u.startswith(("http:", "https:", "//"))] == []


def test_layout_labels_the_synthetic_demo(client):
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "Synthetic demo cohort" in layout


def test_invalid_configured_cohort_gives_a_page_not_a_crash(tmp_path):
    bad = tmp_path / "cohort.csv"
    bad.write_text("patient_id,followup_months,failure\nA,abc,1\n", encoding="utf-8")
    app = create_app(Config(cohort_path=bad))
    client = app.server.test_client()
    assert client.get("/healthz").get_json()["status"] == "degraded"
    layout = client.get("/_dash-layout").get_data(as_text=True)
    assert "could not be loaded" in layout
    assert "followup_months" in layout


@pytest.mark.parametrize(("env", "message"), [({"PORT": "eighty"}, "PORT must be a whole number")])
def test_bad_environment_is_explained(env, message):
    with pytest.raises(ValueError, match=message):
        Config.from_env(env)


def test_environment_is_read():
    config = Config.from_env({"HOST": "0.0.0.0", "PORT": "9000", "COHORT_PATH": "/data/c.csv"})
    assert (config.host, config.port, str(config.cohort_path)) == ("0.0.0.0", 9000, "/data/c.csv")
