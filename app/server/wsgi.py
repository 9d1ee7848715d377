"""WSGI entry point for gunicorn: ``gunicorn --config gunicorn.conf.py app.server.wsgi:server``.

An invalid configuration stops the process with one line naming the variable and exit code 2,
never a traceback: that line is what an IT admin sees in ``docker logs``. (With the image's
gunicorn.conf.py the gunicorn master checks the same configuration before starting any
worker, so this is the guard for other servers and for a direct import.)
"""

from __future__ import annotations

import sys

from app.server.blas import single_threaded_blas

single_threaded_blas()  # before numpy is imported (app.server.factory imports it)

from app.server.config import Config, ConfigError  # noqa: E402
from app.server.factory import create_app  # noqa: E402

try:
    # create_app reads AUTH_USERS_FILE too, so a bad users file is reported the same way.
    application = create_app(Config.from_env())
except ConfigError as error:
    print(f"configuration error: {error}", file=sys.stderr)
    sys.exit(2)

server = application.server
