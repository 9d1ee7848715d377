"""Which cohort a request is about: the session's upload, else the server's configured one."""

from __future__ import annotations

import flask
import pandas as pd
from flask import current_app

from analytics.data.cohort import Cohort
from analytics.data.schema import CohortValidationError, Problem
from app.server.audit import USER_KEY
from app.server.config import CONFIG_KEY, Config
from app.state.cohort_store import (
    UploadFiles,
    UploadLimits,
    UploadNotHeld,
    held_cohort,
    validate_upload,
)
from app.state.shared_uploads import keep_shared, rebuild_from_shared, share_upload
from app.state.upload_keys import UploadKeyInvalid, sign_key, verify_key

SERVER_COHORT_KEY = "NMOSD_SERVER_COHORT"
# Flask's own name for the app's secret (app.server.factory sets it).
SECRET_KEY = "SECRET_KEY"
UPLOADS_OFF = "Uploads are turned off on this server: reload the page."


def server_cohort() -> Cohort:
    """The read-only cohort the server was started with (the demo by default)."""
    return current_app.config[SERVER_COHORT_KEY]


def app_config() -> Config:
    """The configuration the app was built with."""
    return current_app.config[CONFIG_KEY]


def upload_limits() -> UploadLimits:
    """The upload policy in force (MAX_UPLOAD_MB and the per-file row limits)."""
    config = app_config()
    return UploadLimits(config.max_upload_bytes, config.upload_row_limits)


def _user() -> str | None:
    # The signed-in user (None without sign-in): a key is good for its user only.
    return flask.g.get(USER_KEY) if flask.has_request_context() else None


def store_for_upload(
    files: UploadFiles, parsed: pd.DataFrame | None = None
) -> tuple[dict[str, object], Cohort]:
    """Validate an upload; return the cohort store the page keeps (a signed key, the file
    names and the number of patients: no bytes, no rows) and the cohort.
    Raises CohortValidationError."""
    limits = upload_limits()
    digest, cohort = validate_upload(files, limits, parsed)
    share_upload(digest, limits, files)
    key = sign_key(current_app.config[SECRET_KEY], digest, limits.signed(), _user())
    store: dict[str, object] = {
        "key": key,
        "files": files.names(),
        "n": len(cohort.patients),
        # The confirmed reading of the patients file (None: as written): a restore sends it
        # back with the files, and it must give the key's digest like the files must.
        "mapping": files.mapping,
        # Bumped by each restore, so that the view callbacks fire again.
        "restored": 0,
    }
    return store, cohort


def upload_digest(store: dict) -> str:
    """The content digest a store's key names; UploadKeyInvalid if this server did not sign
    it (for this user, under the limits in force)."""
    if not isinstance(store, dict):
        raise UploadKeyInvalid("not a store")
    return verify_key(
        current_app.config[SECRET_KEY], store.get("key"), upload_limits().signed(), _user()
    )


def current_cohort(store: dict | None) -> Cohort:
    """The cohort of this request: the server's without an upload, else the upload the
    store's key names. Raises CohortValidationError (uploads are off), UploadKeyInvalid, or
    UploadNotHeld (a valid key, but this worker does not hold its cohort)."""
    if not store:
        return server_cohort()
    if not app_config().allow_uploads:
        raise CohortValidationError([Problem("upload", None, None, None, UPLOADS_OFF)])
    try:
        digest, limits = upload_digest(store), upload_limits()
        cohort = held_cohort(digest, limits, lambda: rebuild_from_shared(digest, limits))
        keep_shared(digest, limits)
        return cohort
    except (UploadNotHeld, UploadKeyInvalid) as error:
        # Which store the page must restore: a restore answers the latest signal only.
        error.signal = {
            "reason": "missing" if isinstance(error, UploadNotHeld) else "invalid",
            "restored": store.get("restored") if isinstance(store, dict) else None,
        }
        raise
