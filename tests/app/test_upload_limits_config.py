"""Upload limits sized for a registry, one per file; MAX_UPLOAD_ROWS kept as a deprecated alias;
SECRET_KEY shared by every worker (gunicorn.conf.py draws one when it is unset)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.layout.data import data_panel
from app.server.config import Config, ConfigError
from app.server.factory import create_app
from tests.dash_text import component_texts

ROOT = Path(__file__).resolve().parents[2]


def test_the_defaults_fit_a_100_000_patient_registry():
    """benchmarks/cohorts.py's 100 000 patients: patients.csv 4.0 MB, relapses.csv 6.1 MB with
    344 448 rows (measured 2026-12-02), each within the defaults."""
    config = Config.from_env({})
    assert config.upload_row_limits == (200_000, 2_000_000, 2_000_000)
    assert config.max_upload_bytes >= 2 * 6_068_456


def test_each_file_has_its_own_variable():
    config = Config.from_env({"MAX_UPLOAD_PATIENTS": "10", "MAX_UPLOAD_RELAPSES": "20"})
    assert config.upload_row_limits == (10, 20, 2_000_000)


def test_the_deprecated_max_upload_rows_sets_the_limits_not_set_themselves():
    config = Config.from_env({"MAX_UPLOAD_ROWS": "500", "MAX_UPLOAD_RELAPSES": "900"})
    assert config.upload_row_limits == (500, 900, 500)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAX_UPLOAD_RELAPSES": "0"}, "MAX_UPLOAD_RELAPSES must be at least 1"),
        ({"MAX_UPLOAD_PATIENTS": "many"}, "MAX_UPLOAD_PATIENTS must be a whole number"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32 characters"),
    ],
)
def test_bad_settings_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env)


def test_the_upload_area_states_each_limit():
    text = " ".join(
        component_texts(data_panel(Config(max_upload_mb=20, max_upload_relapses=1_500_000)))
    )
    assert "Up to 20 MB per file; up to 200,000 patients, 1,500,000 relapse rows and " in text
    assert "2,000,000 infusion rows." in text


def test_the_secret_key_is_the_configured_one_else_drawn():
    secret = "k" * 40
    assert create_app(Config(secret_key=secret)).server.config["SECRET_KEY"] == secret
    drawn = create_app(Config()).server.config["SECRET_KEY"]
    assert len(drawn) >= 32
    assert drawn != create_app(Config()).server.config["SECRET_KEY"]


def _secret_after_gunicorn_conf(env: dict[str, str]) -> str:
    """SECRET_KEY in the environment gunicorn's workers inherit from its master."""
    script = "import os, runpy; runpy.run_path('gunicorn.conf.py'); print(os.environ['SECRET_KEY'])"
    clean = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_gunicorn_gives_its_workers_one_secret_drawn_at_start_or_the_configured_one():
    first = _secret_after_gunicorn_conf({})
    assert len(first) >= 32
    assert _secret_after_gunicorn_conf({}) != first  # drawn, not a constant
    assert _secret_after_gunicorn_conf({"SECRET_KEY": "c" * 40}) == "c" * 40
