"""Which language a request's page is in: the ``lang`` of the page's URL.

The page's URL (``?lang=es``) is the one source of truth: shareable, bookmarkable. Dash
fetches the layout with a separate request (``/_dash-layout``), which does not carry the
page's query; it carries the page's address as its Referer (the Referrer-Policy is
``same-origin``: sent to this server only). When a proxy strips Referer headers, a cookie
written with the page itself (no patient data: two letters) is the fallback.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import flask

from app.state.session import CONFIG_KEY
from app.state.view_state import ViewState
from i18n.language import DEFAULT_LANGUAGE, Language, parse_language

COOKIE = "explorer_lang"


def page_request_language() -> Language:
    """The language of a page request: its own URL's (no ``lang``: English)."""
    if not flask.has_request_context():
        return DEFAULT_LANGUAGE
    return ViewState.from_query(flask.request.query_string.decode("latin-1")).language


def request_language() -> Language:
    """The language of the page a request of that page (the layout) belongs to."""
    if not flask.has_request_context():
        return DEFAULT_LANGUAGE
    request = flask.request
    referrer = request.referrer
    if referrer and urlsplit(referrer).netloc == request.host:
        return ViewState.from_query(urlsplit(referrer).query).language
    return parse_language(request.cookies.get(COOKIE, DEFAULT_LANGUAGE))


def remember_page_language(response: flask.Response) -> flask.Response:
    """With every HTML page: the cookie the layout request falls back on."""
    if response.mimetype == "text/html":
        language = page_request_language()
        path = flask.current_app.config[CONFIG_KEY].url_base_pathname
        # Secure over HTTPS: gunicorn sets the scheme from X-Forwarded-Proto only when the
        # proxy is in FORWARDED_ALLOW_IPS, so a client cannot claim HTTPS for itself.
        response.set_cookie(
            COOKIE,
            language,
            samesite="Strict",
            httponly=True,
            path=path,
            secure=flask.request.is_secure,
        )
    return response
