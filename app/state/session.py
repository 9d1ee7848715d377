"""Which cohort a request is about: the session's upload, else the server's configured one."""

from __future__ import annotations

from flask import current_app

from analytics.data.cohort import Cohort
from app.server.config import Config
from app.state.cohort_store import cohort_from_store

SERVER_COHORT_KEY = "NMOSD_SERVER_COHORT"
CONFIG_KEY = "NMOSD_CONFIG"


def server_cohort() -> Cohort:
    """The read-only cohort the server was started with (the demo by default)."""
    return current_app.config[SERVER_COHORT_KEY]


def app_config() -> Config:
    """The configuration the app was built with."""
    return current_app.config[CONFIG_KEY]


def current_cohort(store: dict | None) -> Cohort:
    """The cohort of this request: the store the browser sent back gets the upload policy
    (ALLOW_UPLOADS, MAX_UPLOAD_MB, MAX_UPLOAD_ROWS) on every callback, not only the upload."""
    config = app_config()
    return cohort_from_store(
        store,
        server_cohort(),
        allow_uploads=config.allow_uploads,
        max_bytes=config.max_upload_bytes,
        max_rows=config.max_upload_rows,
    )
