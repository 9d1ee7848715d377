"""An upload this worker does not hold comes back from the page, once.

The cohort store holds a signed key, not the files (app/state/upload_keys.py). When a view
callback reaches a worker that does not hold the key's cohort (another worker validated it,
a restart, an eviction), ``guarded`` (app/callbacks/safety.py) signals ``UPLOAD_RESTORE``
and shows "Restoring your uploaded file…". This callback then takes the files the page's
upload components still hold, validates them again, checks that their digest is the key's,
and bumps the store's ``restored`` count so that the views fire again with the same key.

When the files are gone (the page was reloaded), are other files than the key's, or the key
is refused, the page says so and goes back to the server's cohort: never another cohort.
"""

from __future__ import annotations

import contextlib

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, set_props
from dash.exceptions import MissingCallbackContextException, PreventUpdate

from analytics.data.schema import CohortValidationError
from app.callbacks.common import LANGUAGE_STATE, in_page_language
from app.callbacks.declarations import Declarations
from app.callbacks.safety import LOST, guarded
from app.layout import ids
from app.state.cohort_store import files_from_contents, validate_upload
from app.state.session import app_config, upload_digest, upload_limits
from app.state.shared_uploads import share_upload
from app.state.upload_keys import UploadKeyInvalid
from i18n.language import t

declared = Declarations()

UPLOADS = (ids.UPLOAD_PATIENTS, ids.UPLOAD_RELAPSES, ids.UPLOAD_INFUSIONS)


def _lost(_message: object = None) -> tuple:
    """Back to the server's cohort, saying why (in the upload area too)."""
    alert = dbc.Alert(t(LOST), color="warning", id="upload-lost")
    with contextlib.suppress(MissingCallbackContextException):  # called directly (tests)
        set_props(ids.UPLOAD_STATUS, {"children": alert})
    return None, alert


@declared.callback(
    Output(ids.COHORT_STORE, "data", allow_duplicate=True),
    Output(ids.UPLOAD_RESTORE_STATUS, "children"),
    Input(ids.UPLOAD_RESTORE, "data"),
    State(ids.COHORT_STORE, "data"),
    *[State(upload, "contents") for upload in UPLOADS],
    *[State(upload, "filename") for upload in UPLOADS],
    LANGUAGE_STATE,
    prevent_initial_call=True,
)
@in_page_language
@guarded(_lost)
def restore_upload(signal, store, *files):
    """Validate the page's files again for the store's key; else back to the server's cohort."""
    if not isinstance(store, dict) or not isinstance(signal, dict):
        raise PreventUpdate  # back on the server's cohort meanwhile: nothing to restore
    if signal.get("restored") != store.get("restored"):
        raise PreventUpdate  # an older signal: a restore has happened since
    if not app_config().allow_uploads:  # turned off since the upload (same SECRET_KEY)
        return _lost()
    try:
        digest = upload_digest(store)
    except UploadKeyInvalid:
        return _lost()
    if signal.get("reason") != "missing":
        # Refused elsewhere (e.g. a worker with another SECRET_KEY): restoring here would
        # only send the page round again.
        return _lost()
    try:
        # The confirmed mapping is part of the key's digest: the same file read otherwise
        # is not the key's cohort.
        mapping = store.get("mapping") if isinstance(store.get("mapping"), str) else None
        upload = files_from_contents(files[:3], files[3:], mapping)
        if upload is None or upload.digest() != digest:
            return _lost()
        validate_upload(upload, upload_limits())
        # Back in Redis (after its restart, or the entry's expiry): the next worker that
        # misses rebuilds from there instead of asking the page.
        share_upload(digest, upload_limits(), upload)
    except CohortValidationError:
        # Accepted when it was uploaded: these are not the key's files after all.
        return _lost()
    restored = store.get("restored")
    return {**store, "restored": (restored if isinstance(restored, int) else 0) + 1}, None


@declared.callback(
    Output(ids.UPLOAD_RESTORE_STATUS, "children", allow_duplicate=True),
    Input(ids.COHORT_STORE, "data"),
    Input(ids.USE_DEMO, "n_clicks"),
    prevent_initial_call=True,
)
def end_restore_message(store, _demo):
    """A new or restored upload, or the server's cohort chosen, ends the restore's note."""
    if store is None and ctx.triggered_id == ids.COHORT_STORE:
        raise PreventUpdate  # the restore has just said why the upload is gone
    return None


def register(app: Dash) -> None:
    """Register this module's callbacks on ``app``."""
    declared.register(app)
