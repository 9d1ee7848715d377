"""Dash application: layout, callbacks and the WSGI server (``app.server.factory.create_app``).

Nothing is imported here, so ``gunicorn.conf.py`` can read ``app.server.config`` without loading
Dash and pandas in the master process.
"""
