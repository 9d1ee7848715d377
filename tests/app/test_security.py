"""Authentication on every route but /healthz; security headers; compression."""

from __future__ import annotations

import gzip
import json

import pytest
from werkzeug.security import generate_password_hash

from app.server.config import Config, ConfigError
from app.server.factory import create_app
from app.server.security import read_users
from app.server.users import main as users_main

UPDATE = "/_dash-update-component"
PASSWORD = "correct horse battery"


def _update_body() -> str:
    """A minimal callback request (the server answers it or refuses it before Dash parses)."""
    return json.dumps(
        {
            "output": "paper-panel.children",
            "outputs": {"id": "paper-panel", "property": "children"},
            "inputs": [{"id": "view-paper", "property": "data", "value": "k"}],
            "changedPropIds": ["view-paper.data"],
            "state": [
                {"id": "cohort-store", "property": "data", "value": None},
                {"id": "page-language", "property": "data", "value": "en"},
            ],
        }
    )


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    """A users file with one scrypt-hashed user."""
    path = tmp_path_factory.mktemp("auth") / "users"
    path.write_text(f"# clinic staff\nalice:{generate_password_hash(PASSWORD)}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def basic_client(users_file):
    """The app with AUTH_MODE=basic."""
    return create_app(Config(auth_mode="basic", auth_users_file=users_file)).server.test_client()


@pytest.fixture(scope="module")
def header_client():
    """The app with AUTH_MODE=header (SSO proxy sets X-Remote-User)."""
    return create_app(Config(auth_mode="header")).server.test_client()


@pytest.fixture(scope="module")
def open_client():
    """The laptop app, no authentication."""
    return create_app(Config()).server.test_client()


@pytest.mark.parametrize("path", ["/", "/_dash-layout", "/_dash-dependencies", "/assets/app.css"])
def test_basic_auth_guards_every_route(basic_client, path):
    response = basic_client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_basic_auth_guards_callbacks_and_admits_the_right_password(basic_client):
    refused = basic_client.post(UPDATE, data=_update_body(), content_type="application/json")
    assert refused.status_code == 401
    wrong = basic_client.post(
        UPDATE, data=_update_body(), content_type="application/json", auth=("alice", "nope")
    )
    assert wrong.status_code == 401
    allowed = basic_client.post(
        UPDATE, data=_update_body(), content_type="application/json", auth=("alice", PASSWORD)
    )
    assert allowed.status_code == 200
    assert "paper-panel" in allowed.get_data(as_text=True)


def test_healthz_needs_no_credentials(basic_client, header_client):
    assert basic_client.get("/healthz").status_code == 200
    assert header_client.get("/healthz").status_code == 200


def test_header_mode_requires_the_proxy_header(header_client):
    assert header_client.get("/").status_code == 403
    assert (
        header_client.post(UPDATE, data=_update_body(), content_type="application/json").status_code
        == 403
    )
    assert header_client.get("/", headers={"X-Remote-User": "   "}).status_code == 403
    ok = header_client.post(
        UPDATE,
        data=_update_body(),
        content_type="application/json",
        headers={"X-Remote-User": "dr.garcia"},
    )
    assert ok.status_code == 200


def test_security_headers_on_pages_and_callbacks(open_client):
    for response in (open_client.get("/"), open_client.get("/healthz")):
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        policy = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy
        assert "default-src 'self'" in policy
        assert "http" not in policy  # no external origin anywhere
        assert "Server" not in headers


def test_csp_hashes_cover_every_inline_script(open_client):
    """Each inline <script> of the page must be allowed by a sha256 in script-src."""
    import base64
    import hashlib
    import re

    response = open_client.get("/")
    policy = response.headers["Content-Security-Policy"]
    # JSON data blocks (Dash's config) are not executed, so CSP does not apply to them.
    inline = re.findall(
        r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>(.*?)</script>",
        response.get_data(as_text=True),
        re.S,
    )
    assert inline
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


def test_responses_are_compressed(open_client):
    html = open_client.get("/").get_data(as_text=True)
    start = html.index("/_dash-component-suites/dash/dcc/")
    response = open_client.get(
        html[start : html.index('"', start)], headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers.get("Content-Encoding") == "gzip"
    assert len(gzip.decompress(response.get_data())) > 3 * len(response.get_data())


def test_uploads_off_refuses_server_side():
    client = create_app(Config(allow_uploads=False)).server.test_client()
    body = json.dumps(
        {
            "output": "..cohort-store.data...upload-status.children..",
            "outputs": [
                {"id": "cohort-store", "property": "data"},
                {"id": "upload-status", "property": "children"},
            ],
            "inputs": [
                {
                    "id": "upload-patients",
                    "property": "contents",
                    "value": "data:text/csv;base64,cGF0aWVudF9pZApBCg==",
                },
                {"id": "upload-relapses", "property": "contents", "value": None},
                {"id": "upload-infusions", "property": "contents", "value": None},
                {"id": "use-demo", "property": "n_clicks", "value": None},
                {"id": "upload-mapping-confirm", "property": "n_clicks", "value": None},
            ],
            "changedPropIds": ["upload-patients.contents"],
            "state": [
                {"id": "upload-patients", "property": "filename", "value": "p.csv"},
                {"id": "upload-relapses", "property": "filename", "value": None},
                {"id": "upload-infusions", "property": "filename", "value": None},
                {"id": "upload-sex-m", "property": "value", "value": None},
                {"id": "upload-derive", "property": "value", "value": None},
                {"id": "page-language", "property": "data", "value": "en"},
            ],
        }
    )
    response = client.post(UPDATE, data=body, content_type="application/json")
    assert response.status_code == 200
    assert "Uploads are turned off" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AUTH_MODE": "kerberos"}, "AUTH_MODE must be one of none, basic, header"),
        ({"AUTH_MODE": "basic"}, "AUTH_MODE=basic needs AUTH_USERS_FILE"),
        ({"MAX_UPLOAD_MB": "lots"}, "MAX_UPLOAD_MB must be a number"),
        ({"MAX_UPLOAD_ROWS": "0"}, "MAX_UPLOAD_ROWS must be at least 1"),
        ({"ALLOW_UPLOADS": "maybe"}, "ALLOW_UPLOADS must be 1 or 0"),
        ({"PORT": "70000"}, "PORT must be between 1 and 65535"),
        ({"RELAPSES_PATH": "/r.csv"}, "RELAPSES_PATH is set but COHORT_PATH is not"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of"),
    ],
)
def test_bad_settings_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env)


def test_base_path_is_normalised():
    assert Config.from_env({"URL_BASE_PATHNAME": "nmosd"}).url_base_pathname == "/nmosd/"
    assert Config.from_env({"URL_BASE_PATHNAME": "/nmosd/"}).url_base_pathname == "/nmosd/"


def test_app_serves_under_a_sub_path():
    client = create_app(Config(url_base_pathname="/nmosd/")).server.test_client()
    assert client.get("/nmosd/").status_code == 200
    assert "/nmosd/_dash-component-suites/" in client.get("/nmosd/").get_data(as_text=True)
    assert client.get("/healthz").status_code == 200


def test_users_file_problems_are_clear(tmp_path):
    path = tmp_path / "users"
    path.write_text("alice:plaintextpassword\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 1: expected 'name:hash'"):
        read_users(path)
    with pytest.raises(ConfigError, match="cannot be read"):
        read_users(tmp_path / "missing")


def test_users_command_prints_a_verifiable_hash(capsys, monkeypatch):
    import io

    from werkzeug.security import check_password_hash

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert users_main(["bob", "--stdin"]) == 0
    name, _, hashed = capsys.readouterr().out.strip().partition(":")
    assert name == "bob"
    assert check_password_hash(hashed, PASSWORD)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert users_main(["bob", "--stdin"]) == 2
