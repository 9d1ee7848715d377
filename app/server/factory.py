"""The Dash app factory: one place that wires config, data, layout, security and routes."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import dash
from flask import jsonify

from analytics.data.cohort import Cohort
from analytics.data.demo import load_demo
from analytics.data.io import load_cohort
from analytics.data.schema import CohortValidationError
from app.callbacks.km_display import register as register_km_display
from app.callbacks.range_readouts import register as register_range_readouts
from app.layout.lazy import building_everything, register_lazy_parts
from app.layout.page import TAB_KEYS, build_layout, error_layout
from app.layout.shell import shell_html
from app.layout.static_parts import register_static_parts
from app.layout.tabs import register_tab_switching
from app.server.config import Config
from app.server.logsafe import install_exception_logging
from app.server.page_boot import RENDERER, boot_scripts
from app.server.security import content_security_policy, install_auth, install_headers
from app.server.static_compression import install_static_compression
from app.state.page_language import (
    page_request_language,
    remember_page_language,
    request_language,
)
from app.state.session import CONFIG_KEY, SECRET_KEY, SERVER_COHORT_KEY
from app.state.shared_store import SHARED_STORE_KEY, SharedStore
from i18n.language import DEFAULT_LANGUAGE, LANGUAGES

log = logging.getLogger("app")
# The largest request body when uploads are off (callback inputs only).
NO_UPLOAD_BODY = 256 * 1024
ASSETS = Path(__file__).resolve().parents[2] / "assets"
# Dash's default page with a language (screen readers pick their voice from it). Its scripts
# sit in a plain <div>, not Dash's <footer>: a second footer at the top level would be a second
# "contentinfo" landmark beside the page's own (axe-core, landmark-no-duplicate-contentinfo).
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
        <div>
            {%config%}
            {%scripts%}
            {%renderer%}
        </div>
    </body>
</html>"""


def load_configured_cohort(config: Config) -> Cohort:
    """The server-side cohort: the configured file, else the synthetic demo."""
    if config.cohort_path is None:
        return load_demo()
    return load_cohort(config.cohort_path, config.relapses_path, infusions=config.infusions_path)


class ExplorerDash(dash.Dash):
    """Dash with the page's language on its <html> element.

    The page draws with the vendored basic plotly.js bundle (assets/, components/plotlyjs):
    Dash registers plotly.py's full bundle as a resource loaded on demand only, and
    dcc.Graph loads it only when no ``window.Plotly`` exists, which the basic bundle defines.
    """

    # The page's header as HTML by language (app/layout/shell.py), shown until React has
    # built the page; none when the configured cohort is invalid (Dash's "Loading...").
    shells: dict[str, str] = {}

    def interpolate_index(self, **kwargs: object) -> str:
        shell = self.shells.get(page_request_language())
        if shell is not None:
            kwargs["app_entry"] = f'<div id="react-entry-point">{shell}</div>'
        # The script files are fetched once the shell is painted (app/server/page_boot.py).
        kwargs["scripts"] = boot_scripts(str(kwargs.get("scripts", "")))
        # Screen readers choose their voice, and browsers their hyphenation, from <html lang>.
        page = super().interpolate_index(**kwargs)
        return page.replace('<html lang="en">', f'<html lang="{page_request_language()}">', 1)


def create_app(config: Config | None = None) -> dash.Dash:
    """Build the Dash app. Everything is served from this process: no CDN, no internet."""
    # The feature callbacks (their modules never import the app object).
    from app.callbacks import attach

    config = config or Config.from_env()
    logging.getLogger().setLevel(config.log_level)
    app = ExplorerDash(
        __name__,
        title="NMOSD rituximab cohort explorer",
        serve_locally=True,
        assets_folder=str(ASSETS),
        update_title=None,
        url_base_pathname=config.url_base_pathname,
        compress=True,
    )
    app.index_string = INDEX_STRING
    app.renderer = RENDERER
    # flask-compress's streaming mode never closes the asset files it streams (leaked file
    # handles); buffered compression of these small files costs nothing.
    app.server.config["COMPRESS_STREAMS"] = False
    app.server.config[CONFIG_KEY] = config
    # Signs the keys of uploaded cohorts (app/state/upload_keys.py). gunicorn.conf.py gives
    # every worker the same one when SECRET_KEY is unset; a lone process draws its own.
    app.server.config[SECRET_KEY] = config.secret_key or secrets.token_urlsafe(48)
    # Connects on first use: with Redis down at start-up the worker answers locally until it
    # is up ("degraded").
    shared_store = app.server.config[SHARED_STORE_KEY] = SharedStore.from_config(config)
    # The three files of an upload (patients, relapses, infusions) travel base64-encoded
    # (4/3 larger) in one callback request: the upload, and a restore in a worker that lost
    # it (app/callbacks/restore.py). Every other callback sends the upload's key, a few
    # kilobytes in all; without uploads no request carries a file.
    app.server.config["MAX_CONTENT_LENGTH"] = (
        4 * config.max_upload_bytes + 1024 * 1024 if config.allow_uploads else NO_UPLOAD_BODY
    )
    try:
        cohort = load_configured_cohort(config)
    except CohortValidationError as error:
        # One clear log line (counts only, no patient values) and a page that says what is wrong.
        log.error("configured cohort is invalid: %d problem(s)", len(error.problems))
        errors = {lang: error_layout(error, lang) for lang in LANGUAGES}
        with building_everything():
            app.validation_layout = build_layout(None, config)
        app.layout = lambda: errors[request_language()]
        status = {"status": "degraded", "cohort_loaded": False}
    else:
        app.server.config[SERVER_COHORT_KEY] = cohort
        # Both languages' pages are built once: a page request picks one, builds nothing.
        pages = {lang: build_layout(cohort, config, lang) for lang in LANGUAGES}
        app.shells = {lang: shell_html(cohort, lang) for lang in LANGUAGES}
        # Every lazy part in place (app/layout/lazy.py): Dash checks the callbacks against it.
        with building_everything():
            app.validation_layout = build_layout(cohort, config, DEFAULT_LANGUAGE)
        app.layout = lambda: pages[request_language()]
        status = {"status": "ok", "cohort_loaded": True}
    attach(app)
    register_tab_switching(app, TAB_KEYS)
    register_lazy_parts(app)
    register_static_parts(app)
    register_km_display(app)
    register_range_readouts(app)

    @app.server.route("/healthz")
    def healthz():
        # "cache": "degraded" keeps HTTP 200: the app answers correctly without Redis, only
        # slower (docs/deploy.md, section 7).
        return jsonify({**status, "cache": shared_store.status()})

    # Dash registers its script bundles on a worker's first request, behind a flag it sets
    # before the work is done: a second thread's first request (a bundle) then finds nothing
    # registered and gets a 500 (seen under gunicorn's threads). Do it now, before serving:
    # Dash's setup is a before-request function of its Flask server, and so far the only one
    # (the sign-in check comes after), which Flask's preprocess_request runs as a request would.
    with app.server.test_request_context(config.url_base_pathname):
        app.server.preprocess_request()
    install_static_compression(app.server, config.url_base_pathname)
    install_exception_logging(app.server)
    install_auth(app.server, config)
    install_headers(app.server, content_security_policy(app.csp_hashes()))
    app.server.after_request(remember_page_language)
    return app
