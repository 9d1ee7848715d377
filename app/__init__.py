"""Dash application: layout, callbacks and the WSGI server (``app.factory.create_app``).

Nothing is imported here, so ``gunicorn.conf.py`` can read ``app.config`` without loading
Dash and pandas in the master process.
"""
