"""Dash application: layout, callbacks and the WSGI server."""

from app.factory import create_app

__all__ = ["create_app"]
