"""The Dash app factory: one place that wires config, data, layout and routes."""

from __future__ import annotations

import logging
from pathlib import Path

import dash
import dash_bootstrap_components as dbc  # noqa: F401  (registers components served locally)
from flask import jsonify

from analytics.cohort import Cohort
from analytics.demo import load_demo
from analytics.io import load_cohort
from analytics.report import build_report
from analytics.schema import CohortValidationError
from app.config import Config
from app.layout import build_layout, error_layout

log = logging.getLogger("app")
ASSETS = Path(__file__).resolve().parent.parent / "assets"


def load_configured_cohort(config: Config) -> Cohort:
    """The server-side cohort: the configured file, else the synthetic demo."""
    if config.cohort_path is None:
        return load_demo()
    return load_cohort(config.cohort_path, config.relapses_path)


def create_app(config: Config | None = None) -> dash.Dash:
    """Build the Dash app. Everything is served from this process: no CDN, no internet."""
    config = config or Config.from_env()
    app = dash.Dash(
        __name__,
        title="NMOSD rituximab cohort explorer",
        serve_locally=True,
        assets_folder=str(ASSETS),
        update_title=None,
    )
    try:
        cohort = load_configured_cohort(config)
        report = build_report(
            cohort,
            group_by="asymptomatic_lesions"
            if "asymptomatic_lesions" in cohort.patients.columns
            else None,
        )
        app.layout = build_layout(report)
        status = {"status": "ok", "cohort_loaded": True}
    except CohortValidationError as error:
        # One clear log line (counts only, no patient values) and a page that says what is wrong.
        log.error("configured cohort is invalid: %d problem(s)", len(error.problems))
        app.layout = error_layout(error)
        status = {"status": "degraded", "cohort_loaded": False}

    @app.server.route("/healthz")
    def healthz():
        return jsonify(status)

    return app
