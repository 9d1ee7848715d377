"""Gzip the static files (assets, Dash's bundles) once per worker, and let browsers keep them.

flask-compress leaves file responses alone when streaming compression is off (it is: its
streaming mode leaked the asset files' handles), so plotly.js and Bootstrap went out
uncompressed. These files never change while the server runs and hold no patient data,
so each is compressed once, kept in memory, and sent with a cache lifetime: Dash already
puts a version or modification stamp in every such URL.
"""

from __future__ import annotations

import gzip
from threading import Lock

import flask

STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "application/json"}
# A week: the URLs change whenever the files do (?m=<mtime>, versioned bundle names).
MAX_AGE_SECONDS = 7 * 24 * 3600
_MIN_SIZE = 500


def _body(response: flask.Response) -> bytes:
    """The whole body, with the file it was streaming from closed now, not at GC time."""
    original = response.response
    response.direct_passthrough = False
    data = response.get_data()
    close = getattr(original, "close", None)
    if close is not None:
        close()
    return data


class _GzipStore:
    """Compressed bodies by URL (path and query: the query carries the file's stamp)."""

    def __init__(self) -> None:
        self._items: dict[str, bytes] = {}
        self._lock = Lock()

    def get_or_compress(self, key: str, data: bytes) -> bytes:
        with self._lock:
            found = self._items.get(key)
        if found is not None:
            return found
        body = gzip.compress(data, compresslevel=9, mtime=0)
        with self._lock:
            self._items[key] = body
        return body


def install_static_compression(server: flask.Flask, base_path: str = "/") -> None:
    """Register the hook; call after flask-compress so this runs first (hooks run reversed)."""
    prefixes = tuple(base_path.rstrip("/") + prefix for prefix in STATIC_PREFIXES)
    store = _GzipStore()

    @server.after_request
    def compress_static(response: flask.Response) -> flask.Response:
        request = flask.request
        if not request.path.startswith(prefixes) or response.status_code != 200:
            return response
        response.headers["Cache-Control"] = f"private, max-age={MAX_AGE_SECONDS}"
        response.vary.add("Accept-Encoding")
        accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
        data = _body(response)
        if (
            not accepts_gzip
            or response.mimetype not in COMPRESSIBLE
            or "Content-Encoding" in response.headers
            or request.method != "GET"
            or len(data) < _MIN_SIZE
        ):
            return response
        response.set_data(store.get_or_compress(request.full_path, data))
        response.headers["Content-Encoding"] = "gzip"
        # The file's ETag names the uncompressed bytes; Last-Modified still validates.
        response.headers.pop("ETag", None)
        return response
