"""Authentication for every route but /healthz, and the security headers of every response.

Two intranet modes besides the laptop's "none":

- ``basic``: HTTP basic auth against a users file of ``name:hash`` lines, hashes made by
  ``python -m app.server.users`` (werkzeug's salted scrypt; never plain passwords).
- ``header``: the hospital's reverse proxy (SSO) authenticates and sets a header such as
  ``X-Remote-User``; the app requires it, and only from the proxy's addresses
  (``AUTH_PROXY_IPS``). The proxy must strip any copy of that header sent by clients
  (docs/deploy.md says so).

Basic auth's cost and guessing limits are app/server/signin.py's.

Both guard Dash's own routes too (``/_dash-update-component``, ``/_dash-layout``, component
suites), since the callbacks are where the data comes from.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import flask

from app.server.audit import PROXIES_KEY, client_address, signed_in
from app.server.config import Config, ConfigError
from app.server.signin import BasicVerifier, Network, address_in, parse_networks

log = logging.getLogger("app.server.security")

OPEN_PATHS = frozenset({"/healthz"})
REALM = "NMOSD cohort explorer"
MAX_USER_CHARS = 256
GUARD_KEY = "NMOSD_AUTH_GUARD"


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
                "'python -m app.server.users NAME'"
            )
        users[name] = hashed
    if not users:
        raise ConfigError(f"AUTH_USERS_FILE {path} has no users")
    return users


def _challenge() -> flask.Response:
    response = flask.Response("Authentication required.\n", status=401, mimetype="text/plain")
    response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def _too_many(seconds: int) -> flask.Response:
    response = flask.Response(
        "Too many failed sign-ins: try again later.\n", status=429, mimetype="text/plain"
    )
    response.headers["Retry-After"] = str(seconds)
    return response


def _forbidden(text: str) -> flask.Response:
    return flask.Response(text, status=403, mimetype="text/plain")


def _basic_guard(users: dict[str, str]):
    verifier = BasicVerifier(users)

    def guard() -> flask.Response | None:
        auth = flask.request.authorization
        if auth is None or auth.type != "basic" or not auth.username:
            return _challenge()
        header = flask.request.headers.get("Authorization", "")
        outcome, detail = verifier.check(
            header, auth.username, auth.password or "", client_address() or "?"
        )
        if outcome == "limited":
            log.warning("sign-in refused: too many failures")  # no names, no address
            return _too_many(int(detail))  # type: ignore[call-overload]
        if outcome != "ok":
            log.warning("failed sign-in")  # no user names: they can be patient-adjacent
            return _challenge()
        signed_in(str(detail))
        return None

    guard.verifier = verifier  # type: ignore[attr-defined]  (tests reach the limiter)
    return guard


def header_user(value: str | None) -> str | None:
    """The proxy header's user name, or None when blank or odd (controls, > 256 chars)."""
    text = (value or "").strip()
    if not text or len(text) > MAX_USER_CHARS:
        return None
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in text):
        return None
    return text


def _header_guard(header: str, proxies: tuple[Network, ...] | None):
    def guard() -> flask.Response | None:
        if not address_in(flask.request.remote_addr, proxies):
            # Only the hospital's proxy may vouch for a user: anyone else could set the header.
            log.warning("request refused: not from a trusted proxy (AUTH_PROXY_IPS)")
            return _forbidden("Use this service through the hospital portal.\n")
        user = header_user(flask.request.headers.get(header))
        if user is None:
            return _forbidden("Sign in through the hospital portal to use this service.\n")
        signed_in(user)
        return None

    return guard


def install_auth(server: flask.Flask, config: Config) -> None:
    """Require authentication on every route except OPEN_PATHS, per ``config.auth_mode``."""
    server.config[PROXIES_KEY] = parse_networks(config.forwarded_allow_ips)
    if config.auth_mode == "none":
        return
    if config.auth_mode == "basic":
        assert config.auth_users_file is not None  # Config.from_env enforces it
        guard = _basic_guard(read_users(config.auth_users_file))
    else:
        guard = _header_guard(config.auth_header, parse_networks(config.proxy_ips))

    @server.before_request
    def require_authentication() -> flask.Response | None:
        if flask.request.path in OPEN_PATHS:
            return None
        return guard()

    server.config[GUARD_KEY] = guard


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
        # which language (app/state/page_language.py); other sites are never told anything.
        headers["Referrer-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        # Filter values live in the URL and responses carry patient data: no shared caches.
        if not flask.request.path.startswith(("/assets/", "/_dash-component-suites/")):
            headers["Cache-Control"] = "no-store"
        headers.pop("Server", None)
        return response
