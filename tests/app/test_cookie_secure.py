"""The language cookie is Secure when the page is served over HTTPS (as the trusted proxy
tells gunicorn), and stays usable over plain HTTP on a laptop."""

from __future__ import annotations

from app.server.config import Config
from app.server.factory import create_app


def test_the_language_cookie_is_secure_over_https_only():
    client = create_app(Config()).server.test_client()
    over_https = client.get("/?lang=es", base_url="https://nmosd.hospital.example")
    assert "Secure" in over_https.headers["Set-Cookie"]
    over_http = client.get("/?lang=es")
    assert "Secure" not in over_http.headers["Set-Cookie"]
    assert "HttpOnly" in over_http.headers["Set-Cookie"]
