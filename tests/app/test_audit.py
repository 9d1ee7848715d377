"""Audit: one JSON line per action on ``nmosd.audit`` naming who, from where, what and which
cohort, in both sign-in modes, and never a patient value."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from werkzeug.security import generate_password_hash

from app.callbacks import callback_specs
from app.layout import ids
from app.server.config import Config
from app.server.factory import create_app
from tests.app.http_callbacks import callback_body

PASSWORD = "correct horse battery"
UPDATE = "/_dash-update-component"
KEYS = {spec["callback"].__name__: key for key, spec in callback_specs().items()}


def _post(app, name: str, changes: dict | None = None, **request):
    key = KEYS[name]
    body = callback_body(app, key, callback_specs()[key], None, changes)
    return app.server.test_client().post(
        UPDATE, data=body, content_type="application/json", **request
    )


def _lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "nmosd.audit"]


@pytest.fixture(scope="module")
def basic_app(tmp_path_factory):
    users = tmp_path_factory.mktemp("audit") / "users"
    users.write_text(f"alice:{generate_password_hash(PASSWORD)}\n", encoding="utf-8")
    return create_app(Config(auth_mode="basic", auth_users_file=users))


def test_a_view_and_the_exports_are_audited_with_the_basic_user(basic_app, caplog):
    caplog.set_level(logging.INFO, "nmosd.audit")
    for name in ("update_panels", "download_csv", "download_report"):
        response = _post(basic_app, name, auth=("alice", PASSWORD))
        assert response.status_code == 200
    lines = _lines(caplog)
    assert [line["action"] for line in lines] == ["view", "export_csv", "export_report"]
    for line in lines:
        assert line["user"] == "alice"
        assert line["client"] == "127.0.0.1"
        assert line["cohort"] == "demo"
        assert len(line["fingerprint"]) >= 8
        assert line["time"].endswith("+00:00")


def test_an_upload_is_audited_by_fingerprint_only_in_header_mode(caplog):
    app = create_app(Config(auth_mode="header"))
    csv = "patient_id,followup_months,failure,failure_months\nNHC-55501234,12,1,3\nB,20,0,\n"
    contents = "data:text/csv;base64," + base64.b64encode(csv.encode()).decode()
    caplog.set_level(logging.INFO, "nmosd.audit")
    response = _post(
        app,
        "load_upload",
        {
            (ids.UPLOAD_PATIENTS, "contents"): contents,
            (ids.UPLOAD_PATIENTS, "filename"): "garcia-lopez.csv",
        },
        headers={"X-Remote-User": "dr.garcia"},
    )
    assert response.status_code == 200
    (line,) = _lines(caplog)
    assert (line["user"], line["action"], line["cohort"]) == ("dr.garcia", "upload", "upload")
    text = caplog.text
    assert "NHC-55501234" not in text
    assert "garcia-lopez" not in text  # a file name can name a patient


def test_the_client_address_is_the_proxys_word_only_from_a_trusted_proxy(caplog):
    app = create_app(Config(forwarded_allow_ips="10.0.0.2"))
    caplog.set_level(logging.INFO, "nmosd.audit")
    forwarded = {"X-Forwarded-For": "203.0.113.9, 192.0.2.44"}
    _post(app, "update_panels", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    _post(app, "update_panels", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.3"})
    first, second = _lines(caplog)
    assert first["client"] == "192.0.2.44"  # the proxy appended the peer it saw
    assert second["client"] == "10.0.0.3"  # anyone else's X-Forwarded-For is not believed
    assert first["user"] is None  # no sign-in in this mode


def test_audit_lines_survive_a_quiet_log_level(caplog):
    app = create_app(Config(log_level="ERROR"))
    caplog.set_level(logging.INFO, "nmosd.audit")
    _post(app, "update_panels")
    assert [line["action"] for line in _lines(caplog)] == ["view"]
