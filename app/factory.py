"""The Dash app factory: one place that wires config, data, layout and routes."""

from __future__ import annotations

import logging
from pathlib import Path

import dash
from flask import jsonify

from analytics.cohort import Cohort
from analytics.demo import load_demo
from analytics.io import load_cohort
from analytics.schema import CohortValidationError
from app.config import Config
from app.layout import build_layout, error_layout
from app.session import SERVER_COHORT_KEY

log = logging.getLogger("app")
# Dash's default page with a language (screen readers pick their voice from it).
INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        <meta name="description" content="Time to treatment failure in a rituximab-treated
            AQP4-IgG+ NMOSD cohort: Kaplan-Meier curves, hazard ratios and failure rates.">
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""
ASSETS = Path(__file__).resolve().parent.parent / "assets"


def load_configured_cohort(config: Config) -> Cohort:
    """The server-side cohort: the configured file, else the synthetic demo."""
    if config.cohort_path is None:
        return load_demo()
    return load_cohort(config.cohort_path, config.relapses_path)


def create_app(config: Config | None = None) -> dash.Dash:
    """Build the Dash app. Everything is served from this process: no CDN, no internet."""
    # Registers the @callback functions (feature modules never import the app object).
    from app.callbacks import data, report, tabs, view  # noqa: F401

    config = config or Config.from_env()
    app = dash.Dash(
        __name__,
        title="NMOSD rituximab cohort explorer",
        serve_locally=True,
        assets_folder=str(ASSETS),
        update_title=None,
    )
    app.index_string = INDEX_STRING
    try:
        cohort = load_configured_cohort(config)
    except CohortValidationError as error:
        # One clear log line (counts only, no patient values) and a page that says what is wrong.
        log.error("configured cohort is invalid: %d problem(s)", len(error.problems))
        app.layout = error_layout(error)
        app.validation_layout = build_layout(None)
        status = {"status": "degraded", "cohort_loaded": False}
    else:
        app.server.config[SERVER_COHORT_KEY] = cohort
        app.layout = build_layout(cohort)
        status = {"status": "ok", "cohort_loaded": True}

    @app.server.route("/healthz")
    def healthz():
        return jsonify(status)

    return app
