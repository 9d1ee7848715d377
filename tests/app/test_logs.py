"""Logs never carry patient data: every callback, fed a forged store holding a patient ID,
answers (or asks the page to restore) and logs by type and place only; a huge body is not
echoed."""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import logging
from pathlib import Path

import pytest

from app.callbacks import callback_specs
from app.layout import ids
from app.server.config import Config
from app.server.factory import create_app
from app.server.logsafe import MAX_RECORD_CHARS, SafeRecords, install_filter
from tests.app.http_callbacks import callback_body

ROOT = Path(__file__).resolve().parents[2]

UPDATE = "/_dash-update-component"
SECRET = "NHC-88231977"  # a recognisable patient ID in a cell that no longer validates


def _bad_store() -> dict:
    """A cohort store as a browser may send it back: its patients file's follow-up cell holds
    a patient ID (the upload was valid under an older version, or the store was edited)."""
    csv = f"patient_id,followup_months,failure,failure_months\nP01,{SECRET},1,3\nP02,20,0,\n"
    return {
        "key": "not-cached-" + SECRET,
        "patients": {"name": "cohort.csv", "data": base64.b64encode(csv.encode()).decode()},
        "relapses": None,
        "infusions": None,
    }


@pytest.fixture(scope="module")
def app():
    return create_app(Config())


def _reads_store(spec: dict) -> bool:
    return any(d["id"] == ids.COHORT_STORE for d in [*spec["inputs"], *spec["state"]])


STORE_CALLBACKS = sorted(key for key, spec in callback_specs().items() if _reads_store(spec))


def test_every_store_reading_callback_is_exercised():
    names = {callback_specs()[key]["callback"].__name__ for key in STORE_CALLBACKS}
    assert {"download_csv", "download_report", "update_panels"} <= names


@pytest.mark.parametrize("key", STORE_CALLBACKS)
def test_a_bad_store_answers_a_message_and_logs_no_cell_value(app, key, caplog):
    spec = callback_specs()[key]
    client = app.server.test_client()
    body = callback_body(app, key, spec, _bad_store())
    with caplog.at_level(logging.DEBUG):
        response = client.post(UPDATE, data=body, content_type="application/json")
    logged = "\n".join(
        [r.getMessage() for r in caplog.records]
        + [logging.Formatter().formatException(r.exc_info) for r in caplog.records if r.exc_info]
    )
    assert SECRET not in logged
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]
    assert SECRET not in response.get_data(as_text=True) or "cohort-store" in key
    if spec["callback"].__name__.startswith("download_"):
        # No file; the page is told the key was refused (Dash's set_props), and its restore
        # callback says the upload is gone (tests/app/test_upload_requests.py).
        answer = response.get_json()
        assert ids.DOWNLOAD_CSV not in answer["response"]
        assert ids.DOWNLOAD_REPORT not in answer["response"]
        signal = answer["sideUpdate"][ids.UPLOAD_RESTORE]["data"]
        assert signal["reason"] == "invalid"
        assert SECRET not in str(answer["sideUpdate"])


def test_an_exception_escaping_to_flask_is_logged_by_type_and_place(caplog):
    """Whatever escapes a callback (or a route) reaches Flask's handler: its message, which
    may quote a value, must not reach the log; its type and place do."""
    app = create_app(Config())

    @app.server.route("/_test-raise")
    def boom():
        raise ValueError(f"could not convert string to float: '{SECRET}'")

    with caplog.at_level(logging.DEBUG):
        response = app.server.test_client().get("/_test-raise")
    assert response.status_code == 500
    logged = "\n".join(
        [r.getMessage() for r in caplog.records]
        + [logging.Formatter().formatException(r.exc_info) for r in caplog.records if r.exc_info]
    )
    assert SECRET not in logged
    assert "ValueError" in logged
    assert "test_logs.py" in logged


def test_a_huge_malformed_body_is_not_echoed_into_the_log(app, caplog):
    big = "x" * 2_000_000
    # An unknown output id: Dash's KeyError, re-raised, quoted the id twice (2 MB logged).
    outputs = {"id": big, "property": "children"}
    body = json.dumps({"output": big, "outputs": outputs, "inputs": [], "changedPropIds": []})
    with caplog.at_level(logging.DEBUG):
        response = app.server.test_client().post(UPDATE, data=body, content_type="application/json")
    assert response.status_code >= 400
    logged = sum(len(r.getMessage()) for r in caplog.records) + sum(
        len(logging.Formatter().formatException(r.exc_info)) for r in caplog.records if r.exc_info
    )
    assert logged < 10_000


def test_the_handler_filter_strips_messages_of_exceptions_and_caps_records():
    """gunicorn.conf.py puts SafeRecords on both handlers: a record logged with exc_info by
    any library (gunicorn's "Error handling request", werkzeug) keeps type and place only."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    install_filter([handler])
    logger = logging.getLogger("test_logs.filter")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            float(SECRET)
        except ValueError:
            logger.exception("Error handling request %s", "/x")
        logger.error("body %s", "y" * 100_000)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert SECRET not in text
    assert "Error handling request /x: ValueError at " in text
    assert len(text) < 2 * MAX_RECORD_CHARS + 500


def test_gunicorn_logging_config_installs_the_filter():
    spec = importlib.util.spec_from_file_location("_gconf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    handlers = module.logconfig_dict["handlers"]
    for name in ("error_console", "access_console"):
        assert handlers[name]["filters"] == ["safe_records"]
    assert module.logconfig_dict["filters"]["safe_records"]["()"] is SafeRecords
