"""Authentication for every route but /healthz, and the security headers of every response.

Two intranet modes besides the laptop's "none":

- ``basic``: HTTP basic auth against a users file of ``name:hash`` lines, hashes made by
  ``python -m app.users`` (werkzeug's salted scrypt; never plain passwords).
- ``header``: the hospital's reverse proxy (SSO) authenticates and sets a header such as
  ``X-Remote-User``; the app only requires it. The proxy must strip any copy of that header
  sent by clients, or anyone could set it (docs/deploy.md says so).

Both guard Dash's own routes too (``/_dash-update-component``, ``/_dash-layout``, component
suites), since the callbacks are where the data comes from.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import flask
from werkzeug.security import check_password_hash

from app.config import Config, ConfigError

log = logging.getLogger("app.security")

OPEN_PATHS = frozenset({"/healthz"})
REALM = "NMOSD cohort explorer"


def read_users(path: Path) -> dict[str, str]:
    """``name:hash`` lines (blank lines and ``#`` comments ignored) -> {name: hash}."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ConfigError(f"AUTH_USERS_FILE {path} cannot be read ({error.strerror})") from None
    users: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, sep, hashed = text.partition(":")
        if not sep or not name or "$" not in hashed:
            raise ConfigError(
                f"AUTH_USERS_FILE {path}, line {number}: expected 'name:hash' made by "
                "'python -m app.users NAME'"
            )
        users[name] = hashed
    if not users:
        raise ConfigError(f"AUTH_USERS_FILE {path} has no users")
    return users


def _challenge() -> flask.Response:
    response = flask.Response("Authentication required.\n", status=401, mimetype="text/plain")
    response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def _basic_guard(users: dict[str, str]):
    def guard() -> flask.Response | None:
        auth = flask.request.authorization
        if auth is None or auth.type != "basic" or auth.username not in users:
            return _challenge()
        if not check_password_hash(users[auth.username], auth.password or ""):
            log.warning("failed sign-in")  # no user names: they can be patient-adjacent
            return _challenge()
        return None

    return guard


def _header_guard(header: str):
    def guard() -> flask.Response | None:
        if not flask.request.headers.get(header, "").strip():
            return flask.Response(
                "Sign in through the hospital portal to use this service.\n",
                status=403,
                mimetype="text/plain",
            )
        return None

    return guard


def install_auth(server: flask.Flask, config: Config) -> None:
    """Require authentication on every route except OPEN_PATHS, per ``config.auth_mode``."""
    if config.auth_mode == "none":
        return
    if config.auth_mode == "basic":
        assert config.auth_users_file is not None  # Config.from_env enforces it
        guard = _basic_guard(read_users(config.auth_users_file))
    else:
        guard = _header_guard(config.auth_header)

    @server.before_request
    def require_authentication() -> flask.Response | None:
        if flask.request.path in OPEN_PATHS:
            return None
        return guard()


def content_security_policy(script_hashes: Iterable[str]) -> str:
    """Everything from this origin only; inline scripts only by hash (Dash's config and
    clientside callbacks). Styles allow 'unsafe-inline' because plotly.js and Dash components
    set element styles at run time; that permits no script execution."""
    scripts = " ".join(["'self'", *script_hashes])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def install_headers(server: flask.Flask, policy: str) -> None:
    """Security headers on every response, and no server version banner."""

    @server.after_request
    def add_headers(response: flask.Response) -> flask.Response:
        headers = response.headers
        headers["Content-Security-Policy"] = policy
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        # same-origin: the page's own requests (Dash's layout request) say which page, and so
        # which language (app/page_language.py); other sites are never told anything.
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        # Filter values live in the URL and responses carry patient data: no shared caches.
        if not flask.request.path.startswith(("/assets/", "/_dash-component-suites/")):
            headers["Cache-Control"] = "no-store"
        headers.pop("Server", None)
        return response
